/** Tracker configuration from command-line flags or environment variables (flags win). */
import { isAddress, type Address } from "viem";
import type { LogLevel } from "./log";
import type { ContractAddresses, SafeHeadPolicy } from "./follower/follower";

export interface TrackerConfig {
  readonly rpcUrls: readonly string[];
  readonly chainId?: number;
  readonly contracts: ContractAddresses;
  readonly startBlock: bigint;
  readonly dbPath: string;
  readonly safeHead: SafeHeadPolicy;
  readonly batch: { readonly initial: bigint; readonly min: bigint; readonly max: bigint };
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly maxLagBlocks: bigint;
  readonly rewardRateInterval: bigint;
  readonly reconcileIntervalMs: number;
  readonly undoRetentionBlocks: bigint;
  readonly api: { readonly host: string; readonly port: number } | null;
  readonly logLevel: LogLevel;
  readonly progress: boolean;
}

interface OptionSpec {
  readonly flag: string;
  readonly env: string;
  readonly arg: string;
  readonly help: string;
  readonly default?: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { flag: "rpc", env: "TRACKER_RPC_URLS", arg: "URL[,URL…]", help: "RPC provider URLs (repeat the flag or comma-separate); ≥ 2 enables cross-checking" },
  { flag: "chain-id", env: "TRACKER_CHAIN_ID", arg: "N", help: "expected chain id (providers serving another chain are quarantined)" },
  { flag: "rewards", env: "TRACKER_REWARDS_ADDRESS", arg: "ADDRESS", help: "ServiceNodeRewards address (required)" },
  { flag: "factory", env: "TRACKER_FACTORY_ADDRESS", arg: "ADDRESS", help: "contribution factory address (its pools are followed)" },
  { flag: "reward-rate-pool", env: "TRACKER_REWARD_RATE_POOL", arg: "ADDRESS", help: "RewardRatePool address (rewardRate() is sampled)" },
  { flag: "name-service", env: "TRACKER_NAME_SERVICE", arg: "ADDRESS", help: "name service address (needs a registered handler)" },
  { flag: "start-block", env: "TRACKER_START_BLOCK", arg: "N", help: "deployment block to start from", default: "0" },
  { flag: "db", env: "TRACKER_DB", arg: "PATH", help: "SQLite file", default: "tracker.sqlite" },
  { flag: "safe-head", env: "TRACKER_SAFE_HEAD", arg: "auto|depth|safe|finalized", help: "how the safe head is found (auto: the `safe` tag if the chain has it, else depth)", default: "auto" },
  { flag: "confirmations", env: "TRACKER_CONFIRMATIONS", arg: "N", help: "confirmation depth for the depth policy", default: "280" },
  { flag: "batch-initial", env: "TRACKER_BATCH_INITIAL", arg: "N", help: "initial eth_getLogs range (blocks)", default: "2000" },
  { flag: "batch-min", env: "TRACKER_BATCH_MIN", arg: "N", help: "smallest eth_getLogs range", default: "1" },
  { flag: "batch-max", env: "TRACKER_BATCH_MAX", arg: "N", help: "largest eth_getLogs range", default: "10000" },
  { flag: "poll-ms", env: "TRACKER_POLL_MS", arg: "MS", help: "poll interval once caught up", default: "2000" },
  { flag: "timeout-ms", env: "TRACKER_TIMEOUT_MS", arg: "MS", help: "per-request RPC timeout", default: "10000" },
  { flag: "max-lag", env: "TRACKER_MAX_LAG", arg: "N", help: "blocks behind the best provider before a provider is demoted", default: "20" },
  { flag: "reward-rate-interval", env: "TRACKER_REWARD_RATE_INTERVAL", arg: "N", help: "sample rewardRate() every N blocks (0: off)", default: "14400" },
  { flag: "reconcile-ms", env: "TRACKER_RECONCILE_MS", arg: "MS", help: "reconcile against allServiceNodeIDs()/aggregatePubkey() this often (0: off)", default: "600000" },
  { flag: "undo-retention", env: "TRACKER_UNDO_RETENTION", arg: "N", help: "blocks of undo log kept below the checkpoint", default: "20000" },
  { flag: "host", env: "TRACKER_HOST", arg: "HOST", help: "API bind address", default: "127.0.0.1" },
  { flag: "port", env: "TRACKER_PORT", arg: "PORT", help: "API port (0: any free port)", default: "8787" },
  { flag: "no-api", env: "TRACKER_NO_API", arg: "", help: "do not serve the HTTP API" },
  { flag: "log-level", env: "TRACKER_LOG_LEVEL", arg: "debug|info|warn|error", help: "log level", default: "info" },
  { flag: "no-progress", env: "TRACKER_NO_PROGRESS", arg: "", help: "no progress bar on a terminal" },
];

export function helpText(): string {
  const lines = [
    "Session Network L2 tracker: a crash-safe, reorg-safe mirror of the staking contracts.",
    "",
    "usage: npm run tracker -- --rpc URL [--rpc URL…] --rewards ADDRESS [options]",
    "",
    "options (each also settable by the environment variable shown):",
  ];
  for (const o of OPTIONS) {
    const left = `  --${o.flag}${o.arg ? ` ${o.arg}` : ""}`;
    lines.push(`${left.padEnd(44)} ${o.help}${o.default !== undefined ? ` [default ${o.default}]` : ""}`, `${"".padEnd(44)} env ${o.env}`);
  }
  lines.push("  --help                                       this text");
  return lines.join("\n");
}

