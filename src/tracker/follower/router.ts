/**
 * Routing: which logs the follower asks for (the {@link LogQuery}), which contract kind each log belongs to
 * (its address, or for pools its topic and the mirror's known pools), and applying a decoded event with its
 * kind's handler. Shared by the apply stage (confirmed ranges) and the pending view (blocks above the safe head).
 */
import type { Address } from "viem";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import type { StateContext } from "../state/context";
import { MirrorGapError, decodeLog, topicsOf, type ContractKind, type DecodedEvent, type HandlerRegistry } from "../state/handlers";
import type { ChainLog, LogQuery } from "../types";
import type { ContractAddresses, PendingEvent } from "./types";

export interface RouterParameters {
  readonly registry: HandlerRegistry;
  readonly contracts: ContractAddresses;
  readonly log: Logger;
  readonly metrics: Metrics;
}

export interface Router {
  /** What eth_getLogs asks for: the fixed addresses' logs, and the pools' topics from any address once a pool may exist. */
  readonly query: LogQuery;
  /** The decoded event of a fixed-address contract's log; undefined when it may be a pool's (routed later by {@link route}). */
  routeStatic(log: ChainLog, timestamp: bigint | null): DecodedEvent | null | undefined;
  /** The decoded event of any log, asking the mirror (through `ctx`) whether a pool is known. */
  route(ctx: StateContext, log: ChainLog, timestamp: bigint | null): Promise<DecodedEvent | null>;
  /** Applies one event: true when a handler applied it. Synchronous when the handler is (no promise then). */
  apply(ctx: StateContext, event: DecodedEvent): boolean | Promise<boolean>;
  /** The mirror knows a pool (at start-up): the any-address query is needed from now on. */
  poolsExist(): void;
}

export function createRouter({ registry, contracts, log, metrics }: RouterParameters): Router {
  // Routing: static address → kinds; dynamic kinds by topic.
  const staticKinds = new Map<string, ContractKind[]>();
  const addStatic = (kind: ContractKind, address: Address | undefined): void => {
    if (!address) return;
    if (!registry[kind]) {
      if (kind !== "rewardRatePool") log.warn("no event handlers registered for this contract kind; its events are not mirrored", { kind, address });
      return;
    }
    const k = address.toLowerCase();
    staticKinds.set(k, [...(staticKinds.get(k) ?? []), kind]);
  };
  addStatic("serviceNodeRewards", contracts.serviceNodeRewards);
  addStatic("contributionFactory", contracts.contributionFactory);
  addStatic("rewardRatePool", contracts.rewardRatePool);
  addStatic("nameService", contracts.nameService);
  const dynamicKinds = (Object.keys(registry) as ContractKind[]).filter((k) => registry[k]!.dynamic);
  // The any-address (pool) query is skipped until a pool can exist: the mirror knows one, or a fixed-address
  // log of this range announces one. The flag only ever turns on (a rollback keeps it on: conservative).
  const poolAnnouncements = new Set(registry.contributionFactory ? topicsOf(registry.contributionFactory) : []);
  let poolsMayExist = dynamicKinds.length > 0 && !registry.contributionFactory;
  const query: LogQuery = {
    addresses: [...staticKinds.keys()] as Address[],
    anyAddressTopics: dynamicKinds.flatMap((k) => topicsOf(registry[k]!)),
    anyAddressWanted: (fixedLogs) => {
      if (!poolsMayExist && fixedLogs.some((l) => l.topics[0] !== undefined && poolAnnouncements.has(l.topics[0]))) poolsMayExist = true;
      return poolsMayExist;
    },
  };
  const topicSets = new Map<ContractKind, Set<string>>(
    (Object.keys(registry) as ContractKind[]).map((k) => [k, new Set(topicsOf(registry[k]!))]),
  );

  function routeStatic(log: ChainLog, timestamp: bigint | null): DecodedEvent | null | undefined {
    const topic0 = log.topics[0];
    if (topic0 === undefined) return null;
    for (const kind of staticKinds.get(log.address) ?? []) {
      if (topicSets.get(kind)!.has(topic0)) return decodeLog(kind, registry[kind]!, log, timestamp);
    }
    return dynamicKinds.some((kind) => topicSets.get(kind)!.has(topic0)) ? undefined : null;
  }

  async function route(ctx: StateContext, log: ChainLog, timestamp: bigint | null): Promise<DecodedEvent | null> {
    const topic0 = log.topics[0];
    if (topic0 === undefined) return null;
    for (const kind of staticKinds.get(log.address) ?? []) {
      if (topicSets.get(kind)!.has(topic0)) return decodeLog(kind, registry[kind]!, log, timestamp);
    }
    for (const kind of dynamicKinds) {
      const handlers = registry[kind]!;
      if (topicSets.get(kind)!.has(topic0) && (await handlers.dynamic!.isKnownAddress(ctx, log.address))) {
        return decodeLog(kind, handlers, log, timestamp);
      }
    }
    return null;
  }

  /** A handler's MirrorGapError: counted and skipped (false); any other error is rethrown. */
  function skipGap(eventName: string, error: unknown): false {
    if (!(error instanceof MirrorGapError)) throw error;
    metrics.inc("tracker_anomalies_total", "Events that referred to state the mirror does not have", { event: eventName });
    log.warn("event refers to state the mirror does not have; skipped (reconciliation will heal nodes)", { error: error.message });
    return false;
  }

  function apply(ctx: StateContext, event: DecodedEvent): boolean | Promise<boolean> {
    const handler = registry[event.kind]?.handlers[event.eventName];
    if (!handler) return false;
    let running: void | Promise<void>;
    try {
      running = handler(ctx, event);
    } catch (error) {
      return skipGap(event.eventName, error);
    }
    return running === undefined ? true : running.then(() => true, (error: unknown) => skipGap(event.eventName, error));
  }

  return {
    query,
    routeStatic,
    route,
    apply,
    poolsExist() {
      poolsMayExist = true;
    },
  };
}

/** A value as JSON can carry it: bigints as decimal text, addresses lowercase. */
export const jsonSafe = (value: unknown): unknown => {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? v.toLowerCase() : jsonSafe(v)]));
  }
  if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase();
  return value;
};

/** An event as listeners and the pending view show it. */
export const toPending = (e: DecodedEvent, confirmsAtBlock: string | null): PendingEvent => ({
  kind: e.kind,
  eventName: e.eventName,
  address: e.address,
  blockNumber: e.blockNumber.toString(),
  blockHash: e.blockHash,
  logIndex: e.logIndex,
  transactionHash: e.transactionHash,
  args: jsonSafe(e.args),
  confirmsAtBlock,
});
