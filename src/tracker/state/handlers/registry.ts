/** Handlers of the ServiceNodeRewards registry's events (PROTOCOL.md §2, seeding included). */
import type { Address } from "viem";
import { serviceNodeRewardsEventsAbi } from "../../abi";
import type { StateContext } from "../context";
import { ENTITY, NETWORK_KEY, addressKey, nodeKey, parseRecord, serialize, type BalanceRecord, type NetworkRecord, type NodeRecord } from "../model";
import { MirrorGapError, ZERO_ADDRESS, asAddress, getNetwork, str, updateEntity, type ContractHandlers, type DecodedEvent, type EventHandler } from "./common";

interface G1Arg {
  X: bigint;
  Y: bigint;
}

/** Updates a node the mirror has; an event about one it does not have throws {@link UnknownNodeError}. */
function updateNode(ctx: StateContext, id: bigint, event: DecodedEvent, update: (node: NodeRecord) => NodeRecord): void | Promise<void> {
  return updateEntity(ctx, ENTITY.node, nodeKey(id), (raw) => {
    if (raw === null) throw new UnknownNodeError(id, event.eventName, event.blockNumber);
    return serialize(update(parseRecord<NodeRecord>(raw)));
  });
}

/** A node event for an id the mirror does not know means the mirror missed something: say so loudly. */
export class UnknownNodeError extends MirrorGapError {
  constructor(
    readonly id: bigint,
    readonly eventName: string,
    readonly block: bigint,
  ) {
    super(`${eventName} at block ${block} refers to service node ${id}, which the mirror does not know`);
  }
}

type ContributorArg = { staker: { addr: string; beneficiary: string }; stakedAmount: bigint };

function newNode(
  event: DecodedEvent,
  id: bigint,
  initiator: Address,
  pubkey: G1Arg,
  params: { ed25519Pubkey: bigint; ed25519Signature0: bigint; ed25519Signature1: bigint; fee: number },
  contributorArgs: readonly ContributorArg[],
  seeded: boolean,
): NodeRecord {
  const contributors = contributorArgs.map((c) => ({
    addr: asAddress(c.staker.addr),
    beneficiary: asAddress(c.staker.beneficiary),
    stakedAmount: str(c.stakedAmount),
  }));
  return {
    id: str(id),
    status: "active",
    operator: contributors.length > 0 ? contributors[0].addr : initiator,
    initiator,
    pubkey: { X: str(pubkey.X), Y: str(pubkey.Y) },
    ed25519Pubkey: str(params.ed25519Pubkey),
    ed25519Signature0: str(params.ed25519Signature0),
    ed25519Signature1: str(params.ed25519Signature1),
    fee: Number(params.fee),
    contributors,
    addedBlock: str(event.blockNumber),
    addedTx: event.transactionHash,
    exitRequestedBlock: null,
    exitRequestInitiator: null,
    exitBlock: null,
    exitInitiator: null,
    returnedAmount: null,
    liquidatedBlock: null,
    liquidator: null,
    seeded,
    addedTimestamp: event.blockTimestamp?.toString() ?? null,
    exitRequestedTimestamp: null,
    exitTimestamp: null,
    liquidatedTimestamp: null,
  };
}

const onNewServiceNode: EventHandler = (ctx, event) => {
  const a = event.args as {
    serviceNodeID: bigint;
    initiator: string;
    pubkey: G1Arg;
    serviceNode: { ed25519Pubkey: bigint; ed25519Signature0: bigint; ed25519Signature1: bigint; fee: number };
    contributors: readonly ContributorArg[];
  };
  return updateEntity(ctx, ENTITY.node, nodeKey(a.serviceNodeID), () =>
    serialize(newNode(event, a.serviceNodeID, asAddress(a.initiator), a.pubkey, a.serviceNode, a.contributors, false)),
  );
};

/** A node migrated by the owner before start(): no initiator (the zero address), no Ed25519 signature, fee 0. */
const onNewSeededServiceNode: EventHandler = (ctx, event) => {
  const a = event.args as { serviceNodeID: bigint; pubkey: G1Arg; ed25519Pubkey: bigint; contributors: readonly ContributorArg[] };
  const params = { ed25519Pubkey: a.ed25519Pubkey, ed25519Signature0: 0n, ed25519Signature1: 0n, fee: 0 };
  return updateEntity(ctx, ENTITY.node, nodeKey(a.serviceNodeID), () =>
    serialize(newNode(event, a.serviceNodeID, ZERO_ADDRESS as Address, a.pubkey, params, a.contributors, true)),
  );
};

const onMaxContributorsUpdated: EventHandler = async (ctx, event) => {
  const a = event.args as { newMax: bigint };
  const network = await getNetwork(ctx);
  await ctx.put(ENTITY.network, NETWORK_KEY, serialize({ ...network, maxContributors: Number(a.newMax), maxContributorsBlock: str(event.blockNumber) }));
};

