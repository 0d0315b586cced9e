/**
 * Issue 22 item 3: with `--processes 2` the daemon supervises its worker processes. A worker killed with
 * SIGKILL is noticed at once (GET /status on the aggregator's port answers 503 "degraded" with the worker
 * restarting and the exit reason; /metrics says one worker up), restarted with the same nodes on the same
 * ports, and the network then signs with every node again (the answer is accepted by the registry). A
 * worker that dies more often than --max-restarts within --restart-window is reported failed and left
 * down. Closing the daemon, even while a restart is in progress, leaves no worker process behind.
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { readdirSync, readFileSync } from "node:fs";
import { parseStartArgs } from "../../src/network/config";
import { startNetwork, type NetworkHealth, type RunningNetwork } from "../../src/network/daemon";
import { deriveNodeKeys, registrationParams } from "../../src/network/keys";
import { rpcCall } from "../../src/network/rpc";
import { eventually } from "../helpers/eventually";
import { serveInProcessChain, type ServedChain } from "../helpers/inProcessChain";
import { deployServiceNodeRewards, STAKING_REQUIREMENT, type Deployment } from "../helpers/serviceNodeRewards";

const SEED = "supervision-test";
const NODES = 6;

interface RewardsReply {
  amount: string;
  signers: number;
  non_signer_ids: string[];
  signature: Record<string, string>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Live child processes of this (test) process that run the network's worker entry point. */
function workerChildren(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
      if (ppid !== process.pid || state === "Z") continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("src/network/worker")) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function status(url: string): Promise<{ code: number; body: NetworkHealth }> {
  const response = await fetch(`${url}status`);
  return { code: response.status, body: (await response.json()) as NetworkHealth };
}

