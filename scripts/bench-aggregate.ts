/**
 * `npm run bench:aggregate`: 2,000 nodes' partial signatures on one reward message are collected by the
 * aggregator (concurrent fan-out to in-process nodes that answer with their precomputed partial), screened
 * with one randomised batch check, aggregated, and the aggregate verified once; timed as the median of
 * BENCH_RUNS runs (default 5). Also timed: the combine step alone, and the request with 3 bad partials
 * (bisection; median of at most 3 runs). Prints a table and writes `bench-snapshots/aggregate.json`. Target: ≤ 2 s for 2,000.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { bytesToHex } from "viem";
import { G1, G2, fromNobleFp2, g2FromAffine } from "../src/bls/curve";
import { hashToFieldDst, hashToG2, publicKey, rewardMessage, secretKeyFromSeed, type Address, type G1Affine, type G2Affine, type SigningDomain } from "../src/bls";
import { createAggregator } from "../src/network/aggregator/aggregator";
import { combinePartials } from "../src/network/aggregator/combine";
import type { NodeClient } from "../src/network/node/client";
import type { NetworkSnapshot, ViewNode } from "../src/network/view";
import { signatureToHex } from "../src/network/wire";

const COUNT = Number(process.env.BENCH_NODES ?? 2_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 2_000;
const domain: SigningDomain = { chainId: 421614n, contract: "0x0000000000000000000000000000000000005e55" };
const recipient: Address = "0x00000000000000000000000000000000000000aa";
const amount = 123_456_789_000n;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
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
  }));
  const snapshot: NetworkSnapshot = { height: 1n, timestamp: 120n, nodes, registeredIds: nodes.map((n) => n.id), rewardRate: 0n, nonSignerMax: 4000n };
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
  const width = Math.max(...rows.map((r) => r.operation.length));
  console.log(`\naggregate (${COUNT} partial signatures, median of ${RUNS}; setup ${setupMs} ms not timed)`);
  console.log(`${"operation".padEnd(width)}  ${"median ms".padStart(9)}  runs`);
  for (const r of rows) console.log(`${r.operation.padEnd(width)}  ${String(r.medianMs).padStart(9)}  ${r.runs.join(" ")}  ${r.note}`);
  const headline = rows[0].medianMs;
  console.log(`\ntarget ≤ ${TARGET_MS} ms for ${COUNT}: ${headline <= TARGET_MS ? "met" : "MISSED"} (${headline} ms)`);

  const outDir = path.join(__dirname, "..", "bench-snapshots");
  mkdirSync(outDir, { recursive: true });
  const snapshotJson = {
    partials: COUNT,
    runs: RUNS,
    targetMs: TARGET_MS,
    targetMet: headline <= TARGET_MS,
    machine: `${process.platform} ${process.arch}, node ${process.version}`,
    rows: Object.fromEntries(rows.map((r) => [r.operation, { medianMs: r.medianMs, runsMs: r.runs, note: r.note }])),
  };
  writeFileSync(path.join(outDir, "aggregate.json"), JSON.stringify(snapshotJson, null, 2) + "\n");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
