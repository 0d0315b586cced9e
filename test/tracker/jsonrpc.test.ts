import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isTimeout, isTooManyResults } from "../../src/tracker/rpc/errors";
import { JsonRpcHttpError, JsonRpcResponseError, JsonRpcTimeoutError, postJsonRpc, type AnswerReader } from "../../src/tracker/rpc/jsonrpc";

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

  it("hands a successful answer's bytes to the caller's reader, else converts the parsed result; errors stay errors", async () => {
    let body = "";
    let status = 200;
    const s = await server(() => ({ status, body }));
    const seen: string[] = [];
    // Reads answers that start with "{" as their length; converts parsed results to "converted:<json>".
    const reader: AnswerReader<string> = {
      fast: (answer) => {
        seen.push(answer.toString("utf8"));
        return answer.toString("utf8").startsWith('{"fast"') ? `fast:${answer.length}` : null;
      },
      convert: (result) => {
        if (result === "bad") throw new Error("malformed result");
        return `converted:${JSON.stringify(result)}`;
      },
    };
    try {
      body = '{"fast":1,"result":[]}';
      expect(await postJsonRpc(s.url, "eth_getLogs", [{}], 1_000, reader)).to.equal(`fast:${body.length}`);
      body = JSON.stringify({ jsonrpc: "2.0", id: 1, result: ["0x01"] });
      expect(await postJsonRpc(s.url, "eth_getLogs", [{}], 1_000, reader)).to.equal('converted:["0x01"]');
      body = JSON.stringify({ jsonrpc: "2.0", id: 1, result: "bad" });
      await postJsonRpc(s.url, "eth_getLogs", [{}], 1_000, reader).then(
        () => expect.fail("a result the reader refuses must fail the call"),
        (e: Error) => expect(e.message).to.equal("malformed result"),
      );
      body = JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32005, message: "query returned more than 10000 results" } });
      const error = await postJsonRpc(s.url, "eth_getLogs", [{}], 1_000, reader).then(() => null, (e: Error) => e);
      expect(error).to.be.instanceOf(JsonRpcResponseError);
      // A failed HTTP status never reaches the reader.
      const before = seen.length;
      status = 503;
      body = '{"fast":1}';
      expect(await postJsonRpc(s.url, "eth_getLogs", [{}], 1_000, reader).then(() => null, (e: Error) => e)).to.be.instanceOf(JsonRpcHttpError);
      expect(seen.length).to.equal(before);
    } finally {
      await s.close();
    }
  });
});
