/**
 * Rounding tests (issue 21): requirements and amounts that are NOT multiples of the divisors, so that rounding
 * up or down gives different answers and each direction is pinned: the operator's minimum (ceil, registry and
 * pool), the small-contributor rule, the public minimum contribution (ceil), the liquidation split (liquidator
 * floor, pool ceil, owners the rest) and the reward pool's release (floor).
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { g1, nodeKey, signLiquidation } from "../../helpers/network";
import {
  contributorEntry,
  deployServiceNodeRewards,
  now,
  registerNode,
  STAKING_REQUIREMENT,
  type Deployment,
} from "../../helpers/serviceNodeRewards";
import { contribute, deployPools, openPool } from "../../helpers/serviceNodeContribution";

/** 25,000 SESH + 1 atomic unit: not a multiple of 4, 9 or 10,000. */
const ODD = STAKING_REQUIREMENT + 1n;
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
const DAY = 86_400n;

async function load(): Promise<Deployment> {
  const d = await loadFixture(registryFixture);
  return { ...d, network: { domain: d.network.domain, nodes: new Map(d.network.nodes) } };
}
const registryFixture = () => deployServiceNodeRewards({ seeded: 50, label: "rounding" });
const poolsFixture = () => deployPools(3);

describe("rounding", () => {
  describe("operator minimum: ceil(requirement / 4)", () => {
    it("registry: refuses floor(requirement / 4) and accepts the ceiling", async () => {
      const d = await load();
      await d.snr.setStakingRequirement(ODD);
      const [op, other] = d.accounts;
      const floor = ODD / 4n;
      const list = (operatorStake: bigint) => [contributorEntry(op.address, operatorStake), contributorEntry(other.address, ODD - operatorStake)];
      await expect(registerNode(d, nodeKey("round-op-floor"), op, list(floor)))
        .to.be.revertedWithCustomError(d.snr, "OperatorStakeTooLow")
        .withArgs(floor, floor + 1n);
      const { id } = await registerNode(d, nodeKey("round-op-ceil"), op, list(floor + 1n));
      expect((await d.snr.serviceNodes(id)).deposit).to.equal(ODD);
    });

    it("pool: refuses floor(requirement / 4) from the operator; the ceiling fills and registers with the registry", async () => {
      const d = await loadFixture(poolsFixture);
      await d.snr.setStakingRequirement(ODD);
      const [op, a] = d.accounts;
      const { pool } = await openPool(d, op);
      expect(await pool.stakingRequirement()).to.equal(ODD);
      expect(await pool.minimumContributionFor(op.address)).to.equal(ceilDiv(ODD, 4n));
      await expect(contribute(d, pool, op, ODD / 4n))
        .to.be.revertedWithCustomError(pool, "ContributionBelowMinimum")
        .withArgs(ODD / 4n, ceilDiv(ODD, 4n));
      await contribute(d, pool, op, ceilDiv(ODD, 4n));
      // The registry applies the same rounding, so the pool's list is accepted (a pool that took the floor
      // would be refused with OperatorStakeTooLow and stuck until a reset).
      await expect(contribute(d, pool, a, ODD - ceilDiv(ODD, 4n))).to.emit(d.snr, "NewServiceNodeV2");
      expect(await pool.status()).to.equal(3n);
    });

    it("pool reservations: the space left after the operator uses the ceiling", async () => {
      const d = await loadFixture(poolsFixture);
      await d.snr.setStakingRequirement(ODD);
      const [op, r] = d.accounts;
      const available = ODD - ceilDiv(ODD, 4n);
      const deploy = (amount: bigint) =>
        openPool(d, op, { reserved: [{ addr: r.address, amount }] });
      // A reservation of everything but the operator's floor would leave the operator a unit short.
      await expect(deploy(available + 1n)).to.be.revertedWithCustomError(d.implementation, "ReservationExceedsRequirement").withArgs(0n, available + 1n, available);
      const { pool } = await deploy(available);
      expect(await pool.totalReservedContribution()).to.equal(available);
    });
  });

  describe("small contributor: stake · 4 < total", () => {
    it("with a total not divisible by 4, floor(total / 4) is small and one unit more is not", async () => {
      const d = await load();
      await d.snr.setStakingRequirement(ODD);
      const [op, floorHolder, ceilHolder] = d.accounts;
      const floor = ODD / 4n;
      const list = [
        contributorEntry(op.address, ODD - floor - (floor + 1n)),
        contributorEntry(floorHolder.address, floor),
        contributorEntry(ceilHolder.address, floor + 1n),
      ];
      const { id, added } = await registerNode(d, nodeKey("round-small"), op, list);
      const request = (who: typeof op) => d.snr.connect(who)["initiateExitBLSPublicKey(uint64,((address,address),uint256)[])"](id, list);
      await expect(request(floorHolder)).to.be.revertedWithCustomError(d.snr, "SmallContributorLeaveTooEarly").withArgs(id, floorHolder.address, added + 30n * DAY);
      await expect(request(ceilHolder)).to.emit(d.snr, "ServiceNodeExitRequest");
    });
  });

  describe("public minimum contribution: ceil(available / free slots)", () => {
    it("refuses the floor and accepts the ceiling when the available stake does not divide", async () => {
      const d = await loadFixture(poolsFixture);
      const [op, a, b] = d.accounts;
      const { pool } = await openPool(d, op, { manualFinalize: true });
      await contribute(d, pool, op, STAKING_REQUIREMENT / 4n + 5n);
      const available = STAKING_REQUIREMENT - STAKING_REQUIREMENT / 4n - 5n;
      expect(available % 9n).to.not.equal(0n);
      const min = ceilDiv(available, 9n);
      await expect(contribute(d, pool, a, available / 9n)).to.be.revertedWithCustomError(pool, "ContributionBelowMinimum").withArgs(available / 9n, min);
      await contribute(d, pool, a, min);
      const left = available - min;
      expect(left % 8n).to.not.equal(0n);
      expect(await pool.minimumContribution()).to.equal(ceilDiv(left, 8n));
      await expect(contribute(d, pool, b, left / 8n)).to.be.revertedWithCustomError(pool, "ContributionBelowMinimum").withArgs(left / 8n, ceilDiv(left, 8n));
    });
  });

  describe("liquidation split of a deposit that is not a multiple of the ratio sum", () => {
    it("pays the liquidator the floor, the pool the ceiling and credits the owners the rest, exactly", async () => {
      const d = await load();
      await d.snr.setStakingRequirement(ODD + 6n); // 25,000 SESH + 7 units
      const deposit = ODD + 6n;
      const key = nodeKey("round-liquidate");
      const { id, added } = await registerNode(d, key, d.accounts[8]);
      expect((await d.snr.serviceNodes(id)).deposit).to.equal(deposit);
      const liquidator = d.accounts[9];
      const poolAddress = await d.pool.getAddress();
      const liquidatorShare = (deposit * 3n) / 10_000n;
      const poolShare = ceilDiv(deposit * 17n, 10_000n);
      expect((deposit * 3n) % 10_000n).to.not.equal(0n);
      expect((deposit * 17n) % 10_000n).to.not.equal(0n);
      const before = await Promise.all([liquidator.address, poolAddress, d.address].map((a) => d.token.balanceOf(a)));
      const ts = added + 3n * 3600n;
      await time.setNextBlockTimestamp(ts);
      await expect(d.snr.connect(liquidator).liquidateBLSPublicKeyWithSignature(g1(key.pk), ts, signLiquidation(d.network, key.pk, ts), []))
        .to.emit(d.snr, "ServiceNodeExit")
        .withArgs(id, liquidator.address, deposit - liquidatorShare - poolShare, [key.pk.X, key.pk.Y]);
      const after = await Promise.all([liquidator.address, poolAddress, d.address].map((a) => d.token.balanceOf(a)));
      expect(after[0] - before[0]).to.equal(liquidatorShare);
      expect(after[1] - before[1]).to.equal(poolShare);
      expect(before[2] - after[2]).to.equal(liquidatorShare + poolShare);
    });
  });

  describe("reward pool release: floor(balance · 15.1 % · elapsed / year)", () => {
    it("releases the floor of the exact amount for a balance and an interval that do not divide", async () => {
      const d = await load();
      await d.token.transfer(await d.pool.getAddress(), 123_457n); // balance not a round number
      await d.pool.payoutReleased();
      const last = await d.pool.lastPaidOutTime();
      const balance = await d.token.balanceOf(await d.pool.getAddress());
      const elapsed = 1_001n;
      const numerator = balance * 1_510n * elapsed;
      const denominator = 10_000n * 365n * 86_400n;
      expect(numerator % denominator).to.not.equal(0n);
      const registryBefore = await d.token.balanceOf(d.address);
      await time.setNextBlockTimestamp(last + elapsed);
      await d.pool.payoutReleased();
      expect((await d.token.balanceOf(d.address)) - registryBefore).to.equal(numerator / denominator);
      const rateNumerator = (await d.token.balanceOf(await d.pool.getAddress())) * 1_510n * 120n;
      expect(rateNumerator % denominator).to.not.equal(0n);
      expect(await d.pool.rewardRate()).to.equal(rateNumerator / denominator);
      expect(await now()).to.equal(last + elapsed);
    });
  });
});
