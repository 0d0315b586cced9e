/**
 * `npm run bench:aggregate`: 2,000 nodes' partial signatures on one reward message are collected by the
 * aggregator (concurrent fan-out to in-process nodes that answer with their precomputed partial), screened
 * with one randomised batch check, aggregated, and the aggregate verified once; timed as the median of
 * BENCH_RUNS runs (default 5). Also timed: the combine step alone, and the request with 3 bad partials
 * (bisection; median of at most 3 runs). Prints a table and writes `bench-snapshots/aggregate.json`. Target: ≤ 2 s for 2,000.
 *
 * Throughput (issue 22): the aggregator's JSON-RPC over HTTP, 12 in-process signing nodes with a ledger that
 * owes 120 addresses, 20 concurrent clients (per-client limits off: this measures capacity). Uncached: 40
 * addresses asked once each (fan-out, 12 BLS signatures — in this process, unlike a real network —, screen,
 * aggregate). Cached: 2,000 requests over the same addresses. Goals: ≥ THROUGHPUT_GOAL answers/s each (BENCH_THROUGHPUT=0 skips this part).
 * Each pass also records the answers per CPU-second of this process and the share of a core it got: on a
 * shared machine the wall figure falls with that share, the per-CPU-second one does not (BENCH_NOTE=… is
 * written into the snapshot as the note on the conditions).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { bytesToHex } from "viem";
import { G1, G2, fromNobleFp2, g2FromAffine } from "../src/bls/curve";
import { ed25519 } from "@noble/curves/ed25519";
import { keccak_256 } from "@noble/hashes/sha3";
import { bytesToHex as nobleBytesToHex, utf8ToBytes } from "@noble/hashes/utils";
import { hashToFieldDst, hashToG2, proofOfPossessionMessage, publicKey, rewardMessage, secretKeyFromSeed, type Address, type G1Affine, type G2Affine, type SigningDomain } from "../src/bls";
import { createAggregator } from "../src/network/aggregator/aggregator";
import { combinePartials } from "../src/network/aggregator/combine";
import type { NodeClient } from "../src/network/node/client";
import type { NetworkSnapshot, ViewNode } from "../src/network/view";
import { signatureToHex } from "../src/network/wire";
import { serveAggregator } from "../src/network/aggregator/rpc";
import { openLedger } from "../src/network/ledger/ledger";
import { applySnapshot } from "../src/network/ledger/sync";
import { createSimulation } from "../src/network/simulation";
import { impostorsOf } from "../src/network/impostors";

const COUNT = Number(process.env.BENCH_NODES ?? 2_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 2_000;
const CONCURRENCY = 20;
/** Answers per second at concurrency 20: cached and uncached (12 nodes). */
const THROUGHPUT_GOAL = { cached: 500, uncached: 2 } as const;
/** Distinct addresses asked in the uncached pass (each a full fan-out: 12 BLS signatures in this process). */
const UNCACHED_REQUESTS = 40;
const domain: SigningDomain = { chainId: 421614n, contract: "0x0000000000000000000000000000000000005e55" };
const recipient: Address = "0x00000000000000000000000000000000000000aa";
const amount = 123_456_789_000n;

