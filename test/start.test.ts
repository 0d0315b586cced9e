import { expect } from "chai";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { isAlive, processTree } from "../scripts/devnet/harness";

const ROOT = path.resolve(__dirname, "..");
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

/** Runs `ts-node --transpile-only scripts/start.ts …args` — the `npm start` command line. */
function start(args: readonly string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [TS_NODE, "--transpile-only", "scripts/start.ts", ...args], {
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

  it("starts a node, deploys, nodes, tracker, network, names, prints ready, and on SIGINT stops every child and exits 0", async () => {
    const port = await freePort();
    const started = start(["--port", String(port)], { DEPLOYMENTS_DIR: dir });
    running.push(started.child);
    await waitFor(started, /^ready in [\d.]+ s: .*http:\/\/127\.0\.0\.1:\d+/m, 350_000);
    const tree = processTree(started.child.pid!);

    const text = started.output();
    expect(text).to.match(/Service nodes \(6 solo, 6 pooled\)/);
    expect(text).to.match(/Pools open for contribution[^\n]*\n[^\n]*\n\s+0x[0-9a-fA-F]{40}\s+#3\s+6250 SESH of 25000 SESH\s+1718\.75 SESH\s+#4: 5000 SESH/);
    expect(text).to.match(/alice\.session\s+0x70997970C51812dc3A010C7d01b50e0d17dc79C8/);
    expect(text).to.match(/tracker status page\s+http:\/\/127\.0\.0\.1:\d+\//);
    expect(text).to.match(/aggregator JSON-RPC\s+http:\/\/127\.0\.0\.1:\d+\//);
    for (const name of ["hardhat-node", "tracker", "network"]) {
      const pid = Number(new RegExp(`pid\\s+(\\d+)\\s+${name}$`, "m").exec(text)?.[1]);
      expect(tree, `${name} (pid ${pid}) is a child of npm start`).to.include(pid);
    }
    expect(text).to.match(new RegExp(`JSON-RPC\\s+http://127\\.0\\.0\\.1:${port}\\s+\\(chain id 31337\\)`));
    expect(text).to.match(/RewardRatePool\s+0x[0-9a-fA-F]{40} \(implementation 0x[0-9a-fA-F]{40}\)/);
    expect(text).to.match(/reward rate\s+22\.98\d* SESH per 2-minute block/);
    expect(await rpc(port, "eth_chainId", [])).to.equal("0x7a69");

    const bookFile = path.join(dir, "localhost.json");
    expect(existsSync(bookFile)).to.equal(true);
    const book = JSON.parse(readFileSync(bookFile, "utf8"));
    expect(book.chainId).to.equal(31337);
    for (const name of ["SESH", "RewardRatePool"]) {
      expect(await rpc(port, "eth_getCode", [book.contracts[name].address, "latest"])).to.not.equal("0x");
    }
    expect(hardhatNodesOn(port)).to.have.length(1);

    started.child.kill("SIGINT");
    const { code, signal } = await started.exited;
    expect({ code, signal }).to.deep.equal({ code: 0, signal: null });
    expect(started.output()).to.match(/SIGINT: stopping…\nstopped/);
    expect(await portOpen(port)).to.equal(false);
    expect(hardhatNodesOn(port)).to.deep.equal([]);
    expect(tree.filter(isAlive)).to.deep.equal([]);
  });

  it("with START_EXIT_WHEN_READY=1 stops by itself after ready, exit code 0, nothing left running", async () => {
    const port = await freePort();
    const started = start(["--port", String(port)], { DEPLOYMENTS_DIR: dir, START_EXIT_WHEN_READY: "1" });
    running.push(started.child);
    const { code } = await started.exited;
    expect(code, started.output()).to.equal(0);
    expect(started.output()).to.match(/^ready in [\d.]+ s: /m);
    expect(await portOpen(port)).to.equal(false);
    expect(hardhatNodesOn(port)).to.deep.equal([]);
  });

  it("fails clearly, with exit code 1, when the port is taken", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const { port } = server.address() as net.AddressInfo;
    try {
      const started = start(["--port", String(port), "--exit-when-ready"], { DEPLOYMENTS_DIR: dir });
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
    const port = await freePort();
    const saved = process.env.DEPLOYMENTS_DIR;
    process.env.DEPLOYMENTS_DIR = dir;
    try {
      await hre.run("devnet", { port: String(port), exitWhenReady: true });
    } finally {
      if (saved === undefined) delete process.env.DEPLOYMENTS_DIR;
      else process.env.DEPLOYMENTS_DIR = saved;
    }
    expect(JSON.parse(readFileSync(path.join(dir, "localhost.json"), "utf8")).contracts).to.include.keys(
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
