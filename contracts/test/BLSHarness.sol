// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {HashToG2} from "../libraries/HashToG2.sol";
import {BLS, BLSSignatureParams} from "../libraries/BLS.sol";

/// @title Test harness exposing the BN254 / hash-to-G2 / BLS libraries
/// @notice For tests and gas benchmarks only.
contract BLSHarness {
    /// @notice {verifyTx} found the signature invalid.
    error InvalidSignature();

    /// @notice Emitted by {verifyTx} when the signature is valid.
    event Verified(bytes32 indexed messageHash);

    /// @notice {HashToG2.expandMessage}: the 128 uniform bytes for `message` (no counter byte).
    function expandMessage(bytes calldata message, bytes32 dst) external pure returns (bytes memory) {
        return HashToG2.expandMessage(message, dst);
    }

    /// @notice {HashToG2.hashToField} of `message` (no counter byte).
    function hashToField(bytes calldata message, bytes32 dst)
        external
        pure
        returns (uint256 re, uint256 im, bool negateY)
    {
        return HashToG2.hashToField(message, dst);
    }

    /// @notice {HashToG2.fp2Sqrt}: the protocol's Fp2 square root of `re + im·i`.
    function fp2Sqrt(uint256 re, uint256 im) external view returns (bool exists, uint256 yRe, uint256 yIm) {
        return HashToG2.fp2Sqrt(re, im);
    }

    /// @notice {HashToG2.mapToCurve}: the try-and-increment point before cofactor clearing.
    function mapToCurve(bytes calldata message, bytes32 dst)
        external
        view
        returns (uint256[4] memory point, uint256 counter)
    {
        (point[0], point[1], point[2], point[3], counter) = HashToG2.mapToCurve(message, dst);
    }

    /// @notice {HashToG2.clearCofactor} of an affine twist point `(X.re, X.im, Y.re, Y.im)`.
    function clearCofactor(uint256[4] calldata point) external view returns (uint256[4] memory) {
        return HashToG2.clearCofactor(point[0], point[1], point[2], point[3]);
    }

    /// @notice {HashToG2.hashToG2}: `H(message)` as `(X.re, X.im, Y.re, Y.im)`.
    function hashToG2(bytes calldata message, bytes32 dst) external view returns (uint256[4] memory) {
        return HashToG2.hashToG2(message, dst);
    }

    /// @notice {BLS.verify}.
    function verify(
        BN254.G1Point calldata apk,
        BLSSignatureParams calldata sig,
        bytes calldata message,
        bytes32 dst
    ) external view returns (bool) {
        return BLS.verify(apk, sig, message, dst);
    }

    /// @notice {BLS.verify} as a state-changing call, so a whole transaction can be measured.
    /// Reverts with {InvalidSignature} when the signature does not verify; emits {Verified} otherwise.
    function verifyTx(
        BN254.G1Point calldata apk,
        BLSSignatureParams calldata sig,
        bytes calldata message,
        bytes32 dst
    ) external {
        if (!BLS.verify(apk, sig, message, dst)) revert InvalidSignature();
        emit Verified(keccak256(message));
    }

    /// @notice {BLS.tag}: the domain tag for `base` on this chain and `rewardsContract`.
    function tag(string calldata base, address rewardsContract) external view returns (bytes32) {
        return BLS.tag(base, rewardsContract);
    }

    /// @notice The five tag bases of PROTOCOL.md, in the order pop, reward, exit, liquidate, hash-to-field.
    function tagBases() external pure returns (string[5] memory) {
        return [BLS.PROOF_OF_POSSESSION_TAG, BLS.REWARD_TAG, BLS.EXIT_TAG, BLS.LIQUIDATE_TAG, BLS.HASH_TO_FIELD_TAG];
    }

    /// @notice {BN254.add}.
    function g1Add(BN254.G1Point calldata a, BN254.G1Point calldata b) external view returns (BN254.G1Point memory) {
        return BN254.add(a, b);
    }


    /// @notice {BN254.negate}.
    function g1Negate(BN254.G1Point calldata a) external pure returns (BN254.G1Point memory) {
        return BN254.negate(a);
    }

    /// @notice {BN254.mul}.
    function g1Mul(BN254.G1Point calldata a, uint256 scalar) external view returns (BN254.G1Point memory) {
        return BN254.mul(a, scalar);
    }


    /// @notice {BN254.isOnCurve}.
    function g1IsOnCurve(BN254.G1Point calldata a) external pure returns (bool) {
        return BN254.isOnCurve(a);
    }

    /// @notice {BN254.validatePublicKey}: reverts with `InvalidPublicKey(x, y)` for a bad key.
    function validatePublicKey(BN254.G1Point calldata a) external pure {
        BN254.validatePublicKey(a);
    }

}
