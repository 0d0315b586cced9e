/**
 * Command-line configuration of the network daemon (`npm run network -- …`). Pure: parses and validates
 * argv, never touches the chain. Every error names the option and says what to write instead.
 */
import { isAddress, type Address } from "viem";
import { MAX_DERIVED_NODES } from "./keys";

export type ClockSource = "chain" | "system";

export interface NetworkConfig {
  readonly nodes: number;
  readonly seed: string;
  /** JSON-RPC of the chain (block timestamps, chain id, the registry's non-signer cap; the whole state without --tracker). */
  readonly rpcUrl: string;
  /** The tracker's HTTP API; when set, the chain state is read through it. */
  readonly trackerUrl: string | null;
  /** The registry (ServiceNodeRewards proxy); null: from the address book. */
  readonly rewards: Address | null;
  /** Address book name (`deployments/<network>.json`). */
  readonly addressBook: string;
  readonly host: string;
  /** Aggregator JSON-RPC port (0: any free port). */
  readonly port: number;
  /** Node i listens on nodePortBase + i (null: any free port). */
  readonly nodePortBase: number | null;
  readonly offline: readonly number[];
  readonly slow: readonly number[];
  readonly slowMs: number;
  readonly badSignature: readonly number[];
  readonly garbage: readonly number[];
  /** Registry ids the simulated consensus treats as deregistered (liquidatable). */
  readonly deregistered: readonly bigint[];
  readonly minActiveSeconds: bigint;
  readonly unlockSeconds: bigint;
  readonly timeoutMs: number;
  readonly clock: ClockSource;
  /** Directory for the SQLite ledgers (null: a temporary directory removed on exit). */
  readonly ledgerDir: string | null;
  readonly processes: number;
  readonly syncMs: number;
  /** Aggregator requests per second per client (0: no limit); a burst of twice that is allowed. */
  readonly rateLimit: number;
  /** Aggregator requests one client may have in flight at once. */
  readonly maxInFlight: number;
  /**
   * Nodes refuse to sign from chain state this many blocks behind the chain's latest block (0: no bound;
   * null: auto, 1,200 — about 5 min on Arbitrum — or 120 on a local Hardhat chain).
   */
  readonly maxMirrorLagBlocks: bigint | null;
  /** A worker process (--processes K) that died is restarted at most this often within the window, then reported failed. */
  readonly maxRestarts: number;
  readonly restartWindowSeconds: number;
}

export interface KeysConfig {
  readonly nodes: number;
  readonly seed: string;
  readonly operators: readonly Address[];
  readonly fee: number;
  readonly rpcUrl: string | null;
  readonly chainId: bigint | null;
  readonly rewards: Address | null;
  readonly addressBook: string;
}

export type Command = { readonly kind: "help" } | { readonly kind: "start"; readonly config: NetworkConfig } | { readonly kind: "keys"; readonly config: KeysConfig };

export class NetworkConfigError extends Error {}

interface Spec {
  readonly flag: string;
  readonly arg: string;
  readonly help: string;
  readonly default?: string;
  readonly commands: readonly ("start" | "keys")[];
}

const BOTH = ["start", "keys"] as const;
const START = ["start"] as const;

