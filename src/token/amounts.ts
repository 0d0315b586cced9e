/**
 * SESH amounts as exact integers of atomic units (9 decimals): parsing what a person types and writing
 * amounts back, with no floating point anywhere. Shared by the portal and the tasks.
 */

import { SESH_DECIMALS, SESH_UNIT } from "../protocol";

/** SESH has 9 decimals: 1 SESH = 10^9 atomic units (defined in src/protocol). */
export { SESH_DECIMALS, SESH_UNIT };

/** Why an amount was refused, in words a person can act on. */
export class AmountError extends Error {
  override readonly name = "AmountError";
}

export interface ParseAmountOptions {
  /** Refuse 0 (default: allowed). */
  readonly positive?: boolean;
  /** Refuse amounts above this many atomic units; the message shows it in SESH. */
  readonly max?: bigint;
  /** Accept "," digit-group separators, as {@link formatSesh} writes them (default: true). */
  readonly groups?: boolean;
}

/**
 * "25000", "0.5", "1,718.75" → atomic units (bigint). Throws {@link AmountError} for anything else: signs,
 * exponents, more than 9 decimals, misplaced separators, empty input.
 */
export function parseSesh(input: string, options: ParseAmountOptions = {}): bigint {
  const raw = input.trim();
  if (raw === "") throw new AmountError("enter an amount of SESH, e.g. 5000 or 0.5");
  if (raw.startsWith("-")) throw new AmountError(`"${raw}" is negative: enter 0 or more SESH`);
  const grouped = options.groups ?? true;
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/.exec(raw);
  if (match === null || (match[1] === undefined && (match[2] ?? "") === "") || (!grouped && raw.includes(","))) {
    throw new AmountError(`"${raw}" is not a SESH amount: write digits with an optional decimal point, e.g. 5000 or 0.5`);
  }
  const fraction = match[2] ?? "";
  if (fraction.length > SESH_DECIMALS) {
    throw new AmountError(`"${raw}" has ${fraction.length} decimals, but SESH has ${SESH_DECIMALS}: round it to at most ${SESH_DECIMALS} decimals`);
  }
  const whole = (match[1] ?? "0").replace(/,/g, "");
  const atomic = BigInt(whole) * SESH_UNIT + BigInt(fraction.padEnd(SESH_DECIMALS, "0") || "0");
  if (options.positive === true && atomic === 0n) throw new AmountError("the amount must be more than 0 SESH");
  if (options.max !== undefined && atomic > options.max) {
    throw new AmountError(`${formatSesh(atomic)} SESH is more than the ${formatSesh(options.max)} SESH allowed here`);
  }
  return atomic;
}

export interface FormatAmountOptions {
  /** Group whole digits by thousands with "," (default: true). */
  readonly groups?: boolean;
  /** Always write all 9 decimals (default: trailing zeros dropped). */
  readonly fixed?: boolean;
}

/** Atomic units → "1,718.75" (exact; trailing zeros dropped unless `fixed`). No unit is appended. */
export function formatSesh(atomic: bigint, options: FormatAmountOptions = {}): string {
  const negative = atomic < 0n;
  const abs = negative ? -atomic : atomic;
  let whole = (abs / SESH_UNIT).toString();
  if (options.groups ?? true) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  let fraction = (abs % SESH_UNIT).toString().padStart(SESH_DECIMALS, "0");
  if (options.fixed !== true) fraction = fraction.replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`;
}

/** `formatSesh` for an input field: no separators, so {@link parseSesh} reads it back unchanged. */
export function formatSeshInput(atomic: bigint): string {
  return formatSesh(atomic, { groups: false });
}

/** `part / whole` in basis points (1/100 %), rounded down; 0 when `whole` is 0. */
export function basisPoints(part: bigint, whole: bigint): bigint {
  return whole === 0n ? 0n : (part * 10_000n) / whole;
}

/** Basis points → "12.5 %" (exact). */
export function formatBasisPoints(bps: bigint | number): string {
  const v = BigInt(bps);
  const fraction = (v % 100n).toString().padStart(2, "0").replace(/0+$/, "");
  return `${v / 100n}${fraction === "" ? "" : `.${fraction}`} %`;
}
