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
 * Every run starts fresh: the Hardhat node keeps no state, so the address book, the tracker's database and
 * the network's ledgers of a run are thrown away at the next (the data directory is removed on exit).
 *
 * Options: `--port N` (default 8545, env START_PORT), `--exit-when-ready` (env START_EXIT_WHEN_READY=1,
 * or CI=true) stops right after `ready`, `--help`. Needs no stdin.
 *
 * Run with: ts-node --transpile-only scripts/start.ts [--port N] [--exit-when-ready]
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createWriteStream, rmSync, type WriteStream } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { DevnetState, StartContext, StepResult } from "./devnet/steps";

const HOST = "127.0.0.1";
const ROOT = path.resolve(__dirname, "..");

interface StartOptions {
  readonly port: number;
  readonly exitWhenReady: boolean;
  readonly help: boolean;
}

const HELP = `npm start [-- options]: a complete local Session Network until Ctrl-C

  a Hardhat node on 127.0.0.1, every contract, 12 service nodes (6 solo, 6 pooled with several
  contributors) whose keys the simulated network holds, one pool left open to join, the L2 tracker
  (status page + API), the network daemon (16 node keys + the aggregator), and a few names.

options:
  --port N            JSON-RPC port [default 8545, env START_PORT]
  --exit-when-ready   stop right after printing ready [env START_EXIT_WHEN_READY=1, or CI=true]
  --help              this text

Every run starts fresh: the Hardhat node keeps no state between runs, so the address book
(deployments/localhost.json, dir $DEPLOYMENTS_DIR), the tracker database and the network's ledgers are
rebuilt each time (there is no --resume).`;

class StartError extends Error {}

function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): StartOptions {
  let port = env.START_PORT ?? "8545";
  // CI systems set CI=true and give no terminal: there the main job proves it comes up, then stops.
  let exitWhenReady = env.START_EXIT_WHEN_READY === "1" || env.START_EXIT_WHEN_READY === "true" || env.CI === "true";
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--exit-when-ready") exitWhenReady = true;
    else if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--resume") throw new StartError("--resume is not supported: the Hardhat node keeps no state, so every run starts fresh (see --help)");
    else if (arg === "--port") {
      if (argv[i + 1] === undefined) throw new StartError("--port needs a value, e.g. --port 8546");
      port = argv[++i];
    } else if (arg.startsWith("--port=")) port = arg.slice("--port=".length);
    else throw new StartError(`unknown option ${arg}: use --port N and/or --exit-when-ready (see --help)`);
  }
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) throw new StartError(`--port "${port}" is not a TCP port: give 1…65535, e.g. 8546`);
  return { port: n, exitWhenReady, help };
}

/** Resolves if `port` can be listened on at HOST, else rejects with a clear message. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new StartError(
          error.code === "EADDRINUSE"
            ? `port ${port} on ${HOST} is already in use (another hardhat node or npm start?): stop it, or run \`npm start -- --port ${port + 1}\``
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
  readonly process: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** Last lines of output, for error messages. */
  readonly tail: string[];
}

const children: Child[] = [];
const stoppers: (() => Promise<void>)[] = [];
let logStream: WriteStream | undefined;
let shuttingDown = false;

