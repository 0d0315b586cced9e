// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {BLS, BLSSignatureParams} from "../libraries/BLS.sol";

/// @title BLSVerifier: the network's BLS verification as a stand-alone contract
/// @notice Hash-to-G2 compiled with optimizer runs = 10^6 is ~20 KB of code; together with the registry it
/// would exceed the 24 KB contract size limit. The registry therefore calls this stateless contract (one
/// cold STATICCALL, ~3k gas) instead of inlining {BLS.verify}. It has no owner and no state.
contract BLSVerifier {
    /// @notice {BLS.verify}: whether `sig` signs `message` (hash-to-field tag `dst`) under key `apk`.
    /// Never reverts on bad input; returns false.
    /// @param apk The (aggregate) public key in G1.
    /// @param sig The signature in G2, wire order.
    /// @param message The signed bytes (purpose tag first).
    /// @param dst The hash-to-field domain tag.
    /// @return Whether the signature is valid.
    function verify(BN254.G1Point calldata apk, BLSSignatureParams calldata sig, bytes calldata message, bytes32 dst)
        external
        view
        returns (bool)
    {
        return BLS.verify(apk, sig, message, dst);
    }
}
