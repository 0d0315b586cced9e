/**
 * `npm start`: a complete local Session Network.
 *
 *   1. checks the port is free, compiles;
 *   2. starts `hardhat node --hostname 127.0.0.1 --port <port>` as a child process (its own process
 *      group, output to a log file) and waits until it answers JSON-RPC;
 *   3. runs the steps of scripts/devnet/steps.ts: deploy, SESH for the accounts, 12 nodes (solo and
 *      pooled) plus one open pool, the tracker (child), the network daemon with the aggregator (child),
 *      a few names;
 *   4. prints a status table, the child PIDs, the time it took and a line containing `ready`, then runs
 *      until SIGINT/SIGTERM, when it stops every step and child process and exits 0.
 *
 * The Hardhat node mines a block every second (`--block-interval`) besides one per transaction, so the
 * tracker and the network see a transaction within about a second and chain time moves as on Arbitrum.
 * A tracker or network child that dies is restarted (the tracker resumes from its database) and
 * reported; only the Hardhat node's death is fatal (its chain is in memory). A small reaper process
 * (scripts/devnet/reaper.js) stops every child if this process is killed without cleaning up.
 *
 * Every run starts fresh: the Hardhat node keeps no state, so the address book, the tracker's database and
 * the network's ledgers of a run are thrown away at the next (the data directory is removed on exit).
 *
 * Options: see HELP below (`--port`, `--tracker-port`, `--aggregator-port`, `--block-interval`,
 * `--deregistered`, `--exit-when-ready`, `--help`). Needs no stdin.
 *
 * Run with: ts-node --transpile-only scripts/start.ts [--port N] [--exit-when-ready]
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createWriteStream, rmSync, unwatchFile, watchFile, writeFileSync, type WriteStream } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { DevnetState, StartContext, StepResult } from "./devnet/steps";

const HOST = "127.0.0.1";
const ROOT = path.resolve(__dirname, "..");

interface StartOptions {
  readonly port: number;
  readonly trackerPort: number;
  readonly aggregatorPort: number;
  /** Milliseconds between blocks mined without transactions (0: only on transactions). */
  readonly blockIntervalMs: number;
  /** Registry ids the simulated network treats as deregistered (liquidatable) from the start. */
  readonly deregistered: readonly string[];
  readonly exitWhenReady: boolean;
  readonly help: boolean;
}

/** Documented default ports (README): JSON-RPC, tracker API + status page, aggregator JSON-RPC. */
const DEFAULT_PORTS = { rpc: 8545, tracker: 8787, aggregator: 8790 } as const;
const DEFAULT_BLOCK_INTERVAL_MS = 1_000;

const HELP = `npm start [-- options]: a complete local Session Network until Ctrl-C (or SIGTERM)

  a Hardhat node on 127.0.0.1, every contract, 12 service nodes (6 solo, 6 pooled with several
  contributors) whose keys the simulated network holds, one pool left open to join, the L2 tracker
  (status page + API), the network daemon (16 node keys + the aggregator), and a few names.

options:
  --port N              JSON-RPC port [default ${DEFAULT_PORTS.rpc}, env START_PORT]
  --tracker-port N      tracker API and status page port [default ${DEFAULT_PORTS.tracker}, env START_TRACKER_PORT]
  --aggregator-port N   aggregator JSON-RPC port [default ${DEFAULT_PORTS.aggregator}, env START_AGGREGATOR_PORT]
  --block-interval MS   mine a block every MS milliseconds even without transactions; 0: only on
                        transactions [default ${DEFAULT_BLOCK_INTERVAL_MS}, env START_BLOCK_INTERVAL_MS]
  --deregistered IDS    node ids the simulated network treats as deregistered (liquidatable), e.g. 9
                        or 3,9 [env START_DEREGISTERED]; later: npx hardhat --network localhost devnet:deregister --id N
  --exit-when-ready     stop right after printing ready [env START_EXIT_WHEN_READY=1, or CI=true]
  --help                this text

Every run starts fresh: the Hardhat node keeps no state between runs, so the address book
(deployments/localhost.json, or localhost-<port>.json on another port; dir $DEPLOYMENTS_DIR), the tracker
database and the network's ledgers are rebuilt each time (there is no --resume).`;

class StartError extends Error {}

function parsePort(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65535) throw new StartError(`${flag} "${raw}" is not a TCP port: give 1…65535, e.g. ${flag === "--port" ? 8546 : 8788}`);
  return n;
}

