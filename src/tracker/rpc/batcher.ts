/**
 * Adaptive `eth_getLogs` block-range size: halves on "too many results" and timeouts, doubles after a
 * few calm (fast, successful) ranges, always within [min, max].
 */
export interface BatchSizer {
  readonly min: bigint;
  readonly max: bigint;
  size: bigint;
  calmStreak: number;
}

export interface BatchOptions {
  readonly initial: bigint;
  readonly min: bigint;
  readonly max: bigint;
}

/** A range answered faster than this counts as calm. */
export const CALM_MS = 2_000;
/** Calm ranges in a row before the size doubles. */
export const CALM_STREAK_TO_GROW = 2;

export function createBatchSizer(options: BatchOptions): BatchSizer {
  if (options.min < 1n || options.max < options.min) {
    throw new Error(`tracker: batch sizes must satisfy 1 ≤ min (${options.min}) ≤ max (${options.max})`);
  }
  const clamp = (n: bigint): bigint => (n < options.min ? options.min : n > options.max ? options.max : n);
  return { min: options.min, max: options.max, size: clamp(options.initial), calmStreak: 0 };
}

export function shrink(sizer: BatchSizer): void {
  const half = sizer.size / 2n;
  sizer.size = half < sizer.min ? sizer.min : half;
  sizer.calmStreak = 0;
}

export function recordSuccess(sizer: BatchSizer, elapsedMs: number): void {
  if (elapsedMs > CALM_MS) {
    sizer.calmStreak = 0;
    return;
  }
  sizer.calmStreak++;
  if (sizer.calmStreak >= CALM_STREAK_TO_GROW) {
    const doubled = sizer.size * 2n;
    sizer.size = doubled > sizer.max ? sizer.max : doubled;
    sizer.calmStreak = 0;
  }
}
