/**
 * One node's signing service. It holds the node's BLS secret key and signs only what it can confirm from
 * its own state: a lifetime balance its own ledger computed, an exit whose unlock is over, a liquidation
 * of a node the network no longer serves or refuses as an impostor (impostors.ts). Every refusal is a
 * {@link NetworkError} (bad_request / forbidden / not_found).
 */
import {
  exitMessage,
  hashToFieldDst,
  liquidationMessage,
  publicKey,
  publicKeyToHex,
  rewardMessage,
  sign,
  type G1Affine,
  type Hex,
  type SecretKey,
  type SigningDomain,
} from "../../bls";
import { forbidden, methodNotFound, notFound } from "../errors";
import { impostorsOf } from "../impostors";
import type { Ledger } from "../ledger/ledger";
import { networkHeightAt } from "../ledger/sync";
import { findNodeByPubkey, isRegistered, type NetworkSnapshot, type ViewNode } from "../view";
import { addressParam, objectParams, pubkeyParam, signatureToHex, uintParam } from "../wire";

export const NODE_METHODS = ["get_rewards", "get_exit", "get_liquidation"] as const;
export type NodeMethod = (typeof NODE_METHODS)[number];

export interface NodeServiceOptions {
  readonly secretKey: SecretKey;
  readonly domain: SigningDomain;
  /** This node's own ledger (several simulated nodes may share one: it is deterministic). */
  readonly ledger: Ledger;
  /** The chain as this node sees it. */
  readonly snapshot: () => Promise<NetworkSnapshot>;
  /** Unix seconds (default: the system clock). */
  readonly clock?: () => Promise<bigint> | bigint;
  /** Exit unlock after the first exit request (default 15 days). */
  readonly unlockSeconds?: bigint;
  /** Largest |timestamp − clock| accepted (default 180 s). */
  readonly timestampToleranceSeconds?: bigint;
  /**
   * Why the chain state `snapshot` is too old to sign from (e.g. the tracker's mirror stalled while the
   * chain moved on), or null when it is fresh enough. Default: never too old.
   */
  readonly staleness?: (snapshot: NetworkSnapshot) => Promise<string | null>;
  /** false when the network no longer serves `node` (deregistered by the network's consensus). Default: every node is served. */
  readonly isServing?: (node: ViewNode) => boolean;
}

export interface RewardsAnswer {
  readonly address: string;
  readonly height: string;
  readonly amount: string;
  readonly signature: Hex;
}

export interface RemovalAnswer {
  readonly bls_pubkey: Hex;
  readonly service_node_id: string;
  readonly timestamp: string;
  readonly signature: Hex;
}

export interface NodeService {
  readonly publicKey: G1Affine;
  /** Handles one request; throws a NetworkError for anything it will not sign. */
  handle(method: string, params: unknown): Promise<RewardsAnswer | RemovalAnswer>;
}

const systemClock = (): bigint => BigInt(Math.floor(Date.now() / 1000));

