import { keccak_256 } from "@noble/hashes/sha3";
import { randomBytes, utf8ToBytes } from "@noble/hashes/utils";
import { G1, R, g1FromAffine, g1ToAffine, type G1Point } from "./curve";
import type { G1Affine, SecretKey } from "./types";

function bytesToScalar(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** Checks that `sk` is a usable secret key (1 ≤ sk < r) and returns it. */
export function assertSecretKey(sk: SecretKey): SecretKey {
  if (typeof sk !== "bigint" || sk <= 0n || sk >= R) throw new Error("BLS secret key must be an integer in [1, r)");
  return sk;
}

/** A fresh secret key from the platform CSPRNG (48 random bytes reduced mod r: negligible bias). */
export function randomSecretKey(): SecretKey {
  return (bytesToScalar(randomBytes(48)) % (R - 1n)) + 1n;
}

/**
 * A deterministic secret key derived from a seed (for tests, devnets and reproducible fixtures only):
 * keccak256(seed ‖ counter) reduced mod r, skipping zero.
 */
export function secretKeyFromSeed(seed: string | Uint8Array): SecretKey {
  const seedBytes = typeof seed === "string" ? utf8ToBytes(seed) : seed;
  for (let counter = 0; counter < 256; counter++) {
    const wide = new Uint8Array([...keccak_256(Uint8Array.of(...seedBytes, counter)), ...keccak_256(Uint8Array.of(counter, ...seedBytes))]);
    const sk = bytesToScalar(wide) % R;
    if (sk !== 0n) return sk;
  }
  throw new Error("secretKeyFromSeed: no non-zero scalar found");
}

/** The G1 public key sk·G. */
export function publicKey(sk: SecretKey): G1Affine {
  return g1ToAffine(G1.BASE.multiply(assertSecretKey(sk)));
}

/** Sum of public keys; the empty sum is the point at infinity (0, 0). */
export function aggregatePublicKeys(keys: readonly G1Affine[]): G1Affine {
  return g1ToAffine(keys.reduce((sum: G1Point, key) => sum.add(g1FromAffine(key)), G1.ZERO));
}

/** Whether `key` is a valid non-infinity public key: coordinates < p and on the curve. */
export function isValidPublicKey(key: G1Affine): boolean {
  if (key.X === 0n && key.Y === 0n) return false;
  try {
    g1FromAffine(key);
    return true;
  } catch {
    return false;
  }
}
