import { expect } from "chai";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freeStartPorts, isAlive, processTree } from "../../scripts/devnet/harness";

const ROOT = path.resolve(__dirname, "..", "..");
const TS_NODE = require.resolve("ts-node/dist/bin.js");

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Processes whose command line mentions a hardhat node on `port`. */
function hardhatNodesOn(port: number): string[] {
  const lines = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" }).split("\n");
  return lines.filter((l) => l.includes("hardhat") && l.includes(" node") && l.includes(`--port ${port}`));
}

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `ts-node --transpile-only scripts/start.ts …args` — what `npm start` runs — or `npm start -- …args` itself. */
function start(args: readonly string[], env: NodeJS.ProcessEnv, viaNpm = false): Started {
  const [command, argv] = viaNpm ? ["npm", ["start", "--", ...args]] : [process.execPath, [TS_NODE, "--transpile-only", "scripts/start.ts", ...args]];
  const child = spawn(command, argv, {
    cwd: ROOT,
    // CI=true would make the main job stop by itself after ready; these tests choose that explicitly.
    env: { ...process.env, CI: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => text, exited };
}

async function waitFor(started: Started, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(started.output())) {
    if (started.child.exitCode !== null) throw new Error(`start exited (${started.child.exitCode}) before ${pattern}:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function rpc(port: number, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await response.json()) as { result: unknown }).result;
}

describe("npm start (scripts/start.ts)", function () {
  this.timeout(400_000);
  let dir: string;
  const running: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "deployments-start-"));
  });
  afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  /** Polls until every pid is gone (the tree stops in order: each child gets up to 5 s). */
  async function allGone(pids: readonly number[], timeoutMs = 30_000): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    return pids.filter(isAlive);
  }

  const pidOf = (text: string, name: string): number => Number(new RegExp(`pid\\s+(\\d+)\\s+${name}$`, "m").exec(text)?.[1]);

  it("npm start: ready on fixed-or-given ports, blocks every second, a killed tracker is restarted on the same chain, SIGTERM to its pid stops the whole tree", async () => {
    const { port, args } = await freeStartPorts();
    const trackerPort = Number(args[3]);
    const started = start(args, { DEPLOYMENTS_DIR: dir }, true);
    running.push(started.child);
    await waitFor(started, /^ready in [\d.]+ s: .*http:\/\/127\.0\.0\.1:\d+/m, 350_000);
    const tree = processTree(started.child.pid!);

    const text = started.output();
    expect(text).to.match(/Service nodes \(6 solo, 6 pooled\)/);
    expect(text).to.match(/Pools open for contribution[^\n]*\n[^\n]*\n\s+0x[0-9a-fA-F]{40}\s+#3\s+6250 SESH of 25000 SESH\s+1718\.75 SESH\s+#4: 5000 SESH/);
    expect(text).to.match(/alice\.session\s+0x70997970C51812dc3A010C7d01b50e0d17dc79C8/);
    expect(text).to.match(new RegExp(`tracker status page\\s+http://127\\.0\\.0\\.1:${trackerPort}/`));
    expect(text).to.match(new RegExp(`aggregator JSON-RPC\\s+http://127\\.0\\.0\\.1:${args[5]}/`));
    expect(text).to.include(`export AGGREGATOR=http://127.0.0.1:${args[5]}/`);
    // Printed commands reach this devnet, not the default port's.
    expect(text).to.include(`DEVNET_ACCOUNT=N LOCALHOST_URL=http://127.0.0.1:${port} npx hardhat --network localhost <task>`);
    for (const name of ["hardhat-node", "tracker", "network"]) {
      const pid = pidOf(text, name);
      expect(tree, `${name} (pid ${pid}) is a child of npm start`).to.include(pid);
    }
    expect(text).to.match(new RegExp(`JSON-RPC\\s+http://127\\.0\\.0\\.1:${port}\\s+\\(chain id 31337; a block every 1 s`));
    expect(text).to.match(/RewardRatePool\s+0x[0-9a-fA-F]{40} \(implementation 0x[0-9a-fA-F]{40}\)/);
    expect(text).to.match(/reward rate\s+22\.98\d* SESH per 2-minute block/);
    expect(await rpc(port, "eth_chainId", [])).to.equal("0x7a69");

    // The address book is this port's own; the devnet record beside it names the services.
    const bookFile = path.join(dir, `localhost-${port}.json`);
    expect(existsSync(bookFile)).to.equal(true);
    expect(existsSync(path.join(dir, "localhost.json"))).to.equal(false);
    const book = JSON.parse(readFileSync(bookFile, "utf8"));
    expect(book.chainId).to.equal(31337);
    for (const name of ["SESH", "RewardRatePool"]) {
      expect(await rpc(port, "eth_getCode", [book.contracts[name].address, "latest"])).to.not.equal("0x");
    }
    const record = JSON.parse(readFileSync(path.join(dir, `localhost-${port}.devnet.json`), "utf8"));
    expect(record).to.include({ rpcUrl: `http://127.0.0.1:${port}`, trackerUrl: `http://127.0.0.1:${trackerPort}` });
    expect(hardhatNodesOn(port)).to.have.length(1);

    // Item 1: blocks come without transactions (1 s interval).
    const head = Number(await rpc(port, "eth_blockNumber", []));
    await new Promise((r) => setTimeout(r, 3_500));
    expect(Number(await rpc(port, "eth_blockNumber", []))).to.be.greaterThanOrEqual(head + 2);

    // Item 5: a killed tracker is restarted, resumes on the same chain; the node is untouched.
    const nodePid = pidOf(text, "hardhat-node");
    const trackerPid = pidOf(text, "tracker");
    process.kill(trackerPid, "SIGKILL");
    await waitFor(started, /! tracker restarted: pid \d+/, 60_000);
    expect(started.output()).to.match(new RegExp(`! tracker \\(pid ${trackerPid}\\) exited unexpectedly \\(signal SIGKILL\\); restarting it — it resumes from its database`));
    const newTrackerPid = Number(/! tracker restarted: pid (\d+)/.exec(started.output())![1]);
    expect(newTrackerPid).to.not.equal(trackerPid);
    const deadline = Date.now() + 60_000;
    let checkpoint = 0;
    while (Date.now() < deadline) {
      const status = await fetch(`http://127.0.0.1:${trackerPort}/status`).then((r) => r.json() as Promise<{ checkpoint: { number: string } | null }>).catch(() => undefined);
      checkpoint = Number(status?.checkpoint?.number ?? 0);
      if (checkpoint > head) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(checkpoint, "the restarted tracker follows the same chain past the head before the kill").to.be.greaterThan(head);
    expect(isAlive(nodePid)).to.equal(true);
    expect(await rpc(port, "eth_getCode", [book.contracts.SESH.address, "latest"])).to.not.equal("0x");
    const fullTree = [...new Set([...tree, ...processTree(started.child.pid!)])];

    // SIGTERM to the npm process alone (not its group) stops everything.
    started.child.kill("SIGTERM");
    await started.exited;
    expect(await allGone(fullTree), started.output()).to.deep.equal([]);
    expect(started.output()).to.match(/SIGTERM: stopping…\nstopped/);
    expect(await portOpen(port)).to.equal(false);
    expect(await portOpen(trackerPort)).to.equal(false);
    expect(hardhatNodesOn(port)).to.deep.equal([]);
    expect(existsSync(path.join(dir, `localhost-${port}.devnet.json`))).to.equal(false);
  });

  it("npm start: SIGINT to its pid alone stops every process and exits", async () => {
    const { port, args } = await freeStartPorts();
    const started = start(args, { DEPLOYMENTS_DIR: dir }, true);
    running.push(started.child);
    await waitFor(started, /^ready in [\d.]+ s: /m, 350_000);
    const tree = processTree(started.child.pid!);
    expect(tree.length).to.be.greaterThanOrEqual(4);
    started.child.kill("SIGINT");
    await started.exited;
    expect(await allGone(tree), started.output()).to.deep.equal([]);
    expect(started.output()).to.match(/SIGINT: stopping…\nstopped/);
    expect(await portOpen(port)).to.equal(false);
    expect(hardhatNodesOn(port)).to.deep.equal([]);
  });

  it("fails clearly, with exit code 1, when the port is taken", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const { port } = server.address() as net.AddressInfo;
    try {
      const started = start(["--port", String(port), "--tracker-port", String(await freePort()), "--aggregator-port", String(await freePort()), "--exit-when-ready"], { DEPLOYMENTS_DIR: dir });
      running.push(started.child);
      const { code } = await started.exited;
      expect(code).to.equal(1);
      expect(started.output()).to.include(
        `port ${port} on 127.0.0.1 is already in use (another hardhat node or npm start?): stop it, or run \`npm start -- --port ${port + 1}\``,
      );
      expect(hardhatNodesOn(port)).to.deep.equal([]);
    } finally {
      server.close();
    }
  });

  it("the devnet task runs the same entry point", async () => {
    const hre = (await import("hardhat")).default;
    const { port, args } = await freeStartPorts();
    const saved = process.env.DEPLOYMENTS_DIR;
    process.env.DEPLOYMENTS_DIR = dir;
    try {
      await hre.run("devnet", { port: String(port), trackerPort: args[3], aggregatorPort: args[5], exitWhenReady: true });
    } finally {
      if (saved === undefined) delete process.env.DEPLOYMENTS_DIR;
      else process.env.DEPLOYMENTS_DIR = saved;
    }
    expect(JSON.parse(readFileSync(path.join(dir, `localhost-${port}.json`), "utf8")).contracts).to.include.keys(
      "SESH",
      "RewardRatePool",
      "ServiceNodeRewards",
      "ServiceNodeContributionFactory",
      "SessionNameService",
      "SessionNameCommitments",
      "SessionNameResolver",
      "SessionNameReverse",
    );
    expect(await portOpen(port)).to.equal(false);
    expect(hardhatNodesOn(port)).to.deep.equal([]);
    await expect(hre.run("devnet", { port: "0" })).to.be.rejectedWith(/--port: "0" is not a positive whole number/);
  });

  it("--help says every run starts fresh; --resume is refused with the reason", async () => {
    const help = start(["--help"], { DEPLOYMENTS_DIR: dir });
    running.push(help.child);
    expect((await help.exited).code).to.equal(0);
    expect(help.output()).to.include("Every run starts fresh");
    const resume = start(["--resume"], { DEPLOYMENTS_DIR: dir });
    running.push(resume.child);
    expect((await resume.exited).code).to.equal(1);
    expect(resume.output()).to.include("--resume is not supported: the Hardhat node keeps no state, so every run starts fresh (see --help)");
  });

  it("rejects a bad --port before starting anything", async () => {
    const started = start(["--port", "99999"], { DEPLOYMENTS_DIR: dir });
    running.push(started.child);
    const { code } = await started.exited;
    expect(code).to.equal(1);
    expect(started.output()).to.include('--port "99999" is not a TCP port: give 1…65535, e.g. 8546');
  });
});
