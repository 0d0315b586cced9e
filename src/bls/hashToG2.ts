/**
 * The network's hash to G2 (PROTOCOL.md §1): try-and-increment over RFC 9380 `hash_to_field` with
 * Keccak-256, a fixed choice of Fp2 square root, and Fuentes-Castañeda–Knapp–Rodríguez-Henríquez
 * cofactor clearing. Must agree point for point with `contracts/libraries/HashToG2.sol`.
 */
import { keccak_256 } from "@noble/hashes/sha3";
import { concatBytes, hexToBytes } from "@noble/hashes/utils";
import { Fp, Fp2Field, G2, P, fromNobleFp2, g2ToAffine, toNobleFp2, type G2Point } from "./curve";
import type { Fp2, G2Affine, Hex } from "./types";

const KECCAK_BLOCK_BYTES = 136;
const KECCAK_OUTPUT_BYTES = 32;
/** Bytes of uniform output per field element of `hash_to_field`, L = ceil((ceil(log2 p) + 128) / 8). */
const FIELD_ELEMENT_BYTES = 48;
const UNIFORM_BYTES = 128;
/** Counters are a single byte, so at most 256 tries; each succeeds with probability ≈ 1/2. */
const MAX_COUNTER = 255;
/** BN curve parameter z (also called x or u). */
export const BN_Z = 4965661367192848881n;

const SQRT_EXPONENT = (P + 1n) / 4n;
const XI = Fp2Field.create({ c0: 9n, c1: 1n });
/** Twist coefficient b' = 3 / (9 + i). */
const TWIST_B = Fp2Field.div(Fp2Field.create({ c0: 3n, c1: 0n }), XI);
const PSI_X = Fp2Field.pow(XI, (P - 1n) / 3n);
const PSI_Y = Fp2Field.pow(XI, (P - 1n) / 2n);

function bytesToBigInt(bytes: Uint8Array): bigint {
  let result = 0n;
  for (const byte of bytes) result = (result << 8n) | BigInt(byte);
  return result;
}

function dstBytes(dst: Hex | Uint8Array): Uint8Array {
  const bytes = typeof dst === "string" ? hexToBytes(dst.replace(/^0x/, "")) : dst;
  if (bytes.length !== 32) throw new Error(`hash-to-G2 domain tag must be 32 bytes, got ${bytes.length}`);
  return bytes;
}

/** RFC 9380 §5.3.1 expand_message_xmd with H = Keccak-256 (b = 32, r = 136 bytes). */
export function expandMessageXmd(message: Uint8Array, dst: Hex | Uint8Array, lengthInBytes = UNIFORM_BYTES): Uint8Array {
  const tag = dstBytes(dst);
  const blocks = Math.ceil(lengthInBytes / KECCAK_OUTPUT_BYTES);
  if (blocks > 255 || lengthInBytes > 65535) throw new Error(`expand_message_xmd: length ${lengthInBytes} too large`);
  const dstPrime = concatBytes(tag, Uint8Array.of(tag.length));
  const lengthBytes = Uint8Array.of(lengthInBytes >> 8, lengthInBytes & 0xff);
  const b0 = keccak_256(concatBytes(new Uint8Array(KECCAK_BLOCK_BYTES), message, lengthBytes, Uint8Array.of(0), dstPrime));
  const out = new Uint8Array(blocks * KECCAK_OUTPUT_BYTES);
  let previous = keccak_256(concatBytes(b0, Uint8Array.of(1), dstPrime));
  out.set(previous, 0);
  for (let i = 2; i <= blocks; i++) {
    const mixed = b0.map((byte, j) => byte ^ previous[j]);
    previous = keccak_256(concatBytes(mixed, Uint8Array.of(i), dstPrime));
    out.set(previous, (i - 1) * KECCAK_OUTPUT_BYTES);
  }
  return out.subarray(0, lengthInBytes);
}

