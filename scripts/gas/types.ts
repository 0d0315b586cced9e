/** One measured row of a gas benchmark: a whole transaction's gasUsed, or a view's estimate. */
export interface GasRow {
  /** What was measured, e.g. "hashToG2 (32-byte message)". */
  readonly operation: string;
  /** Gas used. */
  readonly gas: bigint;
  /** Optional free-form remark shown in the table (inputs, reference figures). */
  readonly note?: string;
  /** The most gas this row may use (an issue's target); `npm test` fails above it. */
  readonly target?: bigint;
  /** A derived figure: gas per extra item (e.g. per extra non-signer) between this row and the one before. */
  readonly marginal?: bigint;
  /** The most `marginal` may be; `npm test` fails above it. */
  readonly marginalTarget?: bigint;
}

/** A benchmark suite: one snapshot file `gas-snapshots/<name>.json`. */
export interface GasSuite {
  readonly name: string;
  readonly measure: () => Promise<GasRow[]>;
}