export const NETWORK_OPTIONS: readonly Spec[] = [
  { flag: "nodes", arg: "N", help: "number of simulated nodes", default: "12", commands: BOTH },
  { flag: "seed", arg: "TEXT", help: "seed the node keys are derived from (the devnet registers the same keys)", default: "session-devnet", commands: BOTH },
  { flag: "rpc", arg: "URL", help: "chain JSON-RPC (block times, chain id; the chain state too unless --tracker)", default: "http://127.0.0.1:8545", commands: BOTH },
  { flag: "tracker", arg: "URL", help: "read the chain state through the tracker's HTTP API (e.g. http://127.0.0.1:8787)", commands: START },
  { flag: "rewards", arg: "ADDRESS", help: "ServiceNodeRewards (proxy) address; default: from the address book", commands: BOTH },
  { flag: "address-book", arg: "NAME", help: "address book deployments/<NAME>.json (dir: $DEPLOYMENTS_DIR)", default: "localhost", commands: BOTH },
  { flag: "chain-id", arg: "N", help: "chain id of the signing domain (default: asked from --rpc)", commands: ["keys"] },
  { flag: "operator", arg: "ADDRESS[,…]", help: "operator of node i is the (i mod count)-th address", commands: ["keys"] },
  { flag: "fee", arg: "BPS", help: "operator fee in basis points of 10,000 put in the params", default: "0", commands: ["keys"] },
  { flag: "host", arg: "HOST", help: "bind address of the aggregator and the nodes", default: "127.0.0.1", commands: START },
  { flag: "port", arg: "PORT", help: "aggregator JSON-RPC port (0: any free port)", default: "8790", commands: START },
  { flag: "node-port-base", arg: "PORT", help: "node i listens on PORT + i (default: any free ports)", commands: START },
  { flag: "offline", arg: "I[,I…]", help: "node indices (0-based) that refuse connections", commands: START },
  { flag: "slow", arg: "I[,I…]", help: "node indices that answer after --slow-ms", commands: START },
  { flag: "slow-ms", arg: "MS", help: "delay of slow nodes", default: "10000", commands: START },
  { flag: "bad-signature", arg: "I[,I…]", help: "node indices that return a well-formed but wrong signature", commands: START },
  { flag: "garbage", arg: "I[,I…]", help: "node indices that return a malformed signature", commands: START },
  { flag: "deregistered", arg: "ID[,ID…]", help: "registry ids the network treats as deregistered (liquidatable)", commands: START },
  { flag: "min-active", arg: "SECONDS", help: "a node earns rewards once registered this long", default: "86400", commands: START },
  { flag: "unlock", arg: "SECONDS", help: "exit unlock after an exit request", default: "1296000", commands: START },
  { flag: "timeout-ms", arg: "MS", help: "aggregator's per-node answer timeout", default: "5000", commands: START },
  { flag: "clock", arg: "chain|system", help: "node clock: the latest block's time (devnets that move time) or the system's", default: "chain", commands: START },
  { flag: "ledger-dir", arg: "DIR", help: "where the SQLite ledgers live (default: a temporary directory, removed on exit)", commands: START },
  { flag: "processes", arg: "K", help: "split the nodes across K child processes (1: all in this one)", default: "1", commands: START },
  { flag: "sync-ms", arg: "MS", help: "how often the ledgers follow the chain", default: "2000", commands: START },
  { flag: "rate-limit", arg: "RPS", help: "aggregator requests per second per client, bursts of twice that (0: no limit)", default: "20", commands: START },
  { flag: "max-in-flight", arg: "N", help: "aggregator requests one client may have in flight at once", default: "8", commands: START },
  { flag: "max-restarts", arg: "N", help: "restart a worker process that died at most N times within --restart-window, then report it failed (0: never restart)", default: "5", commands: START },
  { flag: "restart-window", arg: "SECONDS", help: "the window --max-restarts counts restarts in", default: "300", commands: START },
  {
    flag: "max-mirror-lag-blocks",
    arg: "N|auto",
    help: "nodes refuse to sign from chain state more than N blocks behind the chain's latest block, e.g. a stalled tracker (0: no bound; auto: 1200, about 5 min on Arbitrum, or 120 on a local Hardhat chain, chain id 31337/1337; with the tracker on --safe-head safe/finalized on Arbitrum, raise it above that lag)",
    default: "auto",
    commands: START,
  },
];

export function networkHelpText(): string {
  const lines = [
    "Session Network simulated node network: N signing nodes and the aggregator's JSON-RPC.",
    "",
    "usage: npm run network -- [start] [options]     start the nodes and the aggregator (until Ctrl-C)",
    "       npm run network -- keys --operator ADDRESS [options]",
    "                                                 print the nodes' registration params as JSON",
    "",
    "options:",
  ];
  for (const o of NETWORK_OPTIONS) {
    const left = `  --${o.flag} ${o.arg}`;
    const only = o.commands.length === 1 ? ` (${o.commands[0]} only)` : "";
    lines.push(`${left.padEnd(34)} ${o.help}${o.default !== undefined ? ` [default ${o.default}]` : ""}${only}`);
  }
  lines.push("  --help                             this text");
  return lines.join("\n");
}

