import { readFileSync } from "node:fs";
import path from "node:path";

/** `../shared/vectors/bls-hash.json`, parsed; integers stay decimal strings, bytes 0x-hex. */
export interface Fp2Json {
  re: string;
  im: string;
}
export interface BlsHashVectors {
  expand_message_xmd_keccak256: { msg_utf8: string; dst: `0x${string}`; len_in_bytes: number; uniform_bytes: string[] }[];
  hash_to_field_fp2: { msg_utf8: string; dst: `0x${string}`; u0_real: string; u1_imag: string; negate_y: boolean }[];
  fp2_sqrt: { a: Fp2Json; roots: Fp2Json[] }[];
  hash_to_g2: { msg: `0x${string}`; dst: `0x${string}`; H: { x: Fp2Json; y: Fp2Json } }[];
}

export const SHARED_DIR = path.resolve(__dirname, "..", "..", "..", "shared");

export function loadBlsHashVectors(): BlsHashVectors {
  const file = path.join(SHARED_DIR, "vectors", "bls-hash.json");
  return JSON.parse(readFileSync(file, "utf8")) as BlsHashVectors;
}
