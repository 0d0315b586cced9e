// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title BN254 (alt_bn128) G1 arithmetic on the EIP-196 precompiles
/// @notice Points are affine `(X, Y)`; `(0, 0)` encodes the point at infinity, as in EIP-196. A failure
/// always reverts with {PrecompileFailed} instead of yielding a wrong point. The precompiles are given all
/// remaining gas, not a stipend pinned to today's price: the registry only ever passes valid points (keys
/// validated on entry, sums of them), so a call can only fail if the chain repriced the precompile above
/// what is left, and a repricing then costs more gas instead of stopping every registration and signed call.
/// (An invalid point from a caller burns that caller's own remaining gas before the revert.)
library BN254 {
    /// @notice Base field modulus p.
    uint256 internal constant P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    /// @notice Group order r (of G1 and of G2).
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;

    /// @dev Upper-case field names are the network's ABI (`(uint256 X, uint256 Y) pubkey` in events).
    struct G1Point {
        // solhint-disable-next-line var-name-mixedcase
        uint256 X;
        // solhint-disable-next-line var-name-mixedcase
        uint256 Y;
    }

    /// @notice A precompile (0x06 ecAdd, 0x07 ecMul, 0x05 modexp, 0x08 pairing) rejected its input
    /// or ran out of gas.
    error PrecompileFailed(uint256 precompile);

    /// @notice `(x, y)` is not usable as a BLS public key: a coordinate is `>= P`, the point is not on
    /// y² = x³ + 3, or it is the point at infinity `(0, 0)`.
    error InvalidPublicKey(uint256 x, uint256 y);

    /// @notice The generator of G1, (1, 2).
    function generator() internal pure returns (G1Point memory) {
        return G1Point(1, 2);
    }

    /// @notice `p1 + p2` (ecAdd, 0x06). Reverts with {PrecompileFailed} if either point is not on the curve.
    function add(G1Point memory p1, G1Point memory p2) internal view returns (G1Point memory r) {
        bool ok;
        // ecAdd input past the free memory pointer (scratch); the output goes to `r`, which owns 2 words.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, mload(p1))
            mstore(add(m, 0x20), mload(add(p1, 0x20)))
            mstore(add(m, 0x40), mload(p2))
            mstore(add(m, 0x60), mload(add(p2, 0x20)))
            ok := staticcall(gas(), 0x06, m, 0x80, r, 0x40)
        }
        if (!ok) revert PrecompileFailed(0x06);
    }

    /// @notice `-p`: `(x, P - y)`, with infinity `(0, 0)` mapped to itself. Coordinates must be < P
    /// (validate untrusted points first); a `Y >= P` panics on underflow rather than wrapping silently.
    function negate(G1Point memory p) internal pure returns (G1Point memory) {
        if (p.Y == 0) return G1Point(p.X, 0);
        return G1Point(p.X, P - p.Y);
    }

    /// @notice `scalar · p` (ecMul, 0x07). Reverts with {PrecompileFailed} if `p` is not on the curve.
    function mul(G1Point memory p, uint256 scalar) internal view returns (G1Point memory r) {
        bool ok;
        // ecMul input past the free memory pointer (scratch); the output goes to `r`, which owns 2 words.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, mload(p))
            mstore(add(m, 0x20), mload(add(p, 0x20)))
            mstore(add(m, 0x40), scalar)
            ok := staticcall(gas(), 0x07, m, 0x60, r, 0x40)
        }
        if (!ok) revert PrecompileFailed(0x07);
    }

    /// @notice Whether `p` is an affine point of G1: both coordinates `< P` and y² = x³ + 3. The
    /// infinity encoding `(0, 0)` is NOT on the curve. (G1 has cofactor 1, so on-curve means in G1.)
    function isOnCurve(G1Point memory p) internal pure returns (bool) {
        uint256 x = p.X;
        uint256 y = p.Y;
        if (x > P - 1 || y > P - 1) return false;
        return mulmod(y, y, P) == addmod(mulmod(mulmod(x, x, P), x, P), 3, P);
    }

    /// @notice Reverts with {InvalidPublicKey} unless `p` {isOnCurve} (which excludes infinity).
    function validatePublicKey(G1Point memory p) internal pure {
        if (!isOnCurve(p)) revert InvalidPublicKey(p.X, p.Y);
    }
}