function collect(argv: readonly string[], command: "start" | "keys"): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith("--")) throw new NetworkConfigError(`unexpected argument "${token}": options start with -- (see --help)`);
    const eq = token.indexOf("=");
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const spec = NETWORK_OPTIONS.find((o) => o.flag === name);
    if (spec === undefined) throw new NetworkConfigError(`unknown option --${name} (see --help)`);
    if (!spec.commands.includes(command)) throw new NetworkConfigError(`--${name} is an option of \`${spec.commands.join("`/`")}\`, not of \`${command}\``);
    let value: string;
    if (eq !== -1) value = token.slice(eq + 1);
    else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) throw new NetworkConfigError(`--${name} needs a value (${spec.arg})`);
      value = argv[++i];
    }
    if (values.has(name)) throw new NetworkConfigError(`--${name} is given twice`);
    values.set(name, value);
  }
  return values;
}

function reader(values: Map<string, string>) {
  const raw = (flag: string): string | undefined => values.get(flag) ?? NETWORK_OPTIONS.find((o) => o.flag === flag)!.default;
  const int = (flag: string, min: number, max: number): number => {
    const v = raw(flag)!;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new NetworkConfigError(`--${flag} must be an integer from ${min} to ${max}, got "${v}"`);
    return Number(v);
  };
  const seconds = (flag: string): bigint => {
    const v = raw(flag)!;
    if (!/^\d{1,12}$/.test(v)) throw new NetworkConfigError(`--${flag} must be a whole number of seconds, got "${v}"`);
    return BigInt(v);
  };
  const url = (flag: string): string | null => {
    const v = raw(flag);
    if (v === undefined) return null;
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      throw new NetworkConfigError(`--${flag} "${v}" is not a URL: write e.g. http://127.0.0.1:8545`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new NetworkConfigError(`--${flag} "${v}" must be an http(s) URL`);
    return v.replace(/\/+$/, "");
  };
  const address = (flag: string): Address | null => {
    const v = raw(flag);
    if (v === undefined) return null;
    if (!isAddress(v, { strict: false })) throw new NetworkConfigError(`--${flag} "${v}" is not an address: write 0x followed by 40 hex digits`);
    return v.toLowerCase() as Address;
  };
  const bookName = (): string => {
    const v = raw("address-book")!;
    if (!/^[A-Za-z0-9_-]+$/.test(v)) throw new NetworkConfigError(`--address-book "${v}" must be a network name like localhost (letters, digits, _ and -)`);
    return v;
  };
  const seed = (): string => {
    const v = raw("seed")!;
    if (v.length === 0) throw new NetworkConfigError("--seed must not be empty");
    return v;
  };
  return { raw, int, seconds, url, address, bookName, seed };
}

function indexList(flag: string, value: string | undefined, nodes: number): number[] {
  if (value === undefined || value === "") return [];
  const out = value.split(",").map((part) => {
    const s = part.trim();
    if (!/^\d+$/.test(s)) throw new NetworkConfigError(`--${flag} must list node indices like 0,3,7; "${s}" is not an index`);
    const i = Number(s);
    if (i >= nodes) throw new NetworkConfigError(`--${flag} lists node ${i}, but there are only ${nodes} nodes (indices 0…${nodes - 1})`);
    return i;
  });
  if (new Set(out).size !== out.length) throw new NetworkConfigError(`--${flag} lists a node twice`);
  return out;
}

function mirrorLag(v: string): bigint | null {
  if (v === "auto") return null;
  if (!/^\d{1,12}$/.test(v)) throw new NetworkConfigError(`--max-mirror-lag-blocks must be a whole number of blocks (0: no bound) or auto, got "${v}"`);
  return BigInt(v);
}

export function parseStartArgs(argv: readonly string[]): NetworkConfig {
  const values = collect(argv, "start");
  const r = reader(values);
  const nodes = r.int("nodes", 1, MAX_DERIVED_NODES);
  const port = r.int("port", 0, 65_535);
  const nodePortBase = values.has("node-port-base") ? r.int("node-port-base", 1, 65_535) : null;
  if (nodePortBase !== null && nodePortBase + nodes - 1 > 65_535) {
    throw new NetworkConfigError(`--node-port-base ${nodePortBase} + ${nodes} nodes runs past port 65535: give a base of at most ${65_536 - nodes}`);
  }
  if (nodePortBase !== null && port !== 0 && port >= nodePortBase && port < nodePortBase + nodes) {
    throw new NetworkConfigError(`--port ${port} falls inside the node ports ${nodePortBase}…${nodePortBase + nodes - 1}: move one of them`);
  }
  const behaviours: Record<string, number[]> = {};
  for (const flag of ["offline", "slow", "bad-signature", "garbage"]) behaviours[flag] = indexList(flag, values.get(flag), nodes);
  const seen = new Map<number, string>();
  for (const [flag, list] of Object.entries(behaviours)) {
    for (const i of list) {
      if (seen.has(i)) throw new NetworkConfigError(`node ${i} is given two behaviours (--${seen.get(i)} and --${flag}): pick one`);
      seen.set(i, flag);
    }
  }
  const deregistered = (values.get("deregistered") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      if (!/^\d{1,20}$/.test(s)) throw new NetworkConfigError(`--deregistered must list registry ids like 3,5; "${s}" is not one`);
      return BigInt(s);
    });
  const clock = r.raw("clock")!;
  if (clock !== "chain" && clock !== "system") throw new NetworkConfigError(`--clock must be chain or system, got "${clock}"`);
  const host = r.raw("host")!;
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new NetworkConfigError(`--host "${host}" is not a host name or IP address`);
  const processes = r.int("processes", 1, 64);
  if (processes > nodes) throw new NetworkConfigError(`--processes ${processes} is more than --nodes ${nodes}: every process needs at least one node`);
  const ledgerDir = values.get("ledger-dir") ?? null;
  if (ledgerDir === "") throw new NetworkConfigError("--ledger-dir must not be empty");
  return {
    nodes,
    seed: r.seed(),
    rpcUrl: r.url("rpc")!,
    trackerUrl: r.url("tracker"),
    rewards: r.address("rewards"),
    addressBook: r.bookName(),
    host,
    port,
    nodePortBase,
    offline: behaviours.offline,
    slow: behaviours.slow,
    slowMs: r.int("slow-ms", 0, 600_000),
    badSignature: behaviours["bad-signature"],
    garbage: behaviours.garbage,
    deregistered,
    minActiveSeconds: r.seconds("min-active"),
    unlockSeconds: r.seconds("unlock"),
    timeoutMs: r.int("timeout-ms", 10, 600_000),
    clock,
    ledgerDir,
    processes,
    syncMs: r.int("sync-ms", 50, 3_600_000),
    rateLimit: r.int("rate-limit", 0, 1_000_000),
    maxInFlight: r.int("max-in-flight", 1, 10_000),
    maxMirrorLagBlocks: mirrorLag(r.raw("max-mirror-lag-blocks")!),
    maxRestarts: r.int("max-restarts", 0, 1_000),
    restartWindowSeconds: r.int("restart-window", 1, 86_400),
  };
}

