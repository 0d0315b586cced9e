import { keccak_256 } from "@noble/hashes/sha3";
import { utf8ToBytes } from "@noble/hashes/utils";

/** A deterministic byte stream: keccak256(seed ‖ counter) blocks. Same seed, same bytes, every run. */
export function seededRandom(seed: string): { bytes: (length: number) => Uint8Array; int: (maxExclusive: number) => number } {
  const seedBytes = utf8ToBytes(seed);
  let counter = 0;
  const bytes = (length: number): Uint8Array => {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 32) {
      const block = keccak_256(Uint8Array.of(...seedBytes, ...utf8ToBytes(`:${counter++}`)));
      out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    }
    return out;
  };
  const int = (maxExclusive: number): number => {
    const [a, b, c, d] = bytes(4);
    return (((a << 24) | (b << 16) | (c << 8) | d) >>> 0) % maxExclusive;
  };
  return { bytes, int };
}