/** The Ed25519 fields of a registration of `blsKey` for `operator`, signed by the Ed25519 identity of `seed`. */
function ed25519Registration(seed: string, blsKey: G1Affine, operator: Address): Pick<ViewNode, "ed25519Pubkey" | "ed25519Signature0" | "ed25519Signature1"> {
  const secret = keccak_256(utf8ToBytes(`ed25519:${seed}`));
  const pubkey = BigInt(`0x${nobleBytesToHex(ed25519.getPublicKey(secret))}`);
  const signature = ed25519.sign(proofOfPossessionMessage(domain, blsKey, operator, pubkey), secret);
  return { ed25519Pubkey: pubkey, ed25519Signature0: BigInt(`0x${nobleBytesToHex(signature.slice(0, 32))}`), ed25519Signature1: BigInt(`0x${nobleBytesToHex(signature.slice(32))}`) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0];
  const dst = hashToFieldDst(domain);
  const message = rewardMessage(domain, recipient, amount);
  const setupStart = Date.now();
  const hash = g2FromAffine(hashToG2(message, dst));
  // Secret keys s, s + 1, s + 2, …: key i+1 = key i + G and signature i+1 = signature i + H(m), so setup
  // is one addition per node instead of two scalar multiplications (the points are as generic as any).
  const base = secretKeyFromSeed("bench-node");
  const toAffine = (p: InstanceType<typeof G2>): G2Affine => {
    const { x, y } = p.toAffine();
    return { X: fromNobleFp2(x), Y: fromNobleFp2(y) };
  };
  const partials: { publicKey: G1Affine; signature: G2Affine }[] = [];
  let key = G1.BASE.multiply(base);
  let sig = hash.multiply(base);
  for (let i = 0; i < COUNT; i++) {
    const { x, y } = key.toAffine();
    partials.push({ publicKey: { X: x, Y: y }, signature: toAffine(sig) });
    key = key.add(G1.BASE);
    sig = sig.add(hash);
  }
  if (publicKey(base + 1n).X !== partials[1].publicKey.X) throw new Error("bench: key derivation mismatch");
  const setupMs = Date.now() - setupStart;

  const nodes: ViewNode[] = partials.map((p, i) => ({
    id: BigInt(i + 1),
    pubkey: p.publicKey,
    operator: recipient,
    fee: 0,
    contributors: [{ addr: recipient, beneficiary: recipient, stakedAmount: 1n }],
    registeredAt: 0n,
    exitRequestedAt: null,
    exitedAt: null,
    returnedAmount: null,
    status: "active",
    // Each node's own Ed25519 identity really signs its registration (the network refuses impostors).
    ...ed25519Registration(`bench-node-${i}`, p.publicKey, recipient),
    seeded: false,
  }));
  const snapshot: NetworkSnapshot = { domain, height: 1n, timestamp: 120n, nodes, registeredIds: nodes.map((n) => n.id), rewardRate: 0n, nonSignerMax: 4000n };
  // Every registration's Ed25519 signature is checked once, at the first snapshot a process sees it in (then cached).
  const checkStart = process.hrtime.bigint();
  if (impostorsOf(snapshot).size !== 0) throw new Error("bench: a registration does not verify");
  const impostorCheckMs = Math.round(Number(process.hrtime.bigint() - checkStart) / 1e6);
  const bad = new Set([17, COUNT >> 1, COUNT - 5]);

  /** In-process nodes that already signed: each answers its partial (as JSON, like a real node). */
  const clientsFor = (withBad: boolean): NodeClient[] =>
    partials.map((p, i) => {
      const signature = signatureToHex(withBad && bad.has(i) ? partials[(i + 1) % COUNT].signature : p.signature);
      const answer = { address: recipient, height: "1", amount: amount.toString(), signature };
      return { label: `node ${i}`, publicKey: p.publicKey, call: async () => JSON.parse(JSON.stringify(answer)) as unknown };
    });

  const timeRequest = async (withBad: boolean): Promise<{ ms: number; nonSigners: number }> => {
    const aggregator = createAggregator({ domain, nodes: clientsFor(withBad), snapshot: async () => snapshot, rewardsHeight: () => 1n, timeoutMs: 30_000 });
    const start = process.hrtime.bigint();
    const answer = await aggregator.rewardsRequest(recipient);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (answer.amount !== amount || bytesToHex(message) !== answer.message) throw new Error("bench: wrong answer");
    return { ms, nonSigners: answer.nonSignerIds.length };
  };

  const rows: { operation: string; medianMs: number; runs: number[]; note: string }[] = [];
  const measure = async (operation: string, note: string, fn: () => Promise<number> | number, count = RUNS): Promise<void> => {
    const runs: number[] = [];
    for (let r = 0; r < count; r++) runs.push(await fn());
    rows.push({ operation, medianMs: Math.round(median(runs)), runs: runs.map(Math.round), note });
  };

  await measure(`bls_rewards_request, ${COUNT} signers`, "fan-out + JSON parse + 1 batch check + aggregate + 1 verify + non-signers", async () => {
    const r = await timeRequest(false);
    if (r.nonSigners !== 0) throw new Error("bench: unexpected non-signers");
    return r.ms;
  });
  await measure(`combine ${COUNT} partials`, "batch check + aggregate + 1 verify only", () => {
    const start = process.hrtime.bigint();
    const combined = combinePartials(partials, message, dst);
    if (combined.invalid.length !== 0 || !combined.batchPassed) throw new Error("bench: combine failed");
    return Number(process.hrtime.bigint() - start) / 1e6;
  });

  await measure(`bls_rewards_request, ${COUNT} with 3 bad`, "as above, the batch check fails: bisection isolates the 3", async () => {
    const r = await timeRequest(true);
    if (r.nonSigners !== 3) throw new Error(`bench: expected 3 non-signers, got ${r.nonSigners}`);
    return r.ms;
  }, Math.min(RUNS, 3));
  rows.push({ operation: `Ed25519 registration check, ${COUNT} nodes`, medianMs: impostorCheckMs, runs: [impostorCheckMs], note: "once per process: the first snapshot's impostor check (cached after)" });
  const width = Math.max(...rows.map((r) => r.operation.length));
  console.log(`\naggregate (${COUNT} partial signatures, median of ${RUNS}; setup ${setupMs} ms not timed)`);
  console.log(`${"operation".padEnd(width)}  ${"median ms".padStart(9)}  runs`);
  for (const r of rows) console.log(`${r.operation.padEnd(width)}  ${String(r.medianMs).padStart(9)}  ${r.runs.join(" ")}  ${r.note}`);
  const headline = rows[0].medianMs;
  console.log(`\ntarget ≤ ${TARGET_MS} ms for ${COUNT}: ${headline <= TARGET_MS ? "met" : "MISSED"} (${headline} ms)`);

  const throughput = process.env.BENCH_THROUGHPUT === "0" ? null : await measureThroughput();
  if (throughput !== null) {
    console.log(`\nthroughput (aggregator JSON-RPC over HTTP, 12 nodes, concurrency ${CONCURRENCY})`);
    for (const [kind, r] of Object.entries(throughput)) {
      const goal = THROUGHPUT_GOAL[kind as keyof typeof THROUGHPUT_GOAL];
      console.log(
        `${kind.padEnd(9)} ${String(r.answersPerSecond).padStart(7)} answers/s  p99 ${r.p99Ms} ms  (${r.requests} requests)  goal ≥ ${goal}: ${r.answersPerSecond >= goal ? "met" : "MISSED"}` +
          `  | ${r.answersPerCpuSecond} answers per CPU-second, this process got ${r.cpuShare} of a core`,
      );
    }
  }

  const outDir = path.join(__dirname, "..", "bench-snapshots");
  mkdirSync(outDir, { recursive: true });
  const snapshotJson = {
    partials: COUNT,
    runs: RUNS,
    targetMs: TARGET_MS,
    targetMet: headline <= TARGET_MS,
    machine: `${process.platform} ${process.arch}, node ${process.version}, ${cpus().length} cores, load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`,
    rows: Object.fromEntries(rows.map((r) => [r.operation, { medianMs: r.medianMs, runsMs: r.runs, note: r.note }])),
    throughput:
      throughput === null
        ? null
        : {
            concurrency: CONCURRENCY,
            nodes: 12,
            goalAnswersPerSecond: THROUGHPUT_GOAL,
            goalMet: throughput.cached.answersPerSecond >= THROUGHPUT_GOAL.cached && throughput.uncached.answersPerSecond >= THROUGHPUT_GOAL.uncached,
            /** The goals per CPU-second (one core of this machine to itself): what the wall figures reach on a quiet machine. */
            goalMetPerCpuSecond: throughput.cached.answersPerCpuSecond >= THROUGHPUT_GOAL.cached && throughput.uncached.answersPerCpuSecond >= THROUGHPUT_GOAL.uncached,
            note: process.env.BENCH_NOTE ?? null,
            ...throughput,
          },
  };
  writeFileSync(path.join(outDir, "aggregate.json"), JSON.stringify(snapshotJson, null, 2) + "\n");
}

