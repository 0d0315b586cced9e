/**
 * `npm run bench:api`: the tracker's HTTP API under load. Starts a `hardhat node`, fills it through the
 * test-only event emitter with a network the size of the live one (BENCH_API_NODES service nodes, default
 * 2,000, 20 per operator; BENCH_API_POOLS open pools, default 30, each its own contract announced by the
 * factory; BENCH_API_NAMES names, default 300, 5 per owner), starts the tracker CLI (a child process, its
 * own core) on it, waits for the mirror to reach the head, then sends BENCH_API_REQUESTS requests (default
 * 20,000, after 1,000 unmeasured warm-up requests) from CONCURRENCY = 50 keep-alive connections over a
 * fixed mix of the routes the portal, wallets and the status page use:
 *
 *   /status 25 % · /nodes/:id 20 % · /nodes?contributor= 15 % · /pools?open=true 15 % · /names?owner= 10 % ·
 *   /names/:namehash 10 % · /nodes (all 2,000) 5 %
 *
 * Prints requests/s and p50/p99 latency per route and overall, and the tracker process's requests per
 * CPU-second (its capacity per core, whatever else the machine runs), and writes `bench-snapshots/api.json`
 * (BENCH_NOTE=… is written into it as the note on the conditions). The goal is checked on the overall
 * figures and per CPU-second (GOAL below). No request may fail: any non-200 aborts the bench.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { keccak256, parseAbi, toHex, type Address, type Hex } from "viem";
import { deployEmitter, emitEventRaw, freePort, ROOT, spawnTracked, startHardhatNode, stopChild, tmpDb, type Emitter } from "../test/helpers/tracker";

const NODES = Number(process.env.BENCH_API_NODES ?? 2_000);
const POOLS = Number(process.env.BENCH_API_POOLS ?? 30);
const NAMES = Number(process.env.BENCH_API_NAMES ?? 300);
const REQUESTS = Number(process.env.BENCH_API_REQUESTS ?? 20_000);
const WARMUP = 1_000;
const CONCURRENCY = 50;
const NODES_PER_OPERATOR = 20;
const NAMES_PER_OWNER = 5;
/**
 * The goal, overall at concurrency 50, on one core for the tracker: ≥ 500 requests/s — an open portal tab
 * asks about 0.5 requests/s (/status and /pools every 5 s, /nodes every 10 s), so one tracker core serves
 * ~1,000 open tabs, and a public deployment adds cores or a cache in front — with p99 ≤ 250 ms, so a page
 * (≤ 5 requests at once) has its data within half a second even at that load. Measured first: 320 requests
 * per tracker CPU-second when every list request re-parsed the 2,000-node table, 650 once lists are parsed
 * once per checkpoint. The wall figures need a quiet machine; the tracker's requests per CPU-second (its
 * capacity per core, whatever else runs) are checked against the same 500.
 */
const GOAL = { requestsPerSecond: 500, p99Ms: 250 } as const;

/** User + system CPU seconds a process has used so far (/proc/PID/stat, clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const say = (msg: string): void => void process.stderr.write(`[bench:api] ${msg}\n`);
const operatorOf = (k: number): Address => `0x${(0x0a00_0000 + k).toString(16).padStart(40, "0")}` as Address;
const ownerOf = (k: number): Address => `0x${(0x0b00_0000 + k).toString(16).padStart(40, "0")}` as Address;
const namehashOf = (i: number): Hex => keccak256(toHex(`bench-api-name-${i}`));
const ZERO: Address = "0x0000000000000000000000000000000000000000";

const extraAbi = parseAbi([
  "event Transfer(address indexed from, address indexed to, uint256 indexed tokenId)",
  "event NameRegistered(bytes32 indexed node, address indexed owner, address indexed payer, uint64 expiry, uint256 fee)",
  "event OpenForPublicContribution(uint256 indexed serviceNodePubkey, address indexed operator, uint16 fee)",
]);

interface Route {
  readonly name: string;
  readonly weight: number;
  readonly path: (i: number) => string;
}

const ROUTES: readonly Route[] = [
  { name: "/status", weight: 25, path: () => "/status" },
  { name: "/nodes/:id", weight: 20, path: (i) => `/nodes/${1 + ((i * 7919) % NODES)}` },
  { name: "/nodes?contributor=", weight: 15, path: (i) => `/nodes?contributor=${operatorOf(i % Math.ceil(NODES / NODES_PER_OPERATOR))}` },
  { name: "/pools?open=true", weight: 15, path: () => "/pools?open=true" },
  { name: "/names?owner=", weight: 10, path: (i) => `/names?owner=${ownerOf(i % Math.ceil(NAMES / NAMES_PER_OWNER))}` },
  { name: "/names/:namehash", weight: 10, path: (i) => `/names/${namehashOf((i * 31) % NAMES)}` },
  { name: "/nodes", weight: 5, path: () => "/nodes" },
];

/** Request i's route: a fixed interleaving with the weights above (deterministic, so runs compare). */
const schedule: readonly Route[] = ROUTES.flatMap((r) => Array.from({ length: r.weight }, () => r)).sort((a, b) => a.name.localeCompare(b.name));
const routeFor = (i: number): Route => schedule[(i * 37) % schedule.length];

