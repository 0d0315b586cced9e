/**
 * The HTTP API serving the mirror to the node network (node:http, 127.0.0.1 by default).
 * Read-only; bad requests get 400 with a reason, unknown ids 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChangeEvent, Follower } from "../follower/follower";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import type { ProviderSet } from "../rpc/providers";
import { buildSnapshot } from "../state/dump";
import {
  ENTITY,
  NODE_STATUSES,
  POOL_STATUSES,
  nameKey,
  nameState,
  nodeKey,
  parseRecord,
  poolMinimumContribution,
  type NameEntry,
  type NameState,
  type NetworkRecord,
  type NodeRecord,
  type NodeStatus,
  type PoolRecord,
  type PoolStatus,
  type RewardRateSample,
} from "../state/model";
import { renderStatusPage } from "./page";
import type { BlockRef, TrackerStore } from "../store/types";

export interface ApiOptions {
  readonly host: string;
  readonly port: number;
  readonly store: TrackerStore;
  readonly follower: Follower;
  readonly providers: ProviderSet;
  readonly metrics: Metrics;
  /** Where unknown paths (404s, rate-limited) and internal errors are logged (default: nowhere). */
  readonly logger?: Logger;
  /** Most /events subscribers at once (default {@link MAX_SSE_CLIENTS}); more get 503. */
  readonly maxSseClients?: number;
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
const NAMEHASH_RE = /^0x[0-9a-fA-F]{64}$/;
const UINT64_MAX = (1n << 64n) - 1n;
const UINT256_MAX = (1n << 256n) - 1n;
const INT64_MAX = (1n << 63n) - 1n;
const NAME_STATES: readonly NameState[] = ["live", "grace", "expired", "burnt"];

/** Default cap on /events subscribers. */
export const MAX_SSE_CLIENTS = 100;
/** An /events subscriber whose unsent output exceeds this many bytes is too slow to follow and is dropped. */
export const SSE_MAX_BUFFER_BYTES = 256 * 1024;
/** At most this many 404s are logged per {@link NOT_FOUND_LOG_WINDOW_MS}; the rest are counted in one line. */
export const NOT_FOUND_LOG_LIMIT = 10;
export const NOT_FOUND_LOG_WINDOW_MS = 60_000;

/**
 * The routes, as metrics labels: a request is counted under its route's pattern (or "unknown"), never
 * under its raw path, so the label set is this list plus one.
 */
export const ROUTES = ["/", "/status", "/names", "/names/:id", "/blocks/:number", "/nodes", "/nodes/:id", "/pending", "/reward-rate", "/pools", "/snapshot", "/metrics", "/events"] as const;
export type Route = (typeof ROUTES)[number] | "unknown";

export function routeOf(path: string): Route {
  if ((ROUTES as readonly string[]).includes(path)) return path as Route;
  const m = /^\/(nodes|names|blocks)\/[^/]+$/.exec(path);
  if (m === null) return "unknown";
  return m[1] === "blocks" ? "/blocks/:number" : (`/${m[1]}/:id` as Route);
}

/** decodeURIComponent with a 400 (not a 500) for a malformed % escape. */
function decodeSegment(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `${what} has a malformed %-escape: "${raw.slice(0, 100)}${raw.length > 100 ? "…" : ""}"`);
  }
}

const clip = (text: string, max = 200): string => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

/** A name id: its namehash (0x + 64 hex digits) or its ERC-721 token id (decimal uint256). */
function parseNameId(raw: string): string {
  if (NAMEHASH_RE.test(raw)) return nameKey(raw);
  if (/^\d{1,78}$/.test(raw) && BigInt(raw) <= UINT256_MAX) return nameKey(`0x${BigInt(raw).toString(16).padStart(64, "0")}`);
  throw new HttpError(400, `name id must be a namehash (0x + 64 hex digits) or a decimal token id, got "${clip(raw)}"`);
}

/** Unix seconds of the checkpoint block (the mirror's "now"), or null before the first block. */
export async function mirrorTime(store: TrackerStore): Promise<{ height: bigint; timestamp: bigint | null } | null> {
  const checkpoint = await store.getCheckpoint();
  if (checkpoint === null) return null;
  const block = await store.getBlock(checkpoint.number);
  return { height: checkpoint.number, timestamp: block?.timestamp ?? null };
}

const withState = (name: NameEntry, now: bigint | null): NameEntry & { state: NameState | null } => ({
  ...name,
  state: now === null ? null : nameState(name, now),
});

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function onlyParams(params: URLSearchParams, allowed: readonly string[]): void {
  for (const key of params.keys()) {
    if (!allowed.includes(key)) throw new HttpError(400, `unknown query parameter "${clip(key)}" (allowed: ${allowed.join(", ") || "none"})`);
  }
}

