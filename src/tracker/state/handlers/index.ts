/**
 * Event handlers, registered per contract kind. The follower routes each log to the kind whose address
 * (or, for pools, whose known-pool set) it came from, decodes it with that kind's ABI and calls the
 * handler for the event name. Name-service and further pool events plug in here by adding a
 * {@link ContractHandlers} entry for their kind — nothing else in the tracker needs to change.
 * One file per contract kind: registry.ts, pools.ts, names.ts; what they share is in common.ts.
 */
import type { HandlerRegistry } from "./common";
import { nameServiceHandlers } from "./names";
import { contributionFactoryHandlers, contributionPoolHandlers } from "./pools";
import { serviceNodeRewardsHandlers } from "./registry";

export { MirrorGapError, decodeLog, topicsOf, type ContractHandlers, type ContractKind, type DecodedEvent, type EventHandler, type HandlerRegistry } from "./common";
export { UnknownNameError } from "./names";
export { UnknownNodeError } from "./registry";

/** The handlers for every mirrored contract kind (PROTOCOL.md §2 events plus pools, seeding and names). */
export function defaultRegistry(): HandlerRegistry {
  return {
    serviceNodeRewards: serviceNodeRewardsHandlers(),
    contributionFactory: contributionFactoryHandlers(),
    contributionPool: contributionPoolHandlers(),
    nameService: nameServiceHandlers(),
  };
}
