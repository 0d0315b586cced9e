/** Chain-free fixtures shared by the network tests: a domain, nodes with seeded keys, snapshots. */
import type { Address } from "viem";
import { publicKey, secretKeyFromSeed, type SigningDomain } from "../../src/bls";
import type { NetworkSnapshot, ViewNode } from "../../src/network/view";

export const DAY = 86_400n;
export const domain: SigningDomain = { chainId: 31337n, contract: "0x00000000000000000000000000000000000000c0" };
export const OWNER: Address = "0x00000000000000000000000000000000000000a1";
export const NOW = 1_000n * DAY;

export function simNode(i: number, over: Partial<ViewNode> = {}, label = "unit"): ViewNode {
  return {
    id: BigInt(i + 1),
    pubkey: publicKey(secretKeyFromSeed(`${label}-${i}`)),
    operator: OWNER,
    fee: 0,
    contributors: [{ addr: OWNER, beneficiary: OWNER, stakedAmount: 25_000n }],
    registeredAt: NOW - 10n * DAY,
    exitRequestedAt: null,
    exitedAt: null,
    returnedAmount: null,
    status: "active",
    ...over,
  };
}

export function snapshotOf(nodes: readonly ViewNode[], timestamp = NOW, height = 77n): NetworkSnapshot {
  return { height, timestamp, nodes, registeredIds: nodes.filter((n) => n.status === "active" || n.status === "exit-requested").map((n) => n.id), rewardRate: 1_200n, nonSignerMax: 4000n };
}
