/**
 * The JSON-RPC transport of the node services and the aggregator at its edges (issue 22 item 5): the
 * JSON-RPC 2.0 error codes, batches, notifications, oversized bodies (413 with an answer), non-JSON
 * content types (415: no preflight-free browser POST), per-client limits (429), and the bounded caches.
 */
import { expect } from "chai";
import { badRequest } from "../../src/network/errors";
import { boundedCache } from "../../src/network/cache";
import { MAX_BATCH, MAX_BODY, rpcCall, serveRpc, type RpcServer } from "../../src/network/rpc";


async function post(url: string, body: string | Uint8Array, contentType: string | null = "application/json"): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (contentType !== null) headers["content-type"] = contentType;
  const res = await fetch(url, { method: "POST", headers, body });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text), headers: res.headers };
}

describe("network JSON-RPC transport edges", () => {
  let server: RpcServer;
  let calls = 0;

  before(async () => {
    server = await serveRpc(async (method, params) => {
      calls++;
      if (method === "echo") return params;
      if (method === "invalid") throw badRequest("x must be a number");
      if (method === "crash") throw new Error("secret internal detail");
      throw new (await import("../../src/network/errors")).NetworkError("method_not_found", `unknown method ${method}`);
    });
  });
  after(async () => server?.close());

  it("uses the JSON-RPC 2.0 error codes: -32700, -32600, -32601, -32602, -32603", async () => {
    const parse = await post(server.url, "{nope");
    expect(parse.body).to.deep.include({ jsonrpc: "2.0", id: null });
    expect(parse.body.error).to.include({ code: -32700 });
    const invalid = await post(server.url, JSON.stringify({ jsonrpc: "1.0", id: 1, method: "echo" }));
    expect(invalid.body.error).to.include({ code: -32600 });
    const badId = await post(server.url, JSON.stringify({ jsonrpc: "2.0", id: { a: 1 }, method: "echo" }));
    expect(badId.body).to.deep.include({ id: null });
    expect(badId.body.error.code).to.equal(-32600);
    const unknown = await post(server.url, JSON.stringify({ jsonrpc: "2.0", id: 7, method: "nope" }));
    expect(unknown.body).to.deep.include({ id: 7 });
    expect(unknown.body.error).to.include({ code: -32601 });
    const params = await post(server.url, JSON.stringify({ jsonrpc: "2.0", id: "a", method: "invalid", params: {} }));
    expect(params.body.error).to.include({ code: -32602, message: "x must be a number" });
    const internal = await post(server.url, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "crash" }));
    expect(internal.body.error.code).to.equal(-32603);
    expect(internal.body.error.message).to.match(/^internal error/);
    const ok = await post(server.url, JSON.stringify({ jsonrpc: "2.0", id: 3, method: "echo", params: { a: 1 } }));
    expect(ok.body).to.deep.equal({ jsonrpc: "2.0", id: 3, result: { a: 1 } });
    // The client maps codes back to kinds.
    const e = await rpcCall(server.url, "nope", {}).catch((x: Error & { kind: string }) => x);
    expect((e as { kind: string }).kind).to.equal("method_not_found");
  });

  it("answers batches (notifications left out), refuses an empty or oversized batch, never answers a notification", async () => {
    const before = calls;
    const batch = await post(
      server.url,
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "echo", params: { n: 1 } },
        { jsonrpc: "2.0", method: "echo", params: { n: 2 } },
        { jsonrpc: "2.0", id: 3, method: "nope" },
        42,
      ]),
    );
    expect(batch.status).to.equal(200);
    expect(batch.body).to.have.length(3);
    expect(batch.body[0]).to.deep.equal({ jsonrpc: "2.0", id: 1, result: { n: 1 } });
    expect(batch.body[1].error.code).to.equal(-32601);
    expect(batch.body[2]).to.deep.include({ id: null });
    expect(batch.body[2].error.code).to.equal(-32600);
    expect(calls - before).to.equal(2); // the notification was not run
    const note = await post(server.url, JSON.stringify({ jsonrpc: "2.0", method: "echo", params: {} }));
    expect([note.status, note.body]).to.deep.equal([204, null]);
    const notes = await post(server.url, JSON.stringify([{ jsonrpc: "2.0", method: "echo" }, { jsonrpc: "2.0", method: "echo" }]));
    expect([notes.status, notes.body]).to.deep.equal([204, null]);
    const empty = await post(server.url, "[]");
    expect(empty.body.error.code).to.equal(-32600);
    const big = await post(server.url, JSON.stringify(Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "echo" }))));
    expect(big.body.error).to.include({ code: -32600 });
    expect(big.body.error.message).to.match(new RegExp(`at most ${MAX_BATCH}`));
  });

  it("answers a body over 64 KiB with HTTP 413 and a JSON-RPC error (no connection reset)", async () => {
    const filler = "x".repeat(MAX_BODY + 10);
    const res = await post(server.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: { filler } }));
    expect(res.status).to.equal(413);
    expect(res.body.error.code).to.equal(-32600);
    expect(res.body.error.message).to.match(/over the 65536-byte limit/);
    const huge = await post(server.url, new Uint8Array(4 * 1024 * 1024));
    expect(huge.status).to.equal(413);
  });

  it("refuses non-JSON content types with 415 (a browser cannot POST text/plain to trigger work)", async () => {
    const before = calls;
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo" });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null]) {
      const res = await post(server.url, body, type);
      expect(res.status, String(type)).to.equal(415);
      expect(res.body.error.code).to.equal(-32600);
    }
    expect(calls).to.equal(before);
    expect((await post(server.url, body, "application/json; charset=utf-8")).status).to.equal(200);
    const get = await fetch(server.url);
    expect(get.status).to.equal(405);
    expect(get.headers.get("allow")).to.equal("POST");
  });

  it("limits each client: over the rate or the in-flight cap it gets 429 with a rate_limited JSON-RPC error", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const limited = await serveRpc(
      async (method) => {
        if (method === "wait") await gate;
        return "ok";
      },
      { limits: { ratePerSecond: 1, burst: 3, maxInFlight: 2 } },
    );
    try {
      const one = (method = "echo") => post(limited.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method }));
      const waiting = [one("wait"), one("wait")];
      await new Promise((r) => setTimeout(r, 100));
      const third = await one();
      expect(third.status).to.equal(429);
      expect(third.body.error).to.include({ code: -32029 });
      expect(third.body.error.data.kind).to.equal("rate_limited");
      expect(third.body.error.message).to.match(/in flight/);
      release();
      expect((await Promise.all(waiting)).map((r) => r.status)).to.deep.equal([200, 200]);
      expect((await one()).status).to.equal(200); // the third token of the burst
      const over = await one();
      expect(over.status).to.equal(429);
      expect(over.headers.get("retry-after")).to.equal("1");
      expect(over.body.error.message).to.match(/at most 1 requests per second/);
      const e = await rpcCall(limited.url, "echo", {}).catch((x: Error) => x);
      expect((e as { kind: string }).kind).to.equal("rate_limited");
    } finally {
      await limited.close();
    }
  });

  it("bounded caches drop the least recently used entry and expired ones", () => {
    const cache = boundedCache<number, string>(3);
    for (let i = 0; i < 1000; i++) cache.set(i, `v${i}`);
    expect(cache.size).to.equal(3);
    expect([cache.get(997), cache.get(998), cache.get(999)]).to.deep.equal(["v997", "v998", "v999"]);
    cache.get(997);
    cache.set(1000, "v1000");
    expect(cache.get(998)).to.equal(undefined);
    expect(cache.get(997)).to.equal("v997");
    cache.set(5, "soon", 100);
    expect(cache.get(5, 99)).to.equal("soon");
    expect(cache.get(5, 100)).to.equal(undefined);
  });
});
