import { bn254 } from "@noble/curves/bn254";
import { G1, G2, g1FromAffine, g2FromAffine, g2ToAffine, type G2Point } from "./curve";
import { hashToG2 } from "./hashToG2";
import { assertSecretKey } from "./keys";
import type { G1Affine, G2Affine, Hex, SecretKey } from "./types";

/** σ = sk·H(m), with H the network's hash to G2 under hash-to-field tag `dst`. */
export function sign(sk: SecretKey, message: Uint8Array, dst: Hex): G2Affine {
  return g2ToAffine(g2FromAffine(hashToG2(message, dst)).multiply(assertSecretKey(sk)));
}

/** Sum of signatures; the empty sum is the point at infinity. */
export function aggregateSignatures(signatures: readonly G2Affine[]): G2Affine {
  return g2ToAffine(signatures.reduce((sum: G2Point, sig) => sum.add(g2FromAffine(sig)), G2.ZERO));
}

/**
 * e(G, σ) == e(pk, H(m)). Returns false (never throws) for malformed points, for a key at infinity and
 * for a signature at infinity, mirroring the contract.
 */
export function verify(pk: G1Affine, message: Uint8Array, signature: G2Affine, dst: Hex): boolean {
  try {
    const key = g1FromAffine(pk);
    const sig = g2FromAffine(signature);
    if (key.is0() || sig.is0() || !sig.isTorsionFree()) return false;
    const hash = g2FromAffine(hashToG2(message, dst));
    const product = bn254.pairingBatch([
      { g1: G1.BASE, g2: sig },
      { g1: key.negate(), g2: hash },
    ]);
    return bn254.fields.Fp12.eql(product, bn254.fields.Fp12.ONE);
  } catch {
    return false;
  }
}
