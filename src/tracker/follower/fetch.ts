/**
 * Planning and fetching ranges. Pipelining: the RPC node should never wait for the tracker. Ranges are
 * planned ahead of the one being applied: a planned range's headers are asked for at once (cheap; up to
 * {@link PLANNED_AHEAD} ranges), so that when its turn in the logs pipeline comes, its eth_getLogs goes out
 * without a header round trip — queued at the node behind the previous range's, while the tracker applies
 * an earlier one. Bounded: at most {@link LOGS_IN_FLIGHT} eth_getLogs asked and not answered, at most
 * {@link LOGS_AHEAD} untaken ranges with their logs fetched or being fetched (memory). A prefetched range is
 * only data: it is validated against the checkpoint when its turn comes (the apply stage), exactly like a
 * fresh fetch, and dropped (re-fetched) if anything about it no longer fits.
 */
import type { BatchSizer } from "../rpc/batcher";
import { crossCheckHeader, fetchHeader, fetchLogs, logsKey } from "../rpc/chain";
import type { Arbiter, ProviderSet } from "../rpc/providers";
import type { ChainHeader, ChainLog, LogQuery } from "../types";
import { minBig, type SyncState } from "./types";

/** Untaken ranges whose logs are fetched or being fetched (each holds a range's logs in memory until applied). */
const LOGS_AHEAD = 2;
/**
 * eth_getLogs asked at once: the node computes one while the next waits in its queue. Until a plan's first
 * answer is in, one at a time: the tracker has nothing to do until then, and a node serving two answers at
 * once (Hardhat's streams them interleaved) would deliver the first one up to twice as late.
 */
const LOGS_IN_FLIGHT = 2;
/** Untaken ranges planned (their headers asked for) ahead of the one being applied. */
const PLANNED_AHEAD = 3;
/**
 * A plan with more than one range of blocks ahead starts with a range this many times smaller: its answer
 * comes sooner, so the tracker starts applying while the node computes the next, full-size range instead
 * of waiting for a whole one first (in a dense sync the tracker's work is the longer of the two).
 */
const FIRST_RANGE_DIVISOR = 4n;
/** Ranges of at most this many blocks fetch every block's header before their logs (see fetchRangeHeaders). */
const HEADERS_UP_FRONT_BLOCKS = 64n;

/** The headers a range needs before its logs are asked for. */
interface RangeHeaders {
  readonly toHeader: ChainHeader | null;
  /** null also when the provider had no header for some block of a short range (its chain is shorter). */
  readonly fromHeader: ChainHeader | null;
  /** By block number: every block of a short range, else the range's ends. */
  readonly headers: Map<bigint, ChainHeader>;
  /** `headers` holds every block of the range: its logs can be decoded as soon as they arrive. */
  readonly complete: boolean;
}

/** What one range needs from the chain: its logs and the headers of its ends and of every log's block (of every block, for a short range). */
export interface RangeData {
  readonly toHeader: ChainHeader | null;
  readonly fromHeader: ChainHeader | null;
  readonly logs: ChainLog[];
  readonly headers: Map<bigint, ChainHeader>;
  /**
   * Settles once block `to` has been fetched again after the logs: true when its hash changed, so the logs
   * may be from another branch. The range is decoded and applied meanwhile; this is awaited just before
   * its commit.
   */
  readonly moved: Promise<boolean>;
}

export interface RangeFetcherParameters {
  readonly providers: ProviderSet;
  readonly query: LogQuery;
  /** Decides eth_getLogs disputes no majority settles (undefined: none). */
  readonly arbiter: Arbiter<ChainLog[]> | undefined;
  readonly sizer: BatchSizer;
  /** Read for the safe head (planning stops there) and `stopping`. */
  readonly state: Readonly<SyncState>;
}

export interface RangeFetcher {
  /** The end of the range starting at `from`: a planned range's end when one is waiting there, else the first range of a new plan. */
  rangeEnd(from: bigint, safe: bigint): bigint;
  /** The range's fetch: the planned one when the plan has it next (`prefetched`), else a new plan. */
  take(from: bigint, to: bigint): { data: Promise<RangeData>; prefetched: boolean };
  /** Drops the plan (its ranges are re-fetched when needed): after a failure, a stale range, a rollback. */
  clear(): void;
}

const NOT_MOVED: Promise<boolean> = Promise.resolve(false);

interface PlannedRange {
  readonly from: bigint;
  readonly to: bigint;
  readonly headers: Promise<RangeHeaders>;
  /** null until its logs phase starts. */
  data: Promise<RangeData> | null;
  failed: boolean;
}

