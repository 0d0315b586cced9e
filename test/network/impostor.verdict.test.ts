/**
 * The impostor verdict (src/network/impostors.ts) without a chain: rule (a) on real Ed25519 signatures,
 * rule (b) by id order, seeded nodes, the hand-over when the holder leaves, the ledger's per-block refusal,
 * determinism (any node order, any view), and the tracker view's mapping of the mirrored fields.
 */
import { expect } from "chai";
import fc from "fast-check";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Address } from "viem";
import { publicKey, secretKeyFromSeed } from "../../src/bls";
import { impostorsAt, impostorsOf, registrationSignatureValid } from "../../src/network/impostors";
import { openLedger } from "../../src/network/ledger/ledger";
import { applySnapshot, NETWORK_BLOCK_SECONDS } from "../../src/network/ledger/sync";
import type { ViewNode } from "../../src/network/view";
import { createTrackerView } from "../../src/network/views/tracker";
import { openSqliteStore } from "../../src/tracker/store/sqlite";
import { ENTITY, blockKey, nodeKey, serialize, type NodeRecord } from "../../src/tracker/state/model";
import { DAY, domain, ed25519Fields, mirroredNode, NOW, simNode, snapshotOf } from "../helpers/networkView";

const op = (n: number): Address => `0x${(0xb000 + n).toString(16).padStart(40, "0")}` as Address;

/** Node i operated by its own address (so its rewards are told apart), validly signed unless `over` says otherwise. */
function node(i: number, over: Partial<ViewNode> = {}): ViewNode {
  return simNode(i, { operator: op(i), contributors: [{ addr: op(i), beneficiary: op(i), stakedAmount: 25_000n }], ...over }, "verdict");
}

/** Node i claiming the Ed25519 identity `identity`, really signed by it. */
function claiming(i: number, identity: string, over: Partial<ViewNode> = {}): ViewNode {
  const base = node(i, over);
  return { ...base, ...ed25519Fields(base, identity) };
}

const verdicts = (nodes: readonly ViewNode[], at: bigint | null = null): [bigint, string, bigint | null][] =>
  [...impostorsAt(nodes, domain, at).values()].map((v) => [v.id, v.reason, v.heldBy]);

