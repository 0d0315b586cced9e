/**
 * The aggregator: fans a request out to every registered node concurrently (with a timeout) except the
 * impostors the network refuses (impostors.ts: listed as non-signers unasked), screens the partial
 * signatures with one batch check (bisecting on failure), aggregates them, and lists the non-signers in
 * `allServiceNodeIDs()` order at the current block. It refuses, naming the counts, when
 * more nodes failed to sign than the registry accepts (min(nodes / 3, max)). Answers are cached per request.
 */
import { bytesToHex } from "viem";
import {
  exitMessage,
  hashToFieldDst,
  liquidationMessage,
  publicKeyToHex,
  rewardMessage,
  signatureToParams,
  type Address,
  type BLSSignatureParams,
  type G1Affine,
  type G2Affine,
  type Hex,
  type PartialSignature,
  type SigningDomain,
} from "../../bls";
import { NetworkError, type ErrorKind } from "../errors";
import { networkHeightAt } from "../ledger/sync";
import type { NodeClient } from "../node/client";
import { findNodeByPubkey, isRegistered, nonSignerThreshold, pubkeyKey, type NetworkSnapshot, type ViewNode } from "../view";
import { signatureFromHex } from "../wire";
import { boundedCache } from "../cache";
import { describeImpostor, impostorsOf } from "../impostors";
import { combinePartials } from "./combine";

export interface AggregatorOptions {
  readonly domain: SigningDomain;
  readonly nodes: readonly NodeClient[];
  readonly snapshot: () => Promise<NetworkSnapshot>;
  /** Per-node answer timeout (default 5 s). */
  readonly timeoutMs?: number;
  /** Unix seconds used as the exit/liquidation timestamp (default: the system clock). */
  readonly clock?: () => Promise<bigint> | bigint;
  /** Network height to ask balances at (default: floor(snapshot timestamp / 120 s)). */
  readonly rewardsHeight?: (snapshot: NetworkSnapshot) => Promise<bigint> | bigint;
  /** Exit unlock, for `bls_exit_liquidation_list` (default 15 days). */
  readonly unlockSeconds?: bigint;
  /** The network's standing of a node, for `bls_exit_liquidation_list` (default: all served). */
  readonly isServing?: (node: ViewNode) => boolean;
  /** How long an exit/liquidation answer is reused, in clock seconds (default 60; signatures live 10 min). */
  readonly removalCacheSeconds?: bigint;
  /** Answers kept per cache (rewards, removals), least recently used dropped first (default {@link MAX_CACHED_ANSWERS}). */
  readonly maxCachedAnswers?: number;
}

export const MAX_CACHED_ANSWERS = 4096;
/** A rewards answer is reused for its network height only; this wall-clock bound drops it even if the height stands still. */
const REWARDS_CACHE_MS = 10 * 60_000;
/** How long a refusal caused by unreachable, slow or failing nodes is reused. */
const TRANSIENT_REFUSAL_MS = 2_000;
/** How long a refusal the nodes decided (no rewards, disagreement) is reused. */
const DECIDED_REFUSAL_MS = 5_000;

/** A refusal every failing node decided for itself (not_found, forbidden, bad_request, disagreed, bad signature): it will not change within a height. */
function isDecidedRefusal(error: unknown): boolean {
  if (!(error instanceof NetworkError) || error.kind !== "refused") return false;
  const failures = (error.details.failures ?? []) as { reason: string }[];
  return failures.every(
    (f) => f.reason === "not_found" || f.reason === "forbidden" || f.reason === "bad_request" || f.reason === "disagreed" || f.reason === "invalid-signature" || f.reason === "impostor",
  );
}

/** Why a registered node is a non-signer. */
export interface NodeFailure {
  readonly id: bigint;
  readonly label: string;
  /** `impostor`: the network refuses the node's registration (impostors.ts) and never asks it. */
  readonly reason: "no-endpoint" | "timeout" | "invalid-signature" | "disagreed" | "impostor" | ErrorKind;
  readonly message: string;
}

export interface SignedAnswer {
  /** The signed message bytes. */
  readonly message: Hex;
  /** The aggregate, in the contract's `BLSSignatureParams` order. */
  readonly signature: BLSSignatureParams;
  /** Non-signer ids, ascending (the order `allServiceNodeIDs()` returns them in). */
  readonly nonSignerIds: readonly bigint[];
  readonly signers: number;
  /** Registered nodes at the L2 block the request was made at. */
  readonly registered: number;
  readonly l2Height: bigint;
  readonly failures: readonly NodeFailure[];
}

