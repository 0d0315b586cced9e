/**
 * The tracker API's list routes (/nodes, /pools, /names) read and parse the mirror's table once per
 * checkpoint, not once per request (what bench:api found limiting at concurrency 50 with 2,000 nodes), and
 * answer the new state as soon as the checkpoint moves.
 */
import { expect } from "chai";
import { publicKey } from "../../src/bls";
import { silentLogger } from "../../src/tracker/log";
import type { NodeRecord } from "../../src/tracker/state/model";
import { startTracker, type Tracker } from "../../src/tracker/tracker";
import { deployEmitter, startHardhatNode, syncToHead, testConfig, type Emitter, type HardhatNode } from "../helpers/tracker";

const OPERATOR = "0x00000000000000000000000000000000000a0001";

describe("tracker API list routes: one parse of a table per checkpoint", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let emitter: Emitter;
  let tracker: Tracker;
  let base: string;
  let reads: string[][];

  const nodes = async (query: string): Promise<NodeRecord[]> => {
    const response = await fetch(`${base}/nodes${query}`);
    expect(response.status).to.equal(200);
    return ((await response.json()) as { nodes: NodeRecord[] }).nodes;
  };

  before(async () => {
    node = await startHardhatNode();
    emitter = await deployEmitter(node);
    await emitter.call("setRewardRate", [1_000n]);
    await emitter.call("emitNewServiceNodes", [1n, 3n, 500n, OPERATOR, 25_000_000_000_000n]);
    tracker = await startTracker(testConfig([node.url], emitter, { api: { host: "127.0.0.1", port: 0 } }), silentLogger);
    await syncToHead(tracker);
    base = `http://127.0.0.1:${tracker.api!.address().port}`;
    // Count the whole-table reads the API makes (the store object the API holds is this one).
    reads = [];
    const readAll = tracker.store.readAll.bind(tracker.store);
    (tracker.store as { readAll: typeof readAll }).readAll = (kinds) => {
      reads.push([...(kinds ?? [])]);
      return readAll(kinds);
    };
  });
  after(async () => {
    await tracker?.close();
    await node?.stop();
  });

  it("answers repeated list requests from one read of the table while the checkpoint stands", async () => {
    const first = await nodes(`?contributor=${OPERATOR}`);
    expect(first.map((n) => n.id)).to.deep.equal(["1", "2", "3"]);
    for (let i = 0; i < 5; i++) expect((await nodes(`?contributor=${OPERATOR}`)).map((n) => n.id)).to.deep.equal(["1", "2", "3"]);
    expect((await nodes("?status=active")).length).to.equal(3);
    expect((await nodes("")).length).to.equal(3);
    expect(reads.filter((k) => k.includes("node"))).to.have.length(1);
  });

  it("answers the new state once the checkpoint moves", async () => {
    await emitter.call("emitNewServiceNodes", [4n, 2n, 900n, OPERATOR, 25_000_000_000_000n]);
    await emitter.call("emitExitRequest", [2n, OPERATOR]);
    await syncToHead(tracker);
    const after = await nodes(`?contributor=${OPERATOR}`);
    expect(after.map((n) => [n.id, n.status])).to.deep.equal([
      ["1", "active"],
      ["2", "exit-requested"],
      ["3", "active"],
      ["4", "active"],
      ["5", "active"],
    ]);
    expect(after[3].pubkey.X).to.equal(publicKey(900n).X.toString());
    expect((await nodes("?status=exit-requested")).map((n) => n.id)).to.deep.equal(["2"]);
    expect(reads.filter((k) => k.includes("node"))).to.have.length(2);
  });
});