function get(base: string, agent: Agent, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${p}`, { agent }, (res) => {
      res.on("data", () => {});
      res.on("end", () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`bench: GET ${p} answered ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end();
  });
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

interface RouteFigures {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function load(base: string, count: number, offset: number): Promise<{ overall: RouteFigures; routes: Record<string, RouteFigures> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies = new Map<string, number[]>(ROUTES.map((r) => [r.name, []]));
  const all: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = offset + next++;
        const route = routeFor(i);
        const t = process.hrtime.bigint();
        await get(base, agent, route.path(i));
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        latencies.get(route.name)!.push(ms);
        all.push(ms);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  const figures = (xs: number[]): RouteFigures => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { requests: xs.length, requestsPerSecond: Math.round(xs.length / seconds), p50Ms: Math.round(percentile(sorted, 0.5) * 10) / 10, p99Ms: Math.round(percentile(sorted, 0.99) * 10) / 10 };
  };
  return { overall: figures(all), routes: Object.fromEntries([...latencies].map(([name, xs]) => [name, figures(xs)])) };
}

/** Service nodes, pools and names, through the emitter (registry, factory, name service, reward pool) and one emitter per pool. */
async function fill(node: Awaited<ReturnType<typeof startHardhatNode>>, main: Emitter): Promise<void> {
  await main.call("setRewardRate", [12_000_000_000n]);
  const operators = Math.ceil(NODES / NODES_PER_OPERATOR);
  for (let k = 0; k < operators; k++) {
    const first = k * NODES_PER_OPERATOR + 1;
    const count = Math.min(NODES_PER_OPERATOR, NODES - first + 1);
    await main.call("emitNewServiceNodes", [BigInt(first), BigInt(count), 1_000n + BigInt(first), operatorOf(k), 25_000_000_000_000n]);
  }
  say(`  ${NODES} nodes (${operators} operators)`);
  for (let p = 0; p < POOLS; p++) {
    const pool = await deployEmitter(node);
    const operator = operatorOf(p % operators);
    await main.call("emitNewContributionContract", [pool.address, 10n ** 20n + BigInt(p), operator]);
    await emitEventRaw(pool, extraAbi, "OpenForPublicContribution", { serviceNodePubkey: 10n ** 20n + BigInt(p), operator, fee: 500 });
    await pool.call("emitNewContribution", [operator, operator, 6_250_000_000_000n]);
  }
  say(`  ${POOLS} open pools`);
  for (let i = 0; i < NAMES; i++) {
    const owner = ownerOf(Math.floor(i / NAMES_PER_OWNER));
    const nameNode = namehashOf(i);
    await emitEventRaw(main, extraAbi, "Transfer", { from: ZERO, to: owner, tokenId: BigInt(nameNode) });
    await emitEventRaw(main, extraAbi, "NameRegistered", { node: nameNode, owner, payer: owner, expiry: 4_000_000_000n, fee: 1n });
  }
  say(`  ${NAMES} names (${Math.ceil(NAMES / NAMES_PER_OWNER)} owners)`);
}

