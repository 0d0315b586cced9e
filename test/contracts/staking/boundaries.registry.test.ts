/**
 * Boundary tests of ServiceNodeRewards (issue 21): each threshold one unit (or second) on the refused side, and
 * exactly at it on the accepted side. Time is set per transaction with setNextBlockTimestamp, so each edge is hit
 * to the second. Signatures are real BLS signatures of the simulated network (test/helpers/network.ts).
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { g1, nodeKey, signExit, signReward } from "../../helpers/network";
import {
  contributorEntry,
  deployServiceNodeRewards,
  now,
  registerNode,
  STAKING_REQUIREMENT,
  type Deployment,
} from "../../helpers/serviceNodeRewards";

const HOUR = 3600n;
const DAY = 24n * HOUR;
const REQ = STAKING_REQUIREMENT;

/** loadFixture returns the same objects each time: give each test its own copy of the node map. */
async function load(): Promise<Deployment> {
  const d = await loadFixture(fixture);
  return { ...d, network: { domain: d.network.domain, nodes: new Map(d.network.nodes) } };
}
const fixture = () => deployServiceNodeRewards({ seeded: 50, label: "bounds" });

/** Sends the next transaction at exactly `t`. */
async function at(t: bigint): Promise<void> {
  await time.setNextBlockTimestamp(t);
}