export interface RewardsAnswer extends SignedAnswer {
  readonly address: Address;
  /** Lifetime balance: `updateRewardsBalance(address, amount, signature, nonSignerIds)`. */
  readonly amount: bigint;
  readonly networkHeight: bigint;
}

export interface RemovalAnswer extends SignedAnswer {
  readonly type: "exit" | "liquidate";
  readonly serviceNodeId: bigint;
  readonly pubkey: G1Affine;
  /** `exitBLSPublicKeyWithSignature / liquidateBLSPublicKeyWithSignature(pubkey, timestamp, signature, nonSignerIds)`. */
  readonly timestamp: bigint;
}

export interface RemovalCandidate {
  readonly serviceNodeId: bigint;
  readonly pubkey: Hex;
  readonly type: "exit" | "liquidate";
  readonly exitRequestedAt: bigint | null;
  readonly unlockAt: bigint | null;
}

export interface Aggregator {
  rewardsRequest(address: Address): Promise<RewardsAnswer>;
  exitLiquidationRequest(pubkey: G1Affine, liquidate: boolean): Promise<RemovalAnswer>;
  exitLiquidationList(): Promise<RemovalCandidate[]>;
}

interface Reply {
  readonly id: bigint;
  readonly client: NodeClient;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly failure?: NodeFailure;
}

const systemClock = (): bigint => BigInt(Math.floor(Date.now() / 1000));

function withTimeout(client: NodeClient, method: string, params: unknown, timeoutMs: number): Promise<unknown> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new NetworkError("unavailable", `no answer within ${timeoutMs} ms`, { timeout: true }));
    }, timeoutMs);
  });
  return Promise.race([client.call(method, params, controller.signal), timeout]).finally(() => clearTimeout(timer));
}

