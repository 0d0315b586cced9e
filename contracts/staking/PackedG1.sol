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
    /// @dev P is made opaque (`shr(255, gas())` is 0) so that the optimizer keeps it on the stack instead
    /// of re-reading the constant from code at every use (as it does at the registry's optimizer runs).
    /// @param offset Calldata offset of the ids (a `uint64[]`'s elements, one word each).
    /// @param count Number of ids.
    /// @param mappingSlot Storage slot of a `mapping(uint64 => Node)` whose first word is the packed key.
    function sumStoredKeys(uint256 offset, uint256 count, uint256 mappingSlot, bytes4 notAscending, bytes4 unknown)
        internal
        view
        returns (BN254.G1Point memory sum)
    {
        uint256 exponent = SQRT_EXPONENT;
        bool ok = true;
        assembly ("memory-safe") {
            let p := or(0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47, shr(255, gas()))
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
            mstore(0x20, mappingSlot)
            let last := 0
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                let id := calldataload(add(offset, shl(5, i)))
                if iszero(gt(id, last)) {
                    let r := add(m, 0x140)
                    mstore(r, notAscending)
                    mstore(add(r, 0x04), i)
                    mstore(add(r, 0x24), id)
                    revert(r, 0x44)
                }
                last := id
                mstore(0x00, id)
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

    /// @notice {sumStoredKeys} with each key's Y supplied by the caller instead of recomputed: the
    /// calldata bytes at `offset` hold `count` entries of 40 bytes, `uint64 id ‖ uint256 y` (big-endian,
    /// `abi.encodePacked`). Each `y` is accepted only if it is below P, satisfies y² = x³ + 3 for the
    /// stored X and has the stored parity — that singles out the stored point, since the two roots ±y
    /// have different parities. Costs one cold SLOAD and one ecAdd per id, no square root.
    /// Reverts with `notAscending(index, id)`, `unknown(id)` or `badY(id, y)`.
    /// @dev The curve equation and y < P are not evaluated here: the ecAdd precompile (EIP-196) fails on
    /// any input point with a coordinate ≥ P or not on the curve, and it is given exactly its cost
    /// (150 gas) so that a failure burns only that. The ordering and parity checks are folded into one
    /// flag without a branch. Any failure makes the loop finish and {_revertHinted} re-scan the entries
    /// with the explicit checks to name the first bad one; valid input never takes that path.
    /// @param offset Calldata offset of the first entry.
    /// @param count Number of entries.
    /// @param mappingSlot Storage slot of a `mapping(uint64 => Node)` whose first word is the packed key.
    function sumStoredKeysHinted(
        uint256 offset,
        uint256 count,
        uint256 mappingSlot,
        bytes4 notAscending,
        bytes4 unknown,
        bytes4 badY
    ) internal view returns (BN254.G1Point memory sum) {
        bool ok;
        assembly ("memory-safe") {
            // [m, m + 0x80): ecAdd input (accumulator, next point); scratch words: (id, mappingSlot).
            let m := mload(0x40)
            mstore(m, 0) // accumulator = infinity
            mstore(add(m, 0x20), 0)
            mstore(0x20, mappingSlot)
            // Addresses of the next point's coordinates, computed once instead of per entry.
            let mx := add(m, 0x40)
            let my := add(m, 0x60)
            // X_MASK made opaque (shr(255, gas()) is 0) so that it stays on the stack instead of being
            // rebuilt from (1 << 254) - 1 at every entry.
            let xMask := or(X_MASK, shr(255, gas()))
            let last := 0
            ok := 1
            // No overflow: offset and count describe a calldata slice, so end is below the calldata size.
            let end := add(offset, mul(count, 40))
            for { let ptr := offset } lt(ptr, end) { ptr := add(ptr, 40) } {
                let id := shr(192, calldataload(ptr))
                let y := calldataload(add(ptr, 8))
                mstore(0x00, id)
                let packed := sload(keccak256(0x00, 0x40))
                mstore(mx, and(packed, xMask)) // X: the low 254 bits
                mstore(my, y)
                // One flag, no branch; it only falls, and the re-scan names the error:
                // - ids strictly ascending (no duplicates);
                // - shl(255, y) is y's parity in bit 255, where packed holds the stored parity; above bit
                //   253 the xor is then PRESENT (bit 254, set for every stored key, 0 for an unknown id) plus
                //   the parity mismatch (bit 255): it must be exactly 1 — the key exists and the parities match;
                // - the precompile checks (X, y) is on the curve with both coordinates < P; with the stored X
                //   and parity this is the stored point (the other root has the other parity). Exactly its
                //   cost is forwarded (precompiles are always warm); the sum overwrites the accumulator.
                ok := and(
                    and(ok, gt(id, last)),
                    and(eq(shr(254, xor(packed, shl(255, y))), 1), staticcall(150, 0x06, m, 0x80, m, 0x40))
                )
                last := id
            }
            mcopy(sum, m, 0x40)
        }
        if (!ok) _revertHinted(offset, count, mappingSlot, notAscending, unknown, badY);
    }

    /// @dev Reverts for hinted entries on which {sumStoredKeysHinted} failed: re-checks them in order with
    /// the explicit rules and reverts with the error of the first bad one (`PrecompileFailed(6)` if every
    /// entry is valid, i.e. the precompile failed for lack of gas).
    function _revertHinted(
        uint256 offset,
        uint256 count,
        uint256 mappingSlot,
        bytes4 notAscending,
        bytes4 unknown,
        bytes4 badY
    ) private view {
        uint256 p = BN254.P;
        uint256 last = 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 id;
            uint256 y;
            uint256 packed;
            assembly ("memory-safe") {
                let ptr := add(offset, mul(i, 40))
                id := shr(192, calldataload(ptr))
                y := calldataload(add(ptr, 8))
                mstore(0x00, id)
                mstore(0x20, mappingSlot)
                packed := sload(keccak256(0x00, 0x40))
            }
            uint256 x = packed & PackedG1.X_MASK;
            bytes memory data;
            // solhint-disable-next-line gas-strict-inequalities
            if (id <= last) data = abi.encodeWithSelector(notAscending, i, id);
            else if (packed == 0) data = abi.encodeWithSelector(unknown, id);
            else if (
                y > p - 1 || (y & 1) != packed >> 255 || mulmod(y, y, p) != addmod(mulmod(mulmod(x, x, p), x, p), 3, p)
            ) data = abi.encodeWithSelector(badY, id, y);
            if (data.length != 0) {
                assembly ("memory-safe") {
                    revert(add(data, 0x20), mload(data))
                }
            }
            last = id;
        }
        revert BN254.PrecompileFailed(0x06);
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
