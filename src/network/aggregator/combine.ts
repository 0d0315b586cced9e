/**
 * Verifying and combining the partial signatures of one request: ONE randomised batch check (two MSMs,
 * one pairing); on failure, bisection to isolate the bad partials. The aggregate of the survivors is then
 * verified once against the sum of their keys (the full check, subgroup included) before it is returned,
 * as src/bls/batch.ts asks of a screen; if that fails, the partials are re-screened one group at a time.
 */
import { batchVerify, findInvalidSignatures, verify, type G1Affine, type G2Affine, type Hex, type PartialSignature } from "../../bls";
import { G1, G2, fromNobleFp2, toNobleFp2, type G1Point, type G2Point } from "../../bls/curve";
import { NetworkError } from "../errors";

export interface Combined {
  readonly signature: G2Affine;
  readonly aggregateKey: G1Affine;
  /** Indices (into the input) of the partials that were left out as invalid. */
  readonly invalid: readonly number[];
  /** Whether the single batch check passed (no bisection needed). */
  readonly batchPassed: boolean;
}

/** Σ of affine points without per-point subgroup checks (inputs are already on-curve checked by the screen). */
function sumG2(points: readonly G2Affine[]): G2Affine {
  let sum: G2Point = G2.ZERO;
  for (const p of points) sum = sum.add(G2.fromAffine({ x: toNobleFp2(p.X), y: toNobleFp2(p.Y) }));
  if (sum.is0()) return { X: { re: 0n, im: 0n }, Y: { re: 0n, im: 0n } };
  const { x, y } = sum.toAffine();
  return { X: fromNobleFp2(x), Y: fromNobleFp2(y) };
}

function sumG1(points: readonly G1Affine[]): G1Affine {
  let sum: G1Point = G1.ZERO;
  for (const p of points) sum = sum.add(G1.fromAffine({ x: p.X, y: p.Y }));
  if (sum.is0()) return { X: 0n, Y: 0n };
  const { x, y } = sum.toAffine();
  return { X: x, Y: y };
}

export function combinePartials(partials: readonly PartialSignature[], message: Uint8Array, dst: Hex): Combined {
  if (partials.length === 0) throw new NetworkError("refused", "no partial signature to combine");
  const attempt = (indices: readonly number[]): { signature: G2Affine; aggregateKey: G1Affine } | null => {
    if (indices.length === 0) return null;
    const signature = sumG2(indices.map((i) => partials[i].signature));
    const aggregateKey = sumG1(indices.map((i) => partials[i].publicKey));
    return verify(aggregateKey, message, signature, dst) ? { signature, aggregateKey } : null;
  };
  const all = partials.map((_, i) => i);
  const batchPassed = batchVerify(partials, message, dst);
  if (batchPassed) {
    const result = attempt(all);
    if (result !== null) return { ...result, invalid: [], batchPassed };
  }
  const invalid = findInvalidSignatures(partials, message, dst);
  const bad = new Set(invalid);
  const result = attempt(all.filter((i) => !bad.has(i)));
  if (result === null) throw new NetworkError("refused", `no valid aggregate: ${invalid.length} of ${partials.length} partial signatures are invalid`);
  return { ...result, invalid, batchPassed };
}
