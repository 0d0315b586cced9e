// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Session Network hash-to-G2 on BN254
/// @notice PROTOCOL.md §1: try-and-increment over RFC 9380 `hash_to_field` with Keccak-256, then the
/// Fuentes-Castañeda–Knapp–Rodríguez-Henríquez cofactor clearing
/// `H = [z]P + ψ([3z]P) + ψ²([z]P) + ψ³(P)`. Fp2 elements are `re + im·i`; points are returned as
/// `(X.re, X.im, Y.re, Y.im)` — the signature wire order.
library HashToG2 {
    /// @dev Base field modulus p (= BN254.P).
    uint256 private constant _P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    /// @dev (p + 1) / 4: a^((p+1)/4) is the square root of a when one exists (p ≡ 3 mod 4).
    uint256 private constant _SQRT_EXP = 0xc19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f52;

    /// @notice No counter 0..255 gave a point (probability 2^-256; never expected).
    error HashToG2NoPoint();
    /// @notice The cofactor clearing hit a degenerate case (a doubling or infinity inside an addition;
    /// probability ~2^-190 for a hashed point). Reverting beats returning a wrong point.
    error HashToG2Degenerate();
    /// @notice The modexp precompile (0x05) failed.
    error ModExpFailed();

    /// @notice `expand_message_xmd(message, dst ‖ 0x20, 128)` (RFC 9380 §5.3.1 with Keccak-256).
    function expandMessage(bytes memory message, bytes32 dst) internal pure returns (bytes memory uniform) {
        uniform = new bytes(128);
        // The hash input is built past the free memory pointer (scratch); only `uniform`'s 128 bytes are written.
        assembly ("memory-safe") {
            let len := mload(message)
            let buf := mload(0x40)
            // Z_pad: 136 zero bytes (memory past the free pointer may be dirty).
            mstore(buf, 0)
            mstore(add(buf, 0x20), 0)
            mstore(add(buf, 0x40), 0)
            mstore(add(buf, 0x60), 0)
            mstore(add(buf, 0x80), 0)
            mcopy(add(buf, 136), add(message, 0x20), len)
            let tail := add(add(buf, 136), len)
            // I2OSP(128, 2) ‖ I2OSP(0, 1) ‖ dst ‖ I2OSP(32, 1)
            mstore(tail, shl(232, 0x008000))
            mstore(add(tail, 3), dst)
            mstore8(add(tail, 35), 0x20)
            let b0 := keccak256(buf, add(len, 172))
            // b_i = H(strxor(b0, b_{i-1}) ‖ I2OSP(i, 1) ‖ dst ‖ 0x20), b_0 ⊕ b_0... start with b_1 = H(b0 ‖ 1 ‖ DST')
            mstore(add(buf, 0x21), dst)
            mstore8(add(buf, 0x41), 0x20)
            let prev := 0
            for { let i := 1 } lt(i, 5) { i := add(i, 1) } {
                mstore(buf, xor(b0, prev))
                mstore8(add(buf, 0x20), i)
                prev := keccak256(buf, 66)
                mstore(add(uniform, shl(5, i)), prev)
            }
        }
    }

    /// @notice `hash_to_field(message, count = 1)` into Fp2 from the 128 expanded bytes:
    /// `re = OS2IP(u[0:48]) mod p`, `im = OS2IP(u[48:96]) mod p`, `negateY = u[127] & 1`.
    function hashToField(bytes memory message, bytes32 dst)
        internal
        pure
        returns (uint256 re, uint256 im, bool negateY)
    {
        bytes memory u = expandMessage(message, dst);
        uint256 b1;
        uint256 b2;
        uint256 b3;
        uint256 b4;
        // Reads the 4 data words `u` owns (128 bytes); writes nothing.
        assembly ("memory-safe") {
            b1 := mload(add(u, 0x20))
            b2 := mload(add(u, 0x40))
            b3 := mload(add(u, 0x60))
            b4 := mload(add(u, 0x80))
        }
        (re, im) = _fieldElements(b1, b2, b3);
        negateY = b4 & 1 == 1;
    }

    /// @notice The Fp2 square root of PROTOCOL.md §1 (the root the network takes before the sign bit).
    /// @return exists Whether `re + im·i` is a square; if not, the other results are 0.
    function fp2Sqrt(uint256 re, uint256 im) internal view returns (bool exists, uint256 yRe, uint256 yIm) {
        re %= _P;
        im %= _P;
        if (im == 0) {
            uint256 s = _expMod(re, _SQRT_EXP);
            if (mulmod(s, s, _P) == re) return (true, s, 0);
            // re is not a square, so -re is: (s·i)² = -s² = re.
            return (true, 0, s);
        }
        uint256 n = addmod(mulmod(re, re, _P), mulmod(im, im, _P), _P);
        uint256 t = _expMod(n, _SQRT_EXP);
        if (mulmod(t, t, _P) != n) return (false, 0, 0);
        uint256 half = (_P + 1) / 2;
        uint256 w = mulmod(addmod(re, t, _P), half, _P);
        uint256 sw = _expMod(w, _SQRT_EXP);
        if (mulmod(sw, sw, _P) != w) {
            w = mulmod(addmod(re, _P - t, _P), half, _P);
            sw = _expMod(w, _SQRT_EXP);
            if (mulmod(sw, sw, _P) != w) return (false, 0, 0);
        }
        // yIm = im / (2·yRe); sw != 0 here because w = 0 would make im = 0.
        uint256 inv = _expMod(mulmod(2, sw, _P), _P - 2);
        return (true, sw, mulmod(im, inv, _P));
    }

    /// @notice The affine point P of the try-and-increment step (before cofactor clearing), and the
    /// counter byte that produced it.
    // solhint-disable-next-line function-max-lines
    function mapToCurve(bytes memory message, bytes32 dst)
        internal
        view
        returns (uint256 x0, uint256 x1, uint256 y0, uint256 y1, uint256 counter)
    {
        bool found;
        // modexp input and output in scratch past the free memory pointer, which is not advanced.
        assembly ("memory-safe") {
            let p := 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
            // a^e mod p through precompile 0x05 (operands < 2^256, 32-byte lengths).
            function expmod(b, e, m) -> r {
                mstore(m, 0x20)
                mstore(add(m, 0x20), 0x20)
                mstore(add(m, 0x40), 0x20)
                mstore(add(m, 0x60), b)
                mstore(add(m, 0x80), e)
                mstore(add(m, 0xa0), 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47)
                if iszero(staticcall(gas(), 0x05, m, 0xc0, m, 0x20)) {
                    mstore(0, 0x1f7ec5f000000000000000000000000000000000000000000000000000000000) // ModExpFailed()
                    revert(0, 4)
                }
                r := mload(m)
            }
            let len := mload(message)
            let buf := mload(0x40)
            mstore(buf, 0)
            mstore(add(buf, 0x20), 0)
            mstore(add(buf, 0x40), 0)
            mstore(add(buf, 0x60), 0)
            mstore(add(buf, 0x80), 0)
            mcopy(add(buf, 136), add(message, 0x20), len)
            let ctrPos := add(add(buf, 136), len)
            // m' = message ‖ counter, then I2OSP(128, 2) ‖ I2OSP(0, 1) ‖ dst ‖ I2OSP(32, 1)
            mstore(add(ctrPos, 1), shl(232, 0x008000))
            mstore(add(ctrPos, 4), dst)
            mstore8(add(ctrPos, 36), 0x20)
            let b0Len := add(len, 173)
            // Buffer for b_i: strxor(b0, b_{i-1}) ‖ i ‖ dst ‖ 0x20; then scratch for modexp.
            let bb := add(ctrPos, 64)
            mstore(add(bb, 0x21), dst)
            mstore8(add(bb, 0x41), 0x20)
            let scratch := add(bb, 0x80)
            for { } lt(counter, 256) { counter := add(counter, 1) } {
                mstore8(ctrPos, counter)
                let b0 := keccak256(buf, b0Len)
                mstore(bb, b0)
                mstore8(add(bb, 0x20), 1)
                let b1 := keccak256(bb, 66)
                mstore(bb, xor(b0, b1))
                mstore8(add(bb, 0x20), 2)
                let b2 := keccak256(bb, 66)
                mstore(bb, xor(b0, b2))
                mstore8(add(bb, 0x20), 3)
                let b3 := keccak256(bb, 66)
                // x = (OS2IP(u[0:48]) mod p, OS2IP(u[48:96]) mod p); 2^256 mod p folds the high 16 bytes.
                x0 := addmod(
                    mulmod(shr(128, b1), 0xe0a77c19a07df2f666ea36f7879462c0a78eb28f5c70b3dd35d438dc58f0d9d, p),
                    or(shl(128, b1), shr(128, b2)),
                    p
                )
                x1 := addmod(
                    mulmod(and(b2, 0xffffffffffffffffffffffffffffffff), 0xe0a77c19a07df2f666ea36f7879462c0a78eb28f5c70b3dd35d438dc58f0d9d, p),
                    b3,
                    p
                )
                // a = x³ + b', b' = 3 / (9 + i)
                let s0 := mulmod(add(x0, x1), add(x0, sub(p, x1)), p)
                let s1 := mulmod(add(x0, x0), x1, p)
                let c := addmod(
                    addmod(mulmod(s0, x0, p), sub(p, mulmod(s1, x1, p)), p),
                    0x2b149d40ceb8aaae81be18991be06ac3b5b4c5e559dbefa33267e6dc24a138e5,
                    p
                )
                let d := addmod(
                    addmod(mulmod(s0, x1, p), mulmod(s1, x0, p), p),
                    0x009713b03af0fed4cd2cafadeed8fdf4a74fa084e52d1852e4a2bd0685c315d2,
                    p
                )
                // d = 0 gives a root with a zero component: rejected by the protocol.
                if iszero(d) { continue }
                let n := addmod(mulmod(c, c, p), mulmod(d, d, p), p)
                let t := expmod(n, 0xc19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f52, scratch)
                if iszero(eq(mulmod(t, t, p), n)) { continue }
                // w = (c + t) / 2; r = w^((p-3)/4) gives sqrt(w) = w·r and, since sqrt(w)·r = w^((p-1)/2)
                // (the Legendre symbol), 1/sqrt(w) = r when w is a non-zero square.
                let half := 0x183227397098d014dc2822db40c0ac2ecbc0b548b438e5469e10460b6c3e7ea4
                let w := mulmod(add(c, t), half, p)
                let r := expmod(w, 0xc19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f51, scratch)
                y0 := mulmod(w, r, p)
                if iszero(eq(mulmod(y0, r, p), 1)) {
                    // Legendre 0 means sqrt(w) = 0 (rejected); -1 means try w = (c - t) / 2.
                    if iszero(y0) { continue }
                    w := mulmod(add(c, sub(p, t)), half, p)
                    r := expmod(w, 0xc19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f51, scratch)
                    y0 := mulmod(w, r, p)
                    if iszero(eq(mulmod(y0, r, p), 1)) { continue }
                }
                // y.im = d / (2·y.re) = d·r/2; non-zero since d != 0 and r != 0.
                y1 := mulmod(mulmod(d, r, p), half, p)
                mstore(bb, xor(b0, b3))
                mstore8(add(bb, 0x20), 4)
                if and(keccak256(bb, 66), 1) {
                    y0 := sub(p, y0)
                    y1 := sub(p, y1)
                }
                found := 1
                break
            }
        }
        if (!found) revert HashToG2NoPoint();
    }

    /// @notice `H(message)` per PROTOCOL.md, as `(X.re, X.im, Y.re, Y.im)`.
    function hashToG2(bytes memory message, bytes32 dst) internal view returns (uint256[4] memory h) {
        (uint256 x0, uint256 x1, uint256 y0, uint256 y1, ) = mapToCurve(message, dst);
        return clearCofactor(x0, x1, y0, y1);
    }

    /// @notice `[z]P + ψ([3z]P) + ψ²([z]P) + ψ³(P)` for an affine twist point P = (x, y), returned affine.
    /// P must be on the twist (as {mapToCurve} guarantees); the result is then in G2.
    // solhint-disable-next-line function-max-lines
    function clearCofactor(uint256 x0, uint256 x1, uint256 y0, uint256 y1)
        internal
        view
        returns (uint256[4] memory h)
    {
        bool ok;
        // Points and precompile inputs live in scratch past the free memory pointer, which is not advanced.
        assembly ("memory-safe") {
            // ---- Fp2 helpers: operands <= 2p (so the sums below cannot overflow); outputs < p.
            function f2mul(a0, a1, b0, b1) -> c0, c1 {
                let p := 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
                c0 := addmod(mulmod(a0, b0, p), sub(p, mulmod(a1, b1, p)), p)
                c1 := addmod(mulmod(a0, b1, p), mulmod(a1, b0, p), p)
            }
            function f2sqr(a0, a1) -> c0, c1 {
                let p := 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
                c0 := mulmod(add(a0, a1), add(a0, sub(p, a1)), p)
                c1 := mulmod(add(a0, a0), a1, p)
            }
            // ---- Co-Z addition on points in memory (X0, X1, Y0, Y1 at a pointer; each <= p): A at pa and B
            // at pb share a Z. Writes A + B at out and A, B rescaled to the new Z = Z·h at pa and pb; returns
            // h. h = Xb - Xa, r = Yb - Ya, X3 = r² - h³ - 2·Xa·h², Y3 = r·(Xa·h² - X3) - Ya·h³,
            // A' = (Xa·h², Ya·h³), B' = (Xa·h² + h³, Yb·h³). Outputs reduced; out may equal pa or pb.
            function zaddu(pa, pb, out) -> h0, h1 {
                let p := 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
                h0 := addmod(mload(pb), sub(p, mload(pa)), p)
                h1 := addmod(mload(add(pb, 0x20)), sub(p, mload(add(pa, 0x20))), p)
                // s = h², t = h³, v = Xa·h² (reduced)
                let s0 := mulmod(add(h0, h1), add(h0, sub(p, h1)), p)
                let s1 := mulmod(add(h0, h0), h1, p)
                let t0 := addmod(mulmod(s0, h0, p), sub(p, mulmod(s1, h1, p)), p)
                let t1 := addmod(mulmod(s0, h1, p), mulmod(s1, h0, p), p)
                {
                    let a0 := mload(pa)
                    let a1 := mload(add(pa, 0x20))
                    let v0 := addmod(mulmod(s0, a0, p), sub(p, mulmod(s1, a1, p)), p)
                    s1 := addmod(mulmod(s0, a1, p), mulmod(s1, a0, p), p)
                    s0 := v0
                }
                mstore(pa, s0)
                mstore(add(pa, 0x20), s1)
                mstore(pb, addmod(s0, t0, p))
                mstore(add(pb, 0x20), addmod(s1, t1, p))
                // r = Yb - Ya, parts <= 2p
                let yb0 := mload(add(pb, 0x40))
                let yb1 := mload(add(pb, 0x60))
                let ya0 := mload(add(pa, 0x40))
                let ya1 := mload(add(pa, 0x60))
                let r0 := add(yb0, sub(p, ya0))
                let r1 := add(yb1, sub(p, ya1))
                mstore(add(pb, 0x40), addmod(mulmod(yb0, t0, p), sub(p, mulmod(yb1, t1, p)), p))
                mstore(add(pb, 0x60), addmod(mulmod(yb0, t1, p), mulmod(yb1, t0, p), p))
                // u = Ya·h³ (reduced)
                let u0 := addmod(mulmod(ya0, t0, p), sub(p, mulmod(ya1, t1, p)), p)
                let u1 := addmod(mulmod(ya0, t1, p), mulmod(ya1, t0, p), p)
                mstore(add(pa, 0x40), u0)
                mstore(add(pa, 0x60), u1)
                // X3 = r² - t - 2v (reduced; t + 2v < 3p)
                let x0_ := addmod(
                    mulmod(add(r0, r1), add(r0, sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, r1)), p),
                    sub(0x912ceb58a394e07d28f0d12384840918c6843fb439555fa7b461a4448976f7d5, add(t0, add(s0, s0))),
                    p
                )
                let x1_ := addmod(
                    mulmod(add(r0, r0), r1, p),
                    sub(0x912ceb58a394e07d28f0d12384840918c6843fb439555fa7b461a4448976f7d5, add(t1, add(s1, s1))),
                    p
                )
                // Y3 = r·(v - X3) - u (reduced); v - X3 parts < 2p
                s0 := add(s0, sub(p, x0_))
                s1 := add(s1, sub(p, x1_))
                mstore(out, x0_)
                mstore(add(out, 0x20), x1_)
                mstore(add(out, 0x40), addmod(add(mulmod(r0, s0, p), sub(p, mulmod(r1, s1, p))), sub(p, u0), p))
                mstore(add(out, 0x60), addmod(add(mulmod(r0, s1, p), mulmod(r1, s0, p)), sub(p, u1), p))
            }
            // In place: (X, Y) at ptr := (X·h², Y·h³) (h reduced; outputs reduced).
            function rescale(ptr, h0, h1) {
                let p := 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
                let s0 := mulmod(add(h0, h1), add(h0, sub(p, h1)), p)
                let s1 := mulmod(add(h0, h0), h1, p)
                let a0 := mload(ptr)
                let a1 := mload(add(ptr, 0x20))
                mstore(ptr, addmod(mulmod(s0, a0, p), sub(p, mulmod(s1, a1, p)), p))
                mstore(add(ptr, 0x20), addmod(mulmod(s0, a1, p), mulmod(s1, a0, p), p))
                a0 := addmod(mulmod(s0, h0, p), sub(p, mulmod(s1, h1, p)), p)
                s1 := addmod(mulmod(s0, h1, p), mulmod(s1, h0, p), p)
                s0 := mload(add(ptr, 0x40))
                a1 := mload(add(ptr, 0x60))
                mstore(add(ptr, 0x40), addmod(mulmod(s0, a0, p), sub(p, mulmod(a1, s1, p)), p))
                mstore(add(ptr, 0x60), addmod(mulmod(s0, s1, p), mulmod(a1, a0, p), p))
            }
            // In place: the Fp2 value at pz := value·h.
            function zmul(pz, h0, h1) {
                h0, h1 := f2mul(mload(pz), mload(add(pz, 0x20)), h0, h1)
                mstore(pz, h0)
                mstore(add(pz, 0x20), h1)
            }
            // {zaddu} for points with their Z stored at out + 0x80: Z ← Z·h there too.
            function zadduZ(pa, pb, out) {
                let h0, h1 := zaddu(pa, pb, out)
                zmul(add(out, 0x80), h0, h1)
            }
            // Doubling of (X, Y, Z) at src (each <= p) as in the [z] loop below: writes 2·src at out and src
            // at the same Z, (D, 8C) = (4XY², 8Y⁴), at outQ (all reduced).
            function dblM(src, out, outQ) {
                let p := 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
                let Y0 := mload(add(src, 0x40))
                let Y1 := mload(add(src, 0x60))
                let t := add(Y0, Y0) // < 2p + 1
                let u := add(Y1, Y1)
                {
                    // Z3 = 2Y·Z
                    let Z0 := mload(add(src, 0x80))
                    let Z1 := mload(add(src, 0xa0))
                    mstore(add(out, 0x80), addmod(mulmod(t, Z0, p), sub(p, mulmod(u, Z1, p)), p))
                    mstore(add(out, 0xa0), addmod(mulmod(t, Z1, p), mulmod(u, Z0, p), p))
                }
                // b = 2Y², c = b² = 4Y⁴ (reduced)
                let b0 := mulmod(add(Y0, Y1), add(t, sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, u)), p)
                let b1 := mulmod(t, u, p)
                let c0 := mulmod(add(b0, b1), add(b0, sub(p, b1)), p)
                let c1 := mulmod(add(b0, b0), b1, p)
                mstore(add(outQ, 0x40), addmod(c0, c0, p))
                mstore(add(outQ, 0x60), addmod(c1, c1, p))
                // D = X·2b = 4XY² (reduced)
                let X0 := mload(src)
                let X1 := mload(add(src, 0x20))
                b0 := add(b0, b0)
                b1 := add(b1, b1)
                let d0 := addmod(mulmod(X0, b0, p), sub(p, mulmod(X1, b1, p)), p)
                let d1 := addmod(mulmod(X0, b1, p), mulmod(X1, b0, p), p)
                mstore(outQ, d0)
                mstore(add(outQ, 0x20), d1)
                // E = 3X²: e0 < 3p, e1 < p
                let e0 := mul(3, mulmod(add(X0, X1), add(X0, sub(p, X1)), p))
                let e1 := mulmod(mul(3, X0), add(X1, X1), p)
                // X3 = E² - 2D, Y3 = E·(D - X3) - 2c (reduced); D - X3 parts < 2p
                X0 := addmod(mulmod(add(e0, e1), add(e0, sub(p, e1)), p), sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, add(d0, d0)), p)
                X1 := addmod(mulmod(e0, add(e1, e1), p), sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, add(d1, d1)), p)
                mstore(out, X0)
                mstore(add(out, 0x20), X1)
                d0 := add(d0, sub(p, X0))
                d1 := add(d1, sub(p, X1))
                mstore(add(out, 0x40), addmod(add(mulmod(e0, d0, p), sub(p, mulmod(e1, d1, p))), sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, add(c0, c0)), p))
                mstore(add(out, 0x60), addmod(add(mulmod(e0, d1, p), mulmod(e1, d0, p)), sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, add(c1, c1)), p))
            }
            // In place: (X, Y, Z) at ptr += the affine (x, y) at pa (mixed addition: (x·Z², y·Z³) at tmp,
            // then co-Z addition).
            function maddM(ptr, pa, tmp) {
                let s0, s1 := f2sqr(mload(add(ptr, 0x80)), mload(add(ptr, 0xa0)))
                let a0, a1 := f2mul(mload(pa), mload(add(pa, 0x20)), s0, s1)
                mstore(tmp, a0)
                mstore(add(tmp, 0x20), a1)
                s0, s1 := f2mul(s0, s1, mload(add(ptr, 0x80)), mload(add(ptr, 0xa0)))
                a0, a1 := f2mul(mload(add(pa, 0x40)), mload(add(pa, 0x60)), s0, s1)
                mstore(add(tmp, 0x40), a0)
                mstore(add(tmp, 0x60), a1)
                zadduZ(ptr, tmp, ptr)
            }
            // In place: ψ(X, Y, Z) = (conj(X)·γx, conj(Y)·γy, conj(Z)), γx = ξ^((p-1)/3), γy = ξ^((p-1)/2).
            function psiM(ptr) {
                let p := 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
                let a0, a1 := f2mul(mload(ptr), sub(p, mload(add(ptr, 0x20))), 0x2fb347984f7911f74c0bec3cf559b143b78cc310c2c3330c99e39557176f553d, 0x16c9e55061ebae204ba4cc8bd75a079432ae2a1d0b7c9dce1665d51c640fcba2)
                mstore(ptr, a0)
                mstore(add(ptr, 0x20), a1)
                a0, a1 := f2mul(mload(add(ptr, 0x40)), sub(p, mload(add(ptr, 0x60))), 0x063cf305489af5dcdc5ec698b6e2f9b9dbaae0eda9c95998dc54014671a0135a, 0x07c03cbcac41049a0704b5a7ec796f2b21807dc98fa25bd282d37f632623b0e3)
                mstore(add(ptr, 0x40), a0)
                mstore(add(ptr, 0x60), a1)
                mstore(add(ptr, 0xa0), mod(sub(p, mload(add(ptr, 0xa0))), p))
            }
            let p := 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
            // ---- Table of P, 3P, 5P, 7P sharing one Jacobian Z = λ (Longa–Gebotys co-Z precomputation).
            // Sharing Z makes them affine points (X, Y) of the isomorphic curve y² = x³ + b'·λ⁶, on which
            // [z] runs unchanged (the doubling and addition formulas do not use b'); the result is mapped
            // back by Z ← Z·λ. Memory from m (words):
            //   m + i·0xc0, i < 4: entry (2i+1)P = X0, X1, Y0, Y1, p - Y0, p - Y1
            //   m + 0x300: 2P = X0, X1, Y0, Y1, then λ = Z0, Z1 at m + 0x380
            //   m + 0x3c0: ψ²(P) = (ω·x, -y) affine, for the tail
            //   m + 0x440: P = (x, y, 1), then Q; m + 0x500: W; m + 0x5c0: scratch point; m + 0x640: modexp.
            let m := mload(0x40)
            mstore(add(m, 0x3c0), mulmod(x0, 0x30644e72e131a0295e6dd9e7e0acccb0c28f069fbb966e3de4bd44e5607cfd48, p))
            mstore(add(m, 0x3e0), mulmod(x1, 0x30644e72e131a0295e6dd9e7e0acccb0c28f069fbb966e3de4bd44e5607cfd48, p))
            mstore(add(m, 0x400), sub(p, y0))
            mstore(add(m, 0x420), sub(p, y1))
            mstore(add(m, 0x440), x0)
            mstore(add(m, 0x460), x1)
            mstore(add(m, 0x480), y0)
            mstore(add(m, 0x4a0), y1)
            mstore(add(m, 0x4c0), 1)
            mstore(add(m, 0x4e0), 0)
            {
                // 2P with Z = 2y, and P at that Z as entry 0.
                dblM(add(m, 0x440), add(m, 0x300), m)
                // 3P = 2P + P, 5P = 2P + 3P, 7P = 2P + 5P (co-Z); earlier entries follow each new Z.
                let h0, h1 := zaddu(add(m, 0x300), m, add(m, 0xc0))
                zmul(add(m, 0x380), h0, h1)
                h0, h1 := zaddu(add(m, 0x300), add(m, 0xc0), add(m, 0x180))
                zmul(add(m, 0x380), h0, h1)
                let g0 := h0
                let g1 := h1
                h0, h1 := zaddu(add(m, 0x300), add(m, 0x180), add(m, 0x240))
                zmul(add(m, 0x380), h0, h1)
                rescale(add(m, 0xc0), h0, h1)
                // P lags two steps behind: one rescale by the product of both factors.
                g0, g1 := f2mul(g0, g1, h0, h1)
                rescale(m, g0, g1)
                for { let e := m } lt(e, add(m, 0x300)) { e := add(e, 0xc0) } {
                    mstore(add(e, 0x80), sub(p, mload(add(e, 0x40))))
                    mstore(add(e, 0xa0), sub(p, mload(add(e, 0x60))))
                }
            }
            // ---- Q = [z]P on the isomorphic curve, z = 4965661367192848881 by its width-4 NAF (digits 62..0;
            // the top one is +1, so start at P): 62 doublings and 13 mixed additions of ±(2j+1)P. Nibble i of
            // DIGITS describes digit i: 0 for none, else 8 | j << 1 | (1 if negative).
            // (One loop over the bit positions: a loop over the 13 additions gets unrolled by the optimizer.)
            // Invariants at the top of each step (lazy reduction; 5p < 2^256 bounds every sum below):
            //   X0, X1, Y0, Y1 < p;  Z0, Z1 < 2p; table X < p, ±Y <= p.
            let X0 := mload(m)
            let X1 := mload(add(m, 0x20))
            let Y0 := mload(add(m, 0x40))
            let Y1 := mload(add(m, 0x60))
            let Z0 := 1
            let Z1 := 0
            for { let i := 61 } 1 { i := sub(i, 1) } {
                {
                    // ---- doubling (dbl-2009-l, a = 0): X3 = F - 2D, Y3 = E(D - X3) - 8C, Z3 = 2YZ with
                    // A = X², B = Y², C = B², D = 4XB, E = 3A, F = E².
                    let t := add(Y0, Y0) // 2Y0 < 2p
                    let u := add(Y1, Y1) // 2Y1 < 2p
                    // Z3 = 2Y·Z, each part < 2p
                    let nz := add(mulmod(t, Z0, p), sub(p, mulmod(u, Z1, p)))
                    Z1 := add(mulmod(t, Z1, p), mulmod(u, Z0, p))
                    Z0 := nz
                    // b = 2B = 2Y² (reduced): (Y0 + Y1)·2(Y0 - Y1), 4·Y0·Y1
                    let b0 := mulmod(add(Y0, Y1), add(t, sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, u)), p)
                    let b1 := mulmod(t, u, p)
                    // c = b² = 4C (reduced)
                    let c0 := mulmod(add(b0, b1), add(b0, sub(p, b1)), p)
                    let c1 := mulmod(add(b0, b0), b1, p)
                    // D = X·2b = 4XB, each part < 2p
                    b0 := add(b0, b0)
                    b1 := add(b1, b1)
                    let d0 := add(mulmod(X0, b0, p), sub(p, mulmod(X1, b1, p)))
                    let d1 := add(mulmod(X0, b1, p), mulmod(X1, b0, p))
                    // E = 3X²: e0 < 3p, e1 < p
                    let e0 := mul(3, mulmod(add(X0, X1), add(X0, sub(p, X1)), p))
                    let e1 := mulmod(mul(3, X0), add(X1, X1), p)
                    // X3 = E² - 2D (reduced)
                    X0 := addmod(
                        mulmod(add(e0, e1), add(e0, sub(p, e1)), p),
                        sub(0xc19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f51c, add(d0, d0)),
                        p
                    )
                    X1 := addmod(
                        mulmod(e0, add(e1, e1), p),
                        sub(0xc19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f51c, add(d1, d1)),
                        p
                    )
                    // Y3 = E·(D - X3) - 2c (reduced); D - X3 parts < 3p
                    d0 := add(d0, sub(p, X0))
                    d1 := add(d1, sub(p, X1))
                    Y0 := addmod(
                        add(mulmod(e0, d0, p), sub(p, mulmod(e1, d1, p))),
                        sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, add(c0, c0)),
                        p
                    )
                    Y1 := addmod(
                        add(mulmod(e0, d1, p), mulmod(e1, d0, p)),
                        sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, add(c1, c1)),
                        p
                    )
                }
                let n := and(shr(shl(2, i), 0xc0000b000a0000c000d000b00080000c0000e000f000000c000090008), 0xf)
                if n {
                // ---- mixed addition of (x, y) = ±(2j+1)P (madd-2004-hmv): H = x·Z² - X, R = y·Z³ - Y,
                // X3 = R² - H³ - 2·X·H², Y3 = R·(X·H² - X3) - Y·H³, Z3 = Z·H.
                let px := add(m, mul(and(shr(1, n), 3), 0xc0)) // &x
                let py := add(px, shl(6, add(1, and(n, 1)))) // &y or &(-y)
                // s = Z² (reduced)
                let s0 := mulmod(add(Z0, Z1), add(Z0, sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, Z1)), p)
                let s1 := mulmod(add(Z0, Z0), Z1, p)
                // H = x·s - X (reduced)
                let h0 := addmod(
                    mulmod(s0, mload(px), p),
                    sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, add(mulmod(s1, mload(add(px, 0x20)), p), X0)),
                    p
                )
                let h1 := addmod(
                    add(mulmod(s0, mload(add(px, 0x20)), p), mulmod(s1, mload(px), p)),
                    sub(p, X1),
                    p
                )
                // s = Z³ = s·Z, parts < 2p
                let nz := add(mulmod(s0, Z0, p), sub(p, mulmod(s1, Z1, p)))
                s1 := add(mulmod(s0, Z1, p), mulmod(s1, Z0, p))
                s0 := nz
                // R = y·s - Y (reduced)
                let yy0 := mload(py)
                let yy1 := mload(add(py, 0x20))
                let r0 := addmod(
                    mulmod(s0, yy0, p),
                    sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, add(mulmod(s1, yy1, p), Y0)),
                    p
                )
                let r1 := addmod(add(mulmod(s0, yy1, p), mulmod(s1, yy0, p)), sub(p, Y1), p)
                // Z3 = Z·H, parts < 2p
                nz := add(mulmod(Z0, h0, p), sub(p, mulmod(Z1, h1, p)))
                Z1 := add(mulmod(Z0, h1, p), mulmod(Z1, h0, p))
                Z0 := nz
                // s = H² (reduced); h = H³ (reduced); v = X·H² (reduced)
                s0 := mulmod(add(h0, h1), add(h0, sub(p, h1)), p)
                s1 := mulmod(add(h0, h0), h1, p)
                nz := addmod(mulmod(s0, h0, p), sub(p, mulmod(s1, h1, p)), p)
                h1 := addmod(mulmod(s0, h1, p), mulmod(s1, h0, p), p)
                h0 := nz
                let v0 := addmod(mulmod(s0, X0, p), sub(p, mulmod(s1, X1, p)), p)
                let v1 := addmod(mulmod(s0, X1, p), mulmod(s1, X0, p), p)
                // X3 = R² - h - 2v (reduced); h + 2v < 3p
                X0 := addmod(
                    mulmod(add(r0, r1), add(r0, sub(p, r1)), p),
                    sub(0x912ceb58a394e07d28f0d12384840918c6843fb439555fa7b461a4448976f7d5, add(h0, add(v0, v0))),
                    p
                )
                X1 := addmod(
                    mulmod(add(r0, r0), r1, p),
                    sub(0x912ceb58a394e07d28f0d12384840918c6843fb439555fa7b461a4448976f7d5, add(h1, add(v1, v1))),
                    p
                )
                // Y3 = R·(v - X3) - Y·h (reduced); v - X3 parts < 2p
                v0 := add(v0, sub(p, X0))
                v1 := add(v1, sub(p, X1))
                nz := addmod(
                    add(mulmod(r0, v0, p), mulmod(h1, Y1, p)),
                    sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, add(mulmod(r1, v1, p), mulmod(h0, Y0, p))),
                    p
                )
                Y1 := addmod(
                    add(mulmod(r0, v1, p), mulmod(r1, v0, p)),
                    sub(0x60c89ce5c263405370a08b6d0302b0bb2f02d522d0e3951a7841182db0f9fa8e, add(mulmod(h0, Y1, p), mulmod(h1, Y0, p))),
                    p
                )
                Y0 := nz
                }
                if iszero(i) { break }
            }
            // ---- Tail, on points in memory (one call each: few stack slots matter more than gas here).
            // Q = (X, Y, Z·λ) back on the twist at q; all values reduced from here on.
            let q := add(m, 0x440)
            mstore(q, X0)
            mstore(add(q, 0x20), X1)
            mstore(add(q, 0x40), Y0)
            mstore(add(q, 0x60), Y1)
            mstore(add(q, 0x80), Z0)
            mstore(add(q, 0xa0), Z1)
            zmul(add(q, 0x80), mload(add(m, 0x380)), mload(add(m, 0x3a0)))
            // H = A + ψ(W) with W = [3]Q + ψ²(P), A = Q + ψ²(Q) (ψ is additive, so this is
            // Q + ψ([3]Q) + ψ²(Q) + ψ³(P)); ψ²(X, Y, Z) = (ω·X, -Y, Z), ω = ξ^((p²-1)/3) ∈ Fp.
            let w := add(m, 0x500)
            dblM(q, w, add(m, 0x5c0)) // W = 2Q, and Q at W's Z at m + 0x5c0
            zadduZ(add(m, 0x5c0), w, w) // W = 3Q (co-Z)
            maddM(w, add(m, 0x3c0), add(m, 0x5c0)) // W += ψ²(P)
            psiM(w)
            mstore(add(m, 0x5c0), mulmod(mload(q), 0x30644e72e131a0295e6dd9e7e0acccb0c28f069fbb966e3de4bd44e5607cfd48, p))
            mstore(add(m, 0x5e0), mulmod(mload(add(q, 0x20)), 0x30644e72e131a0295e6dd9e7e0acccb0c28f069fbb966e3de4bd44e5607cfd48, p))
            mstore(add(m, 0x600), sub(p, mload(add(q, 0x40))))
            mstore(add(m, 0x620), sub(p, mload(add(q, 0x60))))
            zadduZ(q, add(m, 0x5c0), q) // A = Q + ψ²(Q) (co-Z)
            // H = A + W: both rescaled to Z_A·Z_W, then co-Z.
            rescale(q, mload(add(w, 0x80)), mload(add(w, 0xa0)))
            rescale(w, mload(add(q, 0x80)), mload(add(q, 0xa0)))
            zmul(add(q, 0x80), mload(add(w, 0x80)), mload(add(w, 0xa0)))
            zadduZ(q, w, q)
            // ---- affine: 1/Z = conj(Z) / N(Z); N(Z) = 0 only for Z = 0 (a degenerate step: revert).
            let zr0 := mload(add(q, 0x80))
            let zr1 := mload(add(q, 0xa0))
            let n := addmod(mulmod(zr0, zr0, p), mulmod(zr1, zr1, p), p)
            let e := add(m, 0x640)
            mstore(e, 0x20)
            mstore(add(e, 0x20), 0x20)
            mstore(add(e, 0x40), 0x20)
            mstore(add(e, 0x60), n)
            mstore(add(e, 0x80), sub(p, 2))
            mstore(add(e, 0xa0), p)
            ok := staticcall(gas(), 0x05, e, 0xc0, e, 0x20)
            let ni := mload(e)
            ok := and(ok, eq(mulmod(n, ni, p), 1))
            let i0 := mulmod(zr0, ni, p)
            let i1 := mulmod(sub(p, zr1), ni, p)
            let j0, j1 := f2sqr(i0, i1)
            let x_0, x_1 := f2mul(mload(q), mload(add(q, 0x20)), j0, j1)
            mstore(h, x_0)
            mstore(add(h, 0x20), x_1)
            j0, j1 := f2mul(j0, j1, i0, i1)
            x_0, x_1 := f2mul(mload(add(q, 0x40)), mload(add(q, 0x60)), j0, j1)
            mstore(add(h, 0x40), x_0)
            mstore(add(h, 0x60), x_1)
        }
        if (!ok) revert HashToG2Degenerate();
    }

    /// @dev `a^e mod p` through the modexp precompile.
    function _expMod(uint256 base, uint256 exponent) private view returns (uint256 r) {
        bool ok;
        // modexp input and output in scratch past the free memory pointer, which is not advanced.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0x20)
            mstore(add(m, 0x20), 0x20)
            mstore(add(m, 0x40), 0x20)
            mstore(add(m, 0x60), base)
            mstore(add(m, 0x80), exponent)
            mstore(add(m, 0xa0), _P)
            ok := staticcall(gas(), 0x05, m, 0xc0, m, 0x20)
            r := mload(m)
        }
        if (!ok) revert ModExpFailed();
    }

    /// @dev The two Fp coordinates of hash_to_field from the first three 32-byte blocks b1, b2, b3.
    function _fieldElements(uint256 b1, uint256 b2, uint256 b3) private pure returns (uint256 re, uint256 im) {
        uint256 r256 = 0xe0a77c19a07df2f666ea36f7879462c0a78eb28f5c70b3dd35d438dc58f0d9d; // 2^256 mod p
        unchecked {
            // Shifts and masks only: no arithmetic that can overflow.
            re = addmod(mulmod(b1 >> 128, r256, _P), (b1 << 128) | (b2 >> 128), _P);
            im = addmod(mulmod(b2 & type(uint128).max, r256, _P), b3, _P);
        }
    }
}
