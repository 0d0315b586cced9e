/**
 * A simulated node network: N node services (default 12), each with its own BLS key, behind in-process
 * or HTTP (127.0.0.1) endpoints, and an aggregator over them. Knobs make chosen nodes offline, slow
 * (answering after `slowMs`), sign the wrong thing (a valid-looking but wrong signature), or answer
 * garbage. Nodes share one snapshot source and, by default, one ledger (the ledger is deterministic, so
 * every honest node would compute the same balances; pass `ledgerFor` to give each its own).
 */
import { publicKey, secretKeyFromSeed, sign, type G1Affine, type SecretKey, type SigningDomain } from "../bls";
import { createAggregator, type Aggregator, type AggregatorOptions } from "./aggregator/aggregator";
import { NetworkError } from "./errors";
import type { Ledger } from "./ledger/ledger";
import { httpClient, inProcessClient, serveNode, type NodeClient } from "./node/client";
import { createNodeService, type NodeService } from "./node/service";
import type { RpcServer } from "./rpc";
import type { NetworkSnapshot, ViewNode } from "./view";
import { signatureToHex } from "./wire";

export type Behaviour = "honest" | "offline" | "slow" | "bad-signature" | "garbage";

export interface SimulationOptions {
  readonly domain: SigningDomain;
  readonly snapshot: () => Promise<NetworkSnapshot>;
  readonly ledger: Ledger;
  /** Per-node ledgers instead of the shared one. */
  readonly ledgerFor?: (index: number) => Ledger;
  /** Secret keys of the nodes (e.g. the ones registered on chain); otherwise `count` keys from `label`. */
  readonly secretKeys?: readonly SecretKey[];
  readonly count?: number;
  readonly label?: string;
  readonly transport?: "in-process" | "http";
  /** Node index → behaviour (default honest). Changeable later with `setBehaviour`. */
  readonly behaviours?: Readonly<Record<number, Behaviour>>;
  readonly slowMs?: number;
  readonly clock?: () => Promise<bigint> | bigint;
  /** See NodeServiceOptions.staleness. */
  readonly staleness?: (snapshot: NetworkSnapshot) => Promise<string | null>;
  readonly unlockSeconds?: bigint;
  /** Registry ids the network's consensus has deregistered (liquidatable). Shared and mutable. */
  readonly deregistered?: Set<bigint>;
  readonly aggregator?: Partial<Pick<AggregatorOptions, "timeoutMs" | "rewardsHeight" | "removalCacheSeconds">>;
  /** HTTP transport: bind address (default 127.0.0.1) and node i's port (default: any free port). */
  readonly host?: string;
  readonly nodePort?: (index: number) => number | undefined;
  /** Node i's name in labels and failures (default `node i`; a daemon passes the network-wide index). */
  readonly labelOf?: (index: number) => string;
  /** Awaited before every request a node handles (e.g. bring its ledger up to the chain). */
  readonly beforeRequest?: (index: number, method: string, params: unknown) => Promise<void>;
}

export interface SimNode {
  readonly index: number;
  /** The node's HTTP endpoint (HTTP transport only). */
  readonly url?: string;
  readonly secretKey: SecretKey;
  readonly publicKey: G1Affine;
  readonly service: NodeService;
  readonly client: NodeClient;
  behaviour: Behaviour;
}

export interface Simulation {
  readonly nodes: readonly SimNode[];
  readonly aggregator: Aggregator;
  readonly deregistered: Set<bigint>;
  setBehaviour(index: number, behaviour: Behaviour): void;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Wraps a service with a behaviour knob. */
function misbehave(
  service: NodeService,
  node: () => SimNode,
  slowMs: number,
  wrongKey: SecretKey,
  before?: (method: string, params: unknown) => Promise<void>,
): NodeService {
  return {
    publicKey: service.publicKey,
    async handle(method, params) {
      const behaviour = node().behaviour;
      if (behaviour === "offline") throw new NetworkError("unavailable", "connection refused (node offline)");
      if (behaviour === "slow") await sleep(slowMs);
      await before?.(method, params);
      const answer = await service.handle(method, params);
      if (behaviour === "bad-signature") {
        // A well-formed G2 point that is a signature of the same message by another key.
        const forged = sign(wrongKey, new TextEncoder().encode(`${method}:${JSON.stringify(params)}`), `0x${"00".repeat(32)}`);
        return { ...answer, signature: signatureToHex(forged) };
      }
      if (behaviour === "garbage") return { ...answer, signature: "0xdeadbeef" } as typeof answer;
      return answer;
    },
  };
}

export async function createSimulation(options: SimulationOptions): Promise<Simulation> {
  const keys = options.secretKeys ?? Array.from({ length: options.count ?? 12 }, (_, i) => secretKeyFromSeed(`${options.label ?? "sim-node"}-${i}`));
  const deregistered = options.deregistered ?? new Set<bigint>();
  const isServing = (node: ViewNode): boolean => !deregistered.has(node.id);
  const transport = options.transport ?? "in-process";
  const servers: RpcServer[] = [];
  const nodes: SimNode[] = [];
  for (const [index, secretKey] of keys.entries()) {
    const honest = createNodeService({
      secretKey,
      domain: options.domain,
      ledger: options.ledgerFor?.(index) ?? options.ledger,
      snapshot: options.snapshot,
      clock: options.clock,
      staleness: options.staleness,
      unlockSeconds: options.unlockSeconds,
      isServing,
    });
    const before = options.beforeRequest;
    const service = misbehave(
      honest,
      () => nodes[index],
      options.slowMs ?? 10_000,
      secretKeyFromSeed(`wrong-${index}`),
      before === undefined ? undefined : (method, params) => before(index, method, params),
    );
    const label = options.labelOf?.(index) ?? `node ${index}`;
    let client: NodeClient;
    if (transport === "http") {
      let server: RpcServer;
      try {
        server = await serveNode(service, options.nodePort?.(index) ?? 0, options.host);
      } catch (error) {
        await Promise.all(servers.map((s) => s.close()));
        throw new NetworkError("unavailable", `${label}: cannot listen on ${options.host ?? "127.0.0.1"}:${options.nodePort?.(index) ?? 0}: ${(error as Error).message}`);
      }
      servers.push(server);
      client = httpClient(server.url, honest.publicKey, label);
    } else {
      client = inProcessClient(service, label);
    }
    nodes.push({ index, url: servers.at(-1)?.url, secretKey, publicKey: publicKey(secretKey), service, client, behaviour: options.behaviours?.[index] ?? "honest" });
  }
  const aggregator = createAggregator({
    domain: options.domain,
    nodes: nodes.map((n) => n.client),
    snapshot: options.snapshot,
    clock: options.clock,
    unlockSeconds: options.unlockSeconds,
    isServing,
    ...options.aggregator,
  });
  return {
    nodes,
    aggregator,
    deregistered,
    setBehaviour(index, behaviour) {
      nodes[index].behaviour = behaviour;
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
