/**
 * Randomised batch verification of many signatures over ONE message (what an aggregator receives
 * from the nodes for a single request): with random 64-bit weights rᵢ from a CSPRNG,
 *   e(G, Σ rᵢ·σᵢ) == e(Σ rᵢ·pkᵢ, H(m))
 * holds for all-valid inputs and fails, except with probability ≤ 2⁻⁶⁴, if any σᵢ is invalid (for a
 * fixed invalid σⱼ and fixed other weights, at most one value of rⱼ mod r balances the equation, and r > 2⁶⁴).
 * Both sums are multi-scalar multiplications over 64-bit scalars (`msmShortAffine`, a bucket method
 * that only walks the weights' 64 bits and adds in affine coordinates with batched inversions), so n
 * signatures cost two short MSMs and one 2-pair pairing instead of n pairings.
 *
 * Points are only checked to be on their curves here; the costly G2 subgroup check (≈ 5–9 ms each) is
 * done once, on the weighted sum. A partial with a component outside G2 therefore slips through with
 * probability ≤ 1/10069 (the smallest prime factor of the twist cofactor), so the batch check is a
 * screen: whoever submits an aggregate must still `verify` that one aggregate (one pairing, subgroup
 * check included), and fall back to bisection, whose single-signature leaves use the full check.
 */
import { bn254 } from "@noble/curves/bn254";
import { randomBytes } from "@noble/hashes/utils";
import { Fp, Fp2Field, G1, G2, g1FromAffine, g1ToAffine, g2OnTwist, g2ToAffine, type G1Point, type G2Point } from "./curve";
import { msmShortAffine } from "./msm";
import { messagePoint, verifyPoints } from "./signature";
import type { G1Affine, G2Affine, Hex } from "./types";

/** One node's partial signature over the shared message. */
export interface PartialSignature {
  readonly publicKey: G1Affine;
  readonly signature: G2Affine;
}

/** Source of the random weights (positive integers); injectable so tests can be deterministic. */
export type WeightSource = (count: number) => bigint[];

/** Uniform 64-bit weights from the CSPRNG, resampling the (2⁻⁶⁴-likely) zero. */
export const randomWeights: WeightSource = (count) => {
  const bytes = randomBytes(8 * count);
  return Array.from({ length: count }, (_, i) => {
    let weight = 0n;
    for (let j = 0; j < 8; j++) weight = (weight << 8n) | BigInt(bytes[8 * i + j]);
    while (weight === 0n) weight = BigInt(`0x${Buffer.from(randomBytes(8)).toString("hex")}`);
    return weight;
  });
};

/** A partial parsed into noble points: key on G1, signature on the twist (subgroup not yet checked). */
export interface ParsedPartial {
  readonly key: G1Point;
  readonly sig: G2Point;
}

/** Parses one partial; undefined when malformed (coordinates ≥ p, off-curve, key or signature at infinity). */
export function parsePartial(partial: PartialSignature): ParsedPartial | undefined {
  try {
    const key = g1FromAffine(partial.publicKey);
    if (key.is0()) return undefined;
    return { key, sig: g2OnTwist(partial.signature) };
  } catch {
    return undefined;
  }
}

function bitLength(weights: readonly bigint[]): number {
  let max = 1n;
  for (const w of weights) {
    if (w <= 0n) throw new Error("batch check: weights must be positive integers");
    if (w > max) max = w;
  }
  return max.toString(2).length;
}

/** The batch equation over parsed partials, with fresh weights. An empty group passes. */
export function checkParsed(parsed: readonly ParsedPartial[], hash: G2Point, weights: WeightSource = randomWeights): boolean {
  if (parsed.length === 0) return true;
  const r = weights(parsed.length);
  if (r.length !== parsed.length) throw new Error(`batch check: weight source returned ${r.length} weights for ${parsed.length} partials`);
  const bits = bitLength(r);
  // Parsed points have Z = 1, so toAffine() returns their coordinates without an inversion.
  const sigSum = msmShortAffine(G2, Fp2Field, parsed.map((p) => p.sig.toAffine()), r, bits);
  const keySum = msmShortAffine(G1, Fp, parsed.map((p) => p.key.toAffine()), r, bits);
  if (!sigSum.isTorsionFree()) return false;
  const product = bn254.pairingBatch([
    { g1: G1.BASE, g2: sigSum },
    { g1: keySum.negate(), g2: hash },
  ]);
  return bn254.fields.Fp12.eql(product, bn254.fields.Fp12.ONE);
}