const onExitRequest: EventHandler = (ctx, event) => {
  const a = event.args as { serviceNodeID: bigint; initiator: string };
  return updateNode(ctx, a.serviceNodeID, event, (node) => ({
    ...node,
    status: node.status === "active" ? "exit-requested" : node.status,
    exitRequestedBlock: node.exitRequestedBlock ?? str(event.blockNumber),
    exitRequestInitiator: node.exitRequestInitiator ?? asAddress(a.initiator),
    exitRequestedTimestamp: node.exitRequestedBlock === null ? (event.blockTimestamp?.toString() ?? null) : (node.exitRequestedTimestamp ?? null),
  }));
};

const onExit: EventHandler = (ctx, event) => {
  const a = event.args as { serviceNodeID: bigint; initiator: string; returnedAmount: bigint };
  return updateNode(ctx, a.serviceNodeID, event, (node) => ({
    ...node,
    status: "exited",
    exitBlock: str(event.blockNumber),
    exitInitiator: asAddress(a.initiator),
    returnedAmount: str(a.returnedAmount),
    exitTimestamp: event.blockTimestamp?.toString() ?? null,
  }));
};

const onLiquidated: EventHandler = (ctx, event) => {
  const a = event.args as { id: bigint; initiator: string };
  return updateNode(ctx, a.id, event, (node) => ({
    ...node,
    status: "liquidated",
    liquidatedBlock: str(event.blockNumber),
    liquidator: asAddress(a.initiator),
    liquidatedTimestamp: event.blockTimestamp?.toString() ?? null,
  }));
};

const onStakingRequirement: EventHandler = async (ctx, event) => {
  const a = event.args as { newRequirement: bigint };
  const record: NetworkRecord = { ...(await getNetwork(ctx)), stakingRequirement: str(a.newRequirement), stakingRequirementBlock: str(event.blockNumber) };
  await ctx.put(ENTITY.network, NETWORK_KEY, serialize(record));
};

/** Updates a recipient's balance record (created at zero by its first event). */
function updateBalance(ctx: StateContext, recipient: Address, update: (balance: BalanceRecord) => BalanceRecord): void | Promise<void> {
  return updateEntity(ctx, ENTITY.balance, addressKey(recipient), (raw) =>
    serialize(
      update(
        raw !== null
          ? parseRecord<BalanceRecord>(raw)
          : { recipient, lifetimeBalance: "0", previousBalance: "0", updatedBlock: null, totalClaimed: "0", claims: 0, lastClaimBlock: null },
      ),
    ),
  );
}

const onRewardsBalanceUpdated: EventHandler = (ctx, event) => {
  const a = event.args as { recipient: string; amount: bigint; previousBalance: bigint };
  return updateBalance(ctx, asAddress(a.recipient), (balance) => ({
    ...balance,
    lifetimeBalance: str(a.amount),
    previousBalance: str(a.previousBalance),
    updatedBlock: str(event.blockNumber),
  }));
};

const onRewardsClaimed: EventHandler = (ctx, event) => {
  const a = event.args as { recipient: string; amount: bigint };
  return updateBalance(ctx, asAddress(a.recipient), (balance) => ({
    ...balance,
    totalClaimed: (BigInt(balance.totalClaimed) + a.amount).toString(),
    claims: balance.claims + 1,
    lastClaimBlock: str(event.blockNumber),
  }));
};

/** The registry's handlers, with what each hot handler reads (preloaded per range). */
export function serviceNodeRewardsHandlers(): ContractHandlers {
  return {
    abi: serviceNodeRewardsEventsAbi,
    handlers: {
      NewServiceNodeV2: onNewServiceNode,
      ServiceNodeExitRequest: onExitRequest,
      ServiceNodeExit: onExit,
      ServiceNodeLiquidated: onLiquidated,
      StakingRequirementUpdated: onStakingRequirement,
      RewardsBalanceUpdated: onRewardsBalanceUpdated,
      RewardsClaimed: onRewardsClaimed,
      NewSeededServiceNode: onNewSeededServiceNode,
      MaxContributorsUpdated: onMaxContributorsUpdated,
    },
    reads: {
      NewServiceNodeV2: (a) => [[ENTITY.node, nodeKey(a.serviceNodeID as bigint)]],
      NewSeededServiceNode: (a) => [[ENTITY.node, nodeKey(a.serviceNodeID as bigint)]],
      ServiceNodeExitRequest: (a) => [[ENTITY.node, nodeKey(a.serviceNodeID as bigint)]],
      ServiceNodeExit: (a) => [[ENTITY.node, nodeKey(a.serviceNodeID as bigint)]],
      ServiceNodeLiquidated: (a) => [[ENTITY.node, nodeKey(a.id as bigint)]],
      RewardsBalanceUpdated: (a) => [[ENTITY.balance, addressKey(a.recipient as string)]],
      RewardsClaimed: (a) => [[ENTITY.balance, addressKey(a.recipient as string)]],
    },
  };
}
