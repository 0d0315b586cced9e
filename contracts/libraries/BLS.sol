// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "./BN254.sol";
import {HashToG2} from "./HashToG2.sol";

/// @notice A BLS signature (a G2 point) in the network's wire order: `sigs0 = X.re`, `sigs1 = X.im`,
/// `sigs2 = Y.re`, `sigs3 = Y.im`. EIP-197 takes the imaginary part first: `[sigs1, sigs0], [sigs3, sigs2]`.
struct BLSSignatureParams {
    uint256 sigs0;
    uint256 sigs1;
    uint256 sigs2;
    uint256 sigs3;
}

/// @title BLS signatures of the Session Network (public keys in G1, signatures in G2)
/// @notice `verify` checks `e(G1gen, σ) · e(-apk, H(m)) == 1` with one 2-pair pairing (precompile 0x08).
library BLS {
    /// @notice Base of the proof-of-possession domain tag.
    string internal constant PROOF_OF_POSSESSION_TAG = "BLS_SIG_TRYANDINCREMENT_POP";
    /// @notice Base of the reward-balance domain tag.
    string internal constant REWARD_TAG = "BLS_SIG_TRYANDINCREMENT_REWARD";
    /// @notice Base of the exit domain tag.
    string internal constant EXIT_TAG = "BLS_SIG_TRYANDINCREMENT_EXIT";
    /// @notice Base of the liquidation domain tag.
    // solhint-disable-next-line gas-small-strings
    string internal constant LIQUIDATE_TAG = "BLS_SIG_TRYANDINCREMENT_LIQUIDATE";
    /// @notice Base of the `dst` given to hash-to-G2 for every message.
    string internal constant HASH_TO_FIELD_TAG = "BLS_SIG_HASH_TO_FIELD_TAG";

    /// @notice EIP-1108 price of a 2-pair pairing (45,000 + 2 · 34,000), the first attempt's stipend: a
    /// signature off the twist then burns only this, never the caller's remaining gas.
    uint256 internal constant PAIRING_2_STIPEND = 113_000;

    /// @dev The twist's b' = 3 / (9 + i): real and imaginary parts.
    uint256 private constant _TWIST_B_RE = 0x2b149d40ceb8aaae81be18991be06ac3b5b4c5e559dbefa33267e6dc24a138e5;
    uint256 private constant _TWIST_B_IM = 0x009713b03af0fed4cd2cafadeed8fdf4a74fa084e52d1852e4a2bd0685c315d2;

    /// @notice `keccak256(abi.encodePacked(base, block.chainid, rewardsContract))` (PROTOCOL.md §1).
    /// @param rewardsContract The address users call (the proxy), not the implementation.
    function tag(string memory base, address rewardsContract) internal view returns (bytes32) {
        return keccak256(abi.encodePacked(base, block.chainid, rewardsContract));
    }

    /// @notice Whether `sig` is a valid signature of `message` (domain `dst`) by the (aggregate) key
    /// `apk`. Returns false — never reverts — for a wrong signature, coordinates `>= P`, a signature not
    /// on the twist or not in G2, or `apk` not on the curve or at infinity.
    function verify(BN254.G1Point memory apk, BLSSignatureParams memory sig, bytes memory message, bytes32 dst)
        internal
        view
        returns (bool)
    {
        return verify(apk, sig, message, dst, PAIRING_2_STIPEND);
    }

    /// @notice {verify} with the pairing's first-attempt stipend given (tests simulate a repricing with a
    /// stipend below the price).
    function verify(
        BN254.G1Point memory apk,
        BLSSignatureParams memory sig,
        bytes memory message,
        bytes32 dst,
        uint256 stipend
    ) internal view returns (bool) {
        if (!_inRange(apk, sig)) return false;
        return _pairingCheck(apk, sig, HashToG2.hashToG2(message, dst), stipend);
    }

    /// @notice {verify} for a message already hashed to G2: `h = (X.re, X.im, Y.re, Y.im)` from
    /// {HashToG2.hashToG2}.
    function verifyHashed(BN254.G1Point memory apk, BLSSignatureParams memory sig, uint256[4] memory h)
        internal
        view
        returns (bool)
    {
        if (!_inRange(apk, sig)) return false;
        return _pairingCheck(apk, sig, h, PAIRING_2_STIPEND);
    }

    /// @dev Coordinates below P and apk not the infinity encoding (0, 0). On-curve / subgroup checks are
    /// left to the pairing precompile, which fails on them.
    function _inRange(BN254.G1Point memory apk, BLSSignatureParams memory sig) private pure returns (bool) {
        uint256 p = BN254.P;
        return apk.X < p && apk.Y < p && (apk.X | apk.Y) != 0 && sig.sigs0 < p && sig.sigs1 < p && sig.sigs2 < p
            && sig.sigs3 < p;
    }

    /// @notice Whether the signature `(sigs0 + sigs1·i, sigs2 + sigs3·i)` satisfies y² = x³ + b' on the
    /// twist (coordinates < P, checked by the caller). Membership in G2 is left to the pairing precompile.
    function onTwist(BLSSignatureParams memory sig) internal pure returns (bool) {
        uint256 p = BN254.P;
        (uint256 x0, uint256 x1, uint256 y0, uint256 y1) = (sig.sigs0, sig.sigs1, sig.sigs2, sig.sigs3);
        // x² and x³ = x² · x over Fp2 (i² = −1).
        uint256 a0 = addmod(mulmod(x0, x0, p), p - mulmod(x1, x1, p), p);
        uint256 a1 = mulmod(2, mulmod(x0, x1, p), p);
        uint256 c0 = addmod(addmod(mulmod(a0, x0, p), p - mulmod(a1, x1, p), p), _TWIST_B_RE, p);
        uint256 c1 = addmod(addmod(mulmod(a0, x1, p), mulmod(a1, x0, p), p), _TWIST_B_IM, p);
        return addmod(mulmod(y0, y0, p), p - mulmod(y1, y1, p), p) == c0 && mulmod(2, mulmod(y0, y1, p), p) == c1;
    }

    /// @dev e(G1gen, σ) · e(-apk, h) == 1. Inputs are in range (checked by the caller). The precompile first
    /// gets `stipend` (its price today), so garbage burns only that. If that call fails although σ is on the
    /// twist, the chain may have repriced the pairing: it is tried again with all remaining gas, which
    /// succeeds for every valid input (a σ on the twist but outside G2 then burns its sender's gas).
    function _pairingCheck(BN254.G1Point memory apk, BLSSignatureParams memory sig, uint256[4] memory h, uint256 stipend)
        private
        view
        returns (bool result)
    {
        bool ok;
        uint256 m;
        // Pairing input built past the free memory pointer, which is not advanced (scratch, never read after).
        assembly ("memory-safe") {
            m := mload(0x40)
            mstore(m, 1)
            mstore(add(m, 0x20), 2)
            mstore(add(m, 0x40), mload(add(sig, 0x20)))
            mstore(add(m, 0x60), mload(sig))
            mstore(add(m, 0x80), mload(add(sig, 0x60)))
            mstore(add(m, 0xa0), mload(add(sig, 0x40)))
            mstore(add(m, 0xc0), mload(apk))
            // -apk = (x, p - y); y != 0 for a point on the curve (x³ + 3 = 0 has no root in Fp).
            mstore(add(m, 0xe0), mod(sub(0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47, mload(add(apk, 0x20))), 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47))
            mstore(add(m, 0x100), mload(add(h, 0x20)))
            mstore(add(m, 0x120), mload(h))
            mstore(add(m, 0x140), mload(add(h, 0x60)))
            mstore(add(m, 0x160), mload(add(h, 0x40)))
            // A failed call (a point off its curve or outside G2) gives ok = 0. (Separate statements:
            // Yul evaluates arguments right to left, so mload must come after the call.)
            ok := staticcall(stipend, 0x08, m, 0x180, m, 0x20)
        }
        // A failed call leaves the input in place (no output is written).
        if (!ok && onTwist(sig)) {
            // Retries the pairing on the same scratch input past the free memory pointer.
            assembly ("memory-safe") {
                ok := staticcall(gas(), 0x08, m, 0x180, m, 0x20)
            }
        }
        // Reads the pairing result from that scratch word.
        assembly ("memory-safe") {
            result := and(ok, eq(mload(m), 1))
        }
    }
}