/**
 * Positions (into `parsed`) of the invalid partials, by bisection: a group that fails the batch check is
 * halved; when the first half passes, the second must hold the failure (a group of valid partials always
 * passes), so it is halved without being checked again. `knownBad` skips the check of the whole group
 * (the caller just saw it fail). Every single-partial leaf gets the full check (subgroup included).
 */
export function isolateInvalid(parsed: readonly ParsedPartial[], hash: G2Point, knownBad = false, weights: WeightSource = randomWeights): number[] {
  const invalid: number[] = [];
  const bisect = (from: number, to: number, failed: boolean): void => {
    if (to - from === 1) {
      if (!verifyPoints(parsed[from].key, parsed[from].sig, hash)) invalid.push(from);
      return;
    }
    if (to === from || (!failed && checkParsed(parsed.slice(from, to), hash, weights))) return;
    const middle = (from + to) >> 1;
    const leftFound = invalid.length;
    bisect(from, middle, false);
    bisect(middle, to, invalid.length === leftFound);
  };
  bisect(0, parsed.length, knownBad);
  return invalid;
}

/** The outcome of screening one request's partials. */
export interface Screened {
  /** Indices (into the input) of the partials that are malformed or fail verification, ascending. */
  readonly invalid: number[];
  /** Whether every partial parsed and the single batch check passed (no bisection was needed). */
  readonly batchPassed: boolean;
  /** The survivors (all partials not in `invalid`), parsed, in input order. */
  readonly survivors: readonly number[];
  /** Σσᵢ and Σpkᵢ over the survivors, from the points parsed for the batch check (not re-parsed). */
  readonly signatureSum: G2Point;
  readonly keySum: G1Point;
}

/**
 * Parses every partial once, runs one batch check and, only if it fails, bisects; then sums the
 * survivors' signatures and keys from the same parsed points, for the caller's single aggregate check.
 */
export function screenPartials(partials: readonly PartialSignature[], hash: G2Point, weights: WeightSource = randomWeights): Screened {
  const malformed: number[] = [];
  const parsed: ParsedPartial[] = [];
  const positions: number[] = [];
  partials.forEach((partial, index) => {
    const p = parsePartial(partial);
    if (p === undefined) malformed.push(index);
    else {
      parsed.push(p);
      positions.push(index);
    }
  });
  const batchPassed = checkParsed(parsed, hash, weights);
  const failed = batchPassed ? [] : isolateInvalid(parsed, hash, true, weights);
  const bad = new Set(failed);
  let signatureSum: G2Point = G2.ZERO;
  let keySum: G1Point = G1.ZERO;
  const survivors: number[] = [];
  parsed.forEach((p, i) => {
    if (bad.has(i)) return;
    signatureSum = signatureSum.add(p.sig);
    keySum = keySum.add(p.key);
    survivors.push(positions[i]);
  });
  const invalid = [...malformed, ...failed.map((i) => positions[i])].sort((a, b) => a - b);
  return { invalid, batchPassed: batchPassed && malformed.length === 0, survivors, signatureSum, keySum };
}

/** Sums as plain affine points (infinity as all-zero coordinates). */
export function screenedSums(screened: Screened): { signature: G2Affine; aggregateKey: G1Affine } {
  return { signature: g2ToAffine(screened.signatureSum), aggregateKey: g1ToAffine(screened.keySum) };
}

/** True iff every partial signature is a valid signature of `message` by its key. */
export function batchVerify(
  partials: readonly PartialSignature[],
  message: Uint8Array,
  dst: Hex,
  weights: WeightSource = randomWeights,
): boolean {
  const parsed: ParsedPartial[] = [];
  for (const partial of partials) {
    const p = parsePartial(partial);
    if (p === undefined) return false;
    parsed.push(p);
  }
  return checkParsed(parsed, messagePoint(message, dst), weights);
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
  const invalid: number[] = [];
  const parsed: ParsedPartial[] = [];
  const positions: number[] = [];
  partials.forEach((partial, index) => {
    const p = parsePartial(partial);
    if (p === undefined) invalid.push(index);
    else {
      parsed.push(p);
      positions.push(index);
    }
  });
  for (const i of isolateInvalid(parsed, messagePoint(message, dst), false, weights)) invalid.push(positions[i]);
  return invalid.sort((a, b) => a - b);
}
