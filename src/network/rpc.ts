/**
 * JSON-RPC 2.0 over HTTP on 127.0.0.1 (node:http) for node services and the aggregator, and the matching
 * client. Per the spec: single requests and batches (at most {@link MAX_BATCH}), notifications (no `id`)
 * never answered (HTTP 204 when nothing is left to say), -32700 for a body that is not JSON, -32600 for
 * an invalid request, -32601 for an unknown method, -32602 for invalid params; service refusals carry
 * server-defined codes and `data.kind` (forbidden / not_found / …). Transport rules of a public endpoint:
 * POST with `Content-Type: application/json` only (415 otherwise: a browser page cannot send it without a
 * CORS preflight), bodies up to 64 KiB (413 with a JSON-RPC error beyond), optional per-client limits
 * (429 with a `rate_limited` error), and optional read-only GET routes (health, metrics).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fromRpcError, jsonSafe, NetworkError, toRpcError } from "./errors";
import { clientLimiter, type ClientLimits } from "./limits";

export type RpcHandler = (method: string, params: unknown) => Promise<unknown>;

export interface RpcServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** A read-only GET route: its answer (content type and body). */
export type GetRoute = () => Promise<{ readonly contentType: string; readonly body: string; readonly status?: number }> | { readonly contentType: string; readonly body: string; readonly status?: number };

export interface RpcServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** Per-client limits (default: none). */
  readonly limits?: ClientLimits;
  /** GET routes by exact path, e.g. `/health`, `/metrics`. */
  readonly routes?: Readonly<Record<string, GetRoute>>;
  /** Called once per answered request: for metrics (`outcome` is "ok" or an error kind). */
  readonly onRequest?: (outcome: string) => void;
}

export const MAX_BODY = 64 * 1024;
/** A body this far over {@link MAX_BODY} is not read to its end before the 413: the connection is closed. */
const MAX_DISCARD = 16 * MAX_BODY;
export const MAX_BATCH = 16;

type Id = string | number | null;
type Answer = { jsonrpc: "2.0"; id: Id; result?: unknown; error?: ReturnType<typeof toRpcError> };

const errorAnswer = (id: Id, kind: NetworkError["kind"], message: string, details: Record<string, unknown> = {}): Answer => ({
  jsonrpc: "2.0",
  id,
  error: toRpcError(new NetworkError(kind, message, details)),
});

const isId = (v: unknown): v is Id => v === null || typeof v === "string" || (typeof v === "number" && Number.isFinite(v));

/** The client a request is accounted to: the socket's peer address. */
function clientOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}

