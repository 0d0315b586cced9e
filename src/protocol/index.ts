/**
 * Protocol constants (PROTOCOL.md §"Parameters"), defined once: the contracts hold the same values (cited
 * by name next to each), and everything off chain — the tracker, the node network, the deploys, the tasks,
 * the scripts and the tests — reads them from here. Times are in seconds.
 */

/** SESH's decimals: "1 SESH" is 10^9 atomic units. */
export const SESH_DECIMALS = 9;
/** One SESH in atomic units. */
export const SESH_UNIT = 10n ** BigInt(SESH_DECIMALS);
/** The production staking requirement per node: 25,000 SESH (the registry is initialised with it). */
export const STAKING_REQUIREMENT = 25_000n * SESH_UNIT;

const HOUR = 3_600n;
const DAY = 24n * HOUR;

/** A node may exit (with the network's signature) or be liquidated only once this old (`MIN_NODE_AGE`). */
export const MIN_NODE_AGE_SECONDS = 2n * HOUR;
/** The network signs a node's exit this long after its exit request (the node network's unlock). */
export const EXIT_UNLOCK_SECONDS = 15n * DAY;
/** Without a signature, anyone may exit a node this long after its first exit request (`EXIT_WAIT_TIME`). */
export const EXIT_WAIT_SECONDS = 30n * DAY;
/** A contributor of less than 25 % may request an exit only this long after the node's registration (`SMALL_CONTRIBUTOR_LEAVE_DELAY`). */
export const SMALL_CONTRIBUTOR_LEAVE_DELAY_SECONDS = 30n * DAY;
/** Repeated exit requests for one node at least this far apart (`EXIT_REQUEST_INTERVAL`). */
export const EXIT_REQUEST_INTERVAL_SECONDS = HOUR;
/** A network signature is valid this long after its timestamp (the registry's initial `signatureExpiry`; owner-settable). */
export const SIGNATURE_EXPIRY_SECONDS = 10n * 60n;
/** A pool's non-operator contributor may withdraw this long after its last contribution (`WITHDRAWAL_DELAY`). */
export const POOL_WITHDRAWAL_DELAY_SECONDS = DAY;