async function metric(url: string, line: RegExp): Promise<number | null> {
  const text = await (await fetch(`${url}metrics`)).text();
  const m = new RegExp(`^${line.source} (\\S+)$`, "m").exec(text);
  return m === null ? null : Number(m[1]);
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("network daemon supervises its worker processes (--processes 2)", function () {
  this.timeout(900_000);
  let d: Deployment;
  let server: ServedChain;
  let rpcUrl: string;
  let net: RunningNetwork | undefined;
  const logs: string[] = [];
  const seenPids = new Set<number>();

  before(async () => {
    d = await deployServiceNodeRewards({ seeded: 0, label: "supervision" });
    server = await serveInProcessChain();
    rpcUrl = server.url;
    const operators = d.accounts.slice(0, NODES).map((a) => a.address);
    for (const [i, r] of registrationParams(deriveNodeKeys(SEED, NODES), d.network.domain, operators).entries()) {
      await d.token.connect(d.accounts[i]).approve(d.address, STAKING_REQUIREMENT);
      await d.snr.connect(d.accounts[i]).addBLSPublicKey(r.blsPubkey, r.proofOfPossession, r.serviceNodeParams, []);
    }
    const config = parseStartArgs([
      ...["--seed", SEED, "--nodes", String(NODES), "--processes", "2", "--rpc", rpcUrl, "--rewards", d.address, "--port", "0"],
      ...["--min-active", "0", "--sync-ms", "200", "--timeout-ms", "20000", "--max-restarts", "1", "--restart-window", "3600"],
    ]);
    net = await startNetwork(config, (line) => logs.push(line));
    for (const w of (await net.health()).workers) seenPids.add(w.pid!);
  });

  after(async () => {
    await net?.close();
    await server?.close();
  });

  it("reports both workers up while all is well", async () => {
    const { code, body } = await status(net!.aggregatorUrl);
    expect(code).to.equal(200);
    expect(body.status).to.equal("ready");
    expect(body.workers.map((w) => [w.process, w.nodes, w.state, w.restarts, w.lastExit])).to.deep.equal([
      [1, [0, 1, 2], "up", 0, null],
      [2, [3, 4, 5], "up", 0, null],
    ]);
    expect(await metric(net!.aggregatorUrl, /network_workers_up/)).to.equal(2);
    expect(await metric(net!.aggregatorUrl, /network_ready/)).to.equal(1);
  });

  it("notices a SIGKILLed worker at once, restarts it with the same nodes and ports, and signing resumes with every node", async () => {
    const url = net!.aggregatorUrl;
    const urlsBefore = net!.nodes.map((n) => n.url);
    const victim = (await net!.health()).workers[0].pid!;
    process.kill(victim, "SIGKILL");

    // Down: health says so (not ready) within moments, naming the reason; metrics count one worker up.
    const down = await until("the health to show worker 1 down", 2_000, async () => {
      const s = await status(url);
      return s.body.workers[0].state !== "up" ? s : undefined;
    });
    expect(down.code).to.equal(503);
    expect(down.body.status).to.equal("degraded");
    expect(down.body.workersUp).to.equal(1);
    expect(down.body.workers[0].state).to.equal("restarting");
    expect(down.body.workers[0].lastExit?.reason).to.equal("was killed by SIGKILL");
    expect(await metric(url, /network_workers_up/)).to.equal(1);
    expect(await metric(url, /network_ready/)).to.equal(0);
    expect(logs.join("\n")).to.match(/worker 1 \(nodes 0…2\) was killed by SIGKILL; restarting it in 0\.5 s \(restart 1 of at most 1 in 3600 s\)/);

    // Up again, restarts = 1, a new process with the same nodes on the same ports.
    const up = await until("worker 1 to be restarted", 240_000, async () => {
      const s = await status(url);
      return s.body.status === "ready" ? s : undefined;
    });
    expect(up.code).to.equal(200);
    expect(up.body.restarts).to.equal(1);
    expect(up.body.workers[0]).to.include({ state: "up", restarts: 1 });
    expect(up.body.workers[0].pid).to.not.equal(victim);
    expect(alive(victim)).to.equal(false);
    seenPids.add(up.body.workers[0].pid!);
    expect(net!.nodes.map((n) => n.url)).to.deep.equal(urlsBefore);
    expect(logs.join("\n")).to.match(/worker 1 \(nodes 0…2\) restarted \(pid \d+, restart 1\); its nodes listen on the same ports/);
    expect(await metric(url, /network_worker_restarts_total\{process="1"\}/)).to.equal(1);
    expect(await metric(url, /network_workers_up/)).to.equal(2);

    // Every node signs again; the registry accepts the aggregate with no non-signers.
    await time.increase(3600);
    const operator = d.accounts[0].address;
    const answer = (await eventually(() => rpcCall(url, "bls_rewards_request", { address: operator }), (o) => !(o instanceof Error) && (o as RewardsReply).signers === NODES, 30_000)) as RewardsReply;
    if ((answer as unknown) instanceof Error) throw answer;
    expect(answer.signers).to.equal(NODES);
    expect(answer.non_signer_ids).to.deep.equal([]);
    const amount = BigInt(answer.amount);
    const sig = Object.fromEntries(Object.entries(answer.signature).map(([k, v]) => [k, BigInt(v)]));
    await expect(d.snr.updateRewardsBalance(operator, amount, sig as never, [])).to.emit(d.snr, "RewardsBalanceUpdated").withArgs(operator, amount, 0n);
  });

  it("reports a worker that dies past --max-restarts as failed and does not restart it", async () => {
    const url = net!.aggregatorUrl;
    const victim = (await net!.health()).workers[0].pid!;
    process.kill(victim, "SIGKILL");
    const failed = await until("worker 1 to be reported failed", 5_000, async () => {
      const s = await status(url);
      return s.body.status === "failed" ? s : undefined;
    });
    expect(failed.code).to.equal(503);
    expect(failed.body.workers[0]).to.deep.include({ state: "failed", pid: null, restarts: 1 });
    expect(failed.body.workers[0].lastExit?.reason).to.equal("was killed by SIGKILL");
    expect(logs.join("\n")).to.match(/worker 1 \(nodes 0…2\) was killed by SIGKILL; it was restarted 1 time in the last 3600 s \(at most 1\): not restarting it/);
    expect(await metric(url, /network_workers_failed/)).to.equal(1);
    // Not restarted behind our back: still one worker process after the first backoff would have passed.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await status(url)).body.workers[0].state).to.equal("failed");
    expect(workerChildren()).to.deep.equal([(await net!.health()).workers[1].pid]);
  });

  it("closing the daemon while a worker is being restarted leaves no worker process", async () => {
    const victim = (await net!.health()).workers[1].pid!;
    process.kill(victim, "SIGKILL");
    // The replacement is forked after the 0.5 s backoff; close while it is still starting.
    const replacement = await until("the replacement worker to be forked", 10_000, async () => workerChildren().find((pid) => pid !== victim));
    seenPids.add(replacement);
    expect((await net!.health()).workers[1].state).to.equal("restarting");
    await net!.close();
    for (const pid of seenPids) expect(alive(pid), `worker ${pid}`).to.equal(false);
    expect(workerChildren()).to.deep.equal([]);
    expect(await rpcCall(net!.aggregatorUrl, "bls_exit_liquidation_list", {}).catch((e: Error) => e.message)).to.match(/unreachable/);
    net = undefined;
  });
});
