// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Ed25519 signature verification (RFC 8032, cofactorless) and the Ed25519 → X25519 key relation
/// @notice Lets a contract check that the holder of a Session ID's key authorised something: a Session ID is
/// `05` ‖ an X25519 key that Session derives from the account's Ed25519 key (the Montgomery form
/// u = (1 + y) / (1 − y) of the Edwards point), and Session signs with that Ed25519 key.
/// Keys, signatures and X25519 keys are passed as their 32-byte wire strings (little-endian numbers).
/// Verification follows RFC 8032 §5.1.7 without the cofactor: S < L, A decodes to a curve point,
/// k = SHA-512(R ‖ A ‖ M) mod L, and the encoding of [S]B − [k]A must equal R byte for byte (so a
/// non-canonical R is refused). Cost ≈ 260k gas (≈ 285k as a whole transaction), almost all in the double scalar multiplication.
/// @dev The message is fixed at 32 bytes (one SHA-512 block with R and A). All arithmetic is in inline
/// assembly on memory past the free-memory pointer, which is never advanced (scratch use only).
library Ed25519 {
    /// @dev Field prime 2^255 − 19.
    uint256 private constant P = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed;
    /// @dev Order of the base point, 2^252 + 27742317777372353535851937790883648493.
    uint256 private constant L = 0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed;
    /// @dev Curve constant d = −121665 / 121666 and 2·d.
    uint256 private constant D = 37095705934669439343138083508754565189542113879843219016388785533085940283555;
    uint256 private constant D2 = 16295367250680780974490674513165176452449235426866156013048779062215315747161;
    /// @dev A square root of −1 mod P.
    uint256 private constant SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752;
    /// @dev 2^256 mod L, to reduce the 512-bit hash.
    uint256 private constant R256_MOD_L = 7237005577332262213973186563042994240413239274941949949428319933631315875101;
    /// @dev Base point B (affine) and its precomputed form (y − x, y + x, 2·d·x·y).
    uint256 private constant BX = 15112221349535400772501151409588531511454012693041857206046113283949847762202;
    uint256 private constant BY = 46316835694926478169428394003475163141307993866256225615783033603165251855960;
    uint256 private constant B_YMX = 31204614345391077396927242593886631629853981173214368409736920319215404093758;
    uint256 private constant B_YPX = 3533012425803781230144052908719740726127014226477800802100354883158534798213;
    uint256 private constant B_T2D = 50237614328228664512531835696112167678046477356841409204013502641986506238568;

    /// @dev SHA-512 round constants K[0..79], 8 bytes each, big-endian.
    bytes private constant SHA512_K = hex"428a2f98d728ae227137449123ef65cdb5c0fbcfec4d3b2fe9b5dba58189dbbc3956c25bf348b53859f111f1b605d019923f82a4af194f9bab1c5ed5da6d8118d807aa98a303024212835b0145706fbe243185be4ee4b28c550c7dc3d5ffb4e272be5d74f27b896f80deb1fe3b1696b19bdc06a725c71235c19bf174cf692694e49b69c19ef14ad2efbe4786384f25e30fc19dc68b8cd5b5240ca1cc77ac9c652de92c6f592b02754a7484aa6ea6e4835cb0a9dcbd41fbd476f988da831153b5983e5152ee66dfaba831c66d2db43210b00327c898fb213fbf597fc7beef0ee4c6e00bf33da88fc2d5a79147930aa72506ca6351e003826f142929670a0e6e7027b70a8546d22ffc2e1b21385c26c9264d2c6dfc5ac42aed53380d139d95b3df650a73548baf63de766a0abb3c77b2a881c2c92e47edaee692722c851482353ba2bfe8a14cf10364a81a664bbc423001c24b8b70d0f89791c76c51a30654be30d192e819d6ef5218d69906245565a910f40e35855771202a106aa07032bbd1b819a4c116b8d2d0c81e376c085141ab532748774cdf8eeb9934b0bcb5e19b48a8391c0cb3c5c95a634ed8aa4ae3418acb5b9cca4f7763e373682e6ff3d6b2b8a3748f82ee5defb2fc78a5636f43172f6084c87814a1f0ab728cc702081a6439ec90befffa23631e28a4506cebde82bde9bef9a3f7b2c67915c67178f2e372532bca273eceea26619cd186b8c721c0c207eada7dd6cde0eb1ef57d4f7fee6ed17806f067aa72176fba0a637dc5a2c898a6113f9804bef90dae1b710b35131c471b28db77f523047d8432caab7b40c724933c9ebe0a15c9bebc431d67c49c100d4c4cc5d4becb3e42b6597f299cfc657e2a5fcb6fab3ad6faec6c44198c4a475817";

    /// @notice Whether `x25519Key` (a Session ID without its `05`) is the Montgomery form of Ed25519 key
    /// `publicKey`: u·(1 − y) ≡ 1 + y (mod p), with u and y canonical. Both signs of x map to the same u.
    function isX25519Of(bytes32 publicKey, bytes32 x25519Key) internal pure returns (bool matches) {
        // Stack arithmetic only; touches no memory.
        assembly ("memory-safe") {
            let y := and(_rev(publicKey), 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
            let u := _rev(x25519Key)
            if and(lt(y, P), lt(u, P)) {
                matches := eq(mulmod(u, addmod(1, sub(P, y), P), P), addmod(1, y, P))
            }

            function _rev(v) -> r {
                r := or(
                    shr(8, and(v, 0xff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00)),
                    shl(8, and(v, 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff))
                )
                r := or(
                    shr(16, and(r, 0xffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000)),
                    shl(16, and(r, 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff))
                )
                r := or(
                    shr(32, and(r, 0xffffffff00000000ffffffff00000000ffffffff00000000ffffffff00000000)),
                    shl(32, and(r, 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff))
                )
                r := or(
                    shr(64, and(r, 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000)),
                    shl(64, and(r, 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff))
                )
                r := or(shr(128, r), shl(128, r))
            }
        }
    }

    /// @notice Whether `sigR ‖ sigS` is a valid Ed25519 signature by `publicKey` over the 32 bytes `message`.
    /// Returns false (never reverts) for a malformed key or signature.
    /// @dev One assembly block with its Yul helpers (SHA-512, point arithmetic); splitting it would only add copies.
    // solhint-disable-next-line function-max-lines
    function verify(bytes32 publicKey, bytes32 sigR, bytes32 sigS, bytes32 message) internal view returns (bool valid) {
        bytes memory kTable = SHA512_K;
        // Works in scratch past the free memory pointer (layout below), which is not advanced; reads kTable in place.
        assembly ("memory-safe") {
            // Scratch layout past the free-memory pointer: Q (4 words), three precomputed points (12 words),
            // modexp input (6 words), SHA-512 schedule (80 words).
            let q := mload(0x40)
            let tbl := add(q, 0x80)
            let scratch := add(q, 0x200)
            let w := add(q, 0x2c0)

            let s := _rev(sigS)
            let yA := _rev(publicKey)
            let signA := shr(255, yA)
            yA := and(yA, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
            let ok := and(lt(s, L), lt(yA, P))
            let xA := 0
            if ok {
                // Decode A: x² = (y² − 1) / (d·y² + 1); x = u·v³·(u·v⁷)^((p − 5) / 8), times √−1 if needed.
                let yy := mulmod(yA, yA, P)
                let u := addmod(yy, sub(P, 1), P)
                let v := addmod(mulmod(D, yy, P), 1, P)
                let v3 := mulmod(mulmod(v, v, P), v, P)
                let v7 := mulmod(mulmod(v3, v3, P), v, P)
                xA := mulmod(
                    mulmod(u, v3, P),
                    _expmod(scratch, mulmod(u, v7, P), 0x0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd),
                    P
                )
                let vxx := mulmod(v, mulmod(xA, xA, P), P)
                if iszero(eq(vxx, u)) {
                    switch eq(vxx, sub(P, u))
                    case 1 { xA := mulmod(xA, SQRT_M1, P) }
                    default { ok := 0 }
                }
                if and(iszero(xA), signA) { ok := 0 }
                if iszero(eq(and(xA, 1), signA)) { xA := sub(P, xA) }
                // P − 0 = P ≡ 0 is fine for the arithmetic below (every operation reduces).
            }
            if ok {
                let k := _challenge(w, kTable, sigR, publicKey, message)

                // Table: 1 = B, 2 = −A, 3 = B − A, each as (y − x, y + x, 2z, 2d·t).
                mstore(tbl, B_YMX)
                mstore(add(tbl, 0x20), B_YPX)
                mstore(add(tbl, 0x40), 2)
                mstore(add(tbl, 0x60), B_T2D)
                let nA := add(tbl, 0x80)
                let xN := sub(P, xA) // x of −A
                mstore(nA, addmod(yA, xA, P))
                mstore(add(nA, 0x20), addmod(yA, xN, P))
                mstore(add(nA, 0x40), 2)
                mstore(add(nA, 0x60), mulmod(D2, mulmod(xN, yA, P), P))
                // B − A: extended B plus −A, then to the precomputed form.
                mstore(q, BX)
                mstore(add(q, 0x20), BY)
                mstore(add(q, 0x40), 1)
                mstore(add(q, 0x60), mulmod(BX, BY, P))
                _add(q, nA)
                let nBA := add(tbl, 0x100)
                {
                    let x := mload(q)
                    let y := mload(add(q, 0x20))
                    mstore(nBA, addmod(y, sub(P, x), P))
                    mstore(add(nBA, 0x20), addmod(y, x, P))
                    mstore(add(nBA, 0x40), addmod(mload(add(q, 0x40)), mload(add(q, 0x40)), P))
                    mstore(add(nBA, 0x60), mulmod(D2, mload(add(q, 0x60)), P))
                }

                // Q = [s]B + [k](−A), Straus–Shamir from bit 252 (s, k < L < 2^253), on the stack.
                let qx, qy, qz := _shamir(s, k, tbl)

                // Encode Q and compare with R.
                let zInv := _expmod(scratch, qz, sub(P, 2))
                let x := mulmod(qx, zInv, P)
                let y := mulmod(qy, zInv, P)
                valid := eq(or(y, shl(255, and(x, 1))), _rev(sigR))
            }

            // ---------------------------------------------------------------- helpers

            function _rev(v) -> r {
                r := or(
                    shr(8, and(v, 0xff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00)),
                    shl(8, and(v, 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff))
                )
                r := or(
                    shr(16, and(r, 0xffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000)),
                    shl(16, and(r, 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff))
                )
                r := or(
                    shr(32, and(r, 0xffffffff00000000ffffffff00000000ffffffff00000000ffffffff00000000)),
                    shl(32, and(r, 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff))
                )
                r := or(
                    shr(64, and(r, 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000)),
                    shl(64, and(r, 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff))
                )
                r := or(shr(128, r), shl(128, r))
            }

            /// base^e mod P through the modexp precompile (0x05).
            function _expmod(buf, base, e) -> r {
                mstore(buf, 0x20)
                mstore(add(buf, 0x20), 0x20)
                mstore(add(buf, 0x40), 0x20)
                mstore(add(buf, 0x60), base)
                mstore(add(buf, 0x80), e)
                mstore(add(buf, 0xa0), P)
                if iszero(staticcall(gas(), 0x05, buf, 0xc0, buf, 0x20)) { revert(0, 0) }
                r := mload(buf)
            }

            /// [s]B + [k](−A) from the table (1 = B, 2 = −A, 3 = B − A), bits 252 … 0; returns X, Y, Z.
            function _shamir(sc, kc, table) -> x, y, z {
                x := 0
                y := 1
                z := 1
                let t := 0
                for { let i := 253 } i {} {
                    i := sub(i, 1)
                    x, y, z, t := _dblS(x, y, z)
                    let idx := or(and(shr(i, sc), 1), shl(1, and(shr(i, kc), 1)))
                    if idx { x, y, z, t := _addS(x, y, z, t, add(table, shl(7, sub(idx, 1)))) }
                }
            }

            /// `_dbl` on stack values.
            function _dblS(x, y, z) -> x3, y3, z3, t3 {
                let a := mulmod(x, x, P)
                let b := mulmod(y, y, P)
                let c := mulmod(z, z, P)
                c := addmod(c, c, P)
                let ab := addmod(a, b, P)
                let xy := addmod(x, y, P)
                let e := addmod(mulmod(xy, xy, P), sub(P, ab), P)
                let g := addmod(b, sub(P, a), P)
                let f := addmod(g, sub(P, c), P)
                let h := sub(P, ab)
                x3 := mulmod(e, f, P)
                y3 := mulmod(g, h, P)
                z3 := mulmod(f, g, P)
                t3 := mulmod(e, h, P)
            }

            /// `_add` on stack values.
            function _addS(x, y, z, t, n) -> x3, y3, z3, t3 {
                let a := mulmod(addmod(y, sub(P, x), P), mload(n), P)
                let b := mulmod(addmod(y, x, P), mload(add(n, 0x20)), P)
                let c := mulmod(t, mload(add(n, 0x60)), P)
                let d := mulmod(z, mload(add(n, 0x40)), P)
                let e := addmod(b, sub(P, a), P)
                let f := addmod(d, sub(P, c), P)
                let g := addmod(d, c, P)
                let h := addmod(b, a, P)
                x3 := mulmod(e, f, P)
                y3 := mulmod(g, h, P)
                z3 := mulmod(f, g, P)
                t3 := mulmod(e, h, P)
            }

            /// pt += n, n precomputed as (y − x, y + x, 2z, 2d·t) ("add-2008-hwcd-3", a = −1).
            function _add(pt, n) {
                let x := mload(pt)
                let y := mload(add(pt, 0x20))
                let a := mulmod(addmod(y, sub(P, x), P), mload(n), P)
                let b := mulmod(addmod(y, x, P), mload(add(n, 0x20)), P)
                let c := mulmod(mload(add(pt, 0x60)), mload(add(n, 0x60)), P)
                let d := mulmod(mload(add(pt, 0x40)), mload(add(n, 0x40)), P)
                let e := addmod(b, sub(P, a), P)
                let f := addmod(d, sub(P, c), P)
                let g := addmod(d, c, P)
                let h := addmod(b, a, P)
                mstore(pt, mulmod(e, f, P))
                mstore(add(pt, 0x20), mulmod(g, h, P))
                mstore(add(pt, 0x40), mulmod(f, g, P))
                mstore(add(pt, 0x60), mulmod(e, h, P))
            }

            /// k = SHA-512(R ‖ A ‖ M) read little-endian, mod L. One block: 96 bytes, 0x80, zeros, length 768 bits.
            function _challenge(ws, kt, r, a, m) -> k {
                let mask := 0xffffffffffffffff
                for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
                    let sh := sub(192, shl(6, i))
                    mstore(add(ws, shl(5, i)), and(shr(sh, r), mask))
                    mstore(add(ws, shl(5, add(i, 4))), and(shr(sh, a), mask))
                    mstore(add(ws, shl(5, add(i, 8))), and(shr(sh, m), mask))
                }
                mstore(add(ws, 0x180), 0x8000000000000000)
                mstore(add(ws, 0x1a0), 0)
                mstore(add(ws, 0x1c0), 0)
                mstore(add(ws, 0x1e0), 768)
                for { let t := 16 } lt(t, 80) { t := add(t, 1) } {
                    let w15 := mload(add(ws, shl(5, sub(t, 15))))
                    let w2 := mload(add(ws, shl(5, sub(t, 2))))
                    let s0 := xor(xor(_rotr(w15, 1), _rotr(w15, 8)), shr(7, w15))
                    let s1 := xor(xor(_rotr(w2, 19), _rotr(w2, 61)), shr(6, w2))
                    mstore(
                        add(ws, shl(5, t)),
                        and(add(add(mload(add(ws, shl(5, sub(t, 16)))), s0), add(mload(add(ws, shl(5, sub(t, 7)))), s1)), mask)
                    )
                }
                let va := 0x6a09e667f3bcc908
                let vb := 0xbb67ae8584caa73b
                let vc := 0x3c6ef372fe94f82b
                let vd := 0xa54ff53a5f1d36f1
                let ve := 0x510e527fade682d1
                let vf := 0x9b05688c2b3e6c1f
                let vg := 0x1f83d9abfb41bd6b
                let vh := 0x5be0cd19137e2179
                let kBase := add(kt, 0x20)
                for { let t := 0 } lt(t, 80) { t := add(t, 1) } {
                    let ch := xor(and(ve, vf), and(not(ve), vg))
                    let t1 := add(
                        add(vh, xor(xor(_rotr(ve, 14), _rotr(ve, 18)), _rotr(ve, 41))),
                        add(add(and(ch, mask), shr(192, mload(add(kBase, shl(3, t))))), mload(add(ws, shl(5, t))))
                    )
                    let maj := xor(xor(and(va, vb), and(va, vc)), and(vb, vc))
                    let t2 := add(xor(xor(_rotr(va, 28), _rotr(va, 34)), _rotr(va, 39)), maj)
                    vh := vg
                    vg := vf
                    vf := ve
                    ve := and(add(vd, t1), mask)
                    vd := vc
                    vc := vb
                    vb := va
                    va := and(add(t1, t2), mask)
                }
                let hi := or(
                    or(shl(192, and(add(va, 0x6a09e667f3bcc908), mask)), shl(128, and(add(vb, 0xbb67ae8584caa73b), mask))),
                    or(shl(64, and(add(vc, 0x3c6ef372fe94f82b), mask)), and(add(vd, 0xa54ff53a5f1d36f1), mask))
                )
                let lo := or(
                    or(shl(192, and(add(ve, 0x510e527fade682d1), mask)), shl(128, and(add(vf, 0x9b05688c2b3e6c1f), mask))),
                    or(shl(64, and(add(vg, 0x1f83d9abfb41bd6b), mask)), and(add(vh, 0x5be0cd19137e2179), mask))
                )
                // Digest bytes 0..31 are the low half of the little-endian number, bytes 32..63 the high half.
                k := addmod(mulmod(_rev(lo), R256_MOD_L, L), _rev(hi), L)
            }

            function _rotr(x, n) -> r {
                r := and(or(shr(n, x), shl(sub(64, n), x)), 0xffffffffffffffff)
            }
        }
    }
}