function startChild(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  // Own process group (detached) so the whole tree can be signalled; stdin closed (runs without a tty).
  const child = spawn(command, args, { cwd: ROOT, ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const tail: string[] = [];
  const collect = (chunk: Buffer) => {
    logStream?.write(`[${name}] ${chunk}`);
    tail.push(...chunk.toString().split("\n").filter((l) => l.trim() !== ""));
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  children.push({ name, process: child, exited, tail });
  return child;
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

async function shutdown(code: number, reason: string): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    console.log(`\n${reason}: stopping…`);
    for (const stop of [...stoppers].reverse()) {
      try {
        await stop();
      } catch (error) {
        console.error(`  stopping a step failed: ${(error as Error).message}`);
      }
    }
    await stopChildren();
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

async function statusTable(hre: HardhatRuntimeEnvironment, rpcUrl: string, results: readonly StepResult[], logFile: string, devnet: DevnetState) {
  const { formatSesh } = await import("../tasks/lib/args");
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
    `Accounts (Hardhat's default test keys; #0 deployed everything; #1…#${all.length - 1} hold SESH; act as #N: DEVNET_ACCOUNT=N npx hardhat --network localhost <task>)`,
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
    printTable("Pools open for contribution (join: DEVNET_ACCOUNT=1 npx hardhat --network localhost contribution:contribute --pool <pool> --amount 5000)", rows);
  }
  if (devnet.names.length > 0) {
    printTable("Names", [["name", "owner", "expires", "records"], ...devnet.names.map((n) => [n.name, n.owner, new Date(Number(n.expiry) * 1000).toISOString().slice(0, 10), n.records])]);
  }
  if (devnet.aggregatorUrl !== undefined) {
    const used = new Set(devnet.nodes.map((n) => n.keyIndex).concat(devnet.openPools.map((p) => p.keyIndex)));
    const spare = Array.from({ length: NETWORK_NODES }, (_, i) => i).filter((i) => !used.has(i));
    printTable("Network", [
      ["node keys", `${NETWORK_NODES} held by the network (seed "${SEED}"); free to register: ${spare.join(", ")} (npm run network -- keys --rpc ${rpcUrl} --operator <address> --nodes ${NETWORK_NODES})`],
      ["devnet knobs", `rewards from registration on (--min-active ${MIN_ACTIVE_SECONDS}), exit signed ${UNLOCK_SECONDS} s after the request (--unlock ${UNLOCK_SECONDS}); move time with evm_increaseTime`],
    ]);
  }
  printTable("Services", [
    ["JSON-RPC", `${rpcUrl}  (chain id ${chainId})`],
    ...results.flatMap((r) => r.urls ?? []),
    ["address book", book === undefined ? "-" : (await import("../deploy/addressBook")).addressBookPath("localhost")],
    ["log", `${logFile}  (Hardhat node, tracker, network)`],
  ]);
  printTable("Processes", [["pid", String(process.pid), "npm start"], ...children.map((c) => ["pid", String(c.process.pid), c.name])]);
}

let ctx: StartContext | undefined;

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

  await assertPortFree(options.port);

  // Hardhat reads these when it loads; the children inherit them.
  process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = "true";
  process.env.LOCALHOST_URL = rpcUrl;
  process.env.HARDHAT_NETWORK = "localhost";
  const hre = (await import("hardhat")).default as HardhatRuntimeEnvironment;
  console.log("compiling…");
  await hre.run("compile", { quiet: true });

  const logFile = path.join(os.tmpdir(), `session-devnet-${options.port}.log`);
  logStream = createWriteStream(logFile, { flags: "w" });
  console.log(`starting the Hardhat node on ${rpcUrl} (log: ${logFile})…`);
  const hardhatCli = require.resolve("hardhat/internal/cli/bootstrap.js");
  startChild("hardhat-node", process.execPath, [hardhatCli, "node", "--hostname", HOST, "--port", String(options.port)], {
    env: { ...process.env, HARDHAT_NETWORK: "hardhat" },
  });
  const node = children[0];
  await waitForNode(rpcUrl, node, 60_000);
  const watchExit = (child: Child) =>
    child.process.once("exit", (code) => {
      if (!shuttingDown) void shutdown(1, `${child.name} exited unexpectedly (code ${code}); see ${logFile}`);
    });
  watchExit(node);

  const { START_STEPS, newDevnetState } = await import("./devnet/steps");
  ctx = { hre, rpcUrl, port: options.port, devnet: newDevnetState(), spawn: startChild, log: (line) => console.log(line) };
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
  await statusTable(hre, rpcUrl, results, logFile, ctx.devnet);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\nready in ${seconds} s: the Session Network devnet is running at ${rpcUrl}${options.exitWhenReady ? "" : " (Ctrl-C stops it)"}`);
  if (options.exitWhenReady) await shutdown(0, "--exit-when-ready");
}

main().catch(async (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`\nnpm start failed: ${message}`);
  if (!(error instanceof StartError) && error instanceof Error && error.stack !== undefined && process.env.START_DEBUG === "1") {
    console.error(error.stack);
  }
  await shutdown(1, "error");
});
