import { expect } from "chai";
import { decodeEventLog, encodeAbiParameters, encodeEventTopics, type Abi, type AbiEvent, type AbiParameter, type Hex } from "viem";
import { contributionFactoryEventsAbi, contributionPoolEventsAbi, nameServiceEventsAbi, serviceNodeRewardsEventsAbi } from "../../src/tracker/abi";
import { decodeEvent, prepareAbi } from "../../src/tracker/state/decode";
import { prng } from "../helpers/tracker";

/** A random value of an ABI type (addresses in mixed case, as providers may send them). */
function randomValue(p: AbiParameter, rnd: () => number): unknown {
  const bytes = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 256).toString(16).padStart(2, "0")).join("");
  if (p.type === "tuple") return Object.fromEntries((p as unknown as { components: readonly AbiParameter[] }).components.map((c) => [c.name, randomValue(c, rnd)]));
  if (p.type.endsWith("[]")) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue({ ...p, type: p.type.slice(0, -2) } as AbiParameter, rnd));
  if (p.type === "address") return `0x${bytes(20)}`;
  if (p.type === "bool") return rnd() < 0.5;
  if (p.type === "bytes") return `0x${bytes(Math.floor(rnd() * 70))}`;
  if (p.type === "string") return ["", "bio", "ünïcødé ✓", "<img src=x>", "a".repeat(40)][Math.floor(rnd() * 5)];
  const b = /^bytes(\d+)$/.exec(p.type);
  if (b) return `0x${bytes(Number(b[1]))}`;
  const u = /^uint(\d+)$/.exec(p.type)!;
  const bits = Number(u[1]);
  const v = BigInt(`0x${bytes(bits / 8)}`);
  return bits <= 48 ? Number(v) : v;
}

/** viem's output with addresses lowercased (the tracker's decoder keeps them as the provider sent them, lowercased). */
const lowerAddresses = (v: unknown): unknown => {
  if (typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v)) return v.toLowerCase();
  if (Array.isArray(v)) return v.map(lowerAddresses);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lowerAddresses(x)]));
  return v;
};