/** `hash_to_field` to one Fp2 element, plus the sign bit taken from the last uniform byte. */
export function hashToFieldFp2(message: Uint8Array, dst: Hex | Uint8Array): { x: Fp2; negateY: boolean } {
  const uniform = expandMessageXmd(message, dst, UNIFORM_BYTES);
  const re = bytesToBigInt(uniform.subarray(0, FIELD_ELEMENT_BYTES)) % P;
  const im = bytesToBigInt(uniform.subarray(FIELD_ELEMENT_BYTES, 2 * FIELD_ELEMENT_BYTES)) % P;
  return { x: { re, im }, negateY: (uniform[UNIFORM_BYTES - 1] & 1) === 1 };
}

function fpSqrt(a: bigint): bigint | undefined {
  const root = Fp.pow(a, SQRT_EXPONENT);
  return Fp.sqr(root) === a ? root : undefined;
}

/** The protocol's Fp2 square root (PROTOCOL.md §1 step 4); `undefined` when `a` is not a square. */
export function fp2Sqrt(a: Fp2): Fp2 | undefined {
  const c = Fp.create(a.re);
  const d = Fp.create(a.im);
  if (d === 0n) {
    const root = fpSqrt(c);
    return root !== undefined ? { re: root, im: 0n } : { re: 0n, im: Fp.pow(c, SQRT_EXPONENT) };
  }
  const t = fpSqrt(Fp.add(Fp.sqr(c), Fp.sqr(d)));
  if (t === undefined) return undefined;
  const half = Fp.inv(2n);
  let re = fpSqrt(Fp.mul(Fp.add(c, t), half));
  if (re === undefined) re = fpSqrt(Fp.mul(Fp.sub(c, t), half));
  if (re === undefined) return undefined;
  return { re, im: Fp.div(d, Fp.mul(2n, re)) };
}

/** Try-and-increment: the first counter whose x gives a usable root, before cofactor clearing. */
export function mapToTwist(message: Uint8Array, dst: Hex | Uint8Array): { point: G2Affine; counter: number } {
  for (let counter = 0; counter <= MAX_COUNTER; counter++) {
    const { x, negateY } = hashToFieldFp2(concatBytes(message, Uint8Array.of(counter)), dst);
    const nx = toNobleFp2(x);
    const rhs = Fp2Field.add(Fp2Field.mul(Fp2Field.sqr(nx), nx), TWIST_B);
    const y = fp2Sqrt(fromNobleFp2(rhs));
    if (y === undefined || y.re === 0n || y.im === 0n) continue;
    const finalY = negateY ? fromNobleFp2(Fp2Field.neg(toNobleFp2(y))) : y;
    return { point: { X: x, Y: finalY }, counter };
  }
  throw new Error("hash-to-G2: no counter in 0..255 produced a point");
}

const conjugate = (a: ReturnType<typeof Fp2Field.create>) => Fp2Field.create({ c0: a.c0, c1: Fp.neg(a.c1) });

/** ψ(x, y) = (conj(x)·ξ^((p−1)/3), conj(y)·ξ^((p−1)/2)) on affine coordinates. */
function psi(point: G2Point): G2Point {
  if (point.is0()) return point;
  const { x, y } = point.toAffine();
  return G2.fromAffine({
    x: Fp2Field.mul(conjugate(x), PSI_X),
    y: Fp2Field.mul(conjugate(y), PSI_Y),
  });
}

/** FKR cofactor clearing: [z]P + ψ([3z]P) + ψ²([z]P) + ψ³(P). */
export function clearCofactor(point: G2Affine): G2Affine {
  const p = G2.fromAffine({ x: toNobleFp2(point.X), y: toNobleFp2(point.Y) });
  const zP = p.multiplyUnsafe(BN_Z);
  const threeZP = zP.add(zP).add(zP);
  return g2ToAffine(zP.add(psi(threeZP)).add(psi(psi(zP))).add(psi(psi(psi(p)))));
}

/** H(m): the G2 point every signature over `message` with hash-to-field tag `dst` is a multiple of. */
export function hashToG2(message: Uint8Array, dst: Hex | Uint8Array): G2Affine {
  return clearCofactor(mapToTwist(message, dst).point);
}
