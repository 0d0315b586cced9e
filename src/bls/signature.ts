import { bn254 } from "@noble/curves/bn254";
import { G1, G2, g1FromAffine, g2FromAffine, g2OnTwist, g2ToAffine, type G1Point, type G2Point } from "./curve";
import { hashToG2 } from "./hashToG2";
import { assertSecretKey } from "./keys";
import type { G1Affine, G2Affine, Hex, SecretKey } from "./types";

/**
 * The most recently USED messages' hashes: an aggregator hashes the one message of a request many times
 * (batch check, aggregate check, every bisection leaf), and hashing to G2 costs ~0.1 s. Least recently
 * used first (a hit moves the entry to the back), so a message in active use is never evicted by
 * HASH_CACHE_SIZE others. The cache is bounded: a point obtained earlier may be evicted and recomputed
 * later as a new, equal object, so callers compare points with `equals`, never by identity.
 */
export const HASH_CACHE_SIZE = 32;
const hashCache = new Map<string, G2Point>();

/** H(m) as a noble point (immutable), memoised per (dst, message). */
export function messagePoint(message: Uint8Array, dst: Hex): G2Point {
  const key = `${dst}:${Buffer.from(message).toString("hex")}`;
  const cached = hashCache.get(key);
  if (cached !== undefined) {
    hashCache.delete(key); // re-insert: a Map iterates in insertion order, so the front is least recently used
    hashCache.set(key, cached);
    return cached;
  }
  const point = g2FromAffine(hashToG2(message, dst));
  if (hashCache.size >= HASH_CACHE_SIZE) hashCache.delete(hashCache.keys().next().value as string);
  hashCache.set(key, point);
  return point;
}

/** σ = sk·H(m), with H the network's hash to G2 under hash-to-field tag `dst`. */
export function sign(sk: SecretKey, message: Uint8Array, dst: Hex): G2Affine {
  return g2ToAffine(messagePoint(message, dst).multiply(assertSecretKey(sk)));
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
    return verifyPoints(g1FromAffine(pk), g2OnTwist(signature), messagePoint(message, dst));
  } catch {
    return false;
  }
}

/**
 * `verify` on parsed points: `key` must already be checked to be on G1 (g1FromAffine) and `sig` on the
 * twist (g2OnTwist / g2FromAffine); the G2 subgroup check is done here, once.
 */
export function verifyPoints(key: G1Point, sig: G2Point, hash: G2Point): boolean {
  if (key.is0() || sig.is0() || !sig.isTorsionFree()) return false;
  const product = bn254.pairingBatch([
    { g1: G1.BASE, g2: sig },
    { g1: key.negate(), g2: hash },
  ]);
  return bn254.fields.Fp12.eql(product, bn254.fields.Fp12.ONE);
}
