/**
 * What every contract kind's handlers share: the registry's types, decoding a routed log, and the small
 * helpers the handlers write state with. The handlers themselves live beside this file, one file per
 * contract kind (registry.ts, pools.ts, names.ts); index.ts assembles them.
 */
import type { Abi, Address, Hex } from "viem";
import { eventTopics } from "../../abi";
import type { ChainLog } from "../../types";
import type { StateContext } from "../context";
import { decodeLowercaseEvent, prepareAbi } from "../decode";
import { DEFAULT_MAX_CONTRIBUTORS, ENTITY, NETWORK_KEY, parseRecord, type NetworkRecord } from "../model";

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

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
/** A decoded address argument (lowercase already, see DecodedEvent.args). */
export const asAddress = (a: unknown): Address => a as Address;
export const str = (v: unknown): string => (v as bigint).toString();

/**
 * Writes `update(current)` to one entity. Synchronous (no promise, no async frame) when the overlay knows
 * the entity already — the range preloaded it, the common case — else after reading it.
 */
export function updateEntity(ctx: StateContext, kind: string, key: string, update: (current: string | null) => string): void | Promise<void> {
  const current = ctx.peek(kind, key);
  if (current === undefined) return ctx.get(kind, key).then(() => updateEntity(ctx, kind, key, update));
  ctx.set(kind, key, update(current));
}

/** An event about state the mirror does not have: the mirror missed something (skipped, counted, healed). */
export class MirrorGapError extends Error {}

/** The network record, with the contract defaults for what no event has set yet. */
export async function getNetwork(ctx: StateContext): Promise<NetworkRecord> {
  const raw = await ctx.get(ENTITY.network, NETWORK_KEY);
  const stored = raw === null ? null : parseRecord<Partial<NetworkRecord>>(raw);
  return {
    stakingRequirement: stored?.stakingRequirement ?? null,
    stakingRequirementBlock: stored?.stakingRequirementBlock ?? null,
    maxContributors: stored?.maxContributors ?? DEFAULT_MAX_CONTRIBUTORS,
    maxContributorsBlock: stored?.maxContributorsBlock ?? null,
  };
}
