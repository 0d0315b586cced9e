/**
 * Event and view ABIs the tracker parses. The event signatures are copied verbatim from
 * PROTOCOL.md §2 (the node network parses exactly these); do not change them.
 */
import { parseAbi, toEventSelector, type AbiEvent } from "viem";

export const serviceNodeRewardsEventsAbi = parseAbi([
  "struct BLSPublicKey { uint256 X; uint256 Y; }",
  "struct ServiceNodeParams { uint256 ed25519Pubkey; uint256 ed25519Signature0; uint256 ed25519Signature1; uint16 fee; }",
  "struct Staker { address addr; address beneficiary; }",
  "struct Contributor { Staker staker; uint256 stakedAmount; }",
  "event NewServiceNodeV2(uint64 indexed serviceNodeID, address initiator, BLSPublicKey pubkey, ServiceNodeParams serviceNode, Contributor[] contributors)",
  "event ServiceNodeExitRequest(uint64 indexed serviceNodeID, address initiator, BLSPublicKey pubkey)",
  "event ServiceNodeExit(uint64 indexed serviceNodeID, address initiator, uint256 returnedAmount, BLSPublicKey pubkey)",
  "event StakingRequirementUpdated(uint256 newRequirement)",
  "event ServiceNodeLiquidated(uint64 indexed id, address initiator, BLSPublicKey pubkey)",
  "event RewardsBalanceUpdated(address indexed recipient, uint256 amount, uint256 previousBalance)",
  "event RewardsClaimed(address indexed recipient, uint256 amount)",
]);

export const contributionFactoryEventsAbi = parseAbi([
  "event NewServiceNodeContributionContract(address indexed contributorContract, uint256 serviceNodePubkey, address operator)",
]);

export const contributionPoolEventsAbi = parseAbi([
  "event NewContribution(address indexed contributor, address beneficiary, uint256 amount)",
]);

export const serviceNodeRewardsViewsAbi = parseAbi([
  "function allServiceNodeIDs() view returns (uint64[] ids, (uint256 X, uint256 Y)[] pubkeys)",
  "function aggregatePubkey() view returns ((uint256 X, uint256 Y))",
]);

export const rewardRatePoolViewsAbi = parseAbi(["function rewardRate() view returns (uint256)"]);

/** topic0 of every event of an ABI. */
export function eventTopics(abi: readonly unknown[]): `0x${string}`[] {
  return (abi as readonly { type: string }[])
    .filter((item): item is AbiEvent => item.type === "event")
    .map((event) => toEventSelector(event));
}
