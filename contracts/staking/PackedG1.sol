// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";

/// @title PackedG1: a G1 point of BN254 in one storage word
/// @notice `packed = X | PRESENT | (Y & 1) << 255`: X (< P < 2^254) in the low 254 bits, bit 254 set for
/// every point so that 0 can stand for "no point" (and for the point at infinity), bit 255 the parity of
/// Y. Unpacking recomputes Y = ±√(X³ + 3) with one modexp (precompile 0x05, ~1.35k gas), which is
/// cheaper than a second cold SLOAD (2.1k) and halves the storage written per key.
/// @dev Only points already known to be on the curve may be packed (callers validate first): unpacking
/// does not check that the square root exists.
library PackedG1 {
    /// @dev Bit 254: set for every packed point.
    uint256 internal constant PRESENT = 1 << 254;
    /// @dev Low 254 bits: the X coordinate.
    uint256 internal constant X_MASK = (1 << 254) - 1;
    /// @dev (P + 1) / 4: a^((P+1)/4) is a square root of a when one exists (P ≡ 3 mod 4).
    uint256 internal constant SQRT_EXPONENT = (BN254.P + 1) / 4;

    /// @notice Packs an on-curve point (infinity (0, 0) packs to 0).
    function pack(uint256 x, uint256 y) internal pure returns (uint256) {
        if ((x | y) == 0) return 0;
        return x | PRESENT | (y << 255);
    }

    /// @notice Packs an on-curve point given as a struct.
    function pack(BN254.G1Point memory p) internal pure returns (uint256) {
        return pack(p.X, p.Y);
    }

    /// @notice Unpacks into affine (X, Y); 0 unpacks to infinity (0, 0).
    function unpack(uint256 packed) internal view returns (BN254.G1Point memory p) {
        if (packed == 0) return p;
        uint256 x = packed & X_MASK;
        p.X = x;
        p.Y = _sqrtWithParity(x, packed >> 255);
    }

    /// @notice Σ of the packed keys stored at `keySlot(id)` for `ids` (strictly ascending, each non-zero).
    /// Reverts with the given error selectors: `notAscending(index, id)` when an id does not exceed the one
    /// before it, `unknown(id)` when the slot holds no key.
    /// @param ids Calldata array of ids.
    /// @param mappingSlot Storage slot of a `mapping(uint64 => Node)` whose first word is the packed key.
    function sumStoredKeys(uint64[] calldata ids, uint256 mappingSlot, bytes4 notAscending, bytes4 unknown)
        internal
        view
        returns (BN254.G1Point memory sum)
    {
        uint256 p = BN254.P;
        uint256 exponent = SQRT_EXPONENT;
        bool ok = true;
        assembly ("memory-safe") {
            // Layout at m: [0x00, 0x80) ecAdd input (accumulator, next point); [0x80, 0x140) modexp input.
            let m := mload(0x40)
            let e := add(m, 0x80)
            mstore(m, 0) // accumulator = infinity
            mstore(add(m, 0x20), 0)
            mstore(e, 0x20) // modexp lengths: base, exponent, modulus
            mstore(add(e, 0x20), 0x20)
            mstore(add(e, 0x40), 0x20)
            mstore(add(e, 0x80), exponent)
            mstore(add(e, 0xa0), p)
            let last := 0
            for { let i := 0 } lt(i, ids.length) { i := add(i, 1) } {
                let id := calldataload(add(ids.offset, shl(5, i)))
                if iszero(gt(id, last)) {
                    let r := add(m, 0x140)
                    mstore(r, notAscending)
                    mstore(add(r, 0x04), i)
                    mstore(add(r, 0x24), id)
                    revert(r, 0x44)
                }
                last := id
                mstore(0x00, id)
                mstore(0x20, mappingSlot)
                let packed := sload(keccak256(0x00, 0x40))
                if iszero(packed) {
                    let r := add(m, 0x140)
                    mstore(r, unknown)
                    mstore(add(r, 0x04), id)
                    revert(r, 0x24)
                }
                let x := and(packed, X_MASK)
                mstore(add(e, 0x60), addmod(mulmod(mulmod(x, x, p), x, p), 3, p))
                // Precompiles are always warm; the result lands where the point's Y goes.
                ok := and(ok, staticcall(gas(), 0x05, e, 0xc0, add(m, 0x60), 0x20))
                let y := mload(add(m, 0x60))
                if xor(and(y, 1), shr(255, packed)) { mstore(add(m, 0x60), sub(p, y)) }
                mstore(add(m, 0x40), x)
                ok := and(ok, staticcall(gas(), 0x06, m, 0x80, m, 0x40))
            }
            mcopy(sum, m, 0x40)
        }
        if (!ok) revert BN254.PrecompileFailed(0x06);
    }

    /// @dev √(x³ + 3) with the parity bit `odd` (x is known to be on the curve).
    function _sqrtWithParity(uint256 x, uint256 odd) private view returns (uint256 y) {
        uint256 p = BN254.P;
        uint256 rhs = addmod(mulmod(mulmod(x, x, p), x, p), 3, p);
        uint256 exponent = SQRT_EXPONENT;
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0x20)
            mstore(add(m, 0x20), 0x20)
            mstore(add(m, 0x40), 0x20)
            mstore(add(m, 0x60), rhs)
            mstore(add(m, 0x80), exponent)
            mstore(add(m, 0xa0), p)
            ok := staticcall(gas(), 0x05, m, 0xc0, m, 0x20)
            y := mload(m)
        }
        if (!ok) revert BN254.PrecompileFailed(0x05);
        if ((y & 1) != odd) y = p - y;
    }
}
