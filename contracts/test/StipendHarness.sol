// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {BLS, BLSSignatureParams} from "../libraries/BLS.sol";
import {PackedG1} from "../staking/PackedG1.sol";

/// @title Test harness simulating a precompile repricing: the libraries run with first-attempt stipends
/// below today's prices, as they would see them after the chain raised the prices.
/// @notice For tests only.
contract StipendHarness {
    /// @dev Keys of ids 0, 1, 2, … are stored from this slot on, packed, as the registry stores them.
    uint256 private constant _KEYS = 0x1000;

    /// @notice Stores `(x, y)` (on the curve) packed as id `id`'s key; (0, 0) clears it.
    function setKey(uint256 id, uint256 x, uint256 y) external {
        uint256 packed = PackedG1.pack(x, y);
        assembly {
            sstore(add(_KEYS, id), packed)
        }
    }

    /// @notice {BLS.verify} with the pairing's first attempt given `stipend`.
    function verify(
        BN254.G1Point calldata apk,
        BLSSignatureParams calldata sig,
        bytes calldata message,
        bytes32 dst,
        uint256 stipend
    ) external view returns (bool) {
        return BLS.verify(apk, sig, message, dst, stipend);
    }

    /// @notice {BLS.onTwist}.
    function onTwist(BLSSignatureParams calldata sig) external pure returns (bool) {
        return BLS.onTwist(sig);
    }

    /// @notice {PackedG1.sumStoredKeysHinted} over the stored keys with the fast loop's ecAdd given `stipend`.
    function sumHinted(bytes calldata entries, uint256 nextId, uint256 stipend)
        external
        view
        returns (BN254.G1Point memory)
    {
        uint256 offset;
        assembly {
            offset := entries.offset
        }
        return PackedG1.sumStoredKeysHinted(
            offset, entries.length / 34, _KEYS, nextId, bytes4(0x11111111), bytes4(0x22222222), stipend
        );
    }
}