function addressParam(params: URLSearchParams, name: string): string | null {
  const value = params.get(name);
  if (value === null) return null;
  if (!ADDRESS_RE.test(value)) throw new HttpError(400, `${name} must be a 0x-prefixed 20-byte hex address, got "${clip(value)}"`);
  return value.toLowerCase();
}

function blockParam(params: URLSearchParams, name: string): bigint | null {
  const value = params.get(name);
  if (value === null) return null;
  if (!/^\d{1,20}$/.test(value)) throw new HttpError(400, `${name} must be a decimal block number, got "${clip(value)}"`);
  return BigInt(value);
}

export function startApi(options: ApiOptions): Promise<ApiServer> {
  const { store, follower, providers, metrics } = options;
  const logger = options.logger;
  const maxSseClients = options.maxSseClients ?? MAX_SSE_CLIENTS;
  const streams = new Set<ServerResponse>();
  let notFoundWindow = { start: 0, logged: 0, suppressed: 0 };
  /** The last /snapshot answer, keyed by its checkpoint (number and hash): one entry, replaced as the mirror moves. */
  let snapshotCache: { tag: string | null; text: string } | null = null;
  /**
   * The parsed rows of the entity kinds the list routes read, per set of kinds, for one checkpoint: entities
   * change only in a commit that moves the checkpoint (the same rule /snapshot's cache relies on), so while it
   * stands a list request filters these instead of reading and parsing the whole table again (2,000 node
   * records per /nodes?contributor= otherwise). Never mutated by a route. One entry per set of kinds.
   */
  const tables = new Map<string, { tag: string | null; checkpoint: BlockRef | null; rows: Record<string, unknown[]> }>();
  const tagOf = (checkpoint: BlockRef | null): string | null => (checkpoint === null ? null : `${checkpoint.number}-${checkpoint.hash}`);
  async function parsedTables(kinds: readonly string[]): Promise<{ checkpoint: BlockRef | null; rows: Record<string, unknown[]> }> {
    const key = kinds.join(",");
    const hit = tables.get(key);
    if (hit !== undefined && hit.tag === tagOf(await store.getCheckpoint())) return hit;
    const { checkpoint, entities } = await store.readAll(kinds);
    const rows = Object.fromEntries(kinds.map((kind) => [kind, (entities[kind] ?? []).map((r) => parseRecord<unknown>(r.value))]));
    const entry = { tag: tagOf(checkpoint), checkpoint, rows };
    tables.set(key, entry);
    return entry;
  }

  /** Logs a 404 unless {@link NOT_FOUND_LOG_LIMIT} were logged in this window (those are summed up once the window ends). */
  function logNotFound(path: string): void {
    if (logger === undefined) return;
    const now = Date.now();
    if (now - notFoundWindow.start >= NOT_FOUND_LOG_WINDOW_MS) {
      if (notFoundWindow.suppressed > 0) logger.warn("unknown paths not logged in the last window", { count: notFoundWindow.suppressed, windowMs: NOT_FOUND_LOG_WINDOW_MS });
      notFoundWindow = { start: now, logged: 0, suppressed: 0 };
    }
    if (notFoundWindow.logged < NOT_FOUND_LOG_LIMIT) {
      notFoundWindow.logged++;
      logger.warn("404 unknown path", { path: clip(path) });
    } else notFoundWindow.suppressed++;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, route: { value: Route }): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      throw new HttpError(400, `request target is not a valid path: "${clip(req.url ?? "")}"`);
    }
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const params = url.searchParams;
    route.value = routeOf(path);
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, `method ${req.method} not allowed; the API is read-only`);

    if (path === "/") {
      onlyParams(params, ["refresh"]);
      const refresh = params.get("refresh");
      if (refresh !== null && !/^\d{1,4}$/.test(refresh)) throw new HttpError(400, `refresh must be whole seconds (0: off), got "${refresh}"`);
      const html = await renderStatusPage({ store, follower, providers, refreshSeconds: refresh === null ? 10 : Number(refresh) });
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(html), "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : html);
      return;
    }
    if (path === "/status") {
      onlyParams(params, []);
      const time = await mirrorTime(store);
      return send(res, 200, {
        ...follower.status(),
        checkpointTimestamp: time?.timestamp?.toString() ?? null,
        store: store.backend,
        chainId: providers.chainId(),
        providers: providers.status(),
      });
    }
    if (path === "/names") {
      onlyParams(params, ["owner", "state"]);
      const owner = addressParam(params, "owner");
      const state = params.get("state");
      if (state !== null && !NAME_STATES.includes(state as NameState)) throw new HttpError(400, `state must be one of ${NAME_STATES.join(", ")}, got "${state}"`);
      const [{ rows }, time] = await Promise.all([parsedTables([ENTITY.name]), mirrorTime(store)]);
      const now = time?.timestamp ?? null;
      const names = (rows[ENTITY.name] as NameEntry[])
        .map((n) => withState(n, now))
        .filter((n) => owner === null || n.owner === owner)
        .filter((n) => state === null || n.state === state);
      return send(res, 200, { height: time?.height.toString() ?? null, timestamp: now?.toString() ?? null, count: names.length, names });
    }
    const nameMatch = /^\/names\/([^/]+)$/.exec(path);
    if (nameMatch) {
      onlyParams(params, []);
      const raw = decodeSegment(nameMatch[1], "name id");
      const key = parseNameId(raw);
      const value = await store.getEntity(ENTITY.name, key);
      if (value === null) throw new HttpError(404, `no name with namehash ${key}`);
      const time = await mirrorTime(store);
      return send(res, 200, withState(parseRecord<NameEntry>(value), time?.timestamp ?? null));
    }
    const blockMatch = /^\/blocks\/([^/]+)$/.exec(path);
    if (blockMatch) {
      onlyParams(params, []);
      const raw = decodeSegment(blockMatch[1], "block number");
      if (!/^\d{1,20}$/.test(raw) || BigInt(raw) > INT64_MAX) throw new HttpError(400, `block must be a decimal block number below 2^63, got "${clip(raw)}"`);
      const block = await store.getBlock(BigInt(raw));
      if (block === null) throw new HttpError(404, `block ${raw} is not stored (only blocks that carried events, range ends and the checkpoint are kept, within the undo retention)`);
      return send(res, 200, { number: block.number.toString(), hash: block.hash, parentHash: block.parentHash, timestamp: block.timestamp?.toString() ?? null });
    }
    if (path === "/nodes") {
      onlyParams(params, ["operator", "contributor", "status"]);
      const operator = addressParam(params, "operator");
      const contributor = addressParam(params, "contributor");
      const status = params.get("status");
      if (status !== null && !NODE_STATUSES.includes(status as NodeStatus)) {
        throw new HttpError(400, `status must be one of ${NODE_STATUSES.join(", ")}, got "${status}"`);
      }
      const { checkpoint, rows } = await parsedTables([ENTITY.node]);
      const nodes = (rows[ENTITY.node] as NodeRecord[])
        .filter((n) => operator === null || n.operator === operator)
        .filter((n) => contributor === null || n.contributors.some((c) => c.addr === contributor || c.beneficiary === contributor))
        .filter((n) => status === null || n.status === status);
      return send(res, 200, { height: checkpoint?.number.toString() ?? null, count: nodes.length, nodes });
    }
    const nodeMatch = /^\/nodes\/([^/]+)$/.exec(path);
    if (nodeMatch) {
      onlyParams(params, []);
      const raw = decodeSegment(nodeMatch[1], "node id");
      if (!/^\d{1,20}$/.test(raw) || BigInt(raw) > UINT64_MAX) throw new HttpError(400, `node id must be a decimal uint64, got "${clip(raw)}"`);
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
      onlyParams(params, ["open", "status", "operator"]);
      const open = params.get("open");
      if (open !== null && open !== "true" && open !== "false") throw new HttpError(400, `open must be true or false, got "${open}"`);
      const status = params.get("status");
      if (status !== null && !POOL_STATUSES.includes(status as PoolStatus)) throw new HttpError(400, `status must be one of ${POOL_STATUSES.join(", ")}, got "${status}"`);
      const operator = addressParam(params, "operator");
      const { rows } = await parsedTables([ENTITY.pool, ENTITY.network]);
      const network = rows[ENTITY.network][0] as NetworkRecord | undefined;
      const requirement = network ? network.stakingRequirement : null;
      const pools = (rows[ENTITY.pool] as PoolRecord[])
        // open: accepting contributions from anyone now (ServiceNodeContribution status OpenForPublicContrib).
        .map((p) => ({ ...p, open: p.status === "open", minimumContribution: poolMinimumContribution(p) }))
        .filter((p) => open === null || p.open === (open === "true"))
        .filter((p) => status === null || p.status === status)
        .filter((p) => operator === null || p.operator === operator);
      return send(res, 200, { stakingRequirement: requirement, pools });
    }
    if (path === "/snapshot") {
      onlyParams(params, []);
      // One dump per checkpoint, shared by every client; a client that has it (If-None-Match) gets 304.
      const checkpoint = await store.getCheckpoint();
      const tag = checkpoint === null ? null : `"${checkpoint.number}-${checkpoint.hash}"`;
      if (tag !== null && req.headers["if-none-match"] === tag) {
        res.writeHead(304, { etag: tag });
        res.end();
        return;
      }
      if (snapshotCache === null || snapshotCache.tag !== tag || tag === null) {
        const snapshot = await buildSnapshot(store);
        metrics.inc("tracker_snapshot_builds_total", "Full /snapshot dumps read from the store (one per checkpoint)");
        const builtTag = snapshot.height === null ? null : `"${snapshot.height}-${snapshot.blockHash}"`;
        snapshotCache = { tag: builtTag, text: JSON.stringify(snapshot) };
      }
      const headers: Record<string, string | number> = { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(snapshotCache.text) };
      if (snapshotCache.tag !== null) headers.etag = snapshotCache.tag;
      res.writeHead(200, headers);
      res.end(snapshotCache.text);
      return;
    }
    if (path === "/metrics") {
      for (const p of providers.status()) {
        const labels = { url: p.url };
        metrics.set("tracker_provider_quarantined", "1 when the provider is quarantined (never followed again)", p.state === "quarantined" ? 1 : 0, labels);
        metrics.set("tracker_provider_demoted", "1 when the provider lags or fails and is ranked last", p.state === "demoted" ? 1 : 0, labels);
        metrics.set("tracker_provider_requests", "Requests sent to the provider", p.requests, labels);
        metrics.set("tracker_provider_failures", "Failed requests (errors, timeouts, 5xx)", p.failures, labels);
        metrics.set("tracker_provider_disagreements", "Answers that disagreed with the other providers", p.disagreements, labels);
      }
      const status = follower.status();
      if (status.lagBlocks !== null) metrics.set("tracker_lag_blocks", "Latest head minus the mirror's checkpoint", Number(status.lagBlocks));
      metrics.set("tracker_sync_blocks_per_second", "Recent processing speed", status.blocksPerSecond);
      metrics.set("tracker_stalled", "1 while the mirror cannot advance (blocks wait at or below the safe head, no progress for 60 s)", status.stalled === null ? 0 : 1);
      const text = metrics.render();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(text);
      return;
    }
    if (path === "/events") {
      onlyParams(params, []);
      const headers = { "content-type": "text/event-stream", "cache-control": "no-cache" };
      if (req.method === "HEAD") {
        res.writeHead(200, headers);
        res.end();
        return;
      }
      if (streams.size >= maxSseClients) {
        res.setHeader("retry-after", "30");
        throw new HttpError(503, `too many /events subscribers (${streams.size}, the cap is ${maxSseClients}); retry later`);
      }
      res.writeHead(200, { ...headers, connection: "keep-alive" });
      res.write(": confirmed changes of the mirror\n\n");
      let keepAlive: NodeJS.Timeout | undefined = undefined;
      const detach = (): void => {
        clearInterval(keepAlive);
        follower.changes.off("change", listener);
        if (streams.delete(res)) metrics.set("tracker_sse_clients", "Connected /events clients", streams.size);
      };
      // A subscriber that does not read is dropped once its backlog passes the bound (no unbounded buffering).
      const push = (text: string): void => {
        if (res.writableLength + text.length > SSE_MAX_BUFFER_BYTES) {
          metrics.inc("tracker_sse_dropped_total", "/events subscribers dropped for not reading (backlog over the bound)");
          detach();
          res.destroy();
          return;
        }
        res.write(text);
      };
      function listener(event: ChangeEvent): void {
        push(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      }
      keepAlive = setInterval(() => push(": keep-alive\n\n"), 15_000);
      follower.changes.on("change", listener);
      streams.add(res);
      metrics.set("tracker_sse_clients", "Connected /events clients", streams.size);
      req.on("close", detach);
      res.on("close", detach);
      return;
    }
    logNotFound(path);
    throw new HttpError(404, `unknown path ${clip(path)}; try / (status page), /status, /nodes, /nodes/:id, /pending, /reward-rate, /pools, /names, /names/:namehash, /blocks/:number, /snapshot, /events, /metrics`);
  }

  const server = createServer((req, res) => {
    const route: { value: Route } = { value: "unknown" };
    // Counted once the answer is out: by route and status, both from fixed sets (never the raw path).
    res.once("close", () => metrics.inc("tracker_http_requests_total", "HTTP API requests by route and status", { route: route.value, status: String(res.statusCode) }));
    handle(req, res, route).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      if (error instanceof HttpError) send(res, error.status, { error: error.message });
      else {
        logger?.error("API request failed", { route: route.value, error: (error as Error)?.message ?? String(error) });
        send(res, 500, { error: "internal error" });
      }
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
