/**
 * Human durations for tasks: `2h`, `90m`, `1d12h`, `45s` or plain seconds in, `1 d 2 h 3 min 4 s` out,
 * and the one sentence every "wait" message ends with: how long, and the command that skips the wait on
 * a devnet (`devnet:time --advance`, which moves the chain's clock and mines one normal block).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { TaskArgumentError } from "../../lib/errors";

/** Chain id of Hardhat's node and in-process network. */
export const DEVNET_CHAIN_ID = 31337;

const UNITS: Readonly<Record<string, number>> = { w: 604_800, d: 86_400, h: 3_600, m: 60, min: 60, s: 1 };

/** Parses `2h`, `1d12h`, `90m`, `30min`, `45s`, `3600` (seconds); returns whole seconds (> 0). */
export function parseDuration(argument: string, value: unknown): bigint {
  const raw = String(value ?? "").trim().toLowerCase().replace(/\s+/g, "");
  if (/^\d+$/.test(raw) && BigInt(raw) > 0n) return BigInt(raw);
  const parts = [...raw.matchAll(/(\d+)(w|d|h|min|m|s)/g)];
  if (raw === "" || parts.map((p) => p[0]).join("") !== raw) {
    throw new TaskArgumentError(argument, `"${String(value)}" is not a duration: write e.g. 2h, 90m, 1d12h, 45s or a number of seconds`);
  }
  const seconds = parts.reduce((sum, p) => sum + BigInt(p[1]) * BigInt(UNITS[p[2]]), 0n);
  if (seconds === 0n) throw new TaskArgumentError(argument, "is zero: give a duration above 0, e.g. 2h");
  return seconds;
}

/** `93784` → `1 d 2 h 3 min 4 s`; `0` → `0 s`. */
export function formatDuration(seconds: bigint | number): string {
  let left = BigInt(seconds);
  if (left <= 0n) return "0 s";
  const out: string[] = [];
  for (const [unit, size] of [["d", 86_400n], ["h", 3_600n], ["min", 60n], ["s", 1n]] as const) {
    if (left >= size) {
      out.push(`${left / size} ${unit}`);
      left %= size;
    }
  }
  return out.join(" ");
}

/** The `--advance` argument that covers `seconds` exactly (`1d2h3m4s`). */
export function durationArgument(seconds: bigint): string {
  let left = seconds;
  let out = "";
  for (const [unit, size] of [["d", 86_400n], ["h", 3_600n], ["m", 60n], ["s", 1n]] as const) {
    if (left >= size) {
      out += `${left / size}${unit}`;
      left %= size;
    }
  }
  return out === "" ? "1s" : out;
}

/**
 * How a user reruns a task on the current network from a shell: `npx hardhat --network localhost <rest>`,
 * prefixed with `LOCALHOST_URL=…` when the devnet is not on the default port (so the command reaches it).
 */
export function taskCommand(hre: Pick<HardhatRuntimeEnvironment, "network">, rest: string): string {
  const url = process.env.LOCALHOST_URL?.trim();
  const prefix = hre.network.name === "localhost" && url !== undefined && url !== "" && url.replace(/\/$/, "") !== "http://127.0.0.1:8545" ? `LOCALHOST_URL=${url} ` : "";
  return `${prefix}npx hardhat --network ${hre.network.name} ${rest}`;
}

/** True on a devnet reached over JSON-RPC (chain id 31337): there `devnet:time` can skip waits. */
export function isJsonRpcDevnet(hre: Pick<HardhatRuntimeEnvironment, "network">, chainId?: number | bigint): boolean {
  const config = hre.network.config as { url?: string; chainId?: number };
  const id = chainId ?? config.chainId;
  return hre.network.name !== "hardhat" && typeof config.url === "string" && (id === undefined || Number(id) === DEVNET_CHAIN_ID);
}

/**
 * "in 2 h 5 min (on this devnet skip the wait: npx hardhat --network localhost devnet:time --advance 2h5m)":
 * the duration, and on a devnet (chain id 31337, a JSON-RPC node) the command that moves its clock past it.
 */
export function waitHint(hre: Pick<HardhatRuntimeEnvironment, "network">, seconds: bigint, chainId?: number | bigint): string {
  const left = seconds < 0n ? 0n : seconds;
  const human = `in ${formatDuration(left)}`;
  if (!isJsonRpcDevnet(hre, chainId)) return human;
  return `${human} (on this devnet skip the wait: ${taskCommand(hre, `devnet:time --advance ${durationArgument(left)}`)})`;
}