interface Throughput {
  readonly requests: number;
  readonly answersPerSecond: number;
  readonly p99Ms: number;
  /**
   * Answers per second of this process's CPU time (user + system; the server, the 12 nodes and the clients
   * all run here): the capacity of one core, whatever else the machine runs. On a shared machine the wall
   * figure above falls with the CPU share this process gets; this one does not.
   */
  readonly answersPerCpuSecond: number;
  /** CPU seconds used over wall seconds: the share of the machine this pass got (≤ 1 per busy thread). */
  readonly cpuShare: number;
}

/** One JSON-RPC call over a keep-alive agent; the result, or a thrown error with the server's message. */
function post(url: string, agent: Agent, body: unknown): Promise<unknown> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) } }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (data += chunk));
      res.on("end", () => {
        const reply = JSON.parse(data) as { result?: unknown; error?: { message: string } };
        if (reply.error !== undefined) reject(new Error(`bench: ${reply.error.message}`));
        else resolve(reply.result);
      });
    });
    req.on("error", reject);
    req.end(text);
  });
}

/** `requests` calls of `bls_rewards_request` from CONCURRENCY clients; answers/s and p99 latency. */
async function load(url: string, addresses: readonly Address[], requests: number): Promise<Throughput> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests) {
        const address = addresses[next++ % addresses.length];
        const t = process.hrtime.bigint();
        const answer = (await post(url, agent, { jsonrpc: "2.0", id: next, method: "bls_rewards_request", params: { address } })) as { amount: string };
        if (BigInt(answer.amount) <= 0n) throw new Error("bench: no amount");
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests,
    answersPerSecond: Math.round((requests / seconds) * 10) / 10,
    p99Ms: Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0),
    answersPerCpuSecond: Math.round((requests / cpuSeconds) * 10) / 10,
    cpuShare: Math.round((cpuSeconds / seconds) * 100) / 100,
  };
}

