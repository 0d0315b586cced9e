/** Formatting shared by the deploy modules and the tasks. */
import { formatSesh as formatAmount } from "../src/token/amounts";

/** Formats atomic units as SESH, without separators so it can be pasted back into --amount. */
export function formatSesh(atomic: bigint): string {
  return `${formatAmount(atomic, { groups: false })} SESH`;
}
