import type { Address, Hex } from "viem";

export type { Address, Hex };

/** A BLS secret key: a scalar in [1, r). */
export type SecretKey = bigint;

/** An element of Fp2 = Fp[i]/(i² + 1): `re + im·i`. */
export interface Fp2 {
  readonly re: bigint;
  readonly im: bigint;
}

/** An affine G1 point (public keys). The point at infinity is encoded as (0, 0), as the precompiles do. */
export interface G1Affine {
  readonly X: bigint;
  readonly Y: bigint;
}

/** An affine G2 point on the twist (signatures, message hashes). Infinity is all-zero. */
export interface G2Affine {
  readonly X: Fp2;
  readonly Y: Fp2;
}

/** The contract's calldata struct for a signature: (X.real, X.imag, Y.real, Y.imag). */
export interface BLSSignatureParams {
  readonly sigs0: bigint;
  readonly sigs1: bigint;
  readonly sigs2: bigint;
  readonly sigs3: bigint;
}
