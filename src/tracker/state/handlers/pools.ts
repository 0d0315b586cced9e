/** Handlers of the contribution factory's and its pools' events. */
import type { Address } from "viem";
import { contributionFactoryEventsAbi, contributionPoolEventsAbi } from "../../abi";
import type { StateContext } from "../context";
import { ENTITY, addressKey, parseRecord, serialize, type PoolRecord } from "../model";
import { asAddress, getNetwork, str, type ContractHandlers, type DecodedEvent, type EventHandler } from "./common";

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

/** The factory's handlers: it announces the pools. */
export function contributionFactoryHandlers(): ContractHandlers {
  return {
    abi: contributionFactoryEventsAbi,
    handlers: { NewServiceNodeContributionContract: onNewContributionContract },
  };
}

/** The pools' handlers: pools are discovered at run time (dynamic), their logs kept only from known pools. */
export function contributionPoolHandlers(): ContractHandlers {
  return {
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
  };
}