async function main(): Promise<void> {
  say("starting a hardhat node");
  const node = await startHardhatNode();
  let tracker: ReturnType<typeof spawnTracked> | null = null;
  try {
    const emitter = await deployEmitter(node);
    const fillStart = Date.now();
    await fill(node, emitter);
    const head = await node.client.getBlockNumber({ cacheTime: 0 });
    say(`filled in ${((Date.now() - fillStart) / 1000).toFixed(1)} s (blocks ${emitter.deployBlock}…${head})`);

    const port = await freePort();
    const a = emitter.address;
    tracker = spawnTracked(process.execPath, [
      require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "src/tracker/cli.ts"),
      "--rpc", node.url, "--chain-id", "31337",
      "--rewards", a, "--factory", a, "--reward-rate-pool", a, "--name-service", a,
      "--start-block", emitter.deployBlock.toString(), "--db", tmpDb("bench-api"),
      "--safe-head", "depth", "--confirmations", "0", "--reward-rate-interval", "0", "--reconcile-ms", "0",
      "--poll-ms", "500", "--port", String(port), "--log-level", "warn", "--no-progress",
    ]);
    const base = `http://127.0.0.1:${port}`;
    const syncStart = Date.now();
    for (;;) {
      const status = await fetch(`${base}/status`).then((r) => r.json() as Promise<{ checkpoint: { number: string } | null }>).catch(() => null);
      if (status?.checkpoint && BigInt(status.checkpoint.number) >= head) break;
      if (Date.now() - syncStart > 300_000) throw new Error("bench: the tracker did not reach the head within 300 s");
      await new Promise((r) => setTimeout(r, 200));
    }
    const counts = (await fetch(`${base}/nodes`).then((r) => r.json())) as { count: number };
    const pools = (await fetch(`${base}/pools?open=true`).then((r) => r.json())) as { pools: unknown[] };
    const names = (await fetch(`${base}/names`).then((r) => r.json())) as { count: number };
    if (counts.count !== NODES || pools.pools.length !== POOLS || names.count !== NAMES) {
      throw new Error(`bench: the mirror holds ${counts.count} nodes, ${pools.pools.length} open pools, ${names.count} names; expected ${NODES}, ${POOLS}, ${NAMES}`);
    }
    say(`tracker synced in ${((Date.now() - syncStart) / 1000).toFixed(1)} s; ${WARMUP} warm-up requests, then ${REQUESTS} measured at concurrency ${CONCURRENCY}`);

    await load(base, WARMUP, 0);
    const loadBefore = loadavg()[0];
    const cpuBefore = cpuSecondsOf(tracker.pid!);
    const wallStart = Date.now();
    const result = await load(base, REQUESTS, WARMUP);
    const trackerCpu = cpuSecondsOf(tracker.pid!) - cpuBefore;
    const wall = (Date.now() - wallStart) / 1000;
    const loadAfter = loadavg()[0];
    /** The tracker's capacity per core of this machine, whatever else runs: requests per CPU-second of the tracker process. */
    const perCpuSecond = Math.round(REQUESTS / trackerCpu);
    const cpuShare = Math.round((trackerCpu / wall) * 100) / 100;

    const width = Math.max(...ROUTES.map((r) => r.name.length), "overall".length);
    console.log(`\ntracker HTTP API, concurrency ${CONCURRENCY}, ${REQUESTS} requests (${NODES} nodes, ${POOLS} open pools, ${NAMES} names in the mirror)`);
    console.log(`${"route".padEnd(width)}  ${"share".padStart(5)}  ${"req/s".padStart(6)}  ${"p50 ms".padStart(7)}  ${"p99 ms".padStart(7)}`);
    for (const r of ROUTES) {
      const f = result.routes[r.name];
      console.log(`${r.name.padEnd(width)}  ${`${r.weight}%`.padStart(5)}  ${String(f.requestsPerSecond).padStart(6)}  ${String(f.p50Ms).padStart(7)}  ${String(f.p99Ms).padStart(7)}`);
    }
    const o = result.overall;
    console.log(`${"overall".padEnd(width)}  ${"100%".padStart(5)}  ${String(o.requestsPerSecond).padStart(6)}  ${String(o.p50Ms).padStart(7)}  ${String(o.p99Ms).padStart(7)}`);
    const met = o.requestsPerSecond >= GOAL.requestsPerSecond && o.p99Ms <= GOAL.p99Ms;
    console.log(`\ngoal ≥ ${GOAL.requestsPerSecond} req/s and p99 ≤ ${GOAL.p99Ms} ms overall: ${met ? "met" : "MISSED"} (${o.requestsPerSecond} req/s, p99 ${o.p99Ms} ms)`);
    const metPerCpu = perCpuSecond >= GOAL.requestsPerSecond;
    console.log(
      `tracker CPU: ${perCpuSecond} requests per CPU-second of the tracker process (goal ≥ ${GOAL.requestsPerSecond} per core: ${metPerCpu ? "met" : "MISSED"}); ` +
        `it got ${cpuShare} of a core (load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)})`,
    );

    const outDir = path.join(ROOT, "bench-snapshots");
    mkdirSync(outDir, { recursive: true });
    const snapshot = {
      concurrency: CONCURRENCY,
      requests: REQUESTS,
      warmup: WARMUP,
      mirror: { nodes: NODES, openPools: POOLS, names: NAMES },
      mix: Object.fromEntries(ROUTES.map((r) => [r.name, `${r.weight}%`])),
      goal: GOAL,
      goalMet: met,
      goalMetPerCpuSecond: metPerCpu,
      conditions: process.env.BENCH_NOTE ?? null,
      overall: o,
      tracker: { requestsPerCpuSecond: perCpuSecond, cpuShare, note: "requests per CPU-second of the tracker process (user + system): its capacity per core whatever else the machine runs; cpuShare = tracker CPU seconds / wall seconds of the measured run" },
      routes: result.routes,
      machine: `${process.platform} ${process.arch}, node ${process.version}, ${cpus().length} cores, load average ${loadBefore.toFixed(1)} before / ${loadAfter.toFixed(1)} after the measured run (the load generator, the tracker and the hardhat node share the machine)`,
      note: "the tracker CLI (ts-node, transpile-only) in its own process; the load generator in this one, keep-alive connections; every answer is a 200 (checked)",
    };
    writeFileSync(path.join(outDir, "api.json"), JSON.stringify(snapshot, null, 2) + "\n");
    say("wrote bench-snapshots/api.json");
  } finally {
    if (tracker !== null) await stopChild(tracker);
    await node.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
