/**
 * Issue 22 item 4: signing and caching use a clock that moves. On a chain with no block for longer than
 * a signature lives, the network's "now" still follows the wall clock (never the frozen latest block), a
 * chain moved ahead keeps its lead, and the aggregator never hands out an expired exit signature.
 */
import { expect } from "chai";
import { publicKeyToHex } from "../../src/bls";
import { movingClock } from "../../src/network/clock";
import { clockOf } from "../../src/network/daemon";
import { openLedger } from "../../src/network/ledger/ledger";
import { createSimulation } from "../../src/network/simulation";
import { memoryView } from "../../src/network/views/memory";
import { DAY, domain, simNode, snapshotOf } from "../helpers/networkView";

const wallNow = (): bigint => BigInt(Math.floor(Date.now() / 1000));

describe("network clock", () => {
  it("the chain clock of a daemon moves with the wall clock when the chain has had no block for an hour", async () => {
    let reads = 0;
    const stale = wallNow() - 3600n;
    const client = { getBlock: async () => ((reads++, { number: 5n, timestamp: stale }) as never) };
    const clock = clockOf({ clock: "chain" }, client);
    const now = await clock();
    expect(Number(now - wallNow())).to.be.within(-1, 1);
    for (let i = 0; i < 50; i++) await clock();
    expect(reads, "the chain is read once per refresh (latest and pending), not per call").to.equal(2);
  });

  it("follows the chain's own clock where it dates its pending block (a devnet a few seconds behind the wall)", async () => {
    let wall = 1_700_000_000_000;
    const clock = movingClock(async () => ({ number: 3n, timestamp: 1_699_999_990n, next: 1_699_999_995n }), { refreshMs: 60_000, wallMs: () => wall });
    expect(await clock()).to.equal(1_699_999_995n);
    wall += 10_000;
    expect(await clock()).to.equal(1_700_000_005n);
  });

  it("keeps a chain's lead (time moved ahead on a devnet) and moves on from there without new blocks", async () => {
    let wall = 1_700_000_000_000;
    const clock = movingClock(async () => ({ number: 9n, timestamp: 1_700_007_200n }), { refreshMs: 60_000, wallMs: () => wall });
    expect(await clock()).to.equal(1_700_007_200n);
    wall += 5_000;
    expect(await clock()).to.equal(1_700_007_205n);
    expect(clock.head()).to.deep.equal({ number: 9n, timestamp: 1_700_007_200n });
  });

  it("never returns an expired exit signature while the chain stands still", async () => {
    let wall = Number(1_000n * DAY) * 1000;
    const frozen = 1_000n * DAY; // the latest block never moves
    const clock = movingClock(async () => ({ number: 1n, timestamp: frozen }), { refreshMs: 1_000, wallMs: () => wall });
    const nodes = [0, 1, 2].map((i) => simNode(i, i === 0 ? { status: "exit-requested", exitRequestedAt: frozen - 20n * DAY } : {}));
    const view = memoryView(snapshotOf(nodes, frozen));
    const sim = await createSimulation({ domain, snapshot: () => view.snapshot(), ledger: openLedger({ path: ":memory:" }), count: 3, label: "unit", clock, aggregator: { removalCacheSeconds: 60n } });
    try {
      const lifetime = 600n;
      for (const step of [0, 30, 59, 61, 700, 3600, 7200]) {
        wall = Number(frozen) * 1000 + step * 1000;
        const now = BigInt(Math.floor(wall / 1000));
        const answer = await sim.aggregator.exitLiquidationRequest(nodes[0].pubkey, false);
        expect(Number(now - answer.timestamp), `at +${step} s (${publicKeyToHex(nodes[0].pubkey).slice(0, 10)}…)`).to.be.within(0, 60);
        expect(now - answer.timestamp < lifetime).to.equal(true);
      }
    } finally {
      await sim.close();
    }
  });
});
