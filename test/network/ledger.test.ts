import { expect } from "chai";
import fc from "fast-check";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Address } from "viem";
import { openLedger, type Ledger, type LedgerConfig } from "../../src/network/ledger/ledger";
import { clampRate, splitNodeShare, splitReturnedStake } from "../../src/network/ledger/split";
import { calculatePayoutAmount, rewardRateAt, REWARD_BLOCK_SECONDS } from "../../src/network/ledger/rate";
import { applySnapshot, blockRate } from "../../src/network/ledger/sync";
import type { ViewNode } from "../../src/network/view";
import { domain, ed25519Fields } from "../helpers/networkView";

const HOUR = 3600n;
const DAY = 24n * HOUR;
const addr = (n: number): Address => `0x${n.toString(16).padStart(40, "0")}` as Address;
const [A, B, C, D, E] = [1, 2, 3, 4, 5].map(addr);

/** A registered node (a real Ed25519 signature of its registration: impostors earn nothing). */
function node(id: number, over: Partial<ViewNode> = {}): ViewNode {
  const base = {
    id: BigInt(id),
    pubkey: { X: BigInt(id), Y: 1n },
    operator: A,
    fee: 0,
    contributors: [{ addr: A, beneficiary: A, stakedAmount: 25_000n }],
    registeredAt: 0n,
    exitRequestedAt: null,
    exitedAt: null,
    returnedAmount: null,
    status: "active" as const,
    seeded: false,
    ...over,
  };
  return { ...ed25519Fields(base, `ledger-${id}`), ...base };
}

const tmpFile = (): string => join(mkdtempSync(join(tmpdir(), "ledger-")), "ledger.db");

function open(config: Partial<LedgerConfig> = {}, path = ":memory:"): Ledger {
  return openLedger({ path, config });
}

/** Applies heights [from, to] at 120 s per height. */
function run(ledger: Ledger, from: bigint, to: bigint, rate: bigint, nodes: readonly ViewNode[]): void {
  for (let h = from; h <= to; h++) ledger.applyBlock({ height: h, timestamp: h * 120n, rewardRate: rate, nodes });
}

