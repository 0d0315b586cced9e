/** Node signing service, transports, aggregator edge cases and the tracker view, without a chain. */
import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  exitMessage,
  hashToFieldDst,
  liquidationMessage,
  publicKey,
  publicKeyToHex,
  rewardMessage,
  secretKeyFromSeed,
  verify,
} from "../../src/bls";
import { NetworkError } from "../../src/network/errors";
import { openLedger, type Ledger } from "../../src/network/ledger/ledger";
import { applySnapshot } from "../../src/network/ledger/sync";
import { serveNode } from "../../src/network/node/client";
import { createNodeService, type NodeService } from "../../src/network/node/service";
import { rpcCall } from "../../src/network/rpc";
import { createSimulation } from "../../src/network/simulation";
import { memoryView } from "../../src/network/views/memory";
import { createTrackerView } from "../../src/network/views/tracker";
import { openSqliteStore } from "../../src/tracker/store/sqlite";
import { ENTITY, blockKey, nodeKey, serialize, type NodeRecord } from "../../src/tracker/state/model";
import { signatureFromHex } from "../../src/network/wire";
import { DAY, domain, mirroredNode, NOW, OWNER, simNode, snapshotOf } from "../helpers/networkView";

const dst = hashToFieldDst(domain);

async function expectError(promise: Promise<unknown>, kind: string, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected a NetworkError").to.be.instanceOf(NetworkError);
  expect((error as NetworkError).kind).to.equal(kind);
  expect((error as NetworkError).message).to.match(pattern);
}

