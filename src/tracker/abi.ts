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
  // Not parsed by the node network, mirrored for operators (contracts/interfaces/IServiceNodeRewards.sol).
  "event NewSeededServiceNode(uint64 indexed serviceNodeID, BLSPublicKey pubkey, uint256 ed25519Pubkey, Contributor[] contributors)",
  "event MaxContributorsUpdated(uint256 newMax)",
]);

export const contributionFactoryEventsAbi = parseAbi([
  "event NewServiceNodeContributionContract(address indexed contributorContract, uint256 serviceNodePubkey, address operator)",
]);

/** Pool lifecycle (contracts/staking/ServiceNodeContribution.sol); NewContribution is PROTOCOL.md §2. */
export const contributionPoolEventsAbi = parseAbi([
  "event NewContribution(address indexed contributor, address beneficiary, uint256 amount)",
  "event OpenForPublicContribution(uint256 indexed serviceNodePubkey, address indexed operator, uint16 fee)",
  "event Filled(uint256 indexed serviceNodePubkey, address indexed operator)",
  "event Finalized(uint256 indexed serviceNodePubkey)",
  "event WithdrawContribution(address indexed contributor, uint256 amount)",
  "event PoolReset(uint256 stakingRequirement, uint256 maxContributors)",
  "event BeneficiaryUpdated(address indexed contributor, address beneficiary)",
  "event FeeUpdated(uint16 fee)",
  "event PubkeysUpdated(uint256 indexed serviceNodePubkey, uint256 ed25519Pubkey)",
  "event ReservedContributorsUpdated((address addr, uint256 amount)[] reserved)",
  "event ManualFinalizeUpdated(bool manualFinalize)",
]);

/** Session Name Service (contracts/interfaces/ISessionNameService.sol + its ERC-721 Transfer). */
export const nameServiceEventsAbi = parseAbi([
  "event Transfer(address indexed from, address indexed to, uint256 indexed tokenId)",
  "event NameRegistered(bytes32 indexed node, address indexed owner, address indexed payer, uint64 expiry, uint256 fee)",
  "event NameRenewed(bytes32 indexed node, uint64 expiry)",
  "event NameBurned(bytes32 indexed node, address indexed owner)",
  "event RecordChanged(bytes32 indexed node, uint8 indexed kind, bytes value)",
  "event TextChanged(bytes32 indexed node, string indexed indexedKey, string key, bytes value)",
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
