/**
 * Property test of a pool: random short sequences of contribute / withdraw / reset / finalize (and a day
 * passing) by random actors, from one chain snapshot. After every step:
 *  - the pool's SESH balance equals the sum of recorded contributions (zero once finalized);
 *  - the slots taken never exceed the maximum;
 *  - nobody got back more than they put in: each actor's balance never exceeds its starting balance and
 *    its recorded contribution never exceeds what it has paid in net.
 * 1,000 seeded runs (fixed seed, reproducible); each run restores the snapshot.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { takeSnapshot, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import fc from "fast-check";
import type { ServiceNodeContribution } from "../../../typechain-types";
import { deployPools, openPool, type PoolDeployment } from "../../helpers/serviceNodeContribution";
import { STAKING_REQUIREMENT } from "../../helpers/serviceNodeRewards";

const RUNS = 1_000;
const SEED = 20_261_122;

type Action =
  | { readonly kind: "contribute"; readonly actor: number; readonly size: number; readonly percent: number; readonly wait: boolean }
  | { readonly kind: "withdraw"; readonly actor: number; readonly wait: boolean }
  | { readonly kind: "reset"; readonly actor: number; readonly wait: boolean }
  | { readonly kind: "finalize"; readonly actor: number; readonly wait: boolean };

const ACTORS = 5; // actor 0 is the operator

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("contribute" as const), actor: fc.nat(ACTORS - 1), size: fc.nat(4), percent: fc.integer({ min: 1, max: 100 }), wait: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), actor: fc.nat(ACTORS - 1), wait: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reset" as const), actor: fc.nat(ACTORS - 1), wait: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("finalize" as const), actor: fc.nat(ACTORS - 1), wait: fc.boolean() }) },
);

interface World {
  d: PoolDeployment;
  pools: ServiceNodeContribution[];
  actors: HardhatEthersSigner[];
  start: bigint[];
  snapshot: SnapshotRestorer;
}

async function amountFor(pool: ServiceNodeContribution, who: HardhatEthersSigner, size: number, percent: number): Promise<bigint> {
  const available = STAKING_REQUIREMENT - (await pool.totalContribution()) - (await pool.totalReservedContribution());
  switch (size) {
    case 0: {
      const min = await pool.minimumContributionFor(who.address);
      return min === 0n ? 1n : min;
    }
    case 1:
      return (available * BigInt(percent)) / 100n + 1n;
    case 2:
      return available;
    case 3:
      return 1n;
    default:
      return available + 1n;
  }
}

/** Runs the action; reverts are allowed (the properties are about state, not about success). */
async function run(world: World, pool: ServiceNodeContribution, action: Action): Promise<void> {
  if (action.wait) await ethers.provider.send("evm_increaseTime", [86_400]);
  const who = world.actors[action.actor];
  const p = pool.connect(who);
  try {
    if (action.kind === "contribute") await p["contributeFunds(uint256,address)"](await amountFor(pool, who, action.size, action.percent), ethers.ZeroAddress);
    else if (action.kind === "withdraw") await p.withdrawContribution();
    else if (action.kind === "reset") await p.reset();
    else await p.finalize();
  } catch (error: unknown) {
    if (!(error instanceof Error) || !/reverted/.test(error.message)) throw error;
  }
}

async function checkInvariants(world: World, pool: ServiceNodeContribution): Promise<void> {
  const { d, actors, start } = world;
  const [contributors] = await pool.getContributors();
  const recorded = contributors.reduce((sum, c) => sum + c.stakedAmount, 0n);
  const finalized = (await pool.status()) === 3n;
  expect(await pool.totalContribution()).to.equal(recorded);
  expect(await d.token.balanceOf(await pool.getAddress())).to.equal(finalized ? 0n : recorded);
  expect(await pool.contributorSlots()).to.be.lte(await pool.maxContributors());
  expect(contributors.length).to.be.lte(Number(await pool.maxContributors()));
  const balances = await Promise.all(actors.map((a) => d.token.balanceOf(a.address)));
  actors.forEach((actor, i) => {
    const paidIn = start[i] - balances[i];
    expect(paidIn >= 0n, `actor ${i} got back more than it put in`).to.equal(true);
    const own = contributors.filter((c) => c.staker.addr === actor.address).reduce((sum, c) => sum + c.stakedAmount, 0n);
    expect(own <= paidIn, `actor ${i} is recorded with more than it paid`).to.equal(true);
  });
}

describe("ServiceNodeContribution property", function () {
  this.timeout(900_000);
  let world: World;

  before(async () => {
    const d = await deployPools(3);
    const actors = d.accounts.slice(0, ACTORS);
    const auto = await openPool(d, actors[0]);
    const manual = await openPool(d, actors[0], { manualFinalize: true });
    const pools = [auto.pool, manual.pool];
    for (const actor of actors) {
      for (const pool of pools) await d.token.connect(actor).approve(await pool.getAddress(), ethers.MaxUint256);
    }
    const start = await Promise.all(actors.map((a) => d.token.balanceOf(a.address)));
    world = { d, pools, actors, start, snapshot: await takeSnapshot() };
  });

  it(`keeps balance == recorded contributions, slots ≤ max, and refunds ≤ deposits (${RUNS} runs)`, async () => {
    let finalizedRuns = 0;
    let withdrawals = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.array(actionArb, { minLength: 1, maxLength: 8 }), async (which, actions) => {
        await world.snapshot.restore();
        const pool = world.pools[which];
        for (const action of actions) {
          const before = await pool.totalContribution();
          await run(world, pool, action);
          if (action.kind === "withdraw" && (await pool.totalContribution()) < before) withdrawals += 1;
          await checkInvariants(world, pool);
        }
        if ((await pool.status()) === 3n) finalizedRuns += 1;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // The generator must reach the interesting states, not only reverts.
    expect(finalizedRuns).to.be.greaterThan(10);
    expect(withdrawals).to.be.greaterThan(10);
  });
});