export function createRangeFetcher({ providers, query, arbiter, sizer, state }: RangeFetcherParameters): RangeFetcher {
  /** Planned ranges not yet taken, consecutive and in order. */
  let planned: PlannedRange[] = [];
  /** The newest planned range (taken or not); the plan continues after it. */
  let planTail: PlannedRange | null = null;
  /** eth_getLogs asked and not yet answered (taken ranges included). */
  let logsInFlight = 0;
  /** An eth_getLogs of the current plan has been answered (see LOGS_IN_FLIGHT). */
  let planAnswered = false;

  /**
   * The headers of a range, fetched before its logs: `to` (cross-checked) and, for a range of at most
   * {@link HEADERS_UP_FRONT_BLOCKS} blocks, every other block's too, in the same batch — a dense range then
   * needs no header round trip after its logs, and its headers chain from the checkpoint to `to`. A longer
   * range (sparse logs) fetches `from` now and the headers of the blocks with logs once they are known.
   */
  async function fetchRangeHeaders(from: bigint, to: bigint): Promise<RangeHeaders> {
    const complete = to - from < HEADERS_UP_FRONT_BLOCKS;
    const numbers: bigint[] = [];
    if (complete) for (let n = from; n < to; n++) numbers.push(n);
    else if (from !== to) numbers.push(from);
    const [toHeader, others] = await Promise.all([
      crossCheckHeader(providers, to),
      Promise.all(numbers.map((n) => providers.request(`block ${n}`, (c) => fetchHeader(c, n)))),
    ]);
    const headers = new Map<bigint, ChainHeader>();
    let missing = false;
    numbers.forEach((n, i) => {
      const header = others[i];
      if (header === null) missing = true;
      else headers.set(n, header);
    });
    if (toHeader !== null) headers.set(to, toHeader);
    const fromHeader = missing ? null : from === to ? toHeader : (headers.get(from) ?? null);
    return { toHeader, fromHeader, headers, complete };
  }

  /**
   * The range's logs must belong to the chain whose `to` hash becomes the checkpoint. Blocks without logs
   * carry no hash in the answer, so nothing else would notice logs served from another branch (a reorg
   * landing between two answers, or a load-balanced provider answering from two backends). Hence:
   * `to` is fetched (cross-checked) before the logs (`before`); a one-block range then asks for the logs by
   * that block's hash; a longer range fetches `to` again once the logs are in (`moved`) and is discarded if
   * its hash changed. `onLogsRequested` runs just before the logs are asked for, `onLogsDone` once their
   * answer is in (or failed).
   */
  async function fetchRange(
    from: bigint,
    to: bigint,
    before: Promise<RangeHeaders>,
    onLogsRequested?: () => void,
    onLogsDone?: () => void,
  ): Promise<RangeData> {
    const { toHeader, fromHeader, headers, complete } = await before;
    if (toHeader === null || fromHeader === null) return { toHeader, fromHeader, logs: [], headers, moved: NOT_MOVED };
    const byHash = from === to ? toHeader.hash : undefined;
    onLogsRequested?.();
    let logs: ChainLog[];
    try {
      logs = await providers.crossCheck(`eth_getLogs ${from}-${to}`, (c) => fetchLogs(c, query, from, to, byHash), logsKey, arbiter);
    } finally {
      onLogsDone?.();
    }
    const moved =
      byHash !== undefined ? NOT_MOVED : providers.request(`block ${to}`, (c) => fetchHeader(c, to)).then((after) => after === null || after.hash !== toHeader.hash);
    // Awaited before the commit; a range dropped before then must not leave an unhandled rejection behind.
    moved.catch(() => undefined);
    if (!complete) {
      const logBlocks = [...new Set(logs.map((l) => l.blockNumber))].filter((n) => !headers.has(n));
      const fetched = await Promise.all(logBlocks.map((n) => providers.request(`block ${n}`, (c) => fetchHeader(c, n))));
      fetched.forEach((h, i) => {
        if (h) headers.set(logBlocks[i], h);
      });
    }
    return { toHeader, fromHeader, logs, headers, moved };
  }

  function clear(): void {
    planned = [];
    planTail = null;
    planAnswered = false;
  }

  function plan(from: bigint, to: bigint): PlannedRange {
    const headers = fetchRangeHeaders(from, to);
    headers.catch(() => undefined); // surfaces (and is handled) when the range is taken
    const range: PlannedRange = { from, to, headers, data: null, failed: false };
    planned.push(range);
    planTail = range;
    return range;
  }

  /** Plans the range after the plan's tail while the bounds allow. */
  function planAhead(): void {
    for (;;) {
      const tail = planTail;
      const safeHead = state.safeHead;
      if (tail === null || tail.failed || state.stopping || safeHead === null || tail.to >= safeHead || planned.length >= PLANNED_AHEAD) return;
      plan(tail.to + 1n, minBig(safeHead, tail.to + sizer.size));
    }
  }

  function startLogs(range: PlannedRange): Promise<RangeData> {
    logsInFlight++;
    let counted = true;
    const done = (): void => {
      if (!counted) return;
      counted = false;
      logsInFlight--;
      planAnswered = true;
      pump();
    };
    const data = fetchRange(range.from, range.to, range.headers, planAhead, done);
    range.data = data;
    data.then(done, () => {
      // The failure surfaces (and is handled) when the range is taken; the plan stops here.
      range.failed = true;
      done();
    });
    return data;
  }

  /**
   * Starts the logs of the next planned range, when the bounds allow. One per call (each answer and each
   * taken range calls it), so requests go out staggered: two asked at the same moment are answered
   * interleaved by a node like Hardhat's, the first one as late as the second.
   */
  function pump(): void {
    let started = 0;
    for (const range of planned) {
      if (range.failed) return;
      if (range.data !== null) {
        started++;
        continue;
      }
      if (!state.stopping && started < LOGS_AHEAD && logsInFlight < (planAnswered ? LOGS_IN_FLIGHT : 1)) startLogs(range);
      return;
    }
  }

  function take(from: bigint, to: bigint): { data: Promise<RangeData>; prefetched: boolean } {
    let head = planned[0];
    let prefetched = true;
    if (head === undefined || head.from !== from || head.to !== to) {
      clear();
      head = plan(from, to);
      prefetched = false;
    }
    planned.shift();
    const data = head.data ?? startLogs(head);
    planAhead();
    pump();
    return { data, prefetched };
  }

  /** A short first range when more than a range of blocks is ahead (see FIRST_RANGE_DIVISOR). */
  function rangeEnd(from: bigint, safe: bigint): bigint {
    const head = planned[0];
    if (head !== undefined && head.from === from && head.to <= safe) return head.to;
    if (safe - from + 1n <= sizer.size) return safe;
    const first = sizer.size / FIRST_RANGE_DIVISOR;
    return from + (first > 0n ? first : 1n) - 1n;
  }

  return { rangeEnd, take, clear };
}