async function measureThroughput(): Promise<{ uncached: Throughput; cached: Throughput }> {
  const owners: Address[] = Array.from({ length: 120 }, (_, i) => `0x${(0xa000 + i).toString(16).padStart(40, "0")}` as Address);
  const nodes: ViewNode[] = Array.from({ length: 12 }, (_, n) => ({
    id: BigInt(n + 1),
    pubkey: publicKey(secretKeyFromSeed(`bench-throughput-${n}`)),
    operator: owners[n * 10],
    fee: 0,
    contributors: owners.slice(n * 10, n * 10 + 10).map((addr) => ({ addr, beneficiary: addr, stakedAmount: 2_500n })),
    registeredAt: 0n,
    exitRequestedAt: null,
    exitedAt: null,
    returnedAmount: null,
    status: "active",
    ...ed25519Registration(`bench-throughput-${n}`, publicKey(secretKeyFromSeed(`bench-throughput-${n}`)), owners[n * 10]),
    seeded: false,
  }));
  const timestamp = 1_000_000n * 120n;
  const snapshot: NetworkSnapshot = { domain, height: 1n, timestamp, nodes, registeredIds: nodes.map((n) => n.id), rewardRate: 12_000_000n, nonSignerMax: 4000n };
  const ledger = openLedger({ path: ":memory:", config: { minActiveSeconds: 0n } });
  applySnapshot(ledger, snapshot, 1_000_000n - 3n);
  const sim = await createSimulation({ domain, snapshot: async () => snapshot, ledger, count: 12, label: "bench-throughput", clock: () => timestamp });
  const server = await serveAggregator(sim.aggregator);
  try {
    const asked = owners.slice(0, UNCACHED_REQUESTS);
    const uncached = await load(server.url, asked, asked.length);
    const cached = await load(server.url, asked, 2_000);
    return { uncached, cached };
  } finally {
    await server.close();
    await sim.close();
    ledger.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
