/**
 * Verifying and combining the partial signatures of one request: every partial is parsed once, screened
 * with ONE randomised batch check (two short MSMs, one pairing) and, on failure, bisected to isolate the
 * bad partials. The aggregate is the sum of the survivors' points parsed for the screen (no re-parsing,
 * no second pass), and it is verified once against the sum of their keys (the full check, subgroup
 * included) before it is returned, as src/bls/batch.ts asks of a screen. H(m) is hashed once per message
 * (memoised in src/bls/signature.ts) and shared by the screen, the bisection leaves and that check.
 *
 * If the screen passes but the aggregate does not verify, some partial carries a component outside G2
 * whose weighted sum happened to vanish (probability ≤ 1/10069 per screen, not under the sender's
 * control): the screen is repeated with fresh weights, at most SCREEN_ATTEMPTS times in all.
 */
import type { G1Affine, G2Affine, Hex, PartialSignature } from "../../bls";
import { screenPartials, screenedSums } from "../../bls/batch";
import { messagePoint, verifyPoints } from "../../bls/signature";
import { NetworkError } from "../errors";

export interface Combined {
  readonly signature: G2Affine;
  readonly aggregateKey: G1Affine;
  /** Indices (into the input) of the partials that were left out as invalid. */
  readonly invalid: readonly number[];
  /** Whether the single batch check passed (no bisection needed). */
  readonly batchPassed: boolean;
}

const SCREEN_ATTEMPTS = 3;

export function combinePartials(partials: readonly PartialSignature[], message: Uint8Array, dst: Hex): Combined {
  if (partials.length === 0) throw new NetworkError("refused", "no partial signature to combine");
  const hash = messagePoint(message, dst);
  let invalidCount = 0;
  for (let attempt = 0; attempt < SCREEN_ATTEMPTS; attempt++) {
    const screened = screenPartials(partials, hash);
    invalidCount = screened.invalid.length;
    if (screened.survivors.length === 0) break;
    if (verifyPoints(screened.keySum, screened.signatureSum, hash)) {
      return { ...screenedSums(screened), invalid: screened.invalid, batchPassed: screened.batchPassed };
    }
  }
  throw new NetworkError("refused", `no valid aggregate: ${invalidCount} of ${partials.length} partial signatures are invalid`);
}