describe("network node service", () => {
  const nodes = [simNode(0), simNode(1, { exitRequestedAt: NOW - 15n * DAY + 10n, status: "exit-requested" }), simNode(2, { exitRequestedAt: NOW - 15n * DAY, status: "exit-requested" }), simNode(3, { exitedAt: NOW - DAY, returnedAmount: 25_000n, status: "exited" })];
  const view = memoryView(snapshotOf(nodes));
  let ledger: Ledger;
  let service: NodeService;
  let clock = NOW;
  const deregistered = new Set<bigint>([2n]); // node index 1

  before(async () => {
    ledger = openLedger({ path: ":memory:" });
    applySnapshot(ledger, await view.snapshot(), NOW / 120n - 1n);
    service = createNodeService({ secretKey: secretKeyFromSeed("unit-0"), domain, ledger, snapshot: () => view.snapshot(), clock: () => clock, isServing: (n) => !deregistered.has(n.id) });
  });

  it("signs a balance it computed, and only that", async () => {
    const height = NOW / 120n;
    const answer = (await service.handle("get_rewards", { address: OWNER, height: height.toString() })) as { amount: string; signature: string };
    expect(BigInt(answer.amount)).to.equal(ledger.balanceAt(OWNER, height));
    expect(BigInt(answer.amount)).to.equal(2n * 1_200n); // 2 blocks, 3 registered nodes + 1 exited, all OWNER's
    expect(verify(service.publicKey, rewardMessage(domain, OWNER, BigInt(answer.amount)), signatureFromHex(answer.signature), dst)).to.equal(true);
    await expectError(service.handle("get_rewards", { address: OWNER, height: (height + 1n).toString() }), "not_found", /not reached yet/);
    await expectError(service.handle("get_rewards", { address: "0x00000000000000000000000000000000000000b2", height: 1 }), "not_found", /no rewards/);
    await expectError(service.handle("get_rewards", { address: "0x1234", height: 1 }), "bad_request", /address must be/);
    await expectError(service.handle("get_rewards", { address: OWNER, height: -1 }), "bad_request", /height must be/);
    await expectError(service.handle("get_rewards", { address: OWNER, height: 1, extra: 1 }), "bad_request", /unknown parameter "extra"/);
    await expectError(service.handle("get_balance", {}), "method_not_found", /unknown method/);
  });

  it("signs an exit only after the unlock and within ±3 minutes of its clock", async () => {
    const key = (i: number) => publicKeyToHex(nodes[i].pubkey);
    await expectError(service.handle("get_exit", { bls_pubkey: key(1), timestamp: NOW.toString() }), "forbidden", /unlocking: its exit may be signed from/);
    await expectError(service.handle("get_exit", { bls_pubkey: key(0), timestamp: NOW.toString() }), "forbidden", /has not requested an exit/);
    await expectError(service.handle("get_exit", { bls_pubkey: key(3), timestamp: NOW.toString() }), "not_found", /no registered service node/);
    await expectError(service.handle("get_exit", { bls_pubkey: key(2), timestamp: (NOW - 181n).toString() }), "forbidden", /181 s from this node's clock/);
    await expectError(service.handle("get_exit", { bls_pubkey: "0x00", timestamp: NOW.toString() }), "bad_request", /64 bytes/);
    for (const ts of [NOW - 180n, NOW + 180n]) {
      const answer = (await service.handle("get_exit", { bls_pubkey: key(2), timestamp: ts.toString() })) as { signature: string; service_node_id: string };
      expect(answer.service_node_id).to.equal("3");
      expect(verify(service.publicKey, exitMessage(domain, nodes[2].pubkey, ts), signatureFromHex(answer.signature), dst)).to.equal(true);
    }
    clock = NOW + 10n; // node 1's unlock is over now
    await service.handle("get_exit", { bls_pubkey: key(1), timestamp: clock.toString() });
    clock = NOW;
  });

  it("signs a liquidation only for a node the network deregistered", async () => {
    await expectError(service.handle("get_liquidation", { bls_pubkey: publicKeyToHex(nodes[0].pubkey), timestamp: NOW.toString() }), "forbidden", /good standing/);
    const answer = (await service.handle("get_liquidation", { bls_pubkey: publicKeyToHex(nodes[1].pubkey), timestamp: NOW.toString() })) as { signature: string };
    expect(verify(service.publicKey, liquidationMessage(domain, nodes[1].pubkey, NOW), signatureFromHex(answer.signature), dst)).to.equal(true);
    expect(verify(service.publicKey, exitMessage(domain, nodes[1].pubkey, NOW), signatureFromHex(answer.signature), dst)).to.equal(false);
  });

  it("answers structured JSON-RPC errors over HTTP on 127.0.0.1", async () => {
    const server = await serveNode(service);
    try {
      expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      await expectError(rpcCall(server.url, "get_exit", { bls_pubkey: publicKeyToHex(nodes[0].pubkey), timestamp: NOW.toString() }), "forbidden", /has not requested/);
      await expectError(rpcCall(server.url, "get_rewards", { address: OWNER, height: 10n ** 9n }), "not_found", /not reached/);
      const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
      expect(((await res.json()) as { error: { code: number; data: { kind: string } } }).error).to.include({ code: -32700 }).and.nested.include({ "data.kind": "parse_error" });
      expect((await fetch(server.url)).status).to.equal(405);
    } finally {
      await server.close();
    }
    await expectError(rpcCall(server.url, "get_rewards", {}), "unavailable", /unreachable/);
  });
});

describe("network aggregator without a chain", () => {
  it("lists nodes that disagree on the amount or time out as non-signers", async () => {
    const count = 9;
    const nodes = Array.from({ length: count }, (_, i) => simNode(i));
    const view = memoryView(snapshotOf(nodes));
    const shared = openLedger({ path: ":memory:" });
    const odd = openLedger({ path: ":memory:" });
    applySnapshot(shared, await view.snapshot(), NOW / 120n - 1n);
    applySnapshot(odd, { ...(await view.snapshot()), rewardRate: 999n }, NOW / 120n - 1n);
    const sim = await createSimulation({
      domain,
      snapshot: () => view.snapshot(),
      ledger: shared,
      ledgerFor: (i) => (i === 4 ? odd : shared),
      count,
      label: "unit",
      clock: () => NOW,
      behaviours: { 6: "slow" },
      slowMs: 1_000,
      aggregator: { timeoutMs: 150 },
    });
    const answer = await sim.aggregator.rewardsRequest(OWNER);
    expect(answer.amount).to.equal(2_394n); // 2 blocks of 1,200 over 9 nodes: 133 each, 3 + 6 carried
    expect(answer.amount).to.equal(shared.balanceAt(OWNER, NOW / 120n));
    expect(answer.nonSignerIds).to.deep.equal([5n, 7n]);
    expect(answer.failures.map((f) => [f.id, f.reason])).to.deep.equal([
      [7n, "timeout"],
      [5n, "disagreed"],
    ]);
    const aggregateKey = nodes.filter((n) => n.id !== 5n && n.id !== 7n).map((n) => n.pubkey);
    const { aggregatePublicKeys, paramsToSignature } = await import("../../src/bls");
    expect(verify(aggregatePublicKeys(aggregateKey), rewardMessage(domain, OWNER, answer.amount), paramsToSignature(answer.signature), dst)).to.equal(true);
    await sim.close();
  });
});

describe("network tracker view", () => {
  it("maps the tracker's mirror (nodes, statuses, reward-rate samples) to a snapshot", async () => {
    const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), "trk-view-")), "tracker.db"));
    const pk = publicKey(secretKeyFromSeed("tracked"));
    const record = (id: number, over: Partial<NodeRecord>): NodeRecord =>
      mirroredNode(id, OWNER, pk, { ed25519Pubkey: "1", ed25519Signature0: "0", ed25519Signature1: "0" }, {
        fee: 250,
        contributors: [
          { addr: OWNER, beneficiary: "0x00000000000000000000000000000000000000b1", stakedAmount: "10" },
          { addr: "0x00000000000000000000000000000000000000c1", beneficiary: "0x00000000000000000000000000000000000000c1", stakedAmount: "30" },
        ],
        ...over,
      });
    const puts = [
      { kind: ENTITY.node, key: nodeKey(2n), value: serialize(record(2, { status: "exit-requested", exitRequestedBlock: "20" })) },
      { kind: ENTITY.node, key: nodeKey(1n), value: serialize(record(1, { status: "liquidated", exitBlock: "30", returnedAmount: "39", liquidatedBlock: "30" })) },
      { kind: ENTITY.rewardRate, key: blockKey(20n), value: serialize({ block: "20", rewardRate: "555" }) },
      { kind: ENTITY.rewardRate, key: blockKey(60n), value: serialize({ block: "60", rewardRate: "777" }) },
    ];
    await store.commitRange({
      blocks: [{ number: 40n, hash: `0x${"11".repeat(32)}`, parentHash: `0x${"22".repeat(32)}` }],
      changes: puts.map((p) => ({ block: 40n, kind: p.kind, key: p.key, before: null, after: p.value })),
      checkpoint: { number: 40n, hash: `0x${"11".repeat(32)}` },
    });
    const view = createTrackerView({ store, blockTimestamp: async (b) => 1_000n + b * 2n, nonSignerMax: 7n, domain });
    const s = await view.snapshot();
    expect([s.height, s.timestamp, s.rewardRate, s.nonSignerMax]).to.deep.equal([40n, 1_080n, 555n, 7n]);
    expect(s.registeredIds).to.deep.equal([2n]);
    expect(s.nodes.map((n) => [n.id, n.status, n.registeredAt, n.exitRequestedAt, n.exitedAt, n.returnedAmount])).to.deep.equal([
      [1n, "liquidated", 1_020n, null, 1_060n, 39n],
      [2n, "exit-requested", 1_020n, 1_040n, null, null],
    ]);
    expect(s.nodes[1].contributors[1]).to.deep.equal({ addr: "0x00000000000000000000000000000000000000c1", beneficiary: "0x00000000000000000000000000000000000000c1", stakedAmount: 30n });
    expect(s.nodes[1].fee).to.equal(250);
    await store.close();
  });
});
