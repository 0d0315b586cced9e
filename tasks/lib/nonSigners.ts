/**
 * Which registry function a network-signed call goes to. With one or more non-signers the task sends the
 * `…NonSignerKeys` variant, whose `bytes nonSigners` carries each non-signer's key Y (read here from
 * `allServiceNodeIDs()`), so the contract checks Y instead of computing a square root: about 1.1k gas less
 * per non-signer. With none, both encodings are an empty list and the plain variant is sent.
 */
import type { Hex } from "viem";
import { canEncodeHinted, hintedNonSignersFor } from "../../src/network/nonSigners";
import { TaskError } from "../../lib/errors";

export type SignedCall = "updateRewardsBalance" | "exitBLSPublicKeyWithSignature" | "liquidateBLSPublicKeyWithSignature";

const HINTED: Record<SignedCall, string> = {
  updateRewardsBalance: "updateRewardsBalanceWithNonSignerKeys",
  exitBLSPublicKeyWithSignature: "exitBLSPublicKeyWithSignatureAndNonSignerKeys",
  liquidateBLSPublicKeyWithSignature: "liquidateBLSPublicKeyWithSignatureAndNonSignerKeys",
};

export interface NonSignerArgument {
  /** "hinted": the `…NonSignerKeys` function with packed `skip ‖ Y` entries; "plain": the id list. */
  readonly variant: "hinted" | "plain";
  /** The function to call. */
  readonly method: string;
  /** Its last argument. */
  readonly nonSigners: Hex | readonly bigint[];
  /** One line for the task's output. */
  readonly summary: string;
}

/** What this module reads from the registry. */
interface RegistryKeys {
  allServiceNodeIDs(): Promise<[bigint[], { X: bigint; Y: bigint }[]] | readonly [readonly bigint[], readonly { X: bigint; Y: bigint }[]]>;
}

/** Chooses the variant of `call` for the aggregator's `ids` and builds its non-signer argument. */
export async function nonSignerArgument(registry: RegistryKeys, call: SignedCall, ids: readonly bigint[], source: string): Promise<NonSignerArgument> {
  if (ids.length === 0) {
    return { variant: "plain", method: call, nonSigners: [], summary: `0 non-signers: ${call} (nothing to hint)` };
  }
  const [activeIds, keys] = await registry.allServiceNodeIDs();
  const byId = new Map<bigint, { Y: bigint }>();
  activeIds.forEach((id, i) => byId.set(id, keys[i]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new TaskError(
      `${source} lists non-signer(s) ${unknown.join(", ")} that are not active nodes on this chain: the answer is out of date or for ` +
        `another network — request a fresh one`,
    );
  }
  if (!canEncodeHinted(ids)) {
    return { variant: "plain", method: call, nonSigners: ids, summary: `${ids.length} non-signer(s) ${ids.join(", ")}: ${call} (ids too far apart for the packed form)` };
  }
  let nonSigners: Hex;
  try {
    nonSigners = hintedNonSignersFor(ids, (id) => byId.get(id));
  } catch (error) {
    throw new TaskError(`${source}: ${(error as Error).message}; pass the aggregator's answer unchanged`);
  }
  const method = HINTED[call];
  return { variant: "hinted", method, nonSigners, summary: `${ids.length} non-signer(s) ${ids.join(", ")}: ${method} (their keys' Y read from the chain)` };
}
