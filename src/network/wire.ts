/** Parsing and encoding of the JSON parameters and results shared by nodes and the aggregator. */
import { isAddress, type Address } from "viem";
import { P, publicKeyFromHex, publicKeyToHex, type BLSSignatureParams, type G1Affine, type G2Affine, type Hex } from "../bls";
import { badRequest } from "./errors";
import { addressKey } from "./view";

const WORD = (v: bigint): string => v.toString(16).padStart(64, "0");

/** 128-byte X.re ‖ X.im ‖ Y.re ‖ Y.im, the contract's wire order. */
export function signatureToHex(sig: G2Affine): Hex {
  return `0x${WORD(sig.X.re)}${WORD(sig.X.im)}${WORD(sig.Y.re)}${WORD(sig.Y.im)}`;
}

export function signatureFromHex(hex: unknown): G2Affine {
  if (typeof hex !== "string" || !/^0x[0-9a-fA-F]{256}$/.test(hex)) throw badRequest(`signature must be 128 bytes of 0x-hex`);
  const w = [0, 1, 2, 3].map((i) => BigInt(`0x${hex.slice(2 + 64 * i, 66 + 64 * i)}`));
  if (w.some((v) => v >= P)) throw badRequest("signature has a coordinate not below the field modulus");
  return { X: { re: w[0], im: w[1] }, Y: { re: w[2], im: w[3] } };
}

/** Signature params as 0x-hex words (JSON) — pass `BigInt(...)` of each to the contract. */
export function paramsToJson(params: BLSSignatureParams): Record<keyof BLSSignatureParams, Hex> {
  return { sigs0: `0x${WORD(params.sigs0)}`, sigs1: `0x${WORD(params.sigs1)}`, sigs2: `0x${WORD(params.sigs2)}`, sigs3: `0x${WORD(params.sigs3)}` };
}

export function objectParams(params: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof params !== "object" || params === null || Array.isArray(params)) throw badRequest(`params must be an object with ${allowed.join(", ")}`);
  for (const key of Object.keys(params)) if (!allowed.includes(key)) throw badRequest(`unknown parameter "${key}" (allowed: ${allowed.join(", ")})`);
  return params as Record<string, unknown>;
}

export function addressParam(params: Record<string, unknown>, name: string): Address {
  const v = params[name];
  if (typeof v !== "string" || !isAddress(v, { strict: false })) throw badRequest(`${name} must be a 0x-prefixed 20-byte address, got ${JSON.stringify(v)}`);
  return addressKey(v);
}

/** A non-negative integer given as a JSON number or a decimal string. */
export function uintParam(params: Record<string, unknown>, name: string): bigint {
  const v = params[name];
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && /^\d{1,78}$/.test(v)) return BigInt(v);
  throw badRequest(`${name} must be a non-negative integer (number or decimal string), got ${JSON.stringify(v)}`);
}

export function pubkeyParam(params: Record<string, unknown>, name: string): G1Affine {
  const v = params[name];
  if (typeof v !== "string") throw badRequest(`${name} must be a 64-byte 0x-hex BLS public key, got ${JSON.stringify(v)}`);
  try {
    return publicKeyFromHex(v);
  } catch (error) {
    throw badRequest(`${name}: ${(error as Error).message}`);
  }
}

export function boolParam(params: Record<string, unknown>, name: string): boolean {
  const v = params[name];
  if (typeof v !== "boolean") throw badRequest(`${name} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

export { publicKeyToHex };
