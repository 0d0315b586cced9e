/**
 * Thin conversions between our plain affine types and `@noble/curves` bn254 points and fields.
 * Everything else in `src/bls` works on the plain types so callers never see noble's classes.
 */
import { bn254 } from "@noble/curves/bn254";
import type { Fp2, G1Affine, G2Affine } from "./types";

export const Fp = bn254.fields.Fp;
export const Fp2Field = bn254.fields.Fp2;
export const G1 = bn254.G1.ProjectivePoint;
export const G2 = bn254.G2.ProjectivePoint;
export type G1Point = InstanceType<typeof G1>;
export type G2Point = InstanceType<typeof G2>;
type NobleFp2 = ReturnType<typeof Fp2Field.create>;

/** Base field modulus p. */
export const P: bigint = Fp.ORDER;
/** Group order r (of G1 and G2). */
export const R: bigint = bn254.fields.Fr.ORDER;

export const toNobleFp2 = (a: Fp2): NobleFp2 => Fp2Field.create({ c0: a.re, c1: a.im });
export const fromNobleFp2 = (a: NobleFp2): Fp2 => ({ re: a.c0, im: a.c1 });

function assertFieldElements(what: string, values: readonly bigint[]): void {
  if (values.some((v) => v < 0n || v >= P)) throw new Error(`${what} has a coordinate outside [0, p)`);
}

/** Affine → noble point; throws for coordinates ≥ p (noble would silently reduce them) or off-curve points. */
export function g1FromAffine(point: G1Affine): G1Point {
  assertFieldElements("G1 point", [point.X, point.Y]);
  if (point.X === 0n && point.Y === 0n) return G1.ZERO;
  const result = G1.fromAffine({ x: point.X, y: point.Y });
  result.assertValidity();
  return result;
}

export function g1ToAffine(point: G1Point): G1Affine {
  if (point.is0()) return { X: 0n, Y: 0n };
  const { x, y } = point.toAffine();
  return { X: x, Y: y };
}

/** Affine → noble point; throws for coordinates ≥ p or points not on the twist. */
export function g2FromAffine(point: G2Affine): G2Point {
  assertFieldElements("G2 point", [point.X.re, point.X.im, point.Y.re, point.Y.im]);
  const isZero = point.X.re === 0n && point.X.im === 0n && point.Y.re === 0n && point.Y.im === 0n;
  if (isZero) return G2.ZERO;
  const result = G2.fromAffine({ x: toNobleFp2(point.X), y: toNobleFp2(point.Y) });
  result.assertValidity();
  return result;
}

/**
 * Affine → noble point, checked to lie on the twist but NOT in the order-r subgroup (that check costs
 * ~5–9 ms, so batch code does it once on a combination instead of once per point). Throws for
 * coordinates ≥ p, off-twist points and the all-zero encoding of infinity.
 */
export function g2OnTwist(point: G2Affine): G2Point {
  assertFieldElements("G2 point", [point.X.re, point.X.im, point.Y.re, point.Y.im]);
  if (point.X.re === 0n && point.X.im === 0n && point.Y.re === 0n && point.Y.im === 0n) throw new Error("G2 point at infinity");
  const x = toNobleFp2(point.X);
  const y = toNobleFp2(point.Y);
  if (!Fp2Field.eql(Fp2Field.sqr(y), bn254.G2.weierstrassEquation(x))) throw new Error("G2 point not on the twist");
  return G2.fromAffine({ x, y });
}

export function g2ToAffine(point: G2Point): G2Affine {
  if (point.is0()) return { X: { re: 0n, im: 0n }, Y: { re: 0n, im: 0n } };
  const { x, y } = point.toAffine();
  return { X: fromNobleFp2(x), Y: fromNobleFp2(y) };
}
