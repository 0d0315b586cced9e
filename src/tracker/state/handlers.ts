/**
 * Event handlers, registered per contract kind. The follower routes each log to the kind whose address
 * (or, for pools, whose known-pool set) it came from, decodes it with that kind's ABI and calls the
 * handler for the event name. Name-service and further pool events plug in here by adding a
 * {@link ContractHandlers} entry for their kind — nothing else in the tracker needs to change.
 */
import type { Abi, Address, Hex } from "viem";
import type { ChainLog } from "../follower/chain";
import { contributionFactoryEventsAbi, contributionPoolEventsAbi, eventTopics, nameServiceEventsAbi, serviceNodeRewardsEventsAbi } from "../abi";
import type { StateContext } from "./context";
import { decodeLowercaseEvent, prepareAbi } from "./decode";
import {
  DEFAULT_MAX_CONTRIBUTORS,
  EMPTY_NAME_RECORDS,
  ENTITY,
  NETWORK_KEY,
  addressKey,
  nameKey,
  nodeKey,
  parseRecord,
  serialize,
  type BalanceRecord,
  type NameEntry,
  type NetworkRecord,
  type NodeRecord,
  type PoolRecord,
  type TextRecordPresence,
  type TypedRecordPresence,
} from "./model";

export type ContractKind = "serviceNodeRewards" | "contributionFactory" | "contributionPool" | "rewardRatePool" | "nameService";

/** A log decoded by the ABI of the contract kind it was routed to. */
export interface DecodedEvent {
  readonly kind: ContractKind;
  readonly address: Address;
  readonly eventName: string;
  /** As decoded from a ChainLog: addresses and other hex values are lowercase. */
  readonly args: Readonly<Record<string, unknown>>;
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly logIndex: number;
  readonly transactionHash: Hex;
  /** Unix seconds of the log's block (null when its header was not fetched: the optimistic pending view). */
  readonly blockTimestamp: bigint | null;
}

/**
 * Applies one event to the range's overlay. May return nothing (it ran synchronously: the hot handlers do
 * when the range preloaded what they read) or a promise.
 */
export type EventHandler = (ctx: StateContext, event: DecodedEvent) => void | Promise<void>;