describe("network impostor verdict", () => {
  it("(a): a signature by another key, over another operator, BLS key or chain, or none at all, does not verify", () => {
    const good = node(0);
    expect(registrationSignatureValid(good, domain)).to.equal(true);
    const byOther = { ...good, ...ed25519Fields(good, "someone-else"), ed25519Pubkey: good.ed25519Pubkey };
    const otherOperator = { ...good, operator: op(99) };
    const otherKey = { ...good, pubkey: publicKey(secretKeyFromSeed("verdict-other")) };
    const zero = { ...good, ed25519Signature0: 0n, ed25519Signature1: 0n };
    const garbage = { ...good, ed25519Pubkey: (1n << 256n) - 1n };
    for (const bad of [byOther, otherOperator, otherKey, zero, garbage]) expect(registrationSignatureValid(bad, domain)).to.equal(false);
    expect(registrationSignatureValid(good, { ...domain, chainId: 1n })).to.equal(false);
    expect(registrationSignatureValid(good, { ...domain, contract: "0x00000000000000000000000000000000000000c1" })).to.equal(false);
    // Same key, different case of the operator's address: the same registration.
    expect(registrationSignatureValid({ ...good, operator: good.operator.toUpperCase().replace("0X", "0x") as Address }, domain)).to.equal(true);

    const squatter = { ...node(1), ed25519Pubkey: good.ed25519Pubkey };
    expect(verdicts([good, squatter])).to.deep.equal([[2n, "invalid-ed25519-signature", null]]);
    // A squatter that registered first does not hold the key: the real owner is no impostor.
    expect(verdicts([{ ...squatter, id: 1n }, { ...good, id: 2n }])).to.deep.equal([[1n, "invalid-ed25519-signature", null]]);
  });

  it("(b): of the valid registered nodes with one key, the lowest id holds it; exited ones and impostors hold nothing", () => {
    const first = claiming(0, "shared");
    const second = claiming(1, "shared");
    const third = claiming(2, "shared");
    expect(verdicts([first, second, third])).to.deep.equal([
      [2n, "ed25519-key-held", 1n],
      [3n, "ed25519-key-held", 1n],
    ]);
    // An exit request does not give the key up; the exit does.
    expect(verdicts([{ ...first, status: "exit-requested", exitRequestedAt: NOW - DAY }, second])).to.deep.equal([[2n, "ed25519-key-held", 1n]]);
    expect(verdicts([{ ...first, status: "exited", exitedAt: NOW - DAY, returnedAmount: 25_000n }, second, third])).to.deep.equal([[3n, "ed25519-key-held", 2n]]);
    expect(verdicts([{ ...first, status: "liquidated", exitedAt: NOW - DAY, returnedAmount: 24_000n }, second])).to.deep.equal([]);
    // An invalid first registration holds nothing.
    expect(verdicts([{ ...first, ed25519Signature1: first.ed25519Signature1 ^ 1n }, second])).to.deep.equal([[1n, "invalid-ed25519-signature", null]]);
  });

  it("seeded nodes are exempt from (a) and hold their key against any later registration", () => {
    const seeded = { ...claiming(0, "migrated"), ed25519Signature0: 0n, ed25519Signature1: 0n, seeded: true };
    const later = claiming(1, "migrated");
    expect(verdicts([seeded, later, node(2)])).to.deep.equal([[2n, "ed25519-key-held", 1n]]);
    // Without the seeded flag the same record is an impostor by (a).
    expect(verdicts([{ ...seeded, seeded: false }, later])).to.deep.equal([[1n, "invalid-ed25519-signature", null]]);
    const twoSeeded = [seeded, { ...seeded, id: 2n, pubkey: publicKey(secretKeyFromSeed("verdict-seeded-2")) }];
    expect(verdicts(twoSeeded)).to.deep.equal([[2n, "ed25519-key-held", 1n]]);
  });

  it("property: every node reaches the same verdict whatever order its view lists the nodes in; valid distinct nodes are never flagged", () => {
    // A pool of registrations: valid ones with their own keys, valid ones sharing two keys, bad signatures, seeded.
    const pool: ViewNode[] = [
      ...[0, 1, 2, 3].map((i) => node(i)),
      ...[4, 5, 6].map((i) => claiming(i, "pool-a")),
      ...[7, 8].map((i) => claiming(i, "pool-b")),
      { ...node(9), ed25519Pubkey: node(0).ed25519Pubkey },
      { ...claiming(10, "pool-a"), ed25519Signature0: 0n, ed25519Signature1: 0n, seeded: true },
      { ...node(11), status: "exited", exitedAt: NOW - DAY, returnedAmount: 25_000n },
    ];
    fc.assert(
      fc.property(fc.subarray(pool), fc.integer(), (picked, salt) => {
        const shuffled = [...picked].sort((a, b) => ((Number(a.id) * 7919 + salt) % 13) - ((Number(b.id) * 7919 + salt) % 13));
        const ordered = verdicts([...picked].sort((a, b) => (a.id < b.id ? -1 : 1)));
        expect(verdicts(shuffled).sort((a, b) => (a[0] < b[0] ? -1 : 1))).to.deep.equal(ordered);
        // A reference model of the rule.
        const holders = new Map<bigint, bigint>();
        const expected: [bigint, string, bigint | null][] = [];
        for (const n of [...picked].sort((a, b) => (a.id < b.id ? -1 : 1))) {
          if (n.status !== "active" && n.status !== "exit-requested") continue;
          if (!n.seeded && n.id === 10n) expected.push([n.id, "invalid-ed25519-signature", null]);
          else if (holders.has(n.ed25519Pubkey)) expected.push([n.id, "ed25519-key-held", holders.get(n.ed25519Pubkey)!]);
          else holders.set(n.ed25519Pubkey, n.id);
        }
        expect(ordered).to.deep.equal(expected);
        const distinctValid = picked.filter((n) => n.id <= 4n);
        expect(verdicts(distinctValid)).to.deep.equal([]);
      }),
      { numRuns: 200 },
    );
  });

  it("the ledger pays an impostor nothing, and a later valid node from the block its key's holder exits at", () => {
    const start = NOW / NETWORK_BLOCK_SECONDS;
    const exitAt = (start + 10n) * NETWORK_BLOCK_SECONDS + 30n;
    const holder = claiming(0, "ledger-shared", { registeredAt: NOW - DAY, status: "exited", exitedAt: exitAt, exitRequestedAt: NOW - DAY, returnedAmount: 25_000n });
    const twin = claiming(1, "ledger-shared", { registeredAt: NOW - DAY });
    const squatter = { ...node(2, { registeredAt: NOW - DAY }), ed25519Pubkey: node(3).ed25519Pubkey };
    const honest = node(3, { registeredAt: NOW - DAY });
    const snapshot = snapshotOf([holder, twin, squatter, honest], (start + 20n) * NETWORK_BLOCK_SECONDS);
    expect([...impostorsOf(snapshot).keys()]).to.deep.equal([3n]); // now: only the squatter (the holder is gone)
    const ledger = openLedger({ path: join(mkdtempSync(join(tmpdir(), "impostor-ledger-")), "ledger.db"), config: { minActiveSeconds: 0n } });
    try {
      applySnapshot(ledger, { ...snapshot, rewardRate: 3_000n }, start);
      for (let h = start; h <= start + 20n; h++) {
        const beforeExit = h * NETWORK_BLOCK_SECONDS < exitAt;
        // Before the exit: holder and honest earn (2); from the exit's block on: twin and honest (2). Never the squatter.
        expect(ledger.blockInfo(h)!.eligible, `eligible at ${h}`).to.equal(2);
        expect(ledger.balanceAt(op(2), h)).to.equal(0n);
        const twinEarned = ledger.balanceAt(op(1), h)!;
        if (beforeExit) expect(twinEarned, `twin at ${h}`).to.equal(0n);
        else expect(twinEarned, `twin at ${h}`).to.equal((h - (start + 10n)) * 1_500n);
      }
      expect(ledger.balanceAt(op(3), start + 20n)).to.equal(21n * 1_500n);
    } finally {
      ledger.close();
    }
  });

  it("the tracker view carries the mirrored Ed25519 fields; a record from before the `seeded` field is seeded when it has no initiator and no signature", async () => {
    const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), "impostor-view-")), "tracker.db"));
    const valid = node(0);
    const record = (n: ViewNode, over: Partial<NodeRecord>): NodeRecord => mirroredNode(n.id, n.operator, n.pubkey, n, over);
    const zero = "0x0000000000000000000000000000000000000000" as Address;
    const records = [
      record(valid, { seeded: false }),
      record(node(1), { initiator: zero, ed25519Signature0: "0", ed25519Signature1: "0" }), // old seeded record
      record(node(2), { ed25519Signature0: "0", ed25519Signature1: "0" }), // no signature, not seeded
    ];
    await store.commitRange({
      blocks: [{ number: 40n, hash: `0x${"11".repeat(32)}`, parentHash: `0x${"22".repeat(32)}` }],
      changes: [
        ...records.map((r) => ({ block: 40n, kind: ENTITY.node, key: nodeKey(BigInt(r.id)), before: null, after: serialize(r) })),
        { block: 40n, kind: ENTITY.rewardRate, key: blockKey(20n), before: null, after: serialize({ block: "20", rewardRate: "5" }) },
      ],
      checkpoint: { number: 40n, hash: `0x${"11".repeat(32)}` },
    });
    try {
      const view = createTrackerView({ store, blockTimestamp: async (b) => NOW + b, domain: async () => ({ ...domain, contract: domain.contract.toUpperCase().replace("0X", "0x") as Address }) });
      const s = await view.snapshot();
      expect(s.domain).to.deep.equal(domain);
      expect(s.nodes.map((n) => [n.id, n.seeded, n.ed25519Pubkey === node(Number(n.id) - 1).ed25519Pubkey])).to.deep.equal([
        [1n, false, true],
        [2n, true, true],
        [3n, false, true],
      ]);
      expect([s.nodes[0].ed25519Signature0, s.nodes[0].ed25519Signature1]).to.deep.equal([valid.ed25519Signature0, valid.ed25519Signature1]);
      expect([...impostorsOf(s).values()].map((v) => [v.id, v.reason])).to.deep.equal([[3n, "invalid-ed25519-signature"]]);
    } finally {
      await store.close();
    }
  });
});