export class ConfigError extends Error {}

/** Parses argv (without node and script) and env into raw strings, flag over env. */
function collect(argv: readonly string[], env: NodeJS.ProcessEnv): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const o of OPTIONS) {
    const v = env[o.env];
    if (v !== undefined && v !== "") values.set(o.flag, o.arg ? [v] : ["true"]);
  }
  const fromFlags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith("--")) throw new ConfigError(`unexpected argument "${token}" (see --help)`);
    const eq = token.indexOf("=");
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const spec = OPTIONS.find((o) => o.flag === name);
    if (!spec) throw new ConfigError(`unknown option --${name} (see --help)`);
    let value: string;
    if (!spec.arg) value = "true";
    else if (eq !== -1) value = token.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new ConfigError(`--${name} needs a value (${spec.arg})`);
      value = argv[++i];
    }
    fromFlags.set(name, [...(fromFlags.get(name) ?? []), value]);
  }
  for (const [k, v] of fromFlags) values.set(k, v);
  return values;
}

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): TrackerConfig | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const values = collect(argv, env);
  const one = (flag: string): string | undefined => {
    const v = values.get(flag);
    if (v === undefined) return OPTIONS.find((o) => o.flag === flag)!.default;
    if (v.length > 1) throw new ConfigError(`--${flag} given ${v.length} times`);
    return v[0];
  };
  const int = (flag: string, min: bigint): bigint => {
    const raw = one(flag)!;
    if (!/^\d+$/.test(raw)) throw new ConfigError(`--${flag} must be a non-negative integer, got "${raw}"`);
    const n = BigInt(raw);
    if (n < min) throw new ConfigError(`--${flag} must be at least ${min}, got ${n}`);
    return n;
  };
  const address = (flag: string, required: boolean): Address | undefined => {
    const raw = one(flag);
    if (raw === undefined) {
      if (required) throw new ConfigError(`--${flag} is required (${OPTIONS.find((o) => o.flag === flag)!.help})`);
      return undefined;
    }
    if (!isAddress(raw, { strict: false })) throw new ConfigError(`--${flag} must be a 20-byte hex address, got "${raw}"`);
    return raw.toLowerCase() as Address;
  };

  const rpcUrls = (values.get("rpc") ?? []).flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
  if (rpcUrls.length === 0) throw new ConfigError("--rpc is required: at least one RPC URL");
  for (const url of rpcUrls) {
    if (!/^https?:\/\/.+/.test(url)) throw new ConfigError(`--rpc "${url}" is not an http(s) URL`);
  }
  if (new Set(rpcUrls).size !== rpcUrls.length) throw new ConfigError("--rpc lists the same URL twice");

  const chainIdRaw = one("chain-id");
  if (chainIdRaw !== undefined && !/^\d+$/.test(chainIdRaw)) throw new ConfigError(`--chain-id must be a positive integer, got "${chainIdRaw}"`);

  const confirmations = int("confirmations", 0n);
  const mode = one("safe-head")!;
  let safeHead: SafeHeadPolicy;
  if (mode === "auto") safeHead = { mode: "auto", confirmations };
  else if (mode === "depth") safeHead = { mode: "depth", confirmations };
  else if (mode === "safe" || mode === "finalized") safeHead = { mode: "tag", tag: mode };
  else throw new ConfigError(`--safe-head must be auto, depth, safe or finalized, got "${mode}"`);

  const batch = { initial: int("batch-initial", 1n), min: int("batch-min", 1n), max: int("batch-max", 1n) };
  if (batch.max < batch.min) throw new ConfigError(`--batch-max (${batch.max}) is below --batch-min (${batch.min})`);
  const port = Number(int("port", 0n));
  if (port > 65535) throw new ConfigError(`--port must be ≤ 65535, got ${port}`);
  const logLevel = one("log-level")!;
  if (!["debug", "info", "warn", "error"].includes(logLevel)) throw new ConfigError(`--log-level must be debug, info, warn or error, got "${logLevel}"`);

  return {
    rpcUrls,
    chainId: chainIdRaw === undefined ? undefined : Number(chainIdRaw),
    contracts: {
      serviceNodeRewards: address("rewards", true)!,
      contributionFactory: address("factory", false),
      rewardRatePool: address("reward-rate-pool", false),
      nameService: address("name-service", false),
    },
    startBlock: int("start-block", 0n),
    dbPath: one("db")!,
    safeHead,
    batch,
    pollIntervalMs: Number(int("poll-ms", 10n)),
    timeoutMs: Number(int("timeout-ms", 100n)),
    maxLagBlocks: int("max-lag", 0n),
    rewardRateInterval: int("reward-rate-interval", 0n),
    reconcileIntervalMs: Number(int("reconcile-ms", 0n)),
    undoRetentionBlocks: int("undo-retention", 1n),
    api: values.has("no-api") ? null : { host: one("host")!, port },
    logLevel: logLevel as LogLevel,
    progress: !values.has("no-progress"),
  };
}