describe("network ledger", () => {
  it("evaluates rewardRate() at each block's own time from the pool's state; the sample only before the last payout", () => {
    const ledger = open({ minActiveSeconds: 0n });
    const pool = { balance: 100_000_000n * 10n ** 9n, lastPaidOutTime: 1_000n * 120n + 37n };
    const timestamp = 1_010n * 120n + 5n;
    // The sample: what rewardRate() returned when the snapshot was taken, 5 s into block 1,010.
    const sample = rewardRateAt(pool, timestamp);
    const snapshot = { domain, height: 1n, timestamp, nodes: [node(1)], registeredIds: [1n], rewardRate: sample, rewardPool: pool, nonSignerMax: 4000n };
    applySnapshot(ledger, snapshot, 1_000n);
    // Block 1,000 starts before the payout the state describes: the sample.
    expect(ledger.blockInfo(1_000n)!.rateUsed).to.equal(sample);
    for (let h = 1_001n; h <= 1_010n; h++) {
      const expected = rewardRateAt(pool, h * 120n);
      expect(blockRate(snapshot, h * 120n)).to.equal(expected);
      expect(ledger.blockInfo(h)!.rateUsed).to.equal(expected);
    }
    // Sampled 5 s into the block, the rate is already a few units lower than at the block's start.
    expect(sample < rewardRateAt(pool, 1_010n * 120n)).to.equal(true);
    // The rate falls as interest accrues since the payout: later blocks get (slightly) less.
    expect(rewardRateAt(pool, 1_010n * 120n) < rewardRateAt(pool, 1_001n * 120n)).to.equal(true);
    // Without the pool's state the sample is used for every block, as before.
    expect(blockRate({ ...snapshot, rewardPool: undefined }, 1_005n * 120n)).to.equal(sample);
  });

  it("property: the rates credited never exceed what the pool releases, under the reference's formula and the whole-balance one", () => {
    // Payouts at network-block boundaries (the pool's state is then constant within each block). For each
    // interval of n blocks between payouts the pool releases calculatePayoutAmount(B, 120·n); the network
    // credits Σ rewardRate per block. Checked for the chosen (reference) formula and for the former
    // whole-balance one, n·calculatePayoutAmount(B, 120).
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt(0n, 10_000n), fc.bigInt(1n, 240_000_000n * 10n ** 9n)),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 31, max: 2_000 })), { minLength: 1, maxLength: 8 }),
        (start, intervals) => {
          let balance = start;
          let t = 0n;
          let credited = 0n;
          let creditedWholeBalance = 0n;
          let released = 0n;
          for (const n of intervals) {
            const blocks = BigInt(n);
            for (let k = 0n; k < blocks; k++) credited += rewardRateAt({ balance, lastPaidOutTime: t }, t + k * REWARD_BLOCK_SECONDS);
            creditedWholeBalance += blocks * calculatePayoutAmount(balance, REWARD_BLOCK_SECONDS);
            const payout = calculatePayoutAmount(balance, blocks * REWARD_BLOCK_SECONDS);
            released += payout;
            balance -= payout;
            t += blocks * REWARD_BLOCK_SECONDS;
            if (credited > released || creditedWholeBalance > released) return false;
          }
          // The reference formula never credits more than the whole-balance one.
          return credited <= creditedWholeBalance;
        },
      ),
      { seed: 0x18_04, numRuns: 100 },
    );
  });

  it("pays the operator fee to the operator's beneficiary and the rest pro rata, remainder to the operator", () => {
    const n = node(1, {
      fee: 1000,
      contributors: [
        { addr: A, beneficiary: B, stakedAmount: 10_000n },
        { addr: C, beneficiary: C, stakedAmount: 6_000n },
        { addr: D, beneficiary: E, stakedAmount: 9_000n },
      ],
    });
    const credits = new Map<Address, bigint>();
    splitNodeShare(n, 1_000_003n, credits);
    // fee 100,000; rest 900,003 → 360,001.2 / 216,000.72 / 324,001.08 floored; 1 unit of remainder to the operator's beneficiary.
    expect(credits.get(B)).to.equal(100_000n + 360_001n + 1n);
    expect(credits.get(C)).to.equal(216_000n);
    expect(credits.get(E)).to.equal(324_001n);
    expect(credits.has(A)).to.equal(false);
    expect(credits.has(D)).to.equal(false);
    expect([...credits.values()].reduce((a, b) => a + b, 0n)).to.equal(1_000_003n);
  });

  it("credits through the ledger exactly, with a 100 % fee and a zero fee", () => {
    const ledger = open({ minActiveSeconds: 0n });
    const full = node(1, { fee: 10_000, contributors: [{ addr: A, beneficiary: A, stakedAmount: 1n }, { addr: B, beneficiary: B, stakedAmount: 3n }] });
    const none = node(2, { fee: 0, contributors: [{ addr: C, beneficiary: C, stakedAmount: 1n }, { addr: D, beneficiary: D, stakedAmount: 3n }] });
    run(ledger, 10n, 10n, 1_000n, [full, none]);
    expect(ledger.balanceAt(A, 10n)).to.equal(500n);
    expect(ledger.balanceAt(B, 10n)).to.equal(0n);
    expect(ledger.balanceAt(C, 10n)).to.equal(125n);
    expect(ledger.balanceAt(D, 10n)).to.equal(375n);
  });

  it("rewards only nodes active for 24 h (configurable)", () => {
    const registeredAt = 1_000n * 120n;
    const n = node(1, { registeredAt });
    const ledger = open();
    const first = registeredAt / 120n;
    const eligibleFrom = (registeredAt + DAY) / 120n; // exactly 24 h later
    run(ledger, first, eligibleFrom - 1n, 700n, [n]);
    expect(ledger.balanceAt(A, eligibleFrom - 1n)).to.equal(0n);
    expect(ledger.blockInfo(eligibleFrom - 1n)!.eligible).to.equal(0);
    run(ledger, eligibleFrom, eligibleFrom, 700n, [n]);
    expect(ledger.balanceAt(A, eligibleFrom)).to.equal(700n);

    const devnet = open({ minActiveSeconds: HOUR });
    run(devnet, first, first + 30n, 700n, [n]);
    expect(devnet.balanceAt(A, first + 30n)).to.equal(700n); // eligible from first + 30 (1 h = 30 blocks)
    expect(devnet.balanceAt(A, first + 29n)).to.equal(0n);
  });

  it("splits a block equally among nodes and carries the remainder so totals are exact", () => {
    const ledger = open({ minActiveSeconds: 0n, maxRateStepBps: 10_000n });
    const nodes = [node(1, { contributors: [{ addr: A, beneficiary: A, stakedAmount: 1n }] }), node(2, { contributors: [{ addr: B, beneficiary: B, stakedAmount: 1n }] }), node(3, { contributors: [{ addr: C, beneficiary: C, stakedAmount: 1n }] })];
    expect(ledger.applyBlock({ height: 1n, timestamp: 120n, rewardRate: 10n, nodes }).carry).to.equal(1n);
    expect(ledger.applyBlock({ height: 2n, timestamp: 240n, rewardRate: 10n, nodes }).carry).to.equal(2n);
    expect(ledger.applyBlock({ height: 3n, timestamp: 360n, rewardRate: 10n, nodes }).carry).to.equal(0n);
    for (const who of [A, B, C]) expect(ledger.balanceAt(who, 3n)).to.equal(10n);
    expect(ledger.balanceAt(A, 1n)).to.equal(3n);
    expect(ledger.balanceAt(A, 2n)).to.equal(6n);
  });

  it("keeps credits + carry equal to the rewards released for random networks", () => {
    const contributor = fc.record({ who: fc.integer({ min: 1, max: 12 }), stake: fc.bigInt({ min: 0n, max: 10n ** 13n }) });
    const arbNode = fc.record({ fee: fc.integer({ min: 0, max: 10_000 }), contributors: fc.array(contributor, { minLength: 1, maxLength: 10 }), age: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(fc.array(arbNode, { minLength: 1, maxLength: 8 }), fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 6 }), (specs, rates) => {
        const ledger = open({ minActiveSeconds: 240n, maxRateStepBps: 10_000n });
        const nodes = specs.map((s, i) =>
          node(i + 1, { fee: s.fee, registeredAt: BigInt(s.age) * 120n, contributors: s.contributors.map((c) => ({ addr: addr(c.who), beneficiary: addr(c.who + 100), stakedAmount: c.stake })) }),
        );
        let carry = 0n;
        rates.forEach((rate, i) => (carry = ledger.applyBlock({ height: BigInt(i), timestamp: BigInt(i) * 120n, rewardRate: rate, nodes }).carry));
        const total = [...ledger.balancesAt(BigInt(rates.length - 1)).values()].reduce((a, b) => a + b, 0n);
        expect(total + carry).to.equal(ledger.totalRewardsReleased());
        ledger.close();
      }),
      { numRuns: 60 },
    );
  });

  it("clamps reward-rate jumps to ±1 % of the previous block's rate", () => {
    expect(clampRate(10_000n, null, 100n)).to.equal(10_000n);
    expect(clampRate(100_000n, 10_000n, 100n)).to.equal(10_100n);
    expect(clampRate(1n, 10_000n, 100n)).to.equal(9_900n);
    expect(clampRate(10_050n, 10_000n, 100n)).to.equal(10_050n);
    expect(clampRate(5n, 0n, 100n)).to.equal(5n);
    const ledger = open({ minActiveSeconds: 0n });
    const n = [node(1)];
    ledger.applyBlock({ height: 1n, timestamp: 120n, rewardRate: 10_000n, nodes: n });
    expect(ledger.applyBlock({ height: 2n, timestamp: 240n, rewardRate: 1_000_000n, nodes: n }).rateUsed).to.equal(10_100n);
    expect(ledger.applyBlock({ height: 3n, timestamp: 360n, rewardRate: 1_000_000n, nodes: n }).rateUsed).to.equal(10_201n);
    expect(ledger.balanceAt(A, 3n)).to.equal(10_000n + 10_100n + 10_201n);
  });

  it("credits an exited stake to the owners (not beneficiaries) once, after the unlock", () => {
    const requested = 100n * 120n;
    const exitedAt = requested + 15n * DAY + 60n;
    const contributors = [
      { addr: A, beneficiary: B, stakedAmount: 7_000n },
      { addr: C, beneficiary: D, stakedAmount: 18_000n },
    ];
    const n = node(1, { contributors, registeredAt: 0n, exitRequestedAt: requested, exitedAt, returnedAmount: 25_000n, status: "exited" });
    const ledger = open({ minActiveSeconds: 0n });
    const exitHeight = exitedAt / 120n; // block timestamp < exitedAt: still earning, stake not yet back
    run(ledger, exitHeight, exitHeight + 2n, 0n, [n]);
    expect(ledger.balanceAt(A, exitHeight)).to.equal(0n);
    expect(ledger.balanceAt(A, exitHeight + 1n)).to.equal(7_000n);
    expect(ledger.balanceAt(C, exitHeight + 1n)).to.equal(18_000n);
    expect(ledger.balanceAt(A, exitHeight + 2n)).to.equal(7_000n); // not twice
    expect(ledger.balanceAt(B, exitHeight + 2n)).to.equal(0n);

    // An exit seen before request + unlock (not possible with an honest network) waits for the unlock.
    const early = node(2, { contributors, exitRequestedAt: 0n, exitedAt: 120n, returnedAmount: 25_000n, status: "exited" });
    const l2 = open({ minActiveSeconds: 0n, unlockSeconds: 1_200n });
    run(l2, 1n, 10n, 0n, [early]);
    expect(l2.balanceAt(A, 9n)).to.equal(0n);
    expect(l2.balanceAt(A, 10n)).to.equal(7_000n);
  });

  it("takes a liquidation penalty off the operator's stake and returns the others in full", () => {
    const contributors = [
      { addr: A, beneficiary: A, stakedAmount: 6_250n },
      { addr: B, beneficiary: B, stakedAmount: 10_000n },
      { addr: C, beneficiary: C, stakedAmount: 8_750n },
    ];
    const credits = new Map<Address, bigint>();
    splitReturnedStake(node(1, { contributors }), 25_000n - 50n, credits);
    expect(credits.get(A)).to.equal(6_200n);
    expect(credits.get(B)).to.equal(10_000n);
    expect(credits.get(C)).to.equal(8_750n);
    const ledger = open({ minActiveSeconds: 0n });
    const liquidated = node(1, { contributors, exitedAt: 240n, returnedAmount: 24_950n, status: "liquidated" });
    run(ledger, 1n, 2n, 0n, [liquidated]);
    expect(ledger.balanceAt(A, 2n)).to.equal(6_200n); // liquidations are credited at once (no request, no unlock)
    expect(ledger.blockInfo(2n)!.eligible).to.equal(0);
  });

  it("is idempotent per height, refuses gaps, and survives a reopen and a failed block", () => {
    const path = tmpFile();
    const ledger = open({ minActiveSeconds: 0n }, path);
    run(ledger, 5n, 7n, 100n, [node(1)]);
    expect(ledger.applyBlock({ height: 6n, timestamp: 720n, rewardRate: 999n, nodes: [node(1)] }).applied).to.equal(false);
    expect(ledger.balanceAt(A, 7n)).to.equal(300n);
    expect(() => ledger.applyBlock({ height: 9n, timestamp: 1080n, rewardRate: 100n, nodes: [node(1)] })).to.throw(/does not follow the last applied block 7/);
    // A block that fails half-way (an amount outside int64) leaves nothing behind.
    const huge = node(2, { contributors: [{ addr: B, beneficiary: B, stakedAmount: 1n }], exitedAt: 0n, returnedAmount: 1n << 64n, status: "liquidated" });
    expect(() => ledger.applyBlock({ height: 8n, timestamp: 960n, rewardRate: 100n, nodes: [node(1), huge] })).to.throw(/outside/);
    expect(ledger.lastHeight()).to.equal(7n);
    expect(ledger.balanceAt(A, 7n)).to.equal(300n);
    ledger.close();
    const reopened = open({ minActiveSeconds: 0n }, path);
    expect(reopened.lastHeight()).to.equal(7n);
    expect(reopened.balanceAt(A, 7n)).to.equal(300n);
    expect(reopened.balanceAt(A, 8n)).to.equal(null);
    run(reopened, 8n, 8n, 100n, [node(1)]);
    expect(reopened.balanceAt(A, 8n)).to.equal(400n);
    expect(reopened.balanceAt(A, 6n)).to.equal(200n);
    reopened.close();
  });
});