describe("boundaries: ServiceNodeRewards", () => {
  describe("operator minimum (25 %)", () => {
    it("refuses an operator a unit below a quarter and accepts exactly a quarter", async () => {
      const d = await load();
      const [op, other] = d.accounts;
      const below = [contributorEntry(op.address, REQ / 4n - 1n), contributorEntry(other.address, REQ - REQ / 4n + 1n)];
      await expect(registerNode(d, nodeKey("op-min-below"), op, below))
        .to.be.revertedWithCustomError(d.snr, "OperatorStakeTooLow")
        .withArgs(REQ / 4n - 1n, REQ / 4n);
      const exactly = [contributorEntry(op.address, REQ / 4n), contributorEntry(other.address, REQ - REQ / 4n)];
      const { id } = await registerNode(d, nodeKey("op-min-exact"), op, exactly);
      expect((await d.snr.serviceNodes(id)).operator).to.equal(op.address);
    });
  });

  describe("small contributor exit (stake · 4 < total)", () => {
    it("lets a contributor of exactly 25 % request an exit at once", async () => {
      const d = await load();
      const [op, quarter, other] = d.accounts;
      const list = [contributorEntry(op.address, REQ / 2n), contributorEntry(quarter.address, REQ / 4n), contributorEntry(other.address, REQ / 4n)];
      const { id } = await registerNode(d, nodeKey("exit-quarter"), op, list);
      await expect(d.snr.connect(quarter)["initiateExitBLSPublicKey(uint64,((address,address),uint256)[])"](id, list))
        .to.emit(d.snr, "ServiceNodeExitRequest")
        .withArgs(id, quarter.address, [d.network.nodes.get(id)!.pk.X, d.network.nodes.get(id)!.pk.Y]);
    });

    it("makes a contributor a unit below 25 % wait until exactly 30 days after registration", async () => {
      const d = await load();
      const [op, small, other] = d.accounts;
      const list = [contributorEntry(op.address, REQ / 2n), contributorEntry(small.address, REQ / 4n - 1n), contributorEntry(other.address, REQ / 4n + 1n)];
      const { id, added } = await registerNode(d, nodeKey("exit-small"), op, list);
      const request = () => d.snr.connect(small)["initiateExitBLSPublicKey(uint64,((address,address),uint256)[])"](id, list);
      await at(added + 30n * DAY - 1n);
      await expect(request()).to.be.revertedWithCustomError(d.snr, "SmallContributorLeaveTooEarly").withArgs(id, small.address, added + 30n * DAY);
      await at(added + 30n * DAY);
      await expect(request()).to.emit(d.snr, "ServiceNodeExitRequest");
      expect((await d.snr.serviceNodes(id)).exitRequestTimestamp).to.equal(added + 30n * DAY);
    });
  });

  describe("exit requests, exit wait", () => {
    it("repeats a request only an hour after the last one, to the second", async () => {
      const d = await load();
      const op = d.accounts[0];
      const { id } = await registerNode(d, nodeKey("exit-interval"), op);
      const request = () => d.snr.connect(op)["initiateExitBLSPublicKey(uint64)"](id);
      await request();
      const first = await now();
      await at(first + HOUR - 1n);
      await expect(request()).to.be.revertedWithCustomError(d.snr, "ExitRequestTooSoon").withArgs(id, first + HOUR);
      await at(first + HOUR);
      await expect(request()).to.emit(d.snr, "ServiceNodeExitRequest");
      await at(first + 2n * HOUR - 1n);
      await expect(request()).to.be.revertedWithCustomError(d.snr, "ExitRequestTooSoon").withArgs(id, first + 2n * HOUR);
    });

    it("removes a node without signature exactly 30 days after the first request, not a second earlier", async () => {
      const d = await load();
      const op = d.accounts[1];
      const { id } = await registerNode(d, nodeKey("exit-wait"), op);
      await d.snr.connect(op)["initiateExitBLSPublicKey(uint64)"](id);
      const first = await now();
      await at(first + 29n * DAY); // a repeat request does not restart the wait
      await d.snr.connect(op)["initiateExitBLSPublicKey(uint64)"](id);
      await at(first + 30n * DAY - 1n);
      await expect(d.snr.exitBLSPublicKeyAfterWaitTime(id)).to.be.revertedWithCustomError(d.snr, "ExitWaitNotOver").withArgs(id, first + 30n * DAY);
      await at(first + 30n * DAY);
      await expect(d.snr.exitBLSPublicKeyAfterWaitTime(id)).to.emit(d.snr, "ServiceNodeExit").withArgs(id, d.owner.address, REQ, [d.network.nodes.get(id)!.pk.X, d.network.nodes.get(id)!.pk.Y]);
    });
  });

  describe("minimum node age (2 h) for signed removals", () => {
    it("refuses a signed exit a second before the node is 2 hours old and accepts it at 2 hours", async () => {
      const d = await load();
      const key = nodeKey("young");
      const { id, added } = await registerNode(d, key, d.accounts[2]);
      const exitAt = async (t: bigint) => {
        await at(t);
        return d.snr.exitBLSPublicKeyWithSignature(g1(key.pk), t, signExit(d.network, key.pk, t), []);
      };
      await expect(exitAt(added + 2n * HOUR - 1n)).to.be.revertedWithCustomError(d.snr, "ServiceNodeTooYoung").withArgs(id, added + 2n * HOUR);
      await expect(exitAt(added + 2n * HOUR)).to.emit(d.snr, "ServiceNodeExit").withArgs(id, d.owner.address, REQ, [key.pk.X, key.pk.Y]);
    });
  });

  describe("signature expiry (past side)", () => {
    for (const expiry of [600n, 37n]) {
      it(`refuses a signature older than the expiry (${expiry} s) and accepts one exactly that old`, async () => {
        const d = await load();
        if (expiry !== 600n) await d.ext.setSignatureExpiry(expiry);
        const key = d.seedKeys[4];
        const id = 5n;
        const signedAt = (await now()) + 10n;
        const sig = signExit(d.network, key.pk, signedAt);
        await at(signedAt + expiry + 1n);
        await expect(d.snr.exitBLSPublicKeyWithSignature(g1(key.pk), signedAt, sig, []))
          .to.be.revertedWithCustomError(d.snr, "SignatureExpired")
          .withArgs(id, signedAt, signedAt + expiry + 1n);
        const later = signedAt + expiry + 100n;
        const sig2 = signExit(d.network, key.pk, later);
        await at(later + expiry);
        await expect(d.snr.exitBLSPublicKeyWithSignature(g1(key.pk), later, sig2, [])).to.emit(d.snr, "ServiceNodeExit");
      });
    }
  });

  describe("claims: limit and cycle", () => {
    it("pays exactly the cycle limit, refuses one unit more in the same cycle, and pays again from the next cycle's first second", async () => {
      const d = await load();
      const who = d.accounts[3];
      const limit = 1_000n;
      const cycle = HOUR;
      await d.ext.setClaimLimit(limit);
      await d.ext.setClaimCycle(cycle);
      await d.snr.updateRewardsBalance(who.address, 10n * limit, signReward(d.network, who.address as `0x${string}`, 10n * limit), []);
      const start = ((await now()) / cycle + 1n) * cycle;
      const claim = (amount: bigint) => d.snr.connect(who)["claimRewards(uint256)"](amount);
      await at(start);
      await expect(claim(limit + 1n)).to.be.revertedWithCustomError(d.snr, "ClaimLimitExceeded").withArgs(limit + 1n, limit);
      await at(start + 1n);
      await expect(claim(limit)).to.emit(d.snr, "RewardsClaimed").withArgs(who.address, limit);
      await at(start + cycle - 1n);
      await expect(claim(1n)).to.be.revertedWithCustomError(d.snr, "ClaimLimitExceeded").withArgs(limit + 1n, limit);
      await at(start + cycle);
      await expect(claim(limit)).to.emit(d.snr, "RewardsClaimed").withArgs(who.address, limit);
      expect(await d.snr.recipients(who.address)).to.deep.equal([10n * limit, 2n * limit]);
    });

    it("counts every claimant against one global limit", async () => {
      const d = await load();
      const [a, b] = d.accounts;
      await d.ext.setClaimLimit(1_000n);
      for (const who of [a, b]) await d.snr.updateRewardsBalance(who.address, 5_000n, signReward(d.network, who.address as `0x${string}`, 5_000n), []);
      const start = ((await now()) / (12n * HOUR) + 1n) * 12n * HOUR;
      await at(start);
      await d.snr.connect(a)["claimRewards(uint256)"](600n);
      await expect(d.snr.connect(b)["claimRewards(uint256)"](401n)).to.be.revertedWithCustomError(d.snr, "ClaimLimitExceeded").withArgs(1_001n, 1_000n);
      await expect(d.snr.connect(b)["claimRewards(uint256)"](400n)).to.emit(d.snr, "RewardsClaimed").withArgs(b.address, 400n);
    });

    it("refuses a claim a unit above the unclaimed balance and pays exactly the balance", async () => {
      const d = await load();
      const who = d.accounts[4];
      await d.snr.updateRewardsBalance(who.address, 777n, signReward(d.network, who.address as `0x${string}`, 777n), []);
      await expect(d.snr.connect(who)["claimRewards(uint256)"](778n)).to.be.revertedWithCustomError(d.snr, "ClaimExceedsBalance").withArgs(778n, 777n);
      await expect(d.snr.connect(who)["claimRewards(uint256)"](777n)).to.emit(d.snr, "RewardsClaimed").withArgs(who.address, 777n);
      await expect(d.snr.connect(who)["claimRewards()"]()).to.be.revertedWithCustomError(d.snr, "NothingToClaim");
    });
  });

  describe("non-signer threshold: min(nodes / 3, cap)", () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i + 1));

    it("accepts nodes / 3 non-signers (rounded down) and refuses one more; one more node raises it", async () => {
      const d = await load();
      const who = d.accounts[5].address as `0x${string}`;
      const update = (total: bigint, nonSigners: bigint[]) =>
        d.snr.updateRewardsBalance(who, total, signReward(d.network, who, total, nonSigners), nonSigners);
      expect(await d.snr.blsNonSignerThreshold()).to.equal(16n); // 50 / 3
      await expect(update(1n, ids(17))).to.be.revertedWithCustomError(d.snr, "TooManyNonSigners").withArgs(17n, 16n);
      await expect(update(1n, ids(16))).to.emit(d.snr, "RewardsBalanceUpdated").withArgs(who, 1n, 0n);
      await registerNode(d, nodeKey("threshold-51"), d.accounts[6]); // 51 nodes: 17
      await expect(update(2n, ids(17))).to.emit(d.snr, "RewardsBalanceUpdated").withArgs(who, 2n, 1n);
      await expect(update(3n, ids(18))).to.be.revertedWithCustomError(d.snr, "TooManyNonSigners").withArgs(18n, 17n);
    });

    it("caps the threshold at the owner's maximum when that is lower", async () => {
      const d = await load();
      const who = d.accounts[5].address as `0x${string}`;
      await d.ext.setBLSNonSignerThresholdMax(5n);
      expect(await d.snr.blsNonSignerThreshold()).to.equal(5n);
      const update = (total: bigint, nonSigners: bigint[]) =>
        d.snr.updateRewardsBalance(who, total, signReward(d.network, who, total, nonSigners), nonSigners);
      await expect(update(1n, ids(6))).to.be.revertedWithCustomError(d.snr, "TooManyNonSigners").withArgs(6n, 5n);
      await expect(update(1n, ids(5))).to.emit(d.snr, "RewardsBalanceUpdated");
    });
  });

  describe("maximum contributors", () => {
    it("registers a node with exactly the maximum of contributors and refuses one more", async () => {
      const d = await load();
      const op = d.accounts[0];
      await d.snr.setMaxContributors(4n);
      const list = (n: number) => {
        const others = d.accounts.slice(1, n).map((a) => contributorEntry(a.address, REQ / 8n));
        return [contributorEntry(op.address, REQ - (REQ / 8n) * BigInt(n - 1)), ...others];
      };
      await expect(registerNode(d, nodeKey("max-5"), op, list(5))).to.be.revertedWithCustomError(d.snr, "MaxContributorsExceeded").withArgs(5n, 4n);
      const { id } = await registerNode(d, nodeKey("max-4"), op, list(4));
      expect((await d.snr.serviceNodes(id)).contributorsHash).to.not.equal("0x" + "00".repeat(32));
    });
  });

  describe("new keys per block: max(20, 2 % of nodes)", () => {
    it("is 20 up to 1,049 nodes and 2 % from 1,050 (rounded down)", async () => {
      const d = await loadFixture(manyNodes);
      expect(await d.snr.totalNodes()).to.equal(1_049n);
      expect(await d.ext.maxPermittedPubkeyAggregations()).to.equal(20n);
      await registerNode(d, nodeKey("aggregation-1050"), d.accounts[0]);
      expect(await d.ext.maxPermittedPubkeyAggregations()).to.equal(21n);
    });
  });
});

const manyNodes = () => deployServiceNodeRewards({ seeded: 1_049, label: "bounds-many", batch: 150 });
