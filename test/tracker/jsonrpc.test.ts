import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isTimeout, isTooManyResults } from "../../src/tracker/rpc/errors";
import { JsonRpcHttpError, JsonRpcResponseError, JsonRpcTimeoutError, postJsonRpc } from "../../src/tracker/rpc/jsonrpc";

/** A JSON-RPC server whose answer to each request is decided by `answer` (status, body; null: never answer). */
async function server(answer: (body: { method: string; params: unknown[]; id: number }) => { status: number; body: string } | null): Promise<{ url: string; close: () => Promise<void> }> {
  const srv: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      const reply = answer(JSON.parse(text));
      if (reply === null) return;
      res.writeHead(reply.status, { "content-type": "application/json" }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  };
}

describe("tracker plain JSON-RPC POST (eth_getLogs during a sync)", () => {
  it("returns the result of a large answer (several chunks, reused receive buffer), UTF-8 text intact", async () => {
    const logs = Array.from({ length: 20_000 }, (_, i) => ({ data: `0x${i.toString(16).padStart(64, "0")}`, removed: false }));
    const s = await server((b) => ({ status: 200, body: JSON.stringify({ jsonrpc: "2.0", id: b.id, result: b.method === "eth_getLogs" ? logs : "ünïcødé ✓" }) }));
    try {
      for (let round = 0; round < 2; round++) {
        const [a, b] = await Promise.all([postJsonRpc(s.url, "eth_getLogs", [{}], 5_000), postJsonRpc(s.url, "eth_getLogs", [{}], 5_000)]);
        // Compared as text: chai's deep equality (with Hardhat's matchers) takes seconds on 20,000 objects.
        expect(JSON.stringify(a)).to.equal(JSON.stringify(logs));
        expect(JSON.stringify(b)).to.equal(JSON.stringify(logs));
      }
      expect(await postJsonRpc(s.url, "web3_clientVersion", [], 5_000)).to.equal("ünïcødé ✓");
    } finally {
      await s.close();
    }
  });

  it("classifies errors as the viem transport's are: JSON-RPC errors keep their message, 5xx, timeouts", async () => {
    let mode: "ok" | "rpc-error" | "503" | "hang" | "not-json" = "rpc-error";
    const s = await server((b) => {
      if (mode === "rpc-error") return { status: 200, body: JSON.stringify({ jsonrpc: "2.0", id: b.id, error: { code: -32005, message: "query returned more than 10000 results" } }) };
      if (mode === "ok") return { status: 200, body: JSON.stringify({ jsonrpc: "2.0", id: b.id, result: ["0x01"] }) };
      if (mode === "503") return { status: 503, body: "unavailable" };
      if (mode === "not-json") return { status: 200, body: "<html>" };
      return null;
    });
    try {
      const failure = async (): Promise<Error> => postJsonRpc(s.url, "eth_getLogs", [{}], 300).then(() => { throw new Error("expected a failure"); }, (e: Error) => e);
      const rpc = await failure();
      expect(rpc).to.be.instanceOf(JsonRpcResponseError);
      expect((rpc as JsonRpcResponseError).code).to.equal(-32005);
      expect(isTooManyResults(rpc)).to.equal(true);
      mode = "503";
      const unavailable = await failure();
      expect(unavailable).to.be.instanceOf(JsonRpcHttpError);
      expect((unavailable as JsonRpcHttpError).status).to.equal(503);
      expect(isTooManyResults(unavailable) || isTimeout(unavailable)).to.equal(false);
      mode = "not-json";
      expect(await failure()).to.be.instanceOf(JsonRpcHttpError);
      mode = "hang";
      const slow = await failure();
      expect(slow).to.be.instanceOf(JsonRpcTimeoutError);
      expect(isTimeout(slow)).to.equal(true);
      // The receive buffer was released by the failures: a good answer still comes through.
      mode = "ok";
      expect(await postJsonRpc(s.url, "eth_getLogs", [{}], 300)).to.deep.equal(["0x01"]);
    } finally {
      await s.close();
    }
  });
});