function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): StartOptions {
  const values: Record<string, string> = {
    port: env.START_PORT ?? String(DEFAULT_PORTS.rpc),
    "tracker-port": env.START_TRACKER_PORT ?? String(DEFAULT_PORTS.tracker),
    "aggregator-port": env.START_AGGREGATOR_PORT ?? String(DEFAULT_PORTS.aggregator),
    "block-interval": env.START_BLOCK_INTERVAL_MS ?? String(DEFAULT_BLOCK_INTERVAL_MS),
    deregistered: env.START_DEREGISTERED ?? "",
  };
  // CI systems set CI=true and give no terminal: there the main job proves it comes up, then stops.
  let exitWhenReady = env.START_EXIT_WHEN_READY === "1" || env.START_EXIT_WHEN_READY === "true" || env.CI === "true";
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (flag === "--exit-when-ready") exitWhenReady = true;
    else if (flag === "--help" || flag === "-h") help = true;
    else if (flag === "--resume") throw new StartError("--resume is not supported: the Hardhat node keeps no state, so every run starts fresh (see --help)");
    else if (flag.startsWith("--") && flag.slice(2) in values) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new StartError(`${flag} needs a value, e.g. ${flag} ${flag === "--deregistered" ? "9" : flag === "--block-interval" ? "1000" : "8546"}`);
      values[flag.slice(2)] = value;
    } else throw new StartError(`unknown option ${arg}: see --help for --port, --tracker-port, --aggregator-port, --block-interval, --deregistered, --exit-when-ready`);
  }
  const port = parsePort("--port", values.port);
  const trackerPort = parsePort("--tracker-port", values["tracker-port"]);
  const aggregatorPort = parsePort("--aggregator-port", values["aggregator-port"]);
  const ports = [port, trackerPort, aggregatorPort];
  if (new Set(ports).size !== 3) throw new StartError(`--port ${port}, --tracker-port ${trackerPort} and --aggregator-port ${aggregatorPort} must differ`);
  const interval = values["block-interval"];
  if (!/^\d+$/.test(interval) || Number(interval) > 3_600_000) throw new StartError(`--block-interval "${interval}" is not a number of milliseconds: give e.g. 1000, or 0 to mine only on transactions`);
  const deregistered = values.deregistered.split(",").map((d) => d.trim()).filter((d) => d !== "");
  for (const d of deregistered) if (!/^[1-9]\d{0,18}$/.test(d)) throw new StartError(`--deregistered "${values.deregistered}" must list node ids like 9 or 3,9`);
  return { port, trackerPort, aggregatorPort, blockIntervalMs: Number(interval), deregistered, exitWhenReady, help };
}

/** Resolves if `port` can be listened on at HOST, else rejects with a clear message. */
function assertPortFree(port: number, flag = "--port"): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new StartError(
          error.code === "EADDRINUSE"
            ? `port ${port} on ${HOST} is already in use (another hardhat node or npm start?): stop it, or run \`npm start -- ${flag} ${port + 1}\``
            : `cannot listen on ${HOST}:${port}: ${error.message}`,
        ),
      );
    });
    server.listen(port, HOST, () => server.close(() => resolve()));
  });
}

async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await response.json()) as { result?: string };
    return typeof body.result === "string";
  } catch {
    return false;
  }
}

interface Child {
  readonly name: string;
  readonly command: string;
  args: readonly string[];
  readonly options: SpawnOptions;
  /** The current process (replaced when the child is restarted). */
  process: ChildProcess;
  /** Resolves when the current process has exited. */
  exited: Promise<void>;
  /** Last lines of output, for error messages. */
  readonly tail: string[];
  /** When it was (re)started, for the restart limit. */
  readonly starts: number[];
  /** A deliberate restart is in progress: its exit is not a crash. */
  restarting: boolean;
}

