/**
 * JSON-RPC 2.0 over HTTP on 127.0.0.1 (node:http) for node services and the aggregator, and the
 * matching client. One request per POST; errors carry `data.kind` (bad_request / forbidden / …).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { badRequest, fromRpcError, jsonSafe, NetworkError, toRpcError } from "./errors";

export type RpcHandler = (method: string, params: unknown) => Promise<unknown>;

export interface RpcServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

export function serveRpc(handler: RpcHandler, options: { host?: string; port?: number } = {}): Promise<RpcServer> {
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method !== "POST") return reply(405, { jsonrpc: "2.0", id: null, error: toRpcError(badRequest("use POST with a JSON-RPC 2.0 body")) });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      let id: unknown = null;
      (async () => {
        let body: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
        } catch {
          throw badRequest("body is not JSON");
        }
        id = body?.id ?? null;
        if (body === null || typeof body !== "object" || body.jsonrpc !== "2.0" || typeof body.method !== "string") {
          throw badRequest('body must be {"jsonrpc":"2.0","id":…,"method":"…","params":{…}}');
        }
        return handler(body.method, body.params ?? {});
      })()
        .then((result) => reply(200, { jsonrpc: "2.0", id, result: jsonSafe({ result }).result }))
        .catch((error: unknown) => reply(200, { jsonrpc: "2.0", id, error: toRpcError(error) }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      const addr = server.address() as AddressInfo;
      resolve({
        url: `http://${addr.address}:${addr.port}/`,
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
