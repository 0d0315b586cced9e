/**
 * The HTTP API serving the mirror to the node network (node:http, 127.0.0.1 by default).
 * Read-only; bad requests get 400 with a reason, unknown ids 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChangeEvent, Follower } from "../follower/follower";
import type { Metrics } from "../metrics";
import type { ProviderSet } from "../rpc/providers";
import { buildSnapshot } from "../state/dump";
import { ENTITY, NODE_STATUSES, nodeKey, parseRecord, type NetworkRecord, type NodeRecord, type NodeStatus, type PoolRecord, type RewardRateSample } from "../state/model";
import type { TrackerStore } from "../store/types";

export interface ApiOptions {
  readonly host: string;
  readonly port: number;
  readonly store: TrackerStore;
  readonly follower: Follower;
  readonly providers: ProviderSet;
  readonly metrics: Metrics;
}

export interface ApiServer {
  readonly server: Server;
  /** The bound address (port resolved when 0 was asked). */
  address(): { host: string; port: number };
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const UINT64_MAX = (1n << 64n) - 1n;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function onlyParams(params: URLSearchParams, allowed: readonly string[]): void {
  for (const key of params.keys()) {
    if (!allowed.includes(key)) throw new HttpError(400, `unknown query parameter "${key}" (allowed: ${allowed.join(", ") || "none"})`);
  }
}

function addressParam(params: URLSearchParams, name: string): string | null {
  const value = params.get(name);
  if (value === null) return null;
  if (!ADDRESS_RE.test(value)) throw new HttpError(400, `${name} must be a 0x-prefixed 20-byte hex address, got "${value}"`);
  return value.toLowerCase();
}

function blockParam(params: URLSearchParams, name: string): bigint | null {
  const value = params.get(name);
  if (value === null) return null;
  if (!/^\d{1,20}$/.test(value)) throw new HttpError(400, `${name} must be a decimal block number, got "${value}"`);
  return BigInt(value);
}

export function startApi(options: ApiOptions): Promise<ApiServer> {
  const { store, follower, providers, metrics } = options;
  const streams = new Set<ServerResponse>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const params = url.searchParams;
    metrics.inc("tracker_http_requests_total", "HTTP API requests", { path: path.startsWith("/nodes/") ? "/nodes/:id" : path });
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, `method ${req.method} not allowed; the API is read-only`);

    if (path === "/status") {
      onlyParams(params, []);
      return send(res, 200, { ...follower.status(), store: store.backend, chainId: providers.chainId(), providers: providers.status() });
    }
    if (path === "/nodes") {
      onlyParams(params, ["operator", "contributor", "status"]);
      const operator = addressParam(params, "operator");
      const contributor = addressParam(params, "contributor");
      const status = params.get("status");
      if (status !== null && !NODE_STATUSES.includes(status as NodeStatus)) {
        throw new HttpError(400, `status must be one of ${NODE_STATUSES.join(", ")}, got "${status}"`);
      }
      const { checkpoint, entities } = await store.readAll([ENTITY.node]);
      const nodes = (entities[ENTITY.node] ?? [])
        .map((r) => parseRecord<NodeRecord>(r.value))
        .filter((n) => operator === null || n.operator === operator)
        .filter((n) => contributor === null || n.contributors.some((c) => c.addr === contributor || c.beneficiary === contributor))
        .filter((n) => status === null || n.status === status);
      return send(res, 200, { height: checkpoint?.number.toString() ?? null, count: nodes.length, nodes });
    }
    const nodeMatch = /^\/nodes\/([^/]+)$/.exec(path);
    if (nodeMatch) {
      onlyParams(params, []);
      const raw = decodeURIComponent(nodeMatch[1]);
      if (!/^\d{1,20}$/.test(raw) || BigInt(raw) > UINT64_MAX) throw new HttpError(400, `node id must be a decimal uint64, got "${raw}"`);
      const value = await store.getEntity(ENTITY.node, nodeKey(BigInt(raw)));
      if (value === null) throw new HttpError(404, `no service node with id ${raw}`);
      return send(res, 200, parseRecord<NodeRecord>(value));
    }
    if (path === "/pending") {
      onlyParams(params, []);
      const status = follower.status();
      return send(res, 200, { safeHead: status.safeHead, latest: status.latest, policy: status.safeHeadPolicy, events: follower.pending() });
    }
    if (path === "/reward-rate") {
      onlyParams(params, ["from", "to"]);
      const from = blockParam(params, "from");
      const to = blockParam(params, "to");
      if (from !== null && to !== null && from > to) throw new HttpError(400, `from (${from}) is above to (${to})`);
      const samples = (await store.listEntities(ENTITY.rewardRate))
        .map((r) => parseRecord<RewardRateSample>(r.value))
        .filter((s) => (from === null || BigInt(s.block) >= from) && (to === null || BigInt(s.block) <= to));
      return send(res, 200, { latest: samples.length ? samples[samples.length - 1] : null, samples });
    }
    if (path === "/pools") {
      onlyParams(params, ["open"]);
      const open = params.get("open");
      if (open !== null && open !== "true" && open !== "false") throw new HttpError(400, `open must be true or false, got "${open}"`);
      const { entities } = await store.readAll([ENTITY.pool, ENTITY.network]);
      const network = entities[ENTITY.network]?.[0];
      const requirement = network ? parseRecord<NetworkRecord>(network.value).stakingRequirement : null;
      const pools = (entities[ENTITY.pool] ?? [])
        .map((r) => parseRecord<PoolRecord>(r.value))
        .map((p) => ({ ...p, open: requirement === null ? null : BigInt(p.totalContributed) < BigInt(requirement) }))
        .filter((p) => open === null || p.open === (open === "true"));
      return send(res, 200, { stakingRequirement: requirement, pools });
    }
    if (path === "/snapshot") {
      onlyParams(params, []);
      return send(res, 200, await buildSnapshot(store));
    }
    if (path === "/metrics") {
      const text = metrics.render();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(text);
      return;
    }
    if (path === "/events") {
      onlyParams(params, []);
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      res.write(": confirmed changes of the mirror\n\n");
      const listener = (event: ChangeEvent): void => {
        res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      };
      const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
      follower.changes.on("change", listener);
      streams.add(res);
      metrics.set("tracker_sse_clients", "Connected /events clients", streams.size);
      req.on("close", () => {
        clearInterval(keepAlive);
        follower.changes.off("change", listener);
        streams.delete(res);
        metrics.set("tracker_sse_clients", "Connected /events clients", streams.size);
      });
      return;
    }
    throw new HttpError(404, `unknown path ${path}; try /status, /nodes, /nodes/:id, /pending, /reward-rate, /pools, /snapshot, /events, /metrics`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      if (error instanceof HttpError) send(res, error.status, { error: error.message });
      else send(res, 500, { error: "internal error" });
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      const addr = server.address() as AddressInfo;
      resolve({
        server,
        address: () => ({ host: addr.address, port: addr.port }),
        close: () =>
          new Promise<void>((done) => {
            for (const res of streams) res.end();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