const children: Child[] = [];
const stoppers: (() => Promise<void>)[] = [];
let logStream: WriteStream | undefined;
let shuttingDown = false;
/** The process groups the reaper stops if this process dies without cleaning up. */
let groupsFile: string | undefined;
let reaper: ChildProcess | undefined;
/** At most this many restarts of one child within {@link RESTART_WINDOW_MS}; then the devnet stops. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

function writeGroups(): void {
  if (groupsFile === undefined) return;
  const pids = children.map((c) => c.process.pid).filter((p): p is number => p !== undefined);
  try {
    writeFileSync(groupsFile, JSON.stringify(pids));
  } catch {
    // The data directory is being removed (shutdown).
  }
}

function launch(child: Pick<Child, "name" | "command" | "args" | "options" | "tail">): { process: ChildProcess; exited: Promise<void> } {
  // Own process group (detached) so the whole tree can be signalled; stdin closed (runs without a tty).
  const proc = spawn(child.command, child.args, { cwd: ROOT, ...child.options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const collect = (chunk: Buffer) => {
    logStream?.write(`[${child.name}] ${chunk}`);
    child.tail.push(...chunk.toString().split("\n").filter((l) => l.trim() !== ""));
    child.tail.splice(0, Math.max(0, child.tail.length - 20));
  };
  proc.stdout?.on("data", collect);
  proc.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once("exit", () => resolve());
  });
  return { process: proc, exited };
}

function startChild(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const spec = { name, command, args, options, tail: [] as string[] };
  const { process: proc, exited } = launch(spec);
  children.push({ ...spec, process: proc, exited, starts: [Date.now()], restarting: false });
  writeGroups();
  return proc;
}

/** Stops `child` (if running) and starts it again, with `args` when given; returns the new process. */
async function restartChild(child: Child, args?: readonly string[]): Promise<ChildProcess> {
  child.restarting = true;
  try {
    signalGroup(child.process, "SIGTERM");
    const timedOut = await Promise.race([child.exited.then(() => false), sleep(5_000).then(() => true)]);
    if (timedOut) {
      signalGroup(child.process, "SIGKILL");
      await child.exited;
    }
    if (args !== undefined) child.args = args;
    const { process: proc, exited } = launch(child);
    child.process = proc;
    child.exited = exited;
    child.starts.push(Date.now());
    writeGroups();
    watchExit(child);
    return proc;
  } finally {
    child.restarting = false;
  }
}

/**
 * What happens when a child exits on its own: the Hardhat node holds the chain in memory, so its death
 * stops the devnet; any other child (tracker, network) is restarted with the same arguments — the
 * tracker resumes from its database — and the restart is reported, up to {@link MAX_RESTARTS} a minute.
 */