export function createNodeService(options: NodeServiceOptions): NodeService {
  const pk = publicKey(options.secretKey);
  const dst = hashToFieldDst(options.domain);
  const clock = options.clock ?? systemClock;
  const unlock = options.unlockSeconds ?? 15n * 24n * 3600n;
  const tolerance = options.timestampToleranceSeconds ?? 180n;
  const isServing = options.isServing ?? (() => true);

  /** The node's "now": its clock, never behind the chain state it signs from. */
  async function checkTimestamp(timestamp: bigint, snapshot: NetworkSnapshot): Promise<bigint> {
    const ticked = await clock();
    const now = ticked > snapshot.timestamp ? ticked : snapshot.timestamp;
    const skew = timestamp > now ? timestamp - now : now - timestamp;
    if (skew > tolerance) throw forbidden(`timestamp ${timestamp} is ${skew} s from this node's clock (${now}); at most ${tolerance} s is accepted`);
    return now;
  }

  /** Refuses (forbidden, saying why) to sign from chain state older than the bound. */
  async function freshSnapshot(): Promise<NetworkSnapshot> {
    const snapshot = await options.snapshot();
    const stale = await options.staleness?.(snapshot);
    if (stale) throw forbidden(stale);
    return snapshot;
  }

  async function registeredNode(key: G1Affine): Promise<{ node: ViewNode; snapshot: NetworkSnapshot }> {
    const snapshot = await freshSnapshot();
    const node = findNodeByPubkey(snapshot, key);
    if (node === undefined || !isRegistered(node) || !snapshot.registeredIds.includes(node.id)) {
      throw notFound(`no registered service node has BLS key ${publicKeyToHex(key)}`);
    }
    return { node, snapshot };
  }

  async function getRewards(raw: unknown): Promise<RewardsAnswer> {
    const params = objectParams(raw, ["address", "height"]);
    const address = addressParam(params, "address");
    const height = uintParam(params, "height");
    // A height beyond the network's current one (by this node's clock) is refused before any state is read.
    const current = networkHeightAt(await clock());
    if (height > current + 1n) throw notFound(`height ${height} is not reached yet (the network is at height ${current} by this node's clock)`);
    if (options.staleness !== undefined) await freshSnapshot();
    const amount = options.ledger.balanceAt(address, height);
    if (amount === null) throw notFound(`height ${height} is not reached yet (this node's ledger is at ${options.ledger.lastHeight() ?? "nothing"})`);
    if (amount === 0n) throw notFound(`${address} has no rewards at height ${height}`);
    const signature = sign(options.secretKey, rewardMessage(options.domain, address, amount), dst);
    return { address, height: height.toString(), amount: amount.toString(), signature: signatureToHex(signature) };
  }

  async function getExit(raw: unknown): Promise<RemovalAnswer> {
    const params = objectParams(raw, ["bls_pubkey", "timestamp"]);
    const key = pubkeyParam(params, "bls_pubkey");
    const timestamp = uintParam(params, "timestamp");
    const { node, snapshot } = await registeredNode(key);
    const now = await checkTimestamp(timestamp, snapshot);
    if (node.exitRequestedAt === null) throw forbidden(`service node ${node.id} has not requested an exit`);
    const unlockAt = node.exitRequestedAt + unlock;
    if (now < unlockAt) throw forbidden(`service node ${node.id} is unlocking: its exit may be signed from ${unlockAt} (now ${now})`);
    const signature = sign(options.secretKey, exitMessage(options.domain, key, timestamp), dst);
    return { bls_pubkey: publicKeyToHex(key), service_node_id: node.id.toString(), timestamp: timestamp.toString(), signature: signatureToHex(signature) };
  }

  async function getLiquidation(raw: unknown): Promise<RemovalAnswer> {
    const params = objectParams(raw, ["bls_pubkey", "timestamp"]);
    const key = pubkeyParam(params, "bls_pubkey");
    const timestamp = uintParam(params, "timestamp");
    const { node, snapshot } = await registeredNode(key);
    await checkTimestamp(timestamp, snapshot);
    // Deregistered by the network's consensus, or an impostor (impostors.ts): either is liquidated.
    if (isServing(node) && !impostorsOf(snapshot).has(node.id)) {
      throw forbidden(`service node ${node.id} is in good standing; only deregistered nodes and impostors may be liquidated`);
    }
    const signature = sign(options.secretKey, liquidationMessage(options.domain, key, timestamp), dst);
    return { bls_pubkey: publicKeyToHex(key), service_node_id: node.id.toString(), timestamp: timestamp.toString(), signature: signatureToHex(signature) };
  }

  return {
    publicKey: pk,
    async handle(method, params) {
      switch (method) {
        case "get_rewards":
          return getRewards(params);
        case "get_exit":
          return getExit(params);
        case "get_liquidation":
          return getLiquidation(params);
        default:
          throw methodNotFound(`unknown method ${JSON.stringify(method)} (methods: ${NODE_METHODS.join(", ")})`);
      }
    },
  };
}
