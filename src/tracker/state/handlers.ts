/**
 * Event handlers, registered per contract kind. The follower routes each log to the kind whose address
 * (or, for pools, whose known-pool set) it came from, decodes it with that kind's ABI and calls the
 * handler for the event name. Name-service and further pool events plug in here by adding a
 * {@link ContractHandlers} entry for their kind — nothing else in the tracker needs to change.
 */
import { decodeEventLog, type Abi, type Address, type Hex } from "viem";
import type { ChainLog } from "../follower/chain";
import { contributionFactoryEventsAbi, contributionPoolEventsAbi, eventTopics, serviceNodeRewardsEventsAbi } from "../abi";
import type { StateContext } from "./context";
import {
  ENTITY,
  NETWORK_KEY,
  addressKey,
  nodeKey,
  parseRecord,
  serialize,
  type BalanceRecord,
  type NetworkRecord,
  type NodeRecord,
  type PoolRecord,
} from "./model";

export type ContractKind = "serviceNodeRewards" | "contributionFactory" | "contributionPool" | "rewardRatePool" | "nameService";

/** A log decoded by the ABI of the contract kind it was routed to. */
export interface DecodedEvent {
  readonly kind: ContractKind;
  readonly address: Address;
  readonly eventName: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly logIndex: number;
  readonly transactionHash: Hex;
}

export type EventHandler = (ctx: StateContext, event: DecodedEvent) => Promise<void>;

export interface ContractHandlers {
  readonly abi: Abi;
  readonly handlers: Readonly<Record<string, EventHandler>>;
  /**
   * true: the contracts of this kind are discovered at run time (pools created by the factory); their
   * logs are fetched by topic and kept only if `isKnownAddress` says the emitter is one of them.
   */
  readonly dynamic?: {
    readonly isKnownAddress: (ctx: StateContext, address: Address) => Promise<boolean>;
  };
}

export type HandlerRegistry = Partial<Record<ContractKind, ContractHandlers>>;

export function topicsOf(handlers: ContractHandlers): Hex[] {
  return eventTopics(handlers.abi);
}

/** Decodes a raw log with the given kind's ABI; null when the topic is not one of that kind's events. */
export function decodeLog(kind: ContractKind, handlers: ContractHandlers, log: ChainLog): DecodedEvent | null {
  let decoded: { eventName: string; args: unknown };
  try {
    decoded = decodeEventLog({ abi: handlers.abi, data: log.data, topics: log.topics as [Hex, ...Hex[]], strict: true }) as {
      eventName: string;
      args: unknown;
    };
  } catch {
    return null;
  }
  return {
    kind,
    address: addressKey(log.address) as Address,
    eventName: decoded.eventName,
    args: decoded.args as Record<string, unknown>,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    logIndex: log.logIndex,
    transactionHash: log.transactionHash,
  };
}

// ---- ServiceNodeRewards -------------------------------------------------------------------------

interface G1Arg {
  X: bigint;
  Y: bigint;
}

const lower = (a: unknown): Address => (a as string).toLowerCase() as Address;
const str = (v: unknown): string => (v as bigint).toString();

async function getNode(ctx: StateContext, id: bigint): Promise<NodeRecord | null> {
  const raw = await ctx.get(ENTITY.node, nodeKey(id));
  return raw === null ? null : parseRecord<NodeRecord>(raw);
}

async function putNode(ctx: StateContext, node: NodeRecord): Promise<void> {
  await ctx.put(ENTITY.node, nodeKey(BigInt(node.id)), serialize(node));
}

/** A node event for an id the mirror does not know means the mirror missed something: say so loudly. */
export class UnknownNodeError extends Error {
  constructor(
    readonly id: bigint,
    readonly eventName: string,
    readonly block: bigint,
  ) {
    super(`${eventName} at block ${block} refers to service node ${id}, which the mirror does not know`);
  }
}

const onNewServiceNode: EventHandler = async (ctx, event) => {
  const a = event.args as {
    serviceNodeID: bigint;
    initiator: string;
    pubkey: G1Arg;
    serviceNode: { ed25519Pubkey: bigint; ed25519Signature0: bigint; ed25519Signature1: bigint; fee: number };
    contributors: readonly { staker: { addr: string; beneficiary: string }; stakedAmount: bigint }[];
  };
  const contributors = a.contributors.map((c) => ({
    addr: lower(c.staker.addr),
    beneficiary: lower(c.staker.beneficiary),
    stakedAmount: str(c.stakedAmount),
  }));
  const node: NodeRecord = {
    id: str(a.serviceNodeID),
    status: "active",
    operator: contributors.length > 0 ? contributors[0].addr : lower(a.initiator),
    initiator: lower(a.initiator),
    pubkey: { X: str(a.pubkey.X), Y: str(a.pubkey.Y) },
    ed25519Pubkey: str(a.serviceNode.ed25519Pubkey),
    ed25519Signature0: str(a.serviceNode.ed25519Signature0),
    ed25519Signature1: str(a.serviceNode.ed25519Signature1),
    fee: Number(a.serviceNode.fee),
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
  };
  await putNode(ctx, node);
};

const onExitRequest: EventHandler = async (ctx, event) => {
  const a = event.args as { serviceNodeID: bigint; initiator: string };
  const node = await getNode(ctx, a.serviceNodeID);
  if (node === null) throw new UnknownNodeError(a.serviceNodeID, event.eventName, event.blockNumber);
  await putNode(ctx, {
    ...node,
    status: node.status === "active" ? "exit-requested" : node.status,
    exitRequestedBlock: node.exitRequestedBlock ?? str(event.blockNumber),
    exitRequestInitiator: node.exitRequestInitiator ?? lower(a.initiator),
  });
};

