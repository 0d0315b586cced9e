import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The BLS hash vectors. A copy is committed at `test/vectors/bls-hash.json` so a lone clone can run the
 * tests; `findSharedVectorsFile()` locates the project's `shared/vectors/` original (beside the
 * repository) so a test can check the copy has not drifted.
 */
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

export const COMMITTED_VECTORS_FILE = path.resolve(__dirname, "..", "vectors", "bls-hash.json");

export function loadBlsHashVectors(): BlsHashVectors {
  return JSON.parse(readFileSync(COMMITTED_VECTORS_FILE, "utf8")) as BlsHashVectors;
}

/** `shared/vectors/bls-hash.json` in the nearest ancestor folder that has one, or undefined. */
export function findSharedVectorsFile(): string | undefined {
  for (let dir = path.resolve(__dirname, "..", ".."); ; dir = path.dirname(dir)) {
    const file = path.join(dir, "shared", "vectors", "bls-hash.json");
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}