export function serveRpc(handler: RpcHandler, options: RpcServerOptions = {}): Promise<RpcServer> {
  const limiter = options.limits === undefined ? null : clientLimiter(options.limits);
  const count = options.onRequest ?? (() => {});

  /** One request object of a single call or a batch: its answer, or null for a notification. */
  async function call(raw: unknown): Promise<Answer | null> {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return errorAnswer(null, "invalid_request", 'a request must be an object {"jsonrpc":"2.0","id":…,"method":"…","params":{…}}');
    const request = raw as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const notification = !("id" in request);
    const id: Id = isId(request.id) ? request.id : null;
    if (request.jsonrpc !== "2.0" || typeof request.method !== "string" || (!notification && !isId(request.id))) {
      return errorAnswer(id, "invalid_request", 'a request must be {"jsonrpc":"2.0","id":<string, number or null>,"method":"…","params":{…}}');
    }
    if (request.params !== undefined && (request.params === null || typeof request.params !== "object")) {
      return notification ? null : errorAnswer(id, "bad_request", "params must be an object (by name) or an array");
    }
    // Every method is a read: a notification (no id) asks for no answer, so there is nothing to compute.
    if (notification) return null;
    try {
      const result = await handler(request.method, request.params ?? {});
      count("ok");
      return { jsonrpc: "2.0", id, result: jsonSafe({ result }).result };
    } catch (error) {
      const answer = { jsonrpc: "2.0" as const, id, error: toRpcError(error) };
      count(answer.error.data.kind);
      return answer;
    }
  }

  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      if (res.headersSent) return void res.end();
      if (body === undefined) {
        res.writeHead(status, headers);
        res.end();
        return;
      }
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
      res.end(text);
    };
    const refuse = (status: number, kind: NetworkError["kind"], message: string, headers: Record<string, string> = {}): void => {
      count(kind);
      reply(status, errorAnswer(null, kind, message), headers);
    };

    const path = (req.url ?? "/").split("?")[0];
    const route = options.routes?.[path];
    if ((req.method === "GET" || req.method === "HEAD") && route !== undefined) {
      Promise.resolve()
        .then(route)
        .then(
          (r) => {
            res.writeHead(r.status ?? 200, { "content-type": r.contentType, "content-length": String(Buffer.byteLength(r.body)), "cache-control": "no-store" });
            res.end(req.method === "HEAD" ? undefined : r.body);
          },
          () => reply(500, { error: "internal error" }),
        );
      return;
    }
    if (req.method !== "POST") {
      const gets = Object.keys(options.routes ?? {});
      return refuse(405, "invalid_request", `use POST with a JSON-RPC 2.0 body${gets.length ? ` (GET serves ${gets.join(", ")})` : ""}`, { allow: gets.length ? "POST, GET" : "POST" });
    }
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/json") {
      return refuse(415, "invalid_request", `Content-Type must be application/json, got ${JSON.stringify(req.headers["content-type"] ?? "none")}`, { connection: "close" });
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_BODY) return refuse(413, "invalid_request", `body of ${declared} bytes is over the ${MAX_BODY}-byte limit`, { connection: "close" });
    const admission = limiter?.admit(clientOf(req)) ?? null;
    if (admission !== null && !admission.ok) {
      req.resume();
      return refuse(429, "rate_limited", admission.reason, { "retry-after": String(admission.retryAfterSeconds) });
    }
    res.once("close", () => admission?.ok && admission.release());

    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
      else if (size > MAX_DISCARD) {
        refuse(413, "invalid_request", `body is over the ${MAX_BODY}-byte limit`, { connection: "close" });
        req.destroy();
      }
    });
    req.on("end", () => {
      if (size > MAX_BODY) return refuse(413, "invalid_request", `body of ${size} bytes is over the ${MAX_BODY}-byte limit`);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return refuse(200, "parse_error", "body is not JSON");
      }
      (async (): Promise<void> => {
        if (!Array.isArray(body)) {
          const answer = await call(body);
          return answer === null ? reply(204, undefined) : reply(200, answer);
        }
        if (body.length === 0) return refuse(200, "invalid_request", "an empty batch is not a request");
        if (body.length > MAX_BATCH) return refuse(200, "invalid_request", `a batch holds at most ${MAX_BATCH} requests, got ${body.length}`);
        const answers = (await Promise.all(body.map(call))).filter((a): a is Answer => a !== null);
        return answers.length === 0 ? reply(204, undefined) : reply(200, answers);
      })().catch(() => reply(500, errorAnswer(null, "internal", "internal error")));
    });
  });
  // Longer than clients keep idle sockets (undici: 4 s), so the server never closes one a client is reusing.
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      const addr = server.address() as AddressInfo;
      const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${host}:${addr.port}/`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

let nextId = 1;

/** Calls `method` at `url`; throws the server's NetworkError, or `unavailable` when it cannot be reached. */
export async function rpcCall(url: string, method: string, params: unknown, signal?: AbortSignal): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
      signal,
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new NetworkError("unavailable", `${url} unreachable: ${(error as Error).message}${cause?.code !== undefined ? ` (${cause.code})` : cause?.message !== undefined ? ` (${cause.message})` : ""}`);
  }
  let body: { result?: unknown; error?: { code?: number; message?: string; data?: { kind?: string } } };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new NetworkError("unavailable", `${url} answered ${response.status} with a body that is not JSON`);
  }
  if (body.error !== undefined) throw fromRpcError(body.error);
  return body.result;
}
