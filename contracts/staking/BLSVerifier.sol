// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {BLS, BLSSignatureParams} from "../libraries/BLS.sol";
import {PackedG1} from "./PackedG1.sol";

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

    /// @notice Whether ecAdd and a 2-pair pairing still cost no more than the stipends the libraries give
    /// them first ({PackedG1-EC_ADD_STIPEND}, {BLS-PAIRING_2_STIPEND}), run on fixed valid points. If the
    /// chain reprices them, registrations and signed calls keep working (they retry with all gas) but pay
    /// for the failed first attempt: monitoring calls this to see it, and the registry is then upgraded
    /// with new stipends.
    /// @return ecAdd Whether G1 + G1 fits its stipend.
    /// @return pairing Whether e(G1, G2) · e(−G1, G2) fits its stipend.
    function stipendsCover() external view returns (bool ecAdd, bool pairing) {
        uint256[12] memory input = [
            uint256(1),
            2,
            // The G2 generator, EIP-197 order (imaginary first).
            0x198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2,
            0x1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed,
            0x090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b,
            0x12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa,
            1,
            BN254.P - 2,
            0x198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2,
            0x1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed,
            0x090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b,
            0x12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa
        ];
        uint256 addStipend = PackedG1.EC_ADD_STIPEND;
        uint256 pairingStipend = BLS.PAIRING_2_STIPEND;
        // Precompile inputs and output in scratch past the free memory pointer, which is not advanced.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 1)
            mstore(add(m, 0x20), 2)
            mstore(add(m, 0x40), 1)
            mstore(add(m, 0x60), 2)
            ecAdd := staticcall(addStipend, 0x06, m, 0x80, m, 0x40)
            pairing := staticcall(pairingStipend, 0x08, input, 0x180, m, 0x20)
            pairing := and(pairing, eq(mload(m), 1))
        }
    }
}
