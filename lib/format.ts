/** Formatting shared by the deploy modules and the tasks. */
import { SESH_DECIMALS, SESH_UNIT } from "../src/protocol";

/** Formats atomic units as SESH, without separators so it can be pasted back into --amount. */
export function formatSesh(atomic: bigint): string {
  const negative = atomic < 0n;
  const abs = negative ? -atomic : atomic;
  const whole = abs / SESH_UNIT;
  const fraction = (abs % SESH_UNIT).toString().padStart(SESH_DECIMALS, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`} SESH`;
}