export function parseKeysArgs(argv: readonly string[]): KeysConfig {
  const values = collect(argv, "keys");
  const r = reader(values);
  const rawOps = values.get("operator");
  if (rawOps === undefined) throw new NetworkConfigError("--operator is required: the address(es) that will call addBLSPublicKey (the proof of possession signs it)");
  const operators = rawOps.split(",").map((s) => {
    const a = s.trim();
    if (!isAddress(a, { strict: false })) throw new NetworkConfigError(`--operator "${a}" is not an address: write 0x followed by 40 hex digits`);
    return a.toLowerCase() as Address;
  });
  const chainIdRaw = values.get("chain-id");
  if (chainIdRaw !== undefined && !/^[1-9]\d{0,18}$/.test(chainIdRaw)) throw new NetworkConfigError(`--chain-id must be a positive integer, got "${chainIdRaw}"`);
  return {
    nodes: r.int("nodes", 1, MAX_DERIVED_NODES),
    seed: r.seed(),
    operators,
    fee: r.int("fee", 0, 10_000),
    rpcUrl: values.has("rpc") || chainIdRaw === undefined || !values.has("rewards") ? r.url("rpc") : null,
    chainId: chainIdRaw === undefined ? null : BigInt(chainIdRaw),
    rewards: r.address("rewards"),
    addressBook: r.bookName(),
  };
}

/** `[start|keys] options…` or `--help`. */
export function parseCommand(argv: readonly string[]): Command {
  if (argv.includes("--help") || argv.includes("-h") || argv[0] === "help") return { kind: "help" };
  const [first, ...rest] = argv;
  if (first === "keys") return { kind: "keys", config: parseKeysArgs(rest) };
  if (first === "start") return { kind: "start", config: parseStartArgs(rest) };
  if (first !== undefined && !first.startsWith("--")) throw new NetworkConfigError(`unknown command "${first}": use start (the default) or keys (see --help)`);
  return { kind: "start", config: parseStartArgs(argv) };
}
