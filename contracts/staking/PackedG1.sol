// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";

/// @title PackedG1: a G1 point of BN254 in one storage word
/// @notice `packed = X | EVEN_Y` where X (< P < 2^254) fills the low bits and bit 255 (EVEN_Y) is set when
/// Y is even. No point of the curve has X = 0 (3 is not a square mod P), so 0 is free to mean "no point"
/// (and the point at infinity) and no point packs to 0. Unpacking recomputes Y = ±√(X³ + 3) with one
/// modexp (precompile 0x05, ~1.35k gas), which is cheaper than a second cold SLOAD (2.1k) and halves the
/// storage written per key.
/// @dev The flag marks an *even* Y so that the non-signer loop can test a stored word against a supplied
/// Y with one `not`, one shift and one `xor` ({sumStoredKeysHinted}). Only points already known to be on
/// the curve may be packed (callers validate first): unpacking does not check that the square root exists.
library PackedG1 {
    /// @dev Bit 255: set when Y is even.
    uint256 internal constant EVEN_Y = 1 << 255;
    /// @dev Low 254 bits: the X coordinate (bit 254 is always 0).
    uint256 internal constant X_MASK = (1 << 254) - 1;
    /// @dev (P + 1) / 4: a^((P+1)/4) is a square root of a when one exists (P ≡ 3 mod 4).
    uint256 internal constant SQRT_EXPONENT = (BN254.P + 1) / 4;
    /// @dev Bytes per entry of {sumStoredKeysHinted}: `uint16 skip ‖ uint256 y`.
    uint256 internal constant HINTED_ENTRY_SIZE = 34;

    /// @notice Packs an on-curve point (infinity (0, 0) packs to 0).
    function pack(uint256 x, uint256 y) internal pure returns (uint256) {
        if ((x | y) == 0) return 0;
        return x | (~y << 255);
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
        p.Y = _sqrtWithParity(x, (packed >> 255) ^ 1);
    }

    /// @notice Σ of the packed keys stored at `keysBase + id` for `ids` (strictly ascending, each non-zero).
    /// An id below `nextId` whose slot is empty (a node removed since the signers were counted) adds the
    /// point at infinity. Reverts with the given error selectors: `notAscending(index, id)` when an id does
    /// not exceed the one before it, `unknown(id)` when the id is not below `nextId` (never registered).
    /// @dev P is made opaque (`shr(255, gas())` is 0) so that the optimizer keeps it on the stack instead
    /// of re-reading the constant from code at every use (as it does at the registry's optimizer runs).
    /// The ids are read raw from calldata, so each is checked to be below 2^64 before it becomes a slot
    /// offset: a wider one could otherwise address any slot of the contract.
    /// @param offset Calldata offset of the ids (a `uint64[]`'s elements, one word each).
    /// @param count Number of ids.
    /// @param keysBase Storage slot of id 0's packed key; id `i`'s is `keysBase + i`.
    /// @param nextId One above the highest id ever used (below 2^64).
    // solhint-disable-next-line function-max-lines
    function sumStoredKeys(
        uint256 offset,
        uint256 count,
        uint256 keysBase,
        uint256 nextId,
        bytes4 notAscending,
        bytes4 unknown
    ) internal view returns (BN254.G1Point memory sum) {
        uint256 exponent = SQRT_EXPONENT;
        bool ok = true;
        // ecAdd and modexp inputs in scratch past the free memory pointer, which is not advanced.
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
                // An id ≥ nextId (≥ 2^64 included) may read some other slot, which is then not used.
                let packed := sload(add(keysBase, id))
                let known := lt(id, nextId)
                if or(iszero(packed), iszero(known)) {
                    if iszero(known) {
                        let r := add(m, 0x140)
                        mstore(r, unknown)
                        mstore(add(r, 0x04), id)
                        revert(r, 0x24)
                    }
                    // Removed since aggregation: its key already left the aggregate (infinity).
                    continue
                }
                let x := and(packed, X_MASK)
                mstore(add(e, 0x60), addmod(mulmod(mulmod(x, x, p), x, p), 3, p))
                // Precompiles are always warm; the result lands where the point's Y goes.
                ok := and(ok, staticcall(gas(), 0x05, e, 0xc0, add(m, 0x60), 0x20))
                let y := mload(add(m, 0x60))
                // Bit 255 marks an even Y: a root of the same parity as that bit is the wrong one.
                if eq(and(y, 1), shr(255, packed)) { mstore(add(m, 0x60), sub(p, y)) }
                mstore(add(m, 0x40), x)
                ok := and(ok, staticcall(gas(), 0x06, m, 0x80, m, 0x40))
            }
            mcopy(sum, m, 0x40)
        }
        if (!ok) revert BN254.PrecompileFailed(0x06);
    }

    /// @notice {sumStoredKeys} with each key's Y supplied by the caller instead of recomputed. The calldata
    /// bytes at `offset` hold `count` entries of 34 bytes, `uint16 skip ‖ uint256 y` (big-endian,
    /// `abi.encodePacked`): the entry's id is the previous entry's id (0 before the first) plus `skip + 1`,
    /// so ids are strictly ascending by construction — a duplicate or an out-of-order id cannot be written
    /// — and consecutive ids cost two zero bytes. Each `y` is accepted only if it is below P, satisfies
    /// y² = x³ + 3 for the stored X and has the stored parity — that singles out the stored point, since
    /// the two roots ±y have different parities. Costs one cold SLOAD and one ecAdd per entry, no square
    /// root and no hashing. An id below `nextId` whose slot is empty (removed since the signers were counted)
    /// adds the point at infinity, whatever its `y`. Reverts with `unknown(id)` (id ≥ `nextId`) or
    /// `badY(id, y)`.
    /// @dev Every check is left to the ecAdd precompile (EIP-196), which fails on a coordinate ≥ P or a
    /// point off the curve. The X it is given is `stored ^ (~y << 255)`: for a stored key whose Y has y's
    /// parity, bit 255 (EVEN_Y) cancels and that is exactly X; a parity mismatch leaves bit 255 set (≥ P);
    /// an empty slot (unknown id) gives 2^255 for an even y and 0 for an odd one, and no curve point has
    /// X = 0 — the precompile reads (0, 0) as infinity, but y = 0 is even. The precompile is given exactly
    /// its cost (150 gas), so a failure burns only that; the loop finishes and {_slowHinted} re-scans the
    /// entries with the explicit checks: it names the first bad one, or — every entry valid, i.e. a removed
    /// non-signer or an ecAdd repriced above the stipend — computes the sum again forwarding all gas.
    /// The entries are taken four per iteration (after the count mod 4 singly) to spread the loop's own
    /// cost. Ids stay below 2^32 (count ≤ 2^16 entries, skips < 2^16), so `keysBase + id` cannot wrap.
    /// @param offset Calldata offset of the first entry.
    /// @param count Number of entries (at most 2^16).
    /// @param keysBase Storage slot of id 0's packed key; id `i`'s is `keysBase + i`.
    function sumStoredKeysHinted(
        uint256 offset,
        uint256 count,
        uint256 keysBase,
        uint256 nextId,
        bytes4 unknown,
        bytes4 badY
    ) internal view returns (BN254.G1Point memory sum) {
        return sumStoredKeysHinted(offset, count, keysBase, nextId, unknown, badY, EC_ADD_STIPEND);
    }

    /// @dev The ecAdd price (EIP-1108) given to each call of {sumStoredKeysHinted}'s fast loop.
    uint256 internal constant EC_ADD_STIPEND = 150;

    /// @notice {sumStoredKeysHinted} with the fast loop's ecAdd stipend given (tests simulate a repricing
    /// with a stipend below the price).
    // solhint-disable-next-line function-max-lines
    function sumStoredKeysHinted(
        uint256 offset,
        uint256 count,
        uint256 keysBase,
        uint256 nextId,
        bytes4 unknown,
        bytes4 badY,
        uint256 stipend
    ) internal view returns (BN254.G1Point memory sum) {
        bool ok;
        // Uses 0x00-0x7f as ecAdd input and restores the free memory pointer and the zero slot before leaving.
        assembly ("memory-safe") {
            // The ecAdd input sits at [0x00, 0x80) — accumulator, then the next point — so that no
            // address has to be kept on the stack; the free memory pointer (0x40) and the zero slot
            // (0x60) are restored below. The sum overwrites the accumulator. Precompiles are always warm.
            let freeMemory := mload(0x40)
            mstore(0x00, 0) // accumulator = infinity
            mstore(0x20, 0)
            let slot := keysBase
            ok := 1
            let ptr := offset
            // No overflow: offset and count describe a calldata slice, so both ends are below its size.
            for { let end := add(offset, mul(mod(count, 4), 34)) } lt(ptr, end) { ptr := add(ptr, 34) } {
                slot := add(slot, add(shr(240, calldataload(ptr)), 1))
                let y := calldataload(add(ptr, 2))
                mstore(0x40, xor(sload(slot), shl(255, not(y))))
                mstore(0x60, y)
                ok := and(ok, staticcall(stipend, 0x06, 0x00, 0x80, 0x00, 0x40))
            }
            for { let end := add(offset, mul(count, 34)) } lt(ptr, end) { ptr := add(ptr, 136) } {
                slot := add(slot, add(shr(240, calldataload(ptr)), 1))
                let y := calldataload(add(ptr, 2))
                mstore(0x40, xor(sload(slot), shl(255, not(y))))
                mstore(0x60, y)
                let done := staticcall(stipend, 0x06, 0x00, 0x80, 0x00, 0x40)
                slot := add(slot, add(shr(240, calldataload(add(ptr, 34))), 1))
                y := calldataload(add(ptr, 36))
                mstore(0x40, xor(sload(slot), shl(255, not(y))))
                mstore(0x60, y)
                done := and(done, staticcall(stipend, 0x06, 0x00, 0x80, 0x00, 0x40))
                slot := add(slot, add(shr(240, calldataload(add(ptr, 68))), 1))
                y := calldataload(add(ptr, 70))
                mstore(0x40, xor(sload(slot), shl(255, not(y))))
                mstore(0x60, y)
                done := and(done, staticcall(stipend, 0x06, 0x00, 0x80, 0x00, 0x40))
                slot := add(slot, add(shr(240, calldataload(add(ptr, 102))), 1))
                y := calldataload(add(ptr, 104))
                mstore(0x40, xor(sload(slot), shl(255, not(y))))
                mstore(0x60, y)
                ok := and(ok, and(done, staticcall(stipend, 0x06, 0x00, 0x80, 0x00, 0x40)))
            }
            mcopy(sum, 0x00, 0x40)
            mstore(0x40, freeMemory)
            mstore(0x60, 0)
        }
        if (!ok) sum = _slowHinted(offset, count, keysBase, nextId, unknown, badY);
    }

    /// @dev {sumStoredKeysHinted} after its fast loop failed: checks the entries in order with the explicit
    /// rules, reverting with the error of the first bad one; skips removed ids (empty slot below `nextId`);
    /// sums the rest with ecAdd given all remaining gas (every point is valid by then, so only a repriced
    /// precompile could have failed: it is paid here).
    function _slowHinted(uint256 offset, uint256 count, uint256 keysBase, uint256 nextId, bytes4 unknown, bytes4 badY)
        private
        view
        returns (BN254.G1Point memory sum)
    {
        uint256 p = BN254.P;
        uint256 id = 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 y;
            uint256 packed;
            // Calldata and storage reads only; touches no memory.
            assembly ("memory-safe") {
                let ptr := add(offset, mul(i, 34))
                id := add(id, add(shr(240, calldataload(ptr)), 1))
                y := calldataload(add(ptr, 2))
                packed := sload(add(keysBase, id))
            }
            uint256 x = packed & PackedG1.X_MASK;
            bytes memory data;
            // solhint-disable-next-line gas-strict-inequalities
            if (id >= nextId) data = abi.encodeWithSelector(unknown, id);
            else if (packed == 0) continue;
            else if (
                y > p - 1 || (y & 1) == packed >> 255
                    || mulmod(y, y, p) != addmod(mulmod(mulmod(x, x, p), x, p), 3, p)
            ) data = abi.encodeWithSelector(badY, id, y);
            if (data.length != 0) {
                // Reverts with `data`, which it owns; never returns to Solidity.
                assembly ("memory-safe") {
                    revert(add(data, 0x20), mload(data))
                }
            }
            sum = BN254.add(sum, BN254.G1Point(x, y));
        }
    }

    /// @dev √(x³ + 3) with the parity bit `odd` (x is known to be on the curve).
    function _sqrtWithParity(uint256 x, uint256 odd) private view returns (uint256 y) {
        uint256 p = BN254.P;
        uint256 rhs = addmod(mulmod(mulmod(x, x, p), x, p), 3, p);
        uint256 exponent = SQRT_EXPONENT;
        bool ok;
        // modexp input and output in scratch past the free memory pointer, which is not advanced.
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
