/** How the aggregator reaches a node: in process (simulations) or over HTTP JSON-RPC. */
import type { G1Affine } from "../../bls";
import { rpcCall, serveRpc, type RpcServer } from "../rpc";
import type { NodeService } from "./service";

export interface NodeClient {
  /** A label for logs and reports. */
  readonly label: string;
  /** The node's BLS key (how the aggregator maps answers to registry ids). */
  readonly publicKey: G1Affine;
  call(method: string, params: unknown, signal?: AbortSignal): Promise<unknown>;
}

/** Calls the service directly; the answer goes through a JSON round trip like the HTTP path. */
export function inProcessClient(service: NodeService, label: string): NodeClient {
  return {
    label,
    publicKey: service.publicKey,
    call: async (method, params) => JSON.parse(JSON.stringify(await service.handle(method, JSON.parse(JSON.stringify(params))))) as unknown,
  };
}

export function httpClient(url: string, publicKey: G1Affine, label = url): NodeClient {
  return { label, publicKey, call: (method, params, signal) => rpcCall(url, method, params, signal) };
}

/** Serves a node's endpoints on `host` (default 127.0.0.1; port 0: any free port). */
export function serveNode(service: NodeService, port = 0, host?: string): Promise<RpcServer> {
  return serveRpc((method, params) => service.handle(method, params), { port, host });
}