const onExit: EventHandler = async (ctx, event) => {
  const a = event.args as { serviceNodeID: bigint; initiator: string; returnedAmount: bigint };
  const node = await getNode(ctx, a.serviceNodeID);
  if (node === null) throw new UnknownNodeError(a.serviceNodeID, event.eventName, event.blockNumber);
  await putNode(ctx, {
    ...node,
    status: "exited",
    exitBlock: str(event.blockNumber),
    exitInitiator: lower(a.initiator),
    returnedAmount: str(a.returnedAmount),
  });
};

const onLiquidated: EventHandler = async (ctx, event) => {
  const a = event.args as { id: bigint; initiator: string };
  const node = await getNode(ctx, a.id);
  if (node === null) throw new UnknownNodeError(a.id, event.eventName, event.blockNumber);
  await putNode(ctx, { ...node, status: "liquidated", liquidatedBlock: str(event.blockNumber), liquidator: lower(a.initiator) });
};

const onStakingRequirement: EventHandler = async (ctx, event) => {
  const a = event.args as { newRequirement: bigint };
  const record: NetworkRecord = { stakingRequirement: str(a.newRequirement), stakingRequirementBlock: str(event.blockNumber) };
  await ctx.put(ENTITY.network, NETWORK_KEY, serialize(record));
};

async function getBalance(ctx: StateContext, recipient: Address): Promise<BalanceRecord> {
  const raw = await ctx.get(ENTITY.balance, addressKey(recipient));
  if (raw !== null) return parseRecord<BalanceRecord>(raw);
  return {
    recipient,
    lifetimeBalance: "0",
    previousBalance: "0",
    updatedBlock: null,
    totalClaimed: "0",
    claims: 0,
    lastClaimBlock: null,
  };
}

const onRewardsBalanceUpdated: EventHandler = async (ctx, event) => {
  const a = event.args as { recipient: string; amount: bigint; previousBalance: bigint };
  const balance = await getBalance(ctx, lower(a.recipient));
  const next: BalanceRecord = {
    ...balance,
    lifetimeBalance: str(a.amount),
    previousBalance: str(a.previousBalance),
    updatedBlock: str(event.blockNumber),
  };
  await ctx.put(ENTITY.balance, addressKey(a.recipient), serialize(next));
};

const onRewardsClaimed: EventHandler = async (ctx, event) => {
  const a = event.args as { recipient: string; amount: bigint };
  const balance = await getBalance(ctx, lower(a.recipient));
  const next: BalanceRecord = {
    ...balance,
    totalClaimed: (BigInt(balance.totalClaimed) + a.amount).toString(),
    claims: balance.claims + 1,
    lastClaimBlock: str(event.blockNumber),
  };
  await ctx.put(ENTITY.balance, addressKey(a.recipient), serialize(next));
};

// ---- Contribution factory and pools ----------------------------------------------------------------

const onNewContributionContract: EventHandler = async (ctx, event) => {
  const a = event.args as { contributorContract: string; serviceNodePubkey: bigint; operator: string };
  const pool: PoolRecord = {
    address: lower(a.contributorContract),
    serviceNodePubkey: str(a.serviceNodePubkey),
    operator: lower(a.operator),
    createdBlock: str(event.blockNumber),
    totalContributed: "0",
    contributions: [],
  };
  await ctx.put(ENTITY.pool, addressKey(a.contributorContract), serialize(pool));
};

const onNewContribution: EventHandler = async (ctx, event) => {
  const a = event.args as { contributor: string; beneficiary: string; amount: bigint };
  const raw = await ctx.get(ENTITY.pool, addressKey(event.address));
  if (raw === null) return; // routed only for known pools; kept defensive
  const pool = parseRecord<PoolRecord>(raw);
  const next: PoolRecord = {
    ...pool,
    totalContributed: (BigInt(pool.totalContributed) + a.amount).toString(),
    contributions: [
      ...pool.contributions,
      { contributor: lower(a.contributor), beneficiary: lower(a.beneficiary), amount: str(a.amount), block: str(event.blockNumber) },
    ],
  };
  await ctx.put(ENTITY.pool, addressKey(event.address), serialize(next));
};

/** The handlers for the PROTOCOL.md §2 events. Name service: add a `nameService` entry. */
export function defaultRegistry(): HandlerRegistry {
  return {
    serviceNodeRewards: {
      abi: serviceNodeRewardsEventsAbi,
      handlers: {
        NewServiceNodeV2: onNewServiceNode,
        ServiceNodeExitRequest: onExitRequest,
        ServiceNodeExit: onExit,
        ServiceNodeLiquidated: onLiquidated,
        StakingRequirementUpdated: onStakingRequirement,
        RewardsBalanceUpdated: onRewardsBalanceUpdated,
        RewardsClaimed: onRewardsClaimed,
      },
    },
    contributionFactory: {
      abi: contributionFactoryEventsAbi,
      handlers: { NewServiceNodeContributionContract: onNewContributionContract },
    },
    contributionPool: {
      abi: contributionPoolEventsAbi,
      handlers: { NewContribution: onNewContribution },
      dynamic: {
        isKnownAddress: async (ctx, address) => (await ctx.get(ENTITY.pool, addressKey(address))) !== null,
      },
    },
  };
}
