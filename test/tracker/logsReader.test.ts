import { expect } from "chai";
import fc from "fast-check";
import { parseRpcLog } from "../../src/tracker/rpc/chain";
import type { ChainLog } from "../../src/tracker/types";
import { readLogsAnswer } from "../../src/tracker/rpc/logsReader";

const SEED = 20261201;

/** What the generic path makes of an answer: JSON.parse, then parseRpcLog per log (throws where it refuses). */
function generic(answer: string): ChainLog[] {
  const parsed = JSON.parse(answer) as { result?: unknown };
  if (!Array.isArray(parsed.result)) throw new Error("no result list");
  return parsed.result.map((raw) => parseRpcLog(raw as never));
}

const text = (logs: readonly ChainLog[] | null): string => JSON.stringify(logs, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
const read = (answer: string): ChainLog[] | null => readLogsAnswer(Buffer.from(answer, "utf8"));

const hex = (minBytes: number, maxBytes: number) => fc.uint8Array({ minLength: minBytes, maxLength: maxBytes }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
const quantity = (max: number) => fc.integer({ min: 0, max }).map((n) => `0x${n.toString(16)}`);

/** A provider's log: the standard members in any order, `removed` sometimes absent, `blockTimestamp` sometimes present. */
const rpcLog = fc
  .record({
    address: fc.constantFrom("0x5fbdb2315678afecb367f032d93f642f64180aa3", "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"),
    blockHash: fc.constantFrom(`0x${"ab".repeat(32)}`, `0x${"cd".repeat(32)}`),
    blockNumber: quantity(2 ** 40),
    data: hex(0, 200),
    logIndex: quantity(5000),
    removed: fc.constantFrom(true, false, undefined),
    // Consecutive logs often share the event signature (topic 0), which the reader then shares too.
    topics: fc.oneof(
      fc.array(hex(32, 32), { maxLength: 4 }),
      fc.tuple(fc.constantFrom(`0x${"e1".repeat(32)}`, `0x${"e2".repeat(32)}`, "0xe1"), fc.array(hex(32, 32), { maxLength: 3 })).map(([signature, rest]) => [signature, ...rest]),
    ),
    transactionHash: fc.constantFrom(`0x${"01".repeat(32)}`, `0x${"02".repeat(32)}`),
    transactionIndex: quantity(300),
    blockTimestamp: fc.option(quantity(2 ** 32), { nil: undefined }),
    order: fc.array(fc.integer(), { minLength: 10, maxLength: 10 }),
  })
  .map(({ order, ...members }) => {
    const entries = Object.entries(members).filter(([, v]) => v !== undefined);
    const ranked = entries.map((e, i) => [order[i], e] as const).sort((a, b) => a[0] - b[0]);
    return Object.fromEntries(ranked.map(([, e]) => e));
  });

/** A canonical answer: compact JSON, the envelope's members in any order. */
const canonicalAnswer = fc
  .tuple(fc.array(rpcLog, { maxLength: 12 }), fc.oneof(fc.nat(), fc.constant("a-1"), fc.constant(null)), fc.constantFrom(0, 1, 2))
  .map(([logs, id, shape]) =>
    shape === 0
      ? JSON.stringify({ jsonrpc: "2.0", id, result: logs })
      : shape === 1
        ? JSON.stringify({ result: logs, id, jsonrpc: "2.0" })
        : JSON.stringify({ id, result: logs }) + "\n",
  );

describe("tracker eth_getLogs answer reader", () => {
  it("reads canonical answers exactly as JSON.parse + parseRpcLog do", () => {
    fc.assert(
      fc.property(canonicalAnswer, (answer) => {
        const logs = read(answer);
        expect(logs, answer.slice(0, 200)).to.not.equal(null);
        expect(text(logs)).to.equal(text(generic(answer)));
      }),
      { numRuns: 400, seed: SEED },
    );
  });

  it("never reads a damaged answer differently from the generic path: one byte changed, inserted or removed", () => {
    const damage = fc.tuple(canonicalAnswer, fc.nat(), fc.constantFrom(..."\"{}[],:0xX aAf1t-\\\n\u00e9"), fc.constantFrom("set", "insert", "delete"));
    fc.assert(
      fc.property(damage, ([answer, at, char, how]) => {
        const i = at % answer.length;
        const damaged = how === "set" ? answer.slice(0, i) + char + answer.slice(i + 1) : how === "insert" ? answer.slice(0, i) + char + answer.slice(i) : answer.slice(0, i) + answer.slice(i + 1);
        const logs = read(damaged);
        if (logs === null) return;
        // The reader answered: the generic path must accept the same bytes and give the same logs.
        expect(text(logs), damaged.slice(0, 300)).to.equal(text(generic(damaged)));
      }),
      { numRuns: 5000, seed: SEED },
    );
  });

  it("leaves every other shape to the generic path (null)", () => {
    const log = {
      address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      blockHash: `0x${"ab".repeat(32)}`,
      blockNumber: "0x11",
      data: "0x",
      logIndex: "0x0",
      removed: false,
      topics: [`0x${"cd".repeat(32)}`],
      transactionHash: `0x${"01".repeat(32)}`,
      transactionIndex: "0x0",
    };
    const answer = (result: unknown, extra: object = {}): string => JSON.stringify({ jsonrpc: "2.0", id: 1, result, ...extra });
    expect(text(read(answer([log, log])))).to.equal(text(generic(answer([log, log]))));
    expect(read(answer([]))).to.deep.equal([]);
    const others: Record<string, string> = {
      whitespace: JSON.stringify({ jsonrpc: "2.0", id: 1, result: [log] }, null, 1),
      "uppercase hex": answer([{ ...log, blockHash: log.blockHash.toUpperCase().replace("0X", "0x") }]),
      "another member": answer([{ ...log, logType: null }]),
      "a duplicated member": answer([log]).replace('"data":"0x"', '"data":"0x","data":"0x00"'),
      "a missing member": answer([{ ...log, data: undefined }]),
      "a quantity of 2^52": answer([{ ...log, logIndex: "0x10000000000000" }]),
      "a short block hash": answer([{ ...log, blockHash: "0xab" }]),
      "an error answer": JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32005, message: "query returned more than 10000 results [0x1, 0x2]" } }),
      "a result that is not a list": answer("0x1"),
      "another envelope member": answer([log], { extra: 1 }),
      "text after the answer": answer([log]) + "x",
      "a truncated answer": answer([log, log]).slice(0, -30),
      // Both were read once (found by the damage property above): not JSON, so not the reader's to read.
      "a member name missing its closing quote": answer([log]).replace('"transactionIndex":', '"transactionIndexf:'),
      "an id with a leading zero": answer([log]).replace('"id":1', '"id":01'),
    };
    for (const [what, body] of Object.entries(others)) expect(read(body), what).to.equal(null);
    // Where the generic path accepts them, it still gives the logs (the reader only declined).
    expect(generic(others.whitespace)[0].blockHash).to.equal(log.blockHash);
    expect(generic(others["uppercase hex"])[0].blockHash).to.equal(log.blockHash);
    expect(generic(others["a duplicated member"])[0].data).to.equal("0x00");
  });
});
