/**
 * Randomised batch verification of many signatures over ONE message (what an aggregator receives
 * from the nodes for a single request): with random 64-bit weights rᵢ,
 *   e(G, Σ rᵢ·σᵢ) == e(Σ rᵢ·pkᵢ, H(m))
 * holds for all-valid inputs and fails, except with probability ≤ 2⁻⁶⁴, if any σᵢ is invalid.
 * Both sums are multi-scalar multiplications (Pippenger), so n signatures cost two MSMs and one
 * 2-pair pairing instead of n pairings.
 *
 * Points are only checked to be on their curves here; the costly G2 subgroup check (≈ 4 ms each) is
 * done once, on the weighted sum. A partial with a component outside G2 therefore slips through with
 * probability ≤ 1/10069 (the smallest prime factor of the twist cofactor), so `batchVerify` is a
 * screen: whoever submits an aggregate must still `verify` that one aggregate (one pairing), and fall
 * back to `findInvalidSignatures`, whose single-signature leaves use the full check.
 */
import { bn254 } from "@noble/curves/bn254";
import { pippenger } from "@noble/curves/abstract/curve";
import { randomBytes } from "@noble/hashes/utils";
import { Fp2Field, G1, G2, P, g1FromAffine, g2FromAffine, toNobleFp2, type G1Point, type G2Point } from "./curve";
import { hashToG2 } from "./hashToG2";
import { verify } from "./signature";
import type { G1Affine, G2Affine, Hex } from "./types";

/** One node's partial signature over the shared message. */
export interface PartialSignature {
  readonly publicKey: G1Affine;
  readonly signature: G2Affine;
}

/** Source of the random weights; injectable so tests can be deterministic. */
export type WeightSource = (count: number) => bigint[];

export const randomWeights: WeightSource = (count) => {
  const bytes = randomBytes(8 * count);
  return Array.from({ length: count }, (_, i) => {
    let weight = 0n;
    for (let j = 0; j < 8; j++) weight = (weight << 8n) | BigInt(bytes[8 * i + j]);
    return weight | 1n; // never zero
  });
};

interface ParsedPartial {
  readonly key: G1Point;
  readonly sig: G2Point;
}

/** On-twist check without the subgroup check: coordinates < p, y² = x³ + b', not infinity. */
function g2OnTwist(point: G2Affine): G2Point {
  const coordinates = [point.X.re, point.X.im, point.Y.re, point.Y.im];
  if (coordinates.some((c) => c < 0n || c >= P) || coordinates.every((c) => c === 0n)) throw new Error("bad G2 point");
  const x = toNobleFp2(point.X);
  const y = toNobleFp2(point.Y);
  if (!Fp2Field.eql(Fp2Field.sqr(y), bn254.G2.weierstrassEquation(x))) throw new Error("G2 point not on the twist");
  return G2.fromAffine({ x, y });
}

function parse(partials: readonly PartialSignature[]): ParsedPartial[] | undefined {
  try {
    return partials.map((p) => {
      const key = g1FromAffine(p.publicKey);
      if (key.is0()) throw new Error("public key at infinity");
      return { key, sig: g2OnTwist(p.signature) };
    });
  } catch {
    return undefined;
  }
}

function checkParsed(parsed: readonly ParsedPartial[], hash: G2Point, weights: WeightSource): boolean {
  if (parsed.length === 0) return true;
  const r = weights(parsed.length);
  const Fr = bn254.fields.Fr;
  const sigSum = pippenger(G2, Fr, parsed.map((p) => p.sig), r);
  const keySum = pippenger(G1, Fr, parsed.map((p) => p.key), r);
  if (!sigSum.isTorsionFree()) return false;
  const product = bn254.pairingBatch([
    { g1: G1.BASE, g2: sigSum },
    { g1: keySum.negate(), g2: hash },
  ]);
  return bn254.fields.Fp12.eql(product, bn254.fields.Fp12.ONE);
}

/** True iff every partial signature is a valid signature of `message` by its key. */
export function batchVerify(
  partials: readonly PartialSignature[],
  message: Uint8Array,
  dst: Hex,
  weights: WeightSource = randomWeights,
): boolean {
  const parsed = parse(partials);
  if (parsed === undefined) return false;
  return checkParsed(parsed, g2FromAffine(hashToG2(message, dst)), weights);
}

/**
 * Indices of the invalid partial signatures: one batch check when all are valid; otherwise bisects,
 * so k bad signers among n cost O(k·log n) batch checks. Malformed points are reported directly, and
 * every single-signature leaf gets the full check (subgroup included).
 */
export function findInvalidSignatures(
  partials: readonly PartialSignature[],
  message: Uint8Array,
  dst: Hex,
  weights: WeightSource = randomWeights,
): number[] {
  const hash = g2FromAffine(hashToG2(message, dst));
  const invalid: number[] = [];
  const candidates: { index: number; parsed: ParsedPartial }[] = [];
  partials.forEach((partial, index) => {
    const parsed = parse([partial]);
    if (parsed === undefined) invalid.push(index);
    else candidates.push({ index, parsed: parsed[0] });
  });
  const bisect = (group: typeof candidates): void => {
    if (group.length === 1) {
      const { publicKey, signature } = partials[group[0].index];
      if (!verify(publicKey, message, signature, dst)) invalid.push(group[0].index);
      return;
    }
    if (group.length === 0 || checkParsed(group.map((c) => c.parsed), hash, weights)) return;
    const middle = group.length >> 1;
    bisect(group.slice(0, middle));
    bisect(group.slice(middle));
  };
  bisect(candidates);
  return invalid.sort((a, b) => a - b);
}
