/**
 * Argument validation for tasks. Every parser names the argument and says what to write instead; tasks
 * parse all their arguments before they send anything.
 */
import { getAddress, isAddress, ZeroAddress } from "ethers";
import { AmountError, parseSesh as parseAmount } from "../../src/token/amounts";
import { TaskArgumentError } from "../../lib/errors";
import { formatSesh } from "../../lib/format";

/** Formats atomic units as SESH (defined in lib/, which the deploy modules share). */
export { formatSesh };

const EXAMPLE_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function text(argument: string, value: unknown): string {
  if (value === undefined || value === null) throw new TaskArgumentError(argument, "is required");
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
    throw new TaskArgumentError(argument, `must be text, got ${typeof value}`);
  }
  return String(value).trim();
}

export interface AddressRules {
  /** Allow the zero address (default false: tokens sent there are lost). */
  readonly allowZero?: boolean;
}

/** Parses an account address; returns it checksummed. */
export function parseAddress(argument: string, value: unknown, rules: AddressRules = {}): string {
  const raw = text(argument, value);
  if (!/^0x[0-9a-fA-F]{40}$/.test(raw)) {
    throw new TaskArgumentError(
      argument,
      `"${raw}" is not an address: write 0x followed by 40 hexadecimal digits, e.g. ${EXAMPLE_ADDRESS}`,
    );
  }
  if (!isAddress(raw)) {
    throw new TaskArgumentError(
      argument,
      `"${raw}" has a wrong checksum (mixed-case letters that do not match): check it for a typo, or write it all in lower case`,
    );
  }
  const address = getAddress(raw);
  if (address === ZeroAddress && rules.allowZero !== true) {
    throw new TaskArgumentError(argument, "is the zero address, which nobody controls: give a real account");
  }
  return address;
}

export interface AmountRules {
  /** Allow 0 (default false). */
  readonly allowZero?: boolean;
  /** Largest accepted amount in atomic units. */
  readonly max?: bigint;
}

/**
 * Parses a SESH amount written in whole SESH with up to 9 decimals ("25000", "0.5"); returns atomic units.
 * The command line takes plain decimals only (no "," groups); the exact conversion is src/token/amounts',
 * which the portal uses too.
 */
export function parseSesh(argument: string, value: unknown, rules: AmountRules = {}): bigint {
  const raw = text(argument, value);
  if (raw.startsWith("-")) throw new TaskArgumentError(argument, `"${raw}" is negative: give an amount of 0 or more SESH`);
  if (!/^\d+(?:\.\d+)?$/.test(raw)) {
    throw new TaskArgumentError(
      argument,
      `"${raw}" is not a SESH amount: write a decimal number of SESH without separators or units, e.g. 25000 or 0.5`,
    );
  }
  let atomic: bigint;
  try {
    atomic = parseAmount(raw, { groups: false });
  } catch (error) {
    if (error instanceof AmountError) throw new TaskArgumentError(argument, error.message);
    throw error;
  }
  if (atomic === 0n && rules.allowZero !== true) throw new TaskArgumentError(argument, "is 0: give an amount above 0 SESH");
  if (rules.max !== undefined && atomic > rules.max) {
    throw new TaskArgumentError(argument, `${raw} SESH is more than the ${formatSesh(rules.max)} allowed here: give a smaller amount`);
  }
  return atomic;
}

export interface IntRules {
  readonly max?: number;
}

/** Parses a positive whole number (1, 2, …). */
export function parsePositiveInt(argument: string, value: unknown, rules: IntRules = {}): number {
  const raw = text(argument, value);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < 1) {
    throw new TaskArgumentError(argument, `"${raw}" is not a positive whole number: write 1, 2, 3, …`);
  }
  const n = Number(raw);
  if (rules.max !== undefined && n > rules.max) throw new TaskArgumentError(argument, `${n} is more than the maximum ${rules.max}`);
  return n;
}
