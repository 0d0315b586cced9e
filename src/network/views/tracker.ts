/**
 * {@link NetworkView} over the tracker's mirror (its {@link TrackerStore}, read-only). The mirror keeps
 * block numbers, not times, so the caller supplies `blockTimestamp` (e.g. a cached `eth_getBlockByNumber`).
 * Data flows one way: this module reads the tracker's store; the tracker knows nothing of the network.
 */
import type { Snapshot } from "../../tracker/state/dump";
import type { TrackerStore } from "../../tracker/store/types";
import { ENTITY, isRegistered as trackerRegistered, parseRecord, type NodeRecord, type RewardRateSample } from "../../tracker/state/model";
import type { SigningDomain } from "../../bls";
import { addressKey, type NetworkSnapshot, type NetworkView, type ViewNode } from "../view";

/** The chain id and registry the mirror follows: given, or read once (e.g. the chain id from the RPC). */
export type DomainSource = SigningDomain | (() => Promise<SigningDomain>);

/** A {@link DomainSource} read once; a failed read is retried by the next call. */
function domainOf(source: DomainSource): () => Promise<SigningDomain> {
  if (typeof source !== "function") {
    const fixed: SigningDomain = { chainId: source.chainId, contract: addressKey(source.contract) };
    return () => Promise.resolve(fixed);
  }
  let known: Promise<SigningDomain> | null = null;
  return () => {
    if (known === null) {
      const reading = source().then((d) => ({ chainId: d.chainId, contract: addressKey(d.contract) }));
      known = reading;
      reading.catch(() => {
        if (known === reading) known = null;
      });
    }
    return known;
  };
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export interface TrackerViewOptions {
  readonly store: TrackerStore;
  /** Unix seconds of an L2 block. */
  readonly blockTimestamp: (block: bigint) => Promise<bigint>;
  /** The registry's `blsNonSignerThresholdMax()` (not mirrored by the tracker; default 4,000). */
  readonly nonSignerMax?: bigint;
  /** The chain id and registry (proxy) the tracker follows (the mirror does not record them). */
  readonly domain: DomainSource;
}

/** Maps one mirrored node record to the view's shape. */
export async function nodeFromRecord(record: NodeRecord, blockTimestamp: (block: bigint) => Promise<bigint>): Promise<ViewNode> {
  const at = (block: string | null): Promise<bigint | null> => (block === null ? Promise.resolve(null) : blockTimestamp(BigInt(block)));
  const contributors = record.contributors.map((c) => ({ addr: addressKey(c.addr), beneficiary: addressKey(c.beneficiary), stakedAmount: BigInt(c.stakedAmount) }));
  if (contributors.length === 0) contributors.push({ addr: addressKey(record.operator), beneficiary: addressKey(record.operator), stakedAmount: 0n });
  return {
    id: BigInt(record.id),
    pubkey: { X: BigInt(record.pubkey.X), Y: BigInt(record.pubkey.Y) },
    operator: addressKey(record.operator),
    fee: record.fee,
    contributors,
    registeredAt: (await at(record.addedBlock))!,
    exitRequestedAt: await at(record.exitRequestedBlock),
    exitedAt: await at(record.exitBlock),
    returnedAmount: record.returnedAmount === null ? null : BigInt(record.returnedAmount),
    status: record.status,
    ed25519Pubkey: BigInt(record.ed25519Pubkey),
    ed25519Signature0: BigInt(record.ed25519Signature0),
    ed25519Signature1: BigInt(record.ed25519Signature1),
    // Records from before the `seeded` field: a seeded node is the one with no initiator and no signature.
    seeded: record.seeded ?? (record.initiator.toLowerCase() === ZERO_ADDRESS && record.ed25519Signature0 === "0" && record.ed25519Signature1 === "0"),
  };
}

export function createTrackerView(options: TrackerViewOptions): NetworkView {
  const { store, blockTimestamp } = options;
  const domain = domainOf(options.domain);
  return {
    async snapshot(): Promise<NetworkSnapshot> {
      const { checkpoint, entities } = await store.readAll([ENTITY.node, ENTITY.rewardRate]);
      if (checkpoint === null) throw new Error("tracker view: the tracker has not synced any block yet");
      const records = (entities[ENTITY.node] ?? []).map((r) => parseRecord<NodeRecord>(r.value));
      const nodes = await Promise.all(records.map((r) => nodeFromRecord(r, blockTimestamp)));
      nodes.sort((a, b) => (a.id < b.id ? -1 : 1));
      const samples = (entities[ENTITY.rewardRate] ?? []).map((r) => parseRecord<RewardRateSample>(r.value));
      const last = samples.filter((s) => BigInt(s.block) <= checkpoint.number).pop();
      if (last === undefined) throw new Error("tracker view: no rewardRate() sample at or below the checkpoint (is --reward-rate-pool set?)");
      return {
        domain: await domain(),
        height: checkpoint.number,
        timestamp: await blockTimestamp(checkpoint.number),
        nodes,
        registeredIds: records.filter(trackerRegistered).map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        rewardRate: BigInt(last.rewardRate),
        nonSignerMax: options.nonSignerMax ?? 4000n,
      };
    },
  };
}

export interface TrackerApiViewOptions {
  /** The tracker's HTTP API, e.g. `http://127.0.0.1:8787`. */
  readonly url: string;
  /** Unix seconds of an L2 block (the tracker mirrors block numbers, not times). */
  readonly blockTimestamp: (block: bigint) => Promise<bigint>;
  /** The registry's `blsNonSignerThresholdMax()`, re-read per snapshot if a function (default 4,000). */
  readonly nonSignerMax?: bigint | (() => Promise<bigint>);
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
  /** The chain id and registry (proxy) the tracker follows (its API does not say). */
  readonly domain: DomainSource;
}

/**
 * {@link NetworkView} over the tracker's HTTP API (`GET /snapshot`, one atomic read of the mirror): what a
 * network process in another process than the tracker uses.
 */
export function createTrackerApiView(options: TrackerApiViewOptions): NetworkView {
  const base = options.url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const domain = domainOf(options.domain);
  /** The last snapshot and the tracker's tag for it: while the mirror has not moved, the tracker answers 304 and it is reused. */
  let last: { etag: string; snapshot: NetworkSnapshot } | null = null;
  return {
    async snapshot(): Promise<NetworkSnapshot> {
      let body: Snapshot | { error?: string };
      let status: number;
      let etag: string | null;
      try {
        const headers: Record<string, string> = last === null ? {} : { "if-none-match": last.etag };
        const response = await fetch(`${base}/snapshot`, { headers, signal: AbortSignal.timeout(timeoutMs) });
        status = response.status;
        etag = response.headers.get("etag");
        if (status === 304 && last !== null) {
          await response.body?.cancel();
          const max = options.nonSignerMax;
          return typeof max === "function" ? { ...last.snapshot, nonSignerMax: await max() } : last.snapshot;
        }
        body = (await response.json()) as typeof body;
      } catch (error) {
        throw new Error(`tracker view: ${base}/snapshot unreachable: ${(error as Error).message}`);
      }
      if (status !== 200 || !("nodes" in body)) throw new Error(`tracker view: ${base}/snapshot answered ${status}: ${(body as { error?: string }).error ?? "unexpected body"}`);
      if (body.height === null) throw new Error("tracker view: the tracker has not synced any block yet");
      const height = BigInt(body.height);
      const nodes = await Promise.all(body.nodes.map((r) => nodeFromRecord(r, options.blockTimestamp)));
      nodes.sort((a, b) => (a.id < b.id ? -1 : 1));
      const sample = body.rewardRate.filter((s) => BigInt(s.block) <= height).pop();
      if (sample === undefined) throw new Error("tracker view: no rewardRate() sample at or below the checkpoint (start the tracker with --reward-rate-pool)");
      const max = options.nonSignerMax;
      const snapshot: NetworkSnapshot = {
        domain: await domain(),
        height,
        timestamp: await options.blockTimestamp(height),
        nodes,
        registeredIds: body.nodes.filter(trackerRegistered).map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        rewardRate: BigInt(sample.rewardRate),
        nonSignerMax: typeof max === "function" ? await max() : (max ?? 4000n),
      };
      last = etag === null ? null : { etag, snapshot };
      return snapshot;
    },
  };
}
