/**
 * The shared client modules the portal (and the tasks) use: exact SESH amounts (src/token/amounts.ts) and
 * the aggregator JSON-RPC client (src/network/aggregator/client.ts) against a real aggregator server.
 */
import { expect } from "chai";
import fc from "fast-check";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AggregatorError, aggregatorClient, parseRemovalAnswer, parseRemovalList, parseRewardsAnswer } from "../../src/network/aggregator/client";
import { AmountError, SESH_UNIT, formatBasisPoints, formatSesh, formatSeshInput, parseSesh } from "../../src/token/amounts";

describe("src/token/amounts: exact 9-decimal SESH", () => {
  it("parses what people type, exactly", () => {
    expect(parseSesh("25000")).to.equal(25_000n * SESH_UNIT);
    expect(parseSesh("0.5")).to.equal(500_000_000n);
    expect(parseSesh("1,718.75")).to.equal(1_718_750_000_000n);
    expect(parseSesh(".000000001")).to.equal(1n);
    expect(parseSesh("7.")).to.equal(7n * SESH_UNIT);
    expect(parseSesh(" 12 ")).to.equal(12n * SESH_UNIT);
    // Beyond 2^53 atomic units, where a float would round.
    expect(parseSesh("9007199.254740993")).to.equal(9_007_199_254_740_993n);
  });

  it("refuses, saying why: signs, exponents, too many decimals, bad grouping, empty, zero when positive, over max", () => {
    const reason = (input: string, options = {}) => {
      try {
        parseSesh(input, options);
      } catch (error) {
        expect(error).to.be.instanceOf(AmountError);
        return (error as Error).message;
      }
      throw new Error(`${input} was accepted`);
    };
    expect(reason("-1")).to.contain("negative");
    expect(reason("1e3")).to.contain("not a SESH amount");
    expect(reason("0.0000000001")).to.contain("10 decimals, but SESH has 9");
    expect(reason("1,00")).to.contain("not a SESH amount");
    expect(reason("1,000", { groups: false })).to.contain("not a SESH amount");
    expect(reason("")).to.contain("enter an amount");
    expect(reason(".")).to.contain("not a SESH amount");
    expect(reason("0", { positive: true })).to.contain("more than 0");
    expect(reason("5000.000000001", { max: 5000n * SESH_UNIT })).to.equal("5,000.000000001 SESH is more than the 5,000 SESH allowed here");
  });

  it("formats exactly and round-trips every amount (property)", () => {
    expect(formatSesh(1_718_750_000_000n)).to.equal("1,718.75");
    expect(formatSesh(1n)).to.equal("0.000000001");
    expect(formatSesh(25_000n * SESH_UNIT, { fixed: true })).to.equal("25,000.000000000");
    expect(formatSesh(-5n * SESH_UNIT)).to.equal("-5");
    expect(formatSeshInput(13_750n * SESH_UNIT)).to.equal("13750");
    expect(formatBasisPoints(1250)).to.equal("12.5 %");
    expect(formatBasisPoints(500)).to.equal("5 %");
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (atomic) => {
        expect(parseSesh(formatSesh(atomic))).to.equal(atomic);
        expect(parseSesh(formatSeshInput(atomic), { groups: false })).to.equal(atomic);
      }),
    );
  });
});

describe("src/network/aggregator/client: the aggregator's JSON-RPC, checked", () => {
  let server: Server;
  let url: string;
  let answer: (method: string, params: unknown) => unknown;

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: unknown };
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id, ...(answer(method, params) as object) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const rewards = {
    address: "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
    amount: "123456789012",
    network_height: "77",
    message: "0x00",
    signature: { sigs0: "0x1", sigs1: "0x2", sigs2: "0x3", sigs3: "0x4" },
    non_signer_ids: ["3", "9"],
    signers: 14,
    registered: 16,
    l2_height: "80",
  };

  it("returns a checked rewards answer, ready for updateRewardsBalance", async () => {
    let asked: unknown;
    answer = (method, params) => ((asked = { method, params }), { result: rewards });
    const a = await aggregatorClient(url).rewards("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
    expect(asked).to.deep.equal({ method: "bls_rewards_request", params: { address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" } });
    expect(a.amount).to.equal(123_456_789_012n);
    expect(a.signature).to.deep.equal({ sigs0: 1n, sigs1: 2n, sigs2: 3n, sigs3: 4n });
    expect(a.nonSignerIds).to.deep.equal([3n, 9n]);
  });

  it("refuses malformed answers and passes on the aggregator's refusal", async () => {
    expect(() => parseRewardsAnswer({ ...rewards, amount: 12 })).to.throw(AggregatorError, '"amount" must be a decimal string');
    expect(() => parseRewardsAnswer({ ...rewards, non_signer_ids: ["9", "3"] })).to.throw(AggregatorError, "strictly ascending");
    answer = () => ({ error: { code: -32602, message: "unknown address" } });
    const error = await aggregatorClient(url)
      .rewards("0x90F79bf6EB2c4f870365E785982E1f101E93b906")
      .then(() => null, (e: unknown) => e as AggregatorError);
    expect(error).to.be.instanceOf(AggregatorError);
    expect(error!.message).to.equal("the aggregator refused bls_rewards_request: unknown address");
    expect(error!.code).to.equal(-32602);
    expect(error!.reason).to.equal("unknown address");
  });

  it("takes an answer saved with only what the signed call needs (the tasks' --signature files)", () => {
    const { address, amount, signature, non_signer_ids } = rewards;
    const saved = parseRewardsAnswer({ address, amount, signature, non_signer_ids });
    expect([saved.amount, saved.signers, saved.registered, saved.l2Height, saved.networkHeight]).to.deep.equal([123_456_789_012n, null, null, null, null]);
    const pubkey = `0x${"1".repeat(64)}${"2".repeat(64)}`;
    const exit = parseRemovalAnswer({ type: "exit", service_node_id: "7", pubkey, timestamp: "1700000000", signature, non_signer_ids: [] });
    expect([exit.type, exit.serviceNodeId, exit.pubkey, exit.timestamp, exit.nonSignerIds]).to.deep.equal(["exit", 7n, pubkey, 1_700_000_000n, []]);
    expect(() => parseRewardsAnswer({ ...rewards, signers: -1 })).to.throw(AggregatorError, '"signers" must be a whole number');
    expect(() => parseRemovalAnswer({ ...exit, type: "leave" }, "answer.json")).to.throw(AggregatorError, 'answer.json: "type" must be "exit" or "liquidate"');
  });

  it("lists the nodes the network would sign a removal of, checked", async () => {
    const pubkey = `0x${"ab".repeat(64)}`;
    const entry = { service_node_id: "9", pubkey, type: "liquidate", exit_requested_at: null, unlock_at: null };
    answer = () => ({ result: [entry, { ...entry, service_node_id: "13", type: "exit", exit_requested_at: "100", unlock_at: "3700" }] });
    expect(await aggregatorClient(url).removals()).to.deep.equal([
      { serviceNodeId: 9n, pubkey, type: "liquidate", exitRequestedAt: null, unlockAt: null },
      { serviceNodeId: 13n, pubkey, type: "exit", exitRequestedAt: 100n, unlockAt: 3700n },
    ]);
    expect(() => parseRemovalList({})).to.throw(AggregatorError, "the aggregator's removal list is not a list");
    expect(() => parseRemovalList([{ ...entry, unlock_at: 5 }])).to.throw(AggregatorError, 'entry 0: "unlock_at" must be a decimal string');
  });
});
