/** Conversions between our affine points and the contracts' calldata structs. */
import { P } from "./curve";
import type { BLSSignatureParams, G1Affine, G2Affine } from "./types";

/** Signature → `BLSSignatureParams` in wire order (X.real, X.imag, Y.real, Y.imag). */
export function signatureToParams(signature: G2Affine): BLSSignatureParams {
  return { sigs0: signature.X.re, sigs1: signature.X.im, sigs2: signature.Y.re, sigs3: signature.Y.im };
}

/** `BLSSignatureParams` → signature; throws naming the coordinate that is not a field element. */
export function paramsToSignature(params: BLSSignatureParams): G2Affine {
  for (const [name, value] of Object.entries(params) as [string, bigint][]) {
    if (value < 0n || value >= P) throw new Error(`signature coordinate ${name} is not below the field modulus`);
  }
  return { X: { re: params.sigs0, im: params.sigs1 }, Y: { re: params.sigs2, im: params.sigs3 } };
}

/** G1 key → the contracts' `(uint256 X, uint256 Y)` tuple. */
export function publicKeyToParams(key: G1Affine): { X: bigint; Y: bigint } {
  return { X: key.X, Y: key.Y };
}

/** 64-byte big-endian X ‖ Y encoding, as hex (how keys appear in logs and APIs). */
export function publicKeyToHex(key: G1Affine): `0x${string}` {
  return `0x${key.X.toString(16).padStart(64, "0")}${key.Y.toString(16).padStart(64, "0")}`;
}

/** Parses a 64-byte `0x…` X ‖ Y key; throws on the wrong length. */
export function publicKeyFromHex(hex: string): G1Affine {
  const body = hex.replace(/^0x/, "");
  if (!/^[0-9a-fA-F]{128}$/.test(body)) throw new Error(`BLS public key must be 64 bytes of hex, got ${hex.length} characters`);
  return { X: BigInt(`0x${body.slice(0, 64)}`), Y: BigInt(`0x${body.slice(64)}`) };
}