describe("tracker event decoder", () => {
  const abis: [string, Abi][] = [
    ["serviceNodeRewards", serviceNodeRewardsEventsAbi],
    ["contributionFactory", contributionFactoryEventsAbi],
    ["contributionPool", contributionPoolEventsAbi],
    ["nameService", nameServiceEventsAbi],
  ];
  for (const [kind, abi] of abis) {
    it(`decodes every ${kind} event exactly like viem's decodeEventLog (200 random logs each)`, () => {
      const rnd = prng(kind.length * 7919);
      const prepared = prepareAbi(abi);
      for (const event of abi.filter((e): e is AbiEvent => e.type === "event")) {
        for (let run = 0; run < 200; run++) {
          const args = Object.fromEntries(event.inputs.map((i) => [i.name, randomValue(i, rnd)]));
          const topics = (encodeEventTopics({ abi: [event], eventName: event.name, args } as never) as Hex[]).map((t) => t.toLowerCase() as Hex);
          const plain = event.inputs.filter((i) => !i.indexed);
          const data = encodeAbiParameters(plain, plain.map((i) => args[i.name!])).toLowerCase() as Hex;
          const expected = decodeEventLog({ abi: [event], topics: topics as [Hex], data, strict: true });
          const actual = decodeEvent(prepared, topics, data);
          expect(actual, `${event.name} run ${run}`).to.deep.equal({ eventName: expected.eventName, args: lowerAddresses(expected.args) });
        }
      }
    });
  }

  it("rejects what a strict decode rejects: unknown topic, wrong topic count, short or out-of-range data", () => {
    const prepared = prepareAbi(serviceNodeRewardsEventsAbi);
    const event = serviceNodeRewardsEventsAbi.find((e) => e.type === "event" && e.name === "RewardsBalanceUpdated") as AbiEvent;
    const topics = encodeEventTopics({ abi: [event], eventName: "RewardsBalanceUpdated", args: { recipient: "0x00000000000000000000000000000000000000aa" } } as never) as Hex[];
    const data = encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [5n, 4n]);
    expect(decodeEvent(prepared, topics, data)).to.deep.equal({
      eventName: "RewardsBalanceUpdated",
      args: { recipient: "0x00000000000000000000000000000000000000aa", amount: 5n, previousBalance: 4n },
    });
    expect(decodeEvent(prepared, [`0x${"11".repeat(32)}`, topics[1]], data)).to.equal(null);
    expect(decodeEvent(prepared, [topics[0]], data)).to.equal(null);
    expect(decodeEvent(prepared, topics, data.slice(0, 66) as Hex)).to.equal(null);
    const newNode = serviceNodeRewardsEventsAbi.find((e) => e.type === "event" && e.name === "NewServiceNodeV2") as AbiEvent;
    const nodeTopics = encodeEventTopics({ abi: [newNode], eventName: "NewServiceNodeV2", args: { serviceNodeID: 1n } } as never) as Hex[];
    // Head of 7 static words, then the offset of the contributors array pointing far beyond the data.
    const bogus = `0x${"00".repeat(32 * 7)}${"ff".repeat(32)}` as Hex;
    expect(decodeEvent(prepareAbi(serviceNodeRewardsEventsAbi), nodeTopics, bogus)).to.equal(null);
    // A stray non-hex digit in a small value (read through a double, not a BigInt) is refused, not half-read.
    for (const bad of [`${data.slice(0, 2 + 63)}g${data.slice(2 + 64)}`, `${data.slice(0, 2 + 53)}z${data.slice(2 + 54)}`]) {
      expect(decodeEvent(prepared, topics, bad as Hex), bad).to.equal(null);
    }
    // A value of 52 bits or more still goes through the exact BigInt path.
    const big = encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [2n ** 52n, 2n ** 256n - 1n]);
    expect(decodeEvent(prepared, topics, big)?.args).to.deep.include({ amount: 2n ** 52n, previousBalance: 2n ** 256n - 1n });
  });

  it("decodes NewServiceNodeV2 with 0 to 10 contributors, mixed-case hex and values at their type's limits like viem", () => {
    const prepared = prepareAbi(serviceNodeRewardsEventsAbi);
    const event = serviceNodeRewardsEventsAbi.find((e) => e.type === "event" && e.name === "NewServiceNodeV2") as AbiEvent;
    const plain = event.inputs.filter((i) => !i.indexed);
    const max256 = (1n << 256n) - 1n;
    const addr = (i: number): Hex => `0x${"ab".repeat(19)}${i.toString(16).padStart(2, "0")}` as Hex;
    for (let count = 0; count <= 10; count++) {
      const args = {
        serviceNodeID: (1n << 64n) - 1n - BigInt(count),
        initiator: addr(200 + count),
        pubkey: { X: max256 - BigInt(count), Y: BigInt(count) },
        serviceNode: { ed25519Pubkey: max256, ed25519Signature0: 0n, ed25519Signature1: 1n << 255n, fee: 65_535 - count },
        contributors: Array.from({ length: count }, (_, i) => ({ staker: { addr: addr(i), beneficiary: addr(100 + i) }, stakedAmount: 25_000_000_000_000n * BigInt(i + 1) })),
      };
      const topics = encodeEventTopics({ abi: [event], eventName: "NewServiceNodeV2", args } as never) as Hex[];
      const data = encodeAbiParameters(plain, plain.map((i) => (args as Record<string, unknown>)[i.name!]));
      // The provider may send uppercase hex digits: the decoder must read them as viem does.
      const upper = `0x${data.slice(2).toUpperCase()}` as Hex;
      const expected = decodeEventLog({ abi: [event], topics: topics as [Hex], data, strict: true });
      for (const d of [data, upper]) {
        expect(decodeEvent(prepared, topics, d), `${count} contributors`).to.deep.equal({ eventName: "NewServiceNodeV2", args: lowerAddresses(expected.args) });
      }
    }
  });
});
