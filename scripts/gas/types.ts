/** One measured row of a gas benchmark: a whole transaction's gasUsed, or a view's estimate. */
export interface GasRow {
  /** What was measured, e.g. "hashToG2 (32-byte message)". */
  readonly operation: string;
  /** Gas used. */
  readonly gas: bigint;
  /** Optional free-form remark shown in the table (inputs, target). */
  readonly note?: string;
}

/** A benchmark suite: one snapshot file `gas-snapshots/<name>.json`. */
export interface GasSuite {
  readonly name: string;
  readonly measure: () => Promise<GasRow[]>;
}
