/**
 * Encoding of the `bytes nonSigners` argument of the registry's `…NonSignerKeys` functions (updateRewardsBalanceWithNonSignerKeys, exitBLSPublicKeyWithSignatureAndNonSignerKeys, liquidateBLSPublicKeyWithSignatureAndNonSignerKeys): for each non-signer,
 * ascending by id, `uint16 skip ‖ uint256 Y` (34 bytes, big-endian), where the non-signer's id is the
 * previous one's (0 before the first) plus skip + 1 — so consecutive ids cost two zero bytes and a duplicate
 * or out-of-order id cannot be written — and Y is the Y coordinate of the node's BLS key as
 * `allServiceNodeIDs()` returns it. The contract then checks Y against the stored X and parity instead of
 * computing a square root (about 1.4k gas less per non-signer). Ids more than 2^16 apart cannot be packed:
 * send those with the id-list function instead ({@link canEncodeHinted}).
 */
import type { Hex } from "viem";
import { P } from "../bls";

/** One non-signer: its node id and the Y coordinate of its registered key. */
export interface HintedNonSigner {
  readonly id: bigint;
  readonly y: bigint;
}

/** Largest `skip` an entry can carry: consecutive non-signers at most 2^16 ids apart. */
export const MAX_HINTED_SKIP = (1n << 16n) - 1n;

/** Whether `ids` (ascending) can be sent in the packed form: no gap of more than 2^16 between neighbours. */
export function canEncodeHinted(ids: readonly bigint[]): boolean {
  let last = 0n;
  for (const id of ids) {
    if (id <= last || id - last - 1n > MAX_HINTED_SKIP) return false;
    last = id;
  }
  return true;
}

/** Packs `entries` (ids strictly ascending, at most 2^16 apart, 0 ≤ Y < P) into the calldata bytes. */
export function encodeHintedNonSigners(entries: readonly HintedNonSigner[]): Hex {
  let out = "0x";
  let last = 0n;
  entries.forEach(({ id, y }, index) => {
    if (id <= last) {
      throw new Error(`encodeHintedNonSigners: id ${id} at index ${index} must be above ${last} (sort the ids ascending, no duplicates)`);
    }
    const skip = id - last - 1n;
    if (skip > MAX_HINTED_SKIP) {
      throw new Error(`encodeHintedNonSigners: id ${id} at index ${index} is more than 2^16 above ${last}; send these non-signers as an id list`);
    }
    if (y < 0n || y >= P) throw new Error(`encodeHintedNonSigners: Y of non-signer ${id} is not a field element (0 ≤ Y < P)`);
    out += skip.toString(16).padStart(4, "0") + y.toString(16).padStart(64, "0");
    last = id;
  });
  return out as Hex;
}

/** {encodeHintedNonSigners} for `ids`, taking each Y from `keyOf(id)` (e.g. the `allServiceNodeIDs()` keys). */
export function hintedNonSignersFor(ids: readonly bigint[], keyOf: (id: bigint) => { readonly Y: bigint } | undefined): Hex {
  return encodeHintedNonSigners(
    ids.map((id) => {
      const key = keyOf(id);
      if (key === undefined) throw new Error(`hintedNonSignersFor: no key known for non-signer ${id}; refresh the node list`);
      return { id, y: key.Y };
    }),
  );
}