export interface ContractHandlers {
  readonly abi: Abi;
  readonly handlers: Readonly<Record<string, EventHandler>>;
  /**
   * Optional, for speed: the entities (kind, key) an event's handler will read, so a range's reads can be
   * loaded in one query before its events are applied. Reads not listed still work (one query each).
   */
  readonly reads?: Readonly<Record<string, (args: Readonly<Record<string, unknown>>) => readonly (readonly [string, string])[]>>;
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
export function decodeLog(kind: ContractKind, handlers: ContractHandlers, log: ChainLog, blockTimestamp: bigint | null = null): DecodedEvent | null {
  const decoded = decodeLowercaseEvent(prepareAbi(handlers.abi), log.topics, log.data);
  if (decoded === null) return null;
  return {
    kind,
    address: log.address,
    eventName: decoded.eventName,
    args: decoded.args,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    logIndex: log.logIndex,
    transactionHash: log.transactionHash,
    blockTimestamp,
  };
}

// ---- ServiceNodeRewards -------------------------------------------------------------------------

interface G1Arg {
  X: bigint;
  Y: bigint;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
/** A decoded address argument (lowercase already, see DecodedEvent.args). */
const asAddress = (a: unknown): Address => a as Address;
const str = (v: unknown): string => (v as bigint).toString();

/**
 * Writes `update(current)` to one entity. Synchronous (no promise, no async frame) when the overlay knows
 * the entity already — the range preloaded it, the common case — else after reading it.
 */
function updateEntity(ctx: StateContext, kind: string, key: string, update: (current: string | null) => string): void | Promise<void> {
  const current = ctx.peek(kind, key);
  if (current === undefined) return ctx.get(kind, key).then(() => updateEntity(ctx, kind, key, update));
  ctx.set(kind, key, update(current));
}

/** Updates a node the mirror has; an event about one it does not have throws {@link UnknownNodeError}. */
function updateNode(ctx: StateContext, id: bigint, event: DecodedEvent, update: (node: NodeRecord) => NodeRecord): void | Promise<void> {
  return updateEntity(ctx, ENTITY.node, nodeKey(id), (raw) => {
    if (raw === null) throw new UnknownNodeError(id, event.eventName, event.blockNumber);
    return serialize(update(parseRecord<NodeRecord>(raw)));
  });
}

/** An event about state the mirror does not have: the mirror missed something (skipped, counted, healed). */
export class MirrorGapError extends Error {}

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

// ---- Contribution factory and pools ----------------------------------------------------------------

async function getNetwork(ctx: StateContext): Promise<NetworkRecord> {
  const raw = await ctx.get(ENTITY.network, NETWORK_KEY);
  const stored = raw === null ? null : parseRecord<Partial<NetworkRecord>>(raw);
  return {
    stakingRequirement: stored?.stakingRequirement ?? null,
    stakingRequirementBlock: stored?.stakingRequirementBlock ?? null,
    maxContributors: stored?.maxContributors ?? DEFAULT_MAX_CONTRIBUTORS,
    maxContributorsBlock: stored?.maxContributorsBlock ?? null,
  };
}

async function getPool(ctx: StateContext, address: Address): Promise<PoolRecord | null> {
  const raw = await ctx.get(ENTITY.pool, addressKey(address));
  return raw === null ? null : parseRecord<PoolRecord>(raw);
}

async function putPool(ctx: StateContext, pool: PoolRecord): Promise<void> {
  await ctx.put(ENTITY.pool, addressKey(pool.address), serialize(pool));
}

/** Pool events are routed only from known pools; a pool handler updates the pool record with `update`. */
const poolHandler =
  (update: (pool: PoolRecord, args: Record<string, unknown>, event: DecodedEvent) => PoolRecord): EventHandler =>
  async (ctx, event) => {
    const pool = await getPool(ctx, event.address);
    if (pool === null) return; // routed only for known pools; kept defensive
    await putPool(ctx, update(pool, event.args as Record<string, unknown>, event));
  };

const onNewContributionContract: EventHandler = async (ctx, event) => {
  // serviceNodePubkey: the node's Ed25519 key (as the reference's factory emits it).
  const a = event.args as { contributorContract: string; serviceNodePubkey: bigint; operator: string };
  // The pool snapshots the registry's requirement and maximum in the same transaction (initialize).
  const network = await getNetwork(ctx);
  const operator = asAddress(a.operator);
  const pool: PoolRecord = {
    address: asAddress(a.contributorContract),
    serviceNodePubkey: str(a.serviceNodePubkey),
    operator,
    createdBlock: str(event.blockNumber),
    totalContributed: "0",
    contributions: [],
    createdTimestamp: event.blockTimestamp?.toString() ?? null,
    status: "awaiting-operator",
    stakingRequirement: network.stakingRequirement,
    maxContributors: network.maxContributors,
    fee: null,
    manualFinalize: null,
    totalReserved: "0",
    slots: [{ addr: operator, beneficiary: operator, amount: "0", paid: false }],
    finalizedBlock: null,
    resets: 0,
  };
  await putPool(ctx, pool);
};

const onNewContribution = poolHandler((pool, args, event) => {
  const a = args as { contributor: string; beneficiary: string; amount: bigint };
  const contributor = asAddress(a.contributor);
  const slots = [...pool.slots];
  let i = slots.findIndex((s) => s.addr === contributor);
  let reserved = BigInt(pool.totalReserved);
  if (i === -1) {
    slots.push({ addr: contributor, beneficiary: contributor, amount: "0", paid: true });
    i = slots.length - 1;
  }
  const slot = slots[i];
  // A reservation (or the operator's unpaid slot) becomes a paid stake; its reserved amount stops counting
  // (the operator's own reservation never counted) and a reserved slot keeps it for a later withdrawal.
  const reservation = !slot.paid && i > 0 ? slot.amount : slot.reservation;
  if (!slot.paid && i > 0) reserved -= BigInt(slot.amount);
  const previous = slot.paid ? BigInt(slot.amount) : 0n;
  slots[i] = {
    addr: contributor,
    beneficiary: asAddress(a.beneficiary),
    amount: (previous + a.amount).toString(),
    paid: true,
    ...(reservation !== undefined ? { reservation } : {}),
  };
  return {
    ...pool,
    totalContributed: (BigInt(pool.totalContributed) + a.amount).toString(),
    totalReserved: (reserved < 0n ? 0n : reserved).toString(),
    slots,
    contributions: [
      ...pool.contributions,
      { contributor, beneficiary: asAddress(a.beneficiary), amount: str(a.amount), block: str(event.blockNumber) },
    ],
  };
});

const onOpenForPublicContribution = poolHandler((pool, args) => ({ ...pool, status: "open", fee: Number(args.fee as number) }));
const onFilled = poolHandler((pool) => ({ ...pool, status: "filled" }));
const onFinalized = poolHandler((pool, _args, event) => ({ ...pool, status: "finalized", finalizedBlock: str(event.blockNumber) }));

const onWithdrawContribution = poolHandler((pool, args) => {
  const contributor = asAddress(args.contributor);
  const i = pool.slots.findIndex((s, index) => index > 0 && s.addr === contributor && s.paid);
  // Refunds after a PoolReset find no slot (the reset cleared them): nothing more to change.
  if (i === -1) return pool;
  const slots = [...pool.slots];
  const kept = slots[i].reservation;
  let reserved = BigInt(pool.totalReserved);
  if (kept !== undefined) {
    // A reserved contributor's slot becomes its reservation again (ServiceNodeContribution.withdrawContribution).
    slots[i] = { addr: contributor, beneficiary: contributor, amount: kept, paid: false };
    reserved += BigInt(kept);
  } else {
    // The pool moves its last slot into the freed one.
    const last = slots.pop()!;
    if (i < slots.length) slots[i] = last;
  }
  const paid = BigInt(pool.totalContributed) - (args.amount as bigint);
  return {
    ...pool,
    slots,
    totalContributed: (paid < 0n ? 0n : paid).toString(),
    totalReserved: reserved.toString(),
    status: pool.status === "filled" ? "open" : pool.status,
  };
});

const onPoolReset = poolHandler((pool, args) => ({
  ...pool,
  status: "awaiting-operator",
  stakingRequirement: str(args.stakingRequirement),
  maxContributors: Number(args.maxContributors as bigint),
  totalContributed: "0",
  totalReserved: "0",
  slots: [{ addr: pool.operator, beneficiary: pool.operator, amount: "0", paid: false }],
  resets: pool.resets + 1,
}));

const onBeneficiaryUpdated = poolHandler((pool, args) => {
  const contributor = asAddress(args.contributor);
  return { ...pool, slots: pool.slots.map((s) => (s.addr === contributor ? { ...s, beneficiary: asAddress(args.beneficiary) } : s)) };
});

const onFeeUpdated = poolHandler((pool, args) => ({ ...pool, fee: Number(args.fee as number) }));
const onPubkeysUpdated = poolHandler((pool, args) => ({ ...pool, serviceNodePubkey: str(args.ed25519Pubkey) }));
const onManualFinalizeUpdated = poolHandler((pool, args) => ({ ...pool, manualFinalize: args.manualFinalize as boolean }));

const onReservedContributorsUpdated = poolHandler((pool, args) => {
  const all = args.reserved as readonly { addr: string; amount: bigint }[];
  // Only before the operator's first contribution. A first entry naming the operator is its own stake
  // (slot 0, not counted as reserved for others), as the reference's portal sends it.
  const own = all.length > 0 && asAddress(all[0].addr) === pool.operator ? all[0].amount : 0n;
  const reserved = own === 0n ? all : all.slice(1);
  const operatorSlot = { addr: pool.operator, beneficiary: pool.operator, amount: own.toString(), paid: false };
  return {
    ...pool,
    slots: [operatorSlot, ...reserved.map((r) => ({ addr: asAddress(r.addr), beneficiary: asAddress(r.addr), amount: str(r.amount), paid: false }))],
    totalReserved: reserved.reduce((sum, r) => sum + r.amount, 0n).toString(),
  };
});

// ---- Session Name Service -------------------------------------------------------------------------

const TYPED_KINDS: Readonly<Record<number, { field: "session" | "lokinet" | "wallet"; plainBytes: number }>> = {
  1: { field: "session", plainBytes: 32 },
  2: { field: "lokinet", plainBytes: 32 },
  3: { field: "wallet", plainBytes: 20 },
};

const toNamehash = (tokenId: bigint): Hex => `0x${tokenId.toString(16).padStart(64, "0")}` as Hex;
const hexBytes = (value: Hex): number => (value.length - 2) / 2;

async function getName(ctx: StateContext, namehash: Hex): Promise<NameEntry | null> {
  const raw = await ctx.get(ENTITY.name, nameKey(namehash));
  return raw === null ? null : parseRecord<NameEntry>(raw);
}

async function putName(ctx: StateContext, name: NameEntry): Promise<void> {
  await ctx.put(ENTITY.name, nameKey(name.namehash), serialize(name));
}

/** A name event for a namehash the mirror has never seen minted. */
export class UnknownNameError extends MirrorGapError {
  constructor(
    readonly namehash: Hex,
    readonly eventName: string,
    readonly block: bigint,
  ) {
    super(`${eventName} at block ${block} refers to name ${namehash}, which the mirror does not know`);
  }
}

async function requireName(ctx: StateContext, namehash: Hex, event: DecodedEvent): Promise<NameEntry> {
  const name = await getName(ctx, namehash);
  if (name === null) throw new UnknownNameError(namehash, event.eventName, event.blockNumber);
  return name;
}

/** ERC-721 Transfer: a mint (from 0) starts a new registration with empty records; to 0 drops the owner. */
const onNameTransfer: EventHandler = async (ctx, event) => {
  const a = event.args as { from: string; to: string; tokenId: bigint };
  const namehash = toNamehash(a.tokenId);
  const from = asAddress(a.from);
  const to = asAddress(a.to);
  if (from === ZERO_ADDRESS) {
    const previous = await getName(ctx, namehash);
    await putName(ctx, {
      namehash,
      tokenId: a.tokenId.toString(),
      owner: to,
      expiry: null,
      registeredBlock: str(event.blockNumber),
      registeredTimestamp: event.blockTimestamp?.toString() ?? null,
      payer: null,
      fee: null,
      renewals: 0,
      registrations: (previous?.registrations ?? 0) + 1,
      burntBlock: null,
      records: EMPTY_NAME_RECORDS,
    });
    return;
  }
  const name = await requireName(ctx, namehash, event);
  await putName(ctx, { ...name, owner: to === ZERO_ADDRESS ? null : to });
};

const onNameRegistered: EventHandler = async (ctx, event) => {
  const a = event.args as { node: Hex; owner: string; payer: string; expiry: bigint; fee: bigint };
  const name = await requireName(ctx, a.node, event);
  await putName(ctx, { ...name, owner: asAddress(a.owner), expiry: str(a.expiry), payer: asAddress(a.payer), fee: str(a.fee) });
};

const onNameRenewed: EventHandler = async (ctx, event) => {
  const a = event.args as { node: Hex; expiry: bigint };
  const name = await requireName(ctx, a.node, event);
  await putName(ctx, { ...name, expiry: str(a.expiry), renewals: name.renewals + 1 });
};

const onNameBurned: EventHandler = async (ctx, event) => {
  const a = event.args as { node: Hex };
  const name = await requireName(ctx, a.node, event);
  await putName(ctx, { ...name, owner: null, expiry: null, burntBlock: str(event.blockNumber), records: EMPTY_NAME_RECORDS });
};

const onRecordChanged: EventHandler = async (ctx, event) => {
  const a = event.args as { node: Hex; kind: number; value: Hex };
  const typed = TYPED_KINDS[Number(a.kind)];
  if (!typed) return; // the contract rejects other kinds; nothing to mirror
  const name = await requireName(ctx, a.node, event);
  const bytes = hexBytes(a.value);
  const presence: TypedRecordPresence | null =
    bytes === 0 ? null : { encrypted: bytes !== typed.plainBytes, bytes, value: bytes === typed.plainBytes ? (a.value.toLowerCase() as Hex) : null };
  await putName(ctx, { ...name, records: { ...name.records, [typed.field]: presence } });
};

const onTextChanged: EventHandler = async (ctx, event) => {
  const a = event.args as { node: Hex; key: string; value: Hex };
  const name = await requireName(ctx, a.node, event);
  const bytes = hexBytes(a.value);
  const text: Record<string, TextRecordPresence> = { ...name.records.text };
  if (bytes === 0) delete text[a.key];
  else text[a.key] = { encrypted: a.value.slice(2, 4) === "01", bytes };
  const sorted = Object.fromEntries(Object.keys(text).sort().map((k) => [k, text[k]]));
  await putName(ctx, { ...name, records: { ...name.records, text: sorted } });
};

/** The handlers for every mirrored contract kind (PROTOCOL.md §2 events plus pools, seeding and names). */
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
    },
    contributionFactory: {
      abi: contributionFactoryEventsAbi,
      handlers: { NewServiceNodeContributionContract: onNewContributionContract },
    },
    contributionPool: {
      abi: contributionPoolEventsAbi,
      handlers: {
        NewContribution: onNewContribution,
        OpenForPublicContribution: onOpenForPublicContribution,
        Filled: onFilled,
        Finalized: onFinalized,
        WithdrawContribution: onWithdrawContribution,
        PoolReset: onPoolReset,
        BeneficiaryUpdated: onBeneficiaryUpdated,
        FeeUpdated: onFeeUpdated,
        PubkeysUpdated: onPubkeysUpdated,
        ManualFinalizeUpdated: onManualFinalizeUpdated,
        ReservedContributorsUpdated: onReservedContributorsUpdated,
      },
      dynamic: {
        isKnownAddress: async (ctx, address) => (await ctx.get(ENTITY.pool, addressKey(address))) !== null,
      },
    },
    nameService: {
      abi: nameServiceEventsAbi,
      handlers: {
        Transfer: onNameTransfer,
        NameRegistered: onNameRegistered,
        NameRenewed: onNameRenewed,
        NameBurned: onNameBurned,
        RecordChanged: onRecordChanged,
        TextChanged: onTextChanged,
      },
    },
  };
}