export function createAggregator(options: AggregatorOptions): Aggregator {
  const dst = hashToFieldDst(options.domain);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const clock = options.clock ?? systemClock;
  const unlock = options.unlockSeconds ?? 15n * 24n * 3600n;
  const isServing = options.isServing ?? (() => true);
  const removalTtl = options.removalCacheSeconds ?? 60n;
  const clientsByKey = new Map(options.nodes.map((c) => [pubkeyKey(c.publicKey), c]));
  // Bounded: a flood of distinct addresses or keys evicts the least recently used answers, never grows memory.
  const rewardsCache = boundedCache<string, Promise<RewardsAnswer>>(options.maxCachedAnswers ?? MAX_CACHED_ANSWERS);
  const removalCache = boundedCache<string, { expires: bigint; answer: Promise<RemovalAnswer> }>(options.maxCachedAnswers ?? MAX_CACHED_ANSWERS);

  /** Asks every registered node concurrently, except impostors: they are non-signers of every aggregate. */
  async function fanOut(snapshot: NetworkSnapshot, method: string, params: unknown): Promise<{ replies: Reply[]; failures: NodeFailure[] }> {
    const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
    const impostors = impostorsOf(snapshot);
    const failures: NodeFailure[] = [];
    const asks: Promise<Reply>[] = [];
    for (const id of snapshot.registeredIds) {
      const impostor = impostors.get(id);
      if (impostor !== undefined) {
        failures.push({ id, label: `node ${id}`, reason: "impostor", message: describeImpostor(impostor) });
        continue;
      }
      const node = byId.get(id);
      const client = node && clientsByKey.get(pubkeyKey(node.pubkey));
      if (client === undefined) {
        failures.push({ id, label: `node ${id}`, reason: "no-endpoint", message: "no endpoint known for this node" });
        continue;
      }
      asks.push(
        withTimeout(client, method, params, timeoutMs).then(
          (value): Reply => ({ id, client, ok: true, value }),
          (error: unknown): Reply => {
            const e = error instanceof NetworkError ? error : new NetworkError("internal", (error as Error)?.message ?? String(error));
            const reason = e.details.timeout ? "timeout" : e.kind;
            return { id, client, ok: false, failure: { id, label: client.label, reason, message: e.message } };
          },
        ),
      );
    }
    const replies = await Promise.all(asks);
    for (const r of replies) if (!r.ok) failures.push(r.failure!);
    return { replies: replies.filter((r) => r.ok), failures };
  }

  /** Parses the signatures, screens + aggregates, computes non-signers and applies the threshold. */
  function finish(snapshot: NetworkSnapshot, what: string, message: Uint8Array, signed: { id: bigint; client: NodeClient; signature: G2Affine }[], failures: NodeFailure[]): SignedAnswer {
    const partials: PartialSignature[] = signed.map((s) => ({ publicKey: s.client.publicKey, signature: s.signature }));
    let signerIds = signed.map((s) => s.id);
    let combined: ReturnType<typeof combinePartials> | null = null;
    if (partials.length > 0) {
      combined = combinePartials(partials, message, dst);
      const bad = new Set(combined.invalid);
      for (const i of combined.invalid) {
        failures.push({ id: signed[i].id, label: signed[i].client.label, reason: "invalid-signature", message: "partial signature does not verify" });
      }
      signerIds = signerIds.filter((_, i) => !bad.has(i));
    }
    const signerSet = new Set(signerIds);
    const nonSignerIds = [...snapshot.registeredIds].filter((id) => !signerSet.has(id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const max = nonSignerThreshold(snapshot);
    if (combined === null || signerIds.length === 0 || BigInt(nonSignerIds.length) > max) {
      const counts = new Map<string, number>();
      for (const f of failures) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
      const breakdown = [...counts].map(([reason, n]) => `${n} ${reason}`).join(", ");
      const sample = (failures.find((f) => f.reason === "forbidden" || f.reason === "not_found" || f.reason === "bad_request") ?? failures.find((f) => f.reason === "disagreed"))?.message;
      throw new NetworkError(
        "refused",
        `${what}: ${nonSignerIds.length} of ${snapshot.registeredIds.length} registered nodes did not sign (${breakdown || "none answered"}); ` +
          `the registry accepts at most ${max} non-signers (min(${snapshot.registeredIds.length} / 3, ${snapshot.nonSignerMax}))` +
          (sample ? `; a node said: ${sample}` : ""),
        { nonSigners: nonSignerIds.length, registered: snapshot.registeredIds.length, threshold: max, failures: failures.map((f) => ({ id: f.id, reason: f.reason })) },
      );
    }
    return {
      message: bytesToHex(message),
      signature: signatureToParams(combined.signature),
      nonSignerIds,
      signers: signerIds.length,
      registered: snapshot.registeredIds.length,
      l2Height: snapshot.height,
      failures,
    };
  }

  function parseSignature(reply: Reply, failures: NodeFailure[], check: (value: Record<string, unknown>) => string | null): G2Affine | null {
    try {
      const value = reply.value as Record<string, unknown>;
      if (typeof value !== "object" || value === null) throw new Error("answer is not an object");
      const mismatch = check(value);
      if (mismatch !== null) {
        failures.push({ id: reply.id, label: reply.client.label, reason: "disagreed", message: mismatch });
        return null;
      }
      return signatureFromHex(value.signature);
    } catch (error) {
      failures.push({ id: reply.id, label: reply.client.label, reason: "invalid-signature", message: `malformed answer: ${(error as Error).message}` });
      return null;
    }
  }

  async function rewards(address: Address, snapshot: NetworkSnapshot, height: bigint): Promise<RewardsAnswer> {
    const { replies, failures } = await fanOut(snapshot, "get_rewards", { address, height: height.toString() });
    // Nodes must agree on the amount: the largest group of equal answers is used, the others are non-signers.
    const votes = new Map<string, number>();
    for (const r of replies) {
      const amount = (r.value as { amount?: unknown } | null)?.amount;
      if (typeof amount === "string" && /^\d+$/.test(amount)) votes.set(amount, (votes.get(amount) ?? 0) + 1);
    }
    const best = [...votes].sort((a, b) => b[1] - a[1] || (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1))[0]?.[0];
    const amount = best === undefined ? 0n : BigInt(best);
    const signed: { id: bigint; client: NodeClient; signature: G2Affine }[] = [];
    for (const r of replies) {
      const signature = parseSignature(r, failures, (v) => (best !== undefined && v.amount === best ? null : `answered amount ${String(v.amount)}, the majority ${best}`));
      if (signature !== null) signed.push({ id: r.id, client: r.client, signature });
    }
    const message = amount > 0n ? rewardMessage(options.domain, address, amount) : new Uint8Array();
    const answer = finish(snapshot, `rewards of ${address} at height ${height}`, message, signed, failures);
    return { ...answer, address, amount, networkHeight: height };
  }

  async function removal(pubkey: G1Affine, liquidate: boolean): Promise<RemovalAnswer> {
    const snapshot = await options.snapshot();
    const node = findNodeByPubkey(snapshot, pubkey);
    if (node === undefined || !isRegistered(node) || !snapshot.registeredIds.includes(node.id)) {
      throw new NetworkError("not_found", `no registered service node has BLS key ${publicKeyToHex(pubkey)}`);
    }
    // The signature's date: the clock (it moves when the chain does not), never behind the state signed from.
    const ticked = await clock();
    const timestamp = ticked > snapshot.timestamp ? ticked : snapshot.timestamp;
    const type = liquidate ? "liquidate" : "exit";
    const method = liquidate ? "get_liquidation" : "get_exit";
    const { replies, failures } = await fanOut(snapshot, method, { bls_pubkey: publicKeyToHex(pubkey), timestamp: timestamp.toString() });
    const signed: { id: bigint; client: NodeClient; signature: G2Affine }[] = [];
    for (const r of replies) {
      const signature = parseSignature(r, failures, (v) => (v.timestamp === timestamp.toString() ? null : `signed timestamp ${String(v.timestamp)}, asked ${timestamp}`));
      if (signature !== null) signed.push({ id: r.id, client: r.client, signature });
    }
    const message = liquidate ? liquidationMessage(options.domain, pubkey, timestamp) : exitMessage(options.domain, pubkey, timestamp);
    const answer = finish(snapshot, `${type} of service node ${node.id}`, message, signed, failures);
    return { ...answer, type, serviceNodeId: node.id, pubkey, timestamp };
  }

  return {
    async rewardsRequest(address) {
      const snapshot = await options.snapshot();
      const height = await (options.rewardsHeight ?? ((s: NetworkSnapshot) => networkHeightAt(s.timestamp)))(snapshot);
      const key = `${address.toLowerCase()}:${height}:${snapshot.registeredIds.join(",")}`;
      let answer = rewardsCache.get(key);
      if (answer === undefined) {
        const pending = rewards(address.toLowerCase() as Address, snapshot, height);
        answer = pending;
        rewardsCache.set(key, pending, Date.now() + REWARDS_CACHE_MS);
        // A refusal the nodes decided (no rewards, a disagreement) stands for this height like an answer; one
        // caused by unreachable or slow nodes is kept only briefly, so a recovered network is asked again soon.
        pending.catch((error: unknown) => {
          if (rewardsCache.get(key) !== pending) return;
          // Even a decided refusal may come from a node whose ledger had not reached the chain yet: kept briefly too.
          rewardsCache.set(key, pending, Date.now() + (isDecidedRefusal(error) ? DECIDED_REFUSAL_MS : TRANSIENT_REFUSAL_MS));
        });
      }
      return answer;
    },
    async exitLiquidationRequest(pubkey, liquidate) {
      const now = await clock();
      const key = `${liquidate ? "liquidate" : "exit"}:${publicKeyToHex(pubkey)}`;
      const cached = removalCache.get(key);
      if (cached !== undefined && cached.expires > now) return cached.answer;
      const answer = removal(pubkey, liquidate);
      removalCache.set(key, { expires: now + removalTtl, answer });
      answer.catch(() => removalCache.delete(key));
      return answer;
    },
    async exitLiquidationList() {
      const snapshot = await options.snapshot();
      const now = await clock();
      const out: RemovalCandidate[] = [];
      const impostors = impostorsOf(snapshot);
      for (const node of snapshot.nodes) {
        if (!isRegistered(node) || !snapshot.registeredIds.includes(node.id)) continue;
        const unlockAt = node.exitRequestedAt === null ? null : node.exitRequestedAt + unlock;
        if (!isServing(node) || impostors.has(node.id)) out.push({ serviceNodeId: node.id, pubkey: publicKeyToHex(node.pubkey), type: "liquidate", exitRequestedAt: node.exitRequestedAt, unlockAt });
        else if (unlockAt !== null && unlockAt <= now) out.push({ serviceNodeId: node.id, pubkey: publicKeyToHex(node.pubkey), type: "exit", exitRequestedAt: node.exitRequestedAt, unlockAt });
      }
      return out;
    },
  };
}
