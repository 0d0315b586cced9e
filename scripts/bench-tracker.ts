/**
 * `npm run bench:tracker`: fills a local `hardhat node` with ≥ 10,000 service nodes and ≥ 100,000
 * relevant events (test-only emitter), then measures in the same run:
 *  - a bare `eth_getLogs` sweep of the range (the tracker's block-range size, whose first range the tracker
 *    asks a quarter of; sequential requests, nothing but the request and JSON parsing),
 *  - the tracker's full sync (compiled CLI in a child process: no ts-node in its memory; a fresh process
 *    and a fresh database, from the deployment block, every time),
 *  - the tracker's peak RSS (VmHWM of that process),
 *  - steady-state lag (latest head − checkpoint) while blocks keep coming every 250 ms.
 * Machine noise (the 2 cores are shared; the node pauses for its own collections) moves single timings by
 * ±30 %, so the sweep and the sync are measured BENCH_ROUNDS times (default 5) interleaved — sweep, sync,
 * sweep, sync, … — after one unmeasured sweep (the node's first eth_getLogs runs cold), and the medians are
 * compared (speed = median sweep / median sync); every sample is kept in the snapshot. Peak RSS is the
 * maximum over the tracker runs; steady-state lag is measured once, by the last tracker process after
 * its sync. Writes bench-snapshots/tracker.json. Env: BENCH_NODES, BENCH_EVENTS, BENCH_RANGE,
 * BENCH_STEADY_S, BENCH_ROUNDS; BENCH_CPU_PROF=DIR writes a V8 CPU profile of every tracker process into
 * DIR (open it in Chrome DevTools).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { numberToHex } from "viem";
import {
  ROOT,
  deployEmitter,
  freePort,
  spawnTracked,
  startHardhatNode,
  stopChild,
  tmpDb,
  waitForOutput,
} from "../test/helpers/tracker";

const NODES = Number(process.env.BENCH_NODES ?? 10_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const RANGE = BigInt(process.env.BENCH_RANGE ?? 16);
const STEADY_S = Number(process.env.BENCH_STEADY_S ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONFIRMATIONS = 20n;
const POLL_MS = 500;
const NODES_PER_TX = 100;
const BALANCES_PER_TX = 1_000;

const say = (msg: string): void => void process.stderr.write(`[bench:tracker] ${msg}\n`);
const peakRssMb = (pid: number): number => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : -1;
};
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
};

async function main(): Promise<void> {
  say("compiling the tracker to JavaScript (dist/bench-tracker)");
  const outDir = join(ROOT, "dist", "bench-tracker");
  execFileSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "src/tracker/cli.ts", "--outDir", outDir, "--rootDir", ".", "--target", "es2022", "--module", "commonjs", "--esModuleInterop", "--skipLibCheck", "--resolveJsonModule", "--strict"],
    { cwd: ROOT, stdio: "inherit" },
  );

  const node = await startHardhatNode();
  try {
    const emitter = await deployEmitter(node);
    say(`loading ${NODES} nodes and ${EVENTS - NODES} balance events`);
    const loadStart = Date.now();
    const balanceTxs = Math.ceil((EVENTS - NODES) / BALANCES_PER_TX);
    const nodeTxs = Math.ceil(NODES / NODES_PER_TX);
    let nodeId = 1n;
    let recipient = 0x100000n;
    for (let i = 0; i < Math.max(nodeTxs, balanceTxs); i++) {
      if (i < nodeTxs) {
        const count = Math.min(NODES_PER_TX, NODES - (nodeId - 1n > BigInt(NODES) ? NODES : Number(nodeId - 1n)));
        await node.wallet.writeContract({
          address: emitter.address,
          abi: (await import("viem")).parseAbi(["function emitNewServiceNodes(uint64,uint64,uint256,address,uint256)"]),
          functionName: "emitNewServiceNodes",
          args: [nodeId, BigInt(count), 1000n + nodeId, node.account, 25_000_000_000_000n],
          account: node.account,
          chain: null,
          gas: 25_000_000n,
        });
        nodeId += BigInt(count);
      }
      if (i < balanceTxs) {
        await node.wallet.writeContract({
          address: emitter.address,
          abi: (await import("viem")).parseAbi(["function emitRewardsBalanceBatch(uint160,uint160,uint256)"]),
          functionName: "emitRewardsBalanceBatch",
          args: [recipient, BigInt(BALANCES_PER_TX), 10n ** 12n],
          account: node.account,
          chain: null,
          gas: 25_000_000n,
        });
        recipient += BigInt(BALANCES_PER_TX);
      }
      if (i % 20 === 0) say(`  tx ${i}/${Math.max(nodeTxs, balanceTxs)}`);
    }
    // Bury the load under the confirmation depth so all of it is at or below the safe head.
    // (evm_mine, not hardhat_mine: hardhat_mine's reserved blocks report a zero parentHash, which the
    // tracker rightly refuses to follow.)
    for (let i = 0n; i < CONFIRMATIONS; i++) await node.client.request({ method: "evm_mine" } as never);
    const head = await node.client.getBlockNumber({ cacheTime: 0 });
    say(`loaded in ${((Date.now() - loadStart) / 1000).toFixed(1)} s; blocks ${emitter.deployBlock}..${head}`);

    const target = head - CONFIRMATIONS;

    // Bare sweep: the same ranges, nothing but eth_getLogs and JSON parsing, one request after the other.
    const bareSweep = async (): Promise<{ ms: number; logs: number }> => {
      const sweepStart = Date.now();
      let swept = 0;
      for (let from = emitter.deployBlock; from <= target; from += RANGE) {
        const to = from + RANGE - 1n > target ? target : from + RANGE - 1n;
        const logs = (await node.client.request({
          method: "eth_getLogs",
          params: [{ address: [emitter.address], fromBlock: numberToHex(from), toBlock: numberToHex(to) }],
        } as never)) as unknown[];
        swept += logs.length;
      }
      return { ms: Date.now() - sweepStart, logs: swept };
    };

    // Tracker full sync: a fresh child process with a fresh database, from the deployment block.
    const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : [];
    const trackerSync = async (): Promise<{ ms: number; port: number; child: ReturnType<typeof spawnTracked> }> => {
      const port = await freePort();
      const child = spawnTracked(process.execPath, [
        ...profile,
        join(outDir, "src/tracker/cli.js"),
        "--rpc", node.url, "--chain-id", "31337",
        "--rewards", emitter.address, "--factory", emitter.address,
        "--start-block", emitter.deployBlock.toString(), "--db", tmpDb("bench"),
        "--safe-head", "depth", "--confirmations", CONFIRMATIONS.toString(),
        "--batch-initial", RANGE.toString(), "--batch-max", RANGE.toString(),
        "--poll-ms", String(POLL_MS), "--reward-rate-interval", "0", "--reconcile-ms", "0",
        "--port", String(port), "--no-progress",
      ]);
      if (process.env.BENCH_DEBUG) child.stdout?.on("data", (c: Buffer) => process.stderr.write(c));
      await waitForOutput(child, /"msg":"tracker starting"/, 60_000);
      const syncStart = Date.now();
      await waitForOutput(child, /"msg":"caught up"/, 3_600_000);
      return { ms: Date.now() - syncStart, port, child };
    };

    const bareSamples: number[] = [];
    const syncSamples: number[] = [];
    const rssSamples: number[] = [];
    let swept = 0;
    let last: { port: number; child: ReturnType<typeof spawnTracked> } | null = null;
    say(`warm-up sweep (not measured): ${(await bareSweep()).ms} ms`);
    for (let round = 1; round <= ROUNDS; round++) {
      const bare = await bareSweep();
      bareSamples.push(bare.ms);
      swept = bare.logs;
      say(`round ${round}/${ROUNDS}: bare eth_getLogs sweep: ${bare.logs} logs in ${bare.ms} ms`);
      const sync = await trackerSync();
      syncSamples.push(sync.ms);
      const status = (await (await fetch(`http://127.0.0.1:${sync.port}/status`)).json()) as { checkpoint: { number: string } };
      const nodesServed = ((await (await fetch(`http://127.0.0.1:${sync.port}/nodes?status=active`)).json()) as { count: number }).count;
      say(`round ${round}/${ROUNDS}: tracker full sync: ${sync.ms} ms to block ${status.checkpoint.number}; ${nodesServed} active nodes served`);
      if (nodesServed !== NODES) throw new Error(`the tracker serves ${nodesServed} active nodes after its sync; expected ${NODES}`);
      if (round < ROUNDS) {
        rssSamples.push(peakRssMb(sync.child.pid!));
        await stopChild(sync.child, "SIGTERM");
      } else last = sync;
    }
    const { port, child } = last!;

    // Steady state: a block every 250 ms; sample the lag every 100 ms.
    const lags: number[] = [];
    let stop = false;
    const producer = (async () => {
      let i = 0n;
      while (!stop) {
        await node.wallet.writeContract({
          address: emitter.address,
          abi: (await import("viem")).parseAbi(["function emitRewardsClaimed(address,uint256)"]),
          functionName: "emitRewardsClaimed",
          args: [node.account, ++i],
          account: node.account,
          chain: null,
        });
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const until = Date.now() + STEADY_S * 1000;
    while (Date.now() < until) {
      const [latest, s] = await Promise.all([
        node.client.getBlockNumber({ cacheTime: 0 }),
        fetch(`http://127.0.0.1:${port}/status`).then((r) => r.json() as Promise<{ checkpoint: { number: string } }>),
      ]);
      lags.push(Number(latest - BigInt(s.checkpoint.number)));
      if (process.env.BENCH_DEBUG) say(JSON.stringify({ latest: latest.toString(), ...(s as object) }).slice(0, 400));
      await new Promise((r) => setTimeout(r, 100));
    }
    stop = true;
    await producer;
    rssSamples.push(peakRssMb(child.pid!));
    await stopChild(child, "SIGTERM");
    const bareMs = median(bareSamples);
    const syncMs = median(syncSamples);

    const blocksPerPoll = Math.ceil(POLL_MS / 250);
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "?", node: process.version },
      load: { serviceNodes: NODES, relevantEvents: swept, blocks: Number(target - emitter.deployBlock + 1n), rangeBlocks: Number(RANGE) },
      rounds: ROUNDS,
      bareSweepMs: bareMs,
      trackerSyncMs: syncMs,
      bareSweepMsSamples: bareSamples,
      trackerSyncMsSamples: syncSamples,
      speedVsBareSweep: Math.round((bareMs / syncMs) * 100) / 100,
      targetSpeed: 0.8,
      peakRssMb: Math.max(...rssSamples),
      peakRssMbSamples: rssSamples,
      targetPeakRssMb: 250,
      steadyState: {
        confirmations: Number(CONFIRMATIONS),
        pollMs: POLL_MS,
        blockIntervalMs: 250,
        maxLagBlocks: Math.max(...lags),
        meanLagBlocks: Math.round((lags.reduce((a, b) => a + b, 0) / lags.length) * 10) / 10,
        targetMaxLagBlocks: Number(CONFIRMATIONS) + blocksPerPoll,
        samples: lags.length,
      },
      note: "medians of interleaved rounds after one unmeasured warm-up sweep (sweep, sync, sweep, sync, …; speed = median sweep / median sync); single provider (no cross-check); each sync a fresh tracker process running the tsc-compiled CLI with a fresh database; times exclude process start-up; peak RSS = max over the tracker processes",
    };
    mkdirSync(join(ROOT, "bench-snapshots"), { recursive: true });
    writeFileSync(join(ROOT, "bench-snapshots", "tracker.json"), JSON.stringify(result, null, 2) + "\n");
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  } finally {
    await node.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:tracker failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
