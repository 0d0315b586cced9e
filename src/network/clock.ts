/**
 * The network's clock: the wall clock, bounded below by the chain's. A chain that produces no block for a
 * while must not freeze "now" (exit and liquidation signatures would be dated in the past and handed out
 * expired, and caches would never age), and a devnet whose time was moved ahead (evm_increaseTime,
 * hardhat_mine with an interval) must not be signed for with a wall-clock time it already left behind.
 * So: now = wall + offset. When the chain dates its pending block (Hardhat does: the time its next block
 * will have, time travel included), offset = that time minus the wall clock when it was read, so "now" is
 * the chain's own clock even when it runs a little behind the wall; otherwise offset = max(0, the latest
 * block's timestamp minus the wall clock), i.e. the wall clock unless the chain is ahead. "now" is never
 * below the latest block's time. The chain is read at most once per `refreshMs` for every caller of one
 * clock (a node request never reads it itself); a failed read keeps the last offset.
 */
export interface ChainHead {
  readonly number: bigint;
  readonly timestamp: bigint;
  /** The pending block's timestamp, when the chain dates it beyond the latest block (Hardhat). */
  readonly next?: bigint | null;
}

export interface NetworkClock {
  /** Unix seconds. */
  (): Promise<bigint>;
  /** The latest block as last read (null before the first read). */
  head(): ChainHead | null;
  /** Reads the latest block now (e.g. right after mining in a test). */
  refresh(): Promise<void>;
}

export const wallSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));

export interface MovingClockOptions {
  /** Re-read the latest block at most this often (default 2 s). */
  readonly refreshMs?: number;
  /** Unix milliseconds (default Date.now; tests pass their own). */
  readonly wallMs?: () => number;
}

export function movingClock(latest: () => Promise<ChainHead>, options: MovingClockOptions = {}): NetworkClock {
  const refreshMs = options.refreshMs ?? 2_000;
  const wallMs = options.wallMs ?? Date.now;
  let head: ChainHead | null = null;
  let offset = 0n;
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | null = null;

  const read = (): Promise<void> =>
    (reading ??= latest()
      .then((block) => {
        head = block;
        const wall = BigInt(Math.floor(wallMs() / 1000));
        if (block.next !== undefined && block.next !== null && block.next > block.timestamp) offset = block.next - wall;
        else offset = block.timestamp > wall ? block.timestamp - wall : 0n;
      })
      .finally(() => {
        readAt = wallMs();
        reading = null;
      }));

  const clock = (async () => {
    if (wallMs() - readAt >= refreshMs) {
      // The first read must succeed (there is no offset yet); later failures keep the last one.
      if (head === null) await read();
      else await read().catch(() => undefined);
    }
    const now = BigInt(Math.floor(wallMs() / 1000)) + offset;
    return head !== null && head.timestamp > now ? head.timestamp : now;
  }) as NetworkClock;
  clock.head = () => head;
  clock.refresh = () => read();
  return clock;
}

/** A clock that is the wall clock alone (`--clock system`). */
export function systemClock(): NetworkClock {
  const clock = (async () => wallSeconds()) as NetworkClock;
  clock.head = () => null;
  clock.refresh = async () => {};
  return clock;
}