function watchExit(child: Child): void {
  const proc = child.process;
  proc.once("exit", (code, signal) => {
    if (shuttingDown || child.restarting || proc !== child.process) return;
    const how = signal === null ? `code ${code}` : `signal ${signal}`;
    if (child.name === "hardhat-node") {
      void shutdown(1, `the Hardhat node exited unexpectedly (${how}); its chain is lost, so the devnet stops — see ${logPath} and run npm start again`);
      return;
    }
    const recent = child.starts.filter((t) => Date.now() - t < RESTART_WINDOW_MS);
    if (recent.length > MAX_RESTARTS) {
      void shutdown(1, `${child.name} exited (${how}) ${recent.length} times within a minute; see ${logPath}`);
      return;
    }
    console.log(`\n! ${child.name} (pid ${proc.pid}) exited unexpectedly (${how}); restarting it${child.name === "tracker" ? " — it resumes from its database" : ""}. Last lines:\n    ${child.tail.slice(-5).join("\n    ")}`);
    void restartChild(child).then(
      (next) => console.log(`! ${child.name} restarted: pid ${next.pid}`),
      (error: Error) => void shutdown(1, `${child.name} could not be restarted: ${error.message}`),
    );
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopChildren(): Promise<void> {
  for (const child of [...children].reverse()) {
    signalGroup(child.process, "SIGTERM");
    const timedOut = await Promise.race([child.exited.then(() => false), sleep(5_000).then(() => true)]);
    if (timedOut) {
      signalGroup(child.process, "SIGKILL");
      await child.exited;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let logPath = "the log";

async function shutdown(code: number, reason: string): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    console.log(`\n${reason}: stopping…`);
    if (controlFile !== undefined) unwatchFile(controlFile);
    try {
      (await import("../tasks/lib/devnet")).removeDevnetRecord();
    } catch {
      // Nothing written yet.
    }
    for (const stop of [...stoppers].reverse()) {
      try {
        await stop();
      } catch (error) {
        console.error(`  stopping a step failed: ${(error as Error).message}`);
      }
    }
    await stopChildren();
    if (groupsFile !== undefined) rmSync(groupsFile, { force: true });
    if (reaper !== undefined) signalGroup(reaper, "SIGTERM");
    if (ctx !== undefined) rmSync(ctx.devnet.dataDir, { recursive: true, force: true });
    logStream?.end();
    console.log("stopped");
  }
  process.exit(code);
}

// Last resort if we die unexpectedly: never leave the node running.
process.on("exit", () => {
  for (const child of children) signalGroup(child.process, "SIGKILL");
});

async function waitForNode(url: string, node: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (node.process.exitCode !== null || node.process.signalCode !== null) {
      throw new StartError(`the Hardhat node exited before answering (code ${node.process.exitCode}):\n  ${node.tail.join("\n  ")}`);
    }
    if (await rpcAnswers(url)) return;
    await sleep(250);
  }
  throw new StartError(`the Hardhat node did not answer at ${url} within ${timeoutMs / 1000} s:\n  ${node.tail.join("\n  ")}`);
}

function printTable(title: string, rows: readonly (readonly string[])[]): void {
  if (rows.length === 0) return;
  console.log(`\n${title}`);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const row of rows) console.log(`  ${row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join("  ")}`);
}

async function statusTable(hre: HardhatRuntimeEnvironment, rpcUrl: string, results: readonly StepResult[], logFile: string, devnet: DevnetState, blockIntervalMs: number) {
  const { formatSesh } = await import("../tasks/lib/args");
  const { taskCommand } = await import("../tasks/lib/duration");
  /** A task command line that reaches this devnet (LOCALHOST_URL=… when not on port 8545). */
  const cmd = (rest: string): string => taskCommand(hre, rest);
  const { poolStatus } = await import("../tasks/lib/pool");
  const { ethers } = hre;
  const chainId = (await ethers.provider.getNetwork()).chainId;
  printTable("Contracts", results.flatMap((r) => r.rows ?? []));

  const book = ctx?.book;
  const sesh = book?.contracts.SESH === undefined ? undefined : await ethers.getContractAt("SESH", book.contracts.SESH.address);
  const all = await ethers.getSigners();
  const signers = all.slice(0, 10);
  const accounts: string[][] = [["#", "account", "ETH", "SESH"]];
  for (const [i, signer] of signers.entries()) {
    const eth = ethers.formatEther(await ethers.provider.getBalance(signer.address));
    accounts.push([String(i), signer.address, eth, sesh === undefined ? "-" : formatSesh(await sesh.balanceOf(signer.address))]);
  }
  printTable(
    `Accounts (Hardhat's default test keys; #0 deployed everything; #1…#${all.length - 1} hold SESH; act as #N: DEVNET_ACCOUNT=N ${cmd("<task>")})`,
    accounts,
  );

  if (book?.contracts.RewardRatePool !== undefined) {
    const pool = await poolStatus(hre);
    printTable("Reward pool", [
      ["balance", formatSesh(pool.balance)],
      ["reward rate", `${formatSesh(pool.ratePerBlock)} per 2-minute block, ${formatSesh(pool.ratePerDay)} per day`],
      ["beneficiary", /^0x0{40}$/.test(pool.beneficiary) ? "(not set: ServiceNodeRewards is not deployed yet)" : pool.beneficiary],
    ]);
  }
  const { NETWORK_NODES, SEED, MIN_ACTIVE_SECONDS, UNLOCK_SECONDS } = await import("./devnet/steps");
  if (devnet.nodes.length > 0) {
    printTable(`Service nodes (${devnet.nodes.filter((n) => n.kind === "solo").length} solo, ${devnet.nodes.filter((n) => n.kind === "pooled").length} pooled)`, [
      ["id", "kind", "key", "operator", "contributors"],
      ...devnet.nodes.map((n) => [String(n.id), n.kind, `${SEED}/${n.keyIndex}`, `#${n.operator}`, n.contributors.map((c) => `#${c}`).join(" ")]),
    ]);
  }
  if (devnet.openPools.length > 0 && book?.contracts.ServiceNodeRewards !== undefined) {
    const rows: string[][] = [["pool", "operator", "contributed", "minimum contribution now", "reserved"]];
    for (const p of devnet.openPools) {
      const pool = await ethers.getContractAt("ServiceNodeContribution", p.address);
      const contributed = await pool.totalContribution();
      const requirement = await pool.stakingRequirement();
      const minimum = await pool.minimumContributionFor(all[1].address);
      rows.push([p.address, `#${p.operator}`, `${formatSesh(contributed)} of ${formatSesh(requirement)}`, formatSesh(minimum), p.reserved]);
    }
    printTable(`Pools open for contribution (join: DEVNET_ACCOUNT=1 ${cmd("contribution:contribute --pool <pool> --amount 5000")})`, rows);
  }
  if (devnet.names.length > 0) {
    printTable("Names", [["name", "owner", "expires", "records"], ...devnet.names.map((n) => [n.name, n.owner, new Date(Number(n.expiry) * 1000).toISOString().slice(0, 10), n.records])]);
  }
  if (devnet.aggregatorUrl !== undefined) {
    const used = new Set(devnet.nodes.map((n) => n.keyIndex).concat(devnet.openPools.map((p) => p.keyIndex)));
    const spare = Array.from({ length: NETWORK_NODES }, (_, i) => i).filter((i) => !used.has(i));
    printTable("Network", [
      ["node keys", `${NETWORK_NODES} held by the network (seed "${SEED}"); free to register: ${spare.join(", ")} (npm run network -- keys --rpc ${rpcUrl} --operator <address> --nodes ${NETWORK_NODES})`],
      ["devnet knobs", `rewards from registration on (--min-active ${MIN_ACTIVE_SECONDS}), exit signed ${UNLOCK_SECONDS} s after the request (--unlock ${UNLOCK_SECONDS})`],
      ["deregistered", `${devnet.deregistered.length === 0 ? "none" : devnet.deregistered.join(", ")} (liquidatable; add one: ${cmd("devnet:deregister --id <id>")})`],
    ]);
  }
  printTable("Services", [
    ["JSON-RPC", `${rpcUrl}  (chain id ${chainId}; ${blockIntervalMs > 0 ? `a block every ${blockIntervalMs / 1000} s and on each transaction` : "a block on each transaction"}; move the clock: ${cmd("devnet:time --advance 2h")})`],
    ...results.flatMap((r) => r.urls ?? []),
    ["address book", book === undefined ? "-" : (await import("../src/deployments/addressBook")).addressBookPath("localhost")],
    ["log", `${logFile}  (Hardhat node, tracker, network)`],
  ]);
  printTable("Processes", [["pid", String(process.pid), "npm start"], ...children.map((c) => ["pid", String(c.process.pid), c.name])]);
}

let ctx: StartContext | undefined;
let controlFile: string | undefined;

/** `devnet:deregister` rewrote the control file: restart the network with the new deregistered set. */
async function applyControl(file: string): Promise<void> {
  const { readDevnetControl } = await import("../tasks/lib/devnet");
  const wanted = [...new Set(readDevnetControl(file).deregistered)].sort((a, b) => Number(a) - Number(b));
  const devnet = ctx?.devnet;
  const network = children.find((c) => c.name === "network");
  if (devnet === undefined || network === undefined || devnet.networkArgs === undefined) return;
  if (wanted.join(",") === devnet.deregistered.join(",")) return;
  devnet.deregistered = wanted;
  console.log(`\n! the network now treats node${wanted.length === 1 ? "" : "s"} ${wanted.join(", ")} as deregistered (liquidatable): restarting it…`);
  const next = await restartChild(network, devnet.networkArgs(wanted));
  console.log(`! network restarted: pid ${next.pid}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(HELP);
    return;
  }
  const rpcUrl = `http://${HOST}:${options.port}`;
  process.on("SIGINT", () => void shutdown(0, "SIGINT"));
  process.on("SIGTERM", () => void shutdown(0, "SIGTERM"));
  // Started by the `devnet` task (or another tool) that asks to be followed: stop once it is gone.
  const parent = Number(process.env.START_PARENT_PID ?? "");
  if (Number.isSafeInteger(parent) && parent > 1) {
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        void shutdown(1, `the process that started the devnet (pid ${parent}) is gone`);
      }
    }, 1_000).unref();
  }

  await assertPortFree(options.port, "--port");
  await assertPortFree(options.trackerPort, "--tracker-port");
  await assertPortFree(options.aggregatorPort, "--aggregator-port");

  // Hardhat reads these when it loads; the children inherit them.
  process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = "true";
  process.env.LOCALHOST_URL = rpcUrl;
  process.env.HARDHAT_NETWORK = "localhost";
  const { START_STEPS, newDevnetState } = await import("./devnet/steps");
  const devnet = newDevnetState(options.deregistered);
  groupsFile = path.join(devnet.dataDir, "process-groups.json");
  writeFileSync(groupsFile, "[]");
  reaper = spawn(process.execPath, [path.join(__dirname, "devnet", "reaper.js"), String(process.pid), groupsFile], { detached: true, stdio: "ignore" });
  reaper.unref();

  // The Hardhat node needs no artifacts: it starts (about 5–10 s of loading) while this process compiles.
  const logFile = path.join(os.tmpdir(), `session-devnet-${options.port}.log`);
  logPath = logFile;
  logStream = createWriteStream(logFile, { flags: "w" });
  console.log(`starting the Hardhat node on ${rpcUrl} (log: ${logFile})…`);
  const hardhatCli = require.resolve("hardhat/internal/cli/bootstrap.js");
  startChild("hardhat-node", process.execPath, [hardhatCli, "node", "--hostname", HOST, "--port", String(options.port)], {
    env: { ...process.env, HARDHAT_NETWORK: "hardhat" },
  });

  const hre = (await import("hardhat")).default as HardhatRuntimeEnvironment;
  console.log("compiling… (the first run on a fresh clone compiles every contract: a few minutes on 2 cores; later runs reuse them)");
  const compileStart = performance.now();
  await hre.run("compile", { quiet: true });
  console.log(`   (${((performance.now() - compileStart) / 1000).toFixed(1)} s)`);

  const node = children[0];
  await waitForNode(rpcUrl, node, 60_000);
  watchExit(node);
  if (options.blockIntervalMs > 0) {
    // Blocks also come without transactions, as on a live chain: the tracker (one confirmation) and the
    // network see each transaction within about one interval, and chain time follows the wall clock.
    await rpcCall(rpcUrl, "evm_setIntervalMining", [options.blockIntervalMs]);
  }

  ctx = {
    hre,
    rpcUrl,
    port: options.port,
    trackerPort: options.trackerPort,
    aggregatorPort: options.aggregatorPort,
    devnet,
    spawn: startChild,
    log: (line) => console.log(line),
  };
  const results: StepResult[] = [];
  for (const step of START_STEPS) {
    const stepStart = performance.now();
    console.log(`\n== ${step.name}`);
    const before = children.length;
    const result = await step.run(ctx);
    for (const child of children.slice(before)) watchExit(child);
    if (result.stop !== undefined) stoppers.push(result.stop.bind(result));
    results.push(result);
    console.log(`   (${((performance.now() - stepStart) / 1000).toFixed(1)} s)`);
  }

  // The web portal (scripts/portal-serve.ts): built if needed, served beside the devnet, its URL printed first.
  console.log("\n== portal");
  const portal = await (await import("./portal-serve")).startDevnetPortal(ctx);
  if (portal !== null) stoppers.push(() => portal.close());
  if (portal !== null) printTable("Portal (open in a browser with a wallet on chain 31337)", [["portal", portal.url]]);
  await statusTable(hre, rpcUrl, results, logFile, ctx.devnet, options.blockIntervalMs);
  const { writeDevnetRecord, writeDevnetControl } = await import("../tasks/lib/devnet");
  controlFile = path.join(devnet.dataDir, "control.json");
  writeDevnetControl(controlFile, { deregistered: devnet.deregistered });
  writeDevnetRecord({ rpcUrl, trackerUrl: devnet.trackerUrl ?? null, aggregatorUrl: devnet.aggregatorUrl ?? null, pid: process.pid, controlFile });
  const watched = controlFile;
  let applying = Promise.resolve();
  watchFile(watched, { interval: 500 }, () => {
    applying = applying.then(() => applyControl(watched)).catch((error: Error) => console.error(`! devnet control: ${error.message}`));
  });
  if (devnet.aggregatorUrl !== undefined) console.log(`\nfor the README's commands: export AGGREGATOR=${devnet.aggregatorUrl}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\nready in ${seconds} s: the Session Network devnet is running at ${rpcUrl}${options.exitWhenReady ? "" : " (Ctrl-C or SIGTERM stops it)"}`);
  if (options.exitWhenReady) await shutdown(0, "--exit-when-ready");
}

async function rpcCall(url: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error !== undefined) throw new StartError(`${method} at ${url}: ${body.error.message}`);
  return body.result;
}

main().catch(async (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`\nnpm start failed: ${message}`);
  if (!(error instanceof StartError) && error instanceof Error && error.stack !== undefined && process.env.START_DEBUG === "1") {
    console.error(error.stack);
  }
  await shutdown(1, "error");
});
