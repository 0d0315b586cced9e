/**
 * Adversarial tests for the registry fixes of issues 16 and 18: registration bound to the operator the
 * proof of possession names, no on-chain Ed25519 squatting, exit/liquidation signatures bound to one
 * registration, backed seeding in the reference's ABI, precompile repricing, removed non-signers and the
 * aggregator's clock, any-contributor exit requests and the reference's claim-cycle views. Each attack is
 * run against a real registry with real BLS signatures from src/bls.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { aggregatePublicKeys, hashToFieldDst, rewardMessage, sign, signatureToParams } from "../../../src/bls";
import { g1, hinted, nodeKey, proofOfPossession, signExit, signLiquidation, signReward, type NodeKey } from "../../helpers/network";
import { deployServiceNodeRewards, now, SESH_UNIT, STAKING_REQUIREMENT, type Deployment } from "../../helpers/serviceNodeRewards";
import { contribute, deployPools, openPool } from "../../helpers/serviceNodeContribution";

const HOUR = 3600n;
const DAY = 24n * HOUR;
const Q = STAKING_REQUIREMENT / 4n;

function params(key: NodeKey, fee = 500) {
  return { ed25519Pubkey: key.ed25519, ed25519Signature0: 1n, ed25519Signature1: 2n, fee };
}

function contributor(addr: string, amount: bigint, beneficiary = addr) {
  return { staker: { addr, beneficiary }, stakedAmount: amount };
}

async function load(f: () => Promise<Deployment>): Promise<Deployment> {
  const d = await loadFixture(f);
  return { ...d, network: { domain: d.network.domain, nodes: new Map(d.network.nodes) } };
}

async function registerSolo(d: Deployment, key: NodeKey, operator: HardhatEthersSigner) {
  await d.token.connect(operator).approve(d.address, STAKING_REQUIREMENT);
  await d.snr.connect(operator).addBLSPublicKey(g1(key.pk), proofOfPossession(key, d.network.domain, operator.address as `0x${string}`), params(key), []);
  const id = (await d.snr.nextServiceNodeID()) - 1n;
  d.network.nodes.set(id, key);
  return id;
}

async function exitWithSignature(d: Deployment, id: bigint) {
  const key = d.network.nodes.get(id)!;
  const ts = await now();
  await d.snr.exitBLSPublicKeyWithSignature(g1(key.pk), ts, signExit(d.network, key.pk, ts), []);
  d.network.nodes.delete(id);
}

const fixture = () => deployServiceNodeRewards({ seeded: 12, label: "sec" });
const unstarted = () => deployServiceNodeRewards({ seeded: 0, start: false });

describe("ServiceNodeRewards security (issue 16)", () => {
  describe("hole 1: only the operator the proof binds registers its key", () => {
    it("refuses an attacker registering a victim's public key and proof as a pooled node; the victim then registers", async () => {
      const d = await load(fixture);
      const [victim, attacker, accomplice] = d.accounts;
      const k = nodeKey("victim");
      // The victim's proof of possession is public (a pool's registration(), an earlier registration).
      const pop = proofOfPossession(k, d.network.domain, victim.address as `0x${string}`);
      await d.token.connect(attacker).approve(d.address, STAKING_REQUIREMENT);
      const stolen = [contributor(victim.address, Q, attacker.address), contributor(attacker.address, 2n * Q), contributor(accomplice.address, Q)];
      await expect(d.snr.connect(attacker).addBLSPublicKey(g1(k.pk), pop, params(k, 10_000), stolen))
        .to.be.revertedWithCustomError(d.snr, "RegistrantNotOperator")
        .withArgs(attacker.address, victim.address);
      // As a solo registration the proof does not verify for the attacker either.
      await expect(d.snr.connect(attacker).addBLSPublicKey(g1(k.pk), pop, params(k), [])).to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
      await d.token.connect(victim).approve(d.address, STAKING_REQUIREMENT);
      await expect(d.snr.connect(victim).addBLSPublicKey(g1(k.pk), pop, params(k), [contributor(victim.address, 3n * Q), contributor(accomplice.address, Q)]))
        .to.emit(d.snr, "NewServiceNodeV2");
    });

    it("verifies the proof for an operator registering a contributor list itself; only a factory pool is spared the repeat", async () => {
      const d = await load(fixture);
      const [op, other] = d.accounts;
      const k = nodeKey("listed-self");
      const list = [contributor(op.address, 3n * Q), contributor(other.address, Q)];
      await d.token.connect(op).approve(d.address, STAKING_REQUIREMENT);
      // A proof bound to someone else, or made by another key, is refused even though the caller is contributor 0.
      await expect(d.snr.connect(op).addBLSPublicKey(g1(k.pk), proofOfPossession(k, d.network.domain, other.address as `0x${string}`), params(k), list))
        .to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
      await expect(d.snr.connect(op).addBLSPublicKey(g1(k.pk), proofOfPossession(nodeKey("not-k"), d.network.domain, op.address as `0x${string}`), params(k), list))
        .to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
      await expect(d.snr.connect(op).addBLSPublicKey(g1(k.pk), proofOfPossession(k, d.network.domain, op.address as `0x${string}`), params(k), list))
        .to.emit(d.snr, "NewServiceNodeV2");
    });

    it("refuses the replay of a proof of a key that exited earlier (registered and seeded), to anyone but its operator", async () => {
      const d = await load(fixture);
      const [victim, attacker] = d.accounts;
      // A registered key that exited.
      const k = nodeKey("exited");
      const id = await registerSolo(d, k, victim);
      await time.increase(3n * HOUR);
      await exitWithSignature(d, id);
      const pop = proofOfPossession(k, d.network.domain, victim.address as `0x${string}`);
      await d.token.connect(attacker).approve(d.address, STAKING_REQUIREMENT);
      await expect(d.snr.connect(attacker).addBLSPublicKey(g1(k.pk), pop, params(k), [contributor(victim.address, Q), contributor(attacker.address, 3n * Q)]))
        .to.be.revertedWithCustomError(d.snr, "RegistrantNotOperator")
        .withArgs(attacker.address, victim.address);
      // A seeded key (node 1, operated by account 0 = victim) that exited: same.
      const seeded = d.seedKeys[0];
      await exitWithSignature(d, 1n);
      const seededPop = proofOfPossession(seeded, d.network.domain, victim.address as `0x${string}`);
      await expect(d.snr.connect(attacker).addBLSPublicKey(g1(seeded.pk), seededPop, params(seeded), [contributor(victim.address, 3n * Q), contributor(attacker.address, Q)]))
        .to.be.revertedWithCustomError(d.snr, "RegistrantNotOperator");
      await registerSolo(d, k, victim);
      await registerSolo(d, seeded, victim);
    });

    it("accepts pools of the configured factory only; a pool of another factory cannot register", async () => {
      const d = await deployPools(3);
      const [op, other] = d.accounts;
      const { pool } = await openPool(d, op);
      await expect(contribute(d, pool, op, STAKING_REQUIREMENT)).to.emit(d.snr, "NewServiceNodeV2");
      // A second factory (same code, not configured in the registry): its pool's finalisation is refused.
      const factoryImpl = await ethers.deployContract("ServiceNodeContributionFactory", [d.address]);
      const init = factoryImpl.interface.encodeFunctionData("initialize", [d.owner.address]);
      const proxy = await ethers.deployContract("ERC1967Proxy", [await factoryImpl.getAddress(), init]);
      const rogue = await ethers.getContractAt("ServiceNodeContributionFactory", await proxy.getAddress());
      const impl = await ethers.deployContract("ServiceNodeContribution", [d.address, await rogue.getAddress()]);
      await rogue.setImplementation(await impl.getAddress());
      const { pool: roguePool } = await openPool({ ...d, factory: rogue, implementation: impl }, other);
      await expect(contribute(d, roguePool, other, STAKING_REQUIREMENT))
        .to.be.revertedWithCustomError(d.snr, "RegistrantNotOperator")
        .withArgs(await roguePool.getAddress(), other.address);
      // Only the owner sets the factory, and only to a contract (or zero).
      await expect(d.ext.connect(other).setServiceNodeContributionFactory(await rogue.getAddress())).to.be.revertedWithCustomError(d.snr, "OwnableUnauthorizedAccount");
      await expect(d.ext.setServiceNodeContributionFactory(other.address)).to.be.revertedWithCustomError(d.snr, "InvalidContributionFactory").withArgs(other.address);
      await expect(d.ext.setServiceNodeContributionFactory(ethers.ZeroAddress))
        .to.emit(d.snr, "ServiceNodeContributionFactoryUpdated")
        .withArgs(await d.factory.getAddress(), ethers.ZeroAddress);
      expect(await d.ext.serviceNodeContributionFactory()).to.equal(ethers.ZeroAddress);
    });
  });

  describe("hole 2: Ed25519 keys are not unique on chain", () => {
    it("lets a victim register although a squatter registered the victim's Ed25519 key first", async () => {
      const d = await load(fixture);
      const [victim, squatter] = d.accounts;
      const victimKey = nodeKey("ed-victim");
      const squatterKey: NodeKey = { ...nodeKey("ed-squatter"), ed25519: victimKey.ed25519 };
      const squatterId = await registerSolo(d, squatterKey, squatter);
      const victimId = await registerSolo(d, victimKey, victim);
      expect(victimId).to.equal(squatterId + 1n);
      expect((await d.snr.serviceNodes(victimId)).operator).to.equal(victim.address);
      // A zero Ed25519 key is still refused.
      const zero: NodeKey = { ...nodeKey("ed-zero"), ed25519: 0n };
      await d.token.connect(victim).approve(d.address, STAKING_REQUIREMENT);
      await expect(d.snr.connect(victim).addBLSPublicKey(g1(zero.pk), proofOfPossession(zero, d.network.domain, victim.address as `0x${string}`), params(zero), [])).to.be.revertedWithCustomError(d.snr, "NullEd25519Pubkey");
    });
  });

  describe("hole 3: exit and liquidation signatures are bound to one registration", () => {
    it("refuses a liquidation signed before the key re-registered, even with a 1-day expiry", async () => {
      const d = await load(fixture);
      const op = d.accounts[3];
      await d.ext.setSignatureExpiry(DAY);
      const k = nodeKey("re-registered");
      const firstId = await registerSolo(d, k, op);
      await time.increase(3n * HOUR);
      // The network signs a liquidation of the first registration; nobody submits it yet.
      const stale = await now();
      const staleSig = signLiquidation(d.network, k.pk, stale);
      await time.increase(60);
      await exitWithSignature(d, firstId);
      await time.increase(60);
      const secondId = await registerSolo(d, k, op);
      const added = (await d.snr.serviceNodes(secondId)).addedTimestamp;
      await time.increase(2n * HOUR);
      await expect(d.snr.liquidateBLSPublicKeyWithSignature(g1(k.pk), stale, staleSig, []))
        .to.be.revertedWithCustomError(d.snr, "SignatureBeforeRegistration")
        .withArgs(secondId, stale, added);
      const staleExit = signExit(d.network, k.pk, stale);
      await expect(d.snr.exitBLSPublicKeyWithSignature(g1(k.pk), stale, staleExit, [])).to.be.revertedWithCustomError(d.snr, "SignatureBeforeRegistration");
      const fresh = await now();
      await expect(d.snr.liquidateBLSPublicKeyWithSignature(g1(k.pk), fresh, signLiquidation(d.network, k.pk, fresh), [])).to.emit(d.snr, "ServiceNodeLiquidated");
    });
  });

  describe("seeding: the reference's ABI, original timestamps, backed stakes", () => {
    it("has the reference's selector and pulls the stakes it records", async () => {
      const d = await load(unstarted);
      const reference = new ethers.Contract(d.address, [
        "function seedPublicKeyList(((uint256 X, uint256 Y) blsPubkey, uint256 addedTimestamp, uint256 ed25519Pubkey, ((address addr, address beneficiary) staker, uint256 stakedAmount)[] contributors)[] nodes)",
      ], d.owner);
      expect(reference.interface.getFunction("seedPublicKeyList")!.selector).to.equal("0x1f4c4930");
      const [a, b, small] = d.accounts;
      const t = await now();
      const keys = [nodeKey("seed-0"), nodeKey("seed-1")];
      const nodes = [
        { blsPubkey: g1(keys[0].pk), addedTimestamp: t - 40n * DAY, ed25519Pubkey: keys[0].ed25519, contributors: [contributor(a.address, STAKING_REQUIREMENT)] },
        { blsPubkey: g1(keys[1].pk), addedTimestamp: t - 10n * DAY, ed25519Pubkey: keys[1].ed25519, contributors: [contributor(b.address, 3n * Q), contributor(small.address, Q / 2n), contributor(a.address, Q / 2n)] },
      ];
      // No allowance: nothing is seeded.
      await expect(reference.seedPublicKeyList(nodes)).to.be.revertedWithCustomError(d.token, "ERC20InsufficientAllowance");
      await d.token.approve(d.address, 2n * STAKING_REQUIREMENT);
      const ownerBefore = await d.token.balanceOf(d.owner.address);
      // A timestamp in the future (or zero) is refused.
      const future = [{ ...nodes[0], addedTimestamp: t + 100n }];
      await expect(reference.seedPublicKeyList(future)).to.be.revertedWithCustomError(d.snr, "InvalidSeedTimestamp").withArgs(0n, t + 100n, anyValue);
      await expect(reference.seedPublicKeyList([{ ...nodes[0], addedTimestamp: 0n }])).to.be.revertedWithCustomError(d.snr, "InvalidSeedTimestamp");
      await expect(reference.seedPublicKeyList(nodes)).to.emit(d.snr, "NewSeededServiceNode");
      expect(await d.token.balanceOf(d.address)).to.equal(2n * STAKING_REQUIREMENT);
      expect(await d.token.balanceOf(d.owner.address)).to.equal(ownerBefore - 2n * STAKING_REQUIREMENT);
      expect((await d.snr.serviceNodes(1n)).addedTimestamp).to.equal(t - 40n * DAY);
      expect((await d.snr.serviceNodes(2n)).addedTimestamp).to.equal(t - 10n * DAY);
      const [ids] = await d.snr.allServiceNodeIDs();
      expect(ids).to.deep.equal([1n, 2n]);
      const aggregate = aggregatePublicKeys(keys.map((k) => k.pk));
      const onChain = await d.snr.aggregatePubkey();
      expect([onChain.X, onChain.Y]).to.deep.equal([aggregate.X, aggregate.Y]);
      await d.snr.start();
      // The original timestamp counts: the small contributor of node 2 (10 days old) waits 20 more days,
      // with the reference's one-argument call.
      const asSmall = new ethers.Contract(d.address, ["function initiateExitBLSPublicKey(uint64 serviceNodeID)"], small);
      await expect(asSmall.initiateExitBLSPublicKey(2n)).to.be.revertedWithCustomError(d.snr, "SmallContributorLeaveTooEarly").withArgs(2n, small.address, t + 20n * DAY);
      await time.increaseTo(t + 20n * DAY);
      await expect(asSmall.initiateExitBLSPublicKey(2n)).to.emit(d.snr, "ServiceNodeExitRequest").withArgs(2n, small.address, [keys[1].pk.X, keys[1].pk.Y]);
    });
  });

  describe("precompile repricing", () => {
    it("keeps verifying and summing keys correctly when the precompiles cost more than the first stipend", async () => {
      const harness = await ethers.deployContract("StipendHarness");
      const verifier = await ethers.deployContract("BLSVerifier");
      expect(await verifier.stipendsCover()).to.deep.equal([true, true]);
      const sk = 0x1234n;
      const domain = { chainId: 31337n, contract: (await harness.getAddress()) as `0x${string}` };
      const dst = hashToFieldDst(domain);
      const message = rewardMessage(domain, `0x${"11".repeat(20)}`, 5n);
      const pk = g1(nodeKey("reprice-signer").pk);
      const good = signatureToParams(sign(nodeKey("reprice-signer").sk, message, dst));
      const wrong = signatureToParams(sign(sk, message, dst));
      // With today's price and with a pairing "repriced" above a 1,000-gas stipend: same answers.
      for (const stipend of [113_000n, 1_000n]) {
        expect(await harness.verify(pk, good, message, dst, stipend)).to.equal(true);
        expect(await harness.verify(pk, wrong, message, dst, stipend)).to.equal(false);
      }
      // Garbage off the twist is refused without the retry (only the stipend is burnt).
      const garbage = { sigs0: 1n, sigs1: 2n, sigs2: 3n, sigs3: 4n };
      expect(await harness.onTwist(good)).to.equal(true);
      expect(await harness.onTwist(garbage)).to.equal(false);
      expect(await harness.verify(pk, garbage, message, dst, 1_000n)).to.equal(false);
      // Hinted non-signer sums with ecAdd "repriced" above its 150-gas stipend (and a removed id 2).
      const keys = [nodeKey("h-1"), nodeKey("h-2"), nodeKey("h-3")];
      for (const [i, key] of keys.entries()) await harness.setKey(BigInt(i + 1), key.pk.X, key.pk.Y);
      const entries = ("0x" + keys.map((key) => "0000" + key.pk.Y.toString(16).padStart(64, "0")).join("")) as `0x${string}`;
      const all = aggregatePublicKeys(keys.map((key) => key.pk));
      for (const stipend of [150n, 10n]) {
        const sum = await harness.sumHinted(entries, 4n, stipend);
        expect([sum.X, sum.Y]).to.deep.equal([all.X, all.Y]);
      }
      await harness.setKey(2n, 0n, 0n);
      const withoutTwo = aggregatePublicKeys([keys[0].pk, keys[2].pk]);
      const sum = await harness.sumHinted(entries, 4n, 150n);
      expect([sum.X, sum.Y]).to.deep.equal([withoutTwo.X, withoutTwo.Y]);
      // An id never registered (≥ nextId) is still refused.
      await expect(harness.sumHinted(entries, 3n, 150n)).to.be.reverted;
    });
  });
});

describe("ServiceNodeRewards and the existing clients (issue 18)", () => {
  describe("item 1: never refuse a valid network signature", () => {
    it("counts a non-signer that was liquidated since aggregation as infinity, in every signed call and both encodings", async () => {
      const d = await load(fixture);
      const r = d.accounts[5].address as `0x${string}`;
      const total = 50n * SESH_UNIT;
      const exitKey = d.seedKeys[7];
      const liqKey = d.seedKeys[8];
      const ts = await now();
      // The network aggregates while node 4 is offline, so node 4 is a non-signer of every answer.
      const ns = [4n];
      const reward = signReward(d.network, r, total, ns);
      const rewardHinted = signReward(d.network, r, total + 1n, ns);
      const exit = signExit(d.network, exitKey.pk, ts, ns);
      const packed = hinted(d.network, ns);
      // ...and liquidates node 4 before the users' transactions land.
      const four = d.seedKeys[3];
      await d.snr.liquidateBLSPublicKeyWithSignature(g1(four.pk), ts, signLiquidation(d.network, four.pk, ts), []);
      d.network.nodes.delete(4n);
      await expect(d.snr.updateRewardsBalance(r, total, reward, ns)).to.emit(d.snr, "RewardsBalanceUpdated");
      await expect(d.snr.updateRewardsBalanceWithNonSignerKeys(r, total + 1n, rewardHinted, packed)).to.emit(d.snr, "RewardsBalanceUpdated");
      await expect(d.snr.exitBLSPublicKeyWithSignatureAndNonSignerKeys(g1(exitKey.pk), ts, exit, packed)).to.emit(d.snr, "ServiceNodeExit");
      d.network.nodes.delete(8n);
      // (Each removal changes the aggregate, so the next answer is aggregated after it, again without node 4.)
      const liq = signLiquidation(d.network, liqKey.pk, ts, ns);
      await expect(d.snr.liquidateBLSPublicKeyWithSignature(g1(liqKey.pk), ts, liq, ns)).to.emit(d.snr, "ServiceNodeLiquidated");
      d.network.nodes.delete(9n);
      // Still exact: the removed id does not let a signature by fewer nodes through.
      const short = signReward(d.network, r, total + 2n, [4n, 5n]);
      expect(short).to.not.deep.equal(signReward(d.network, r, total + 2n, ns));
      await expect(d.snr.updateRewardsBalance(r, total + 2n, short, ns)).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
      // An id that never existed is refused in both encodings.
      const next = await d.snr.nextServiceNodeID();
      await expect(d.snr.updateRewardsBalance(r, total + 2n, reward, [next])).to.be.revertedWithCustomError(d.snr, "UnknownNonSigner").withArgs(next);
      const fake = ("0x" + (next - 1n).toString(16).padStart(4, "0") + "01".padStart(64, "0")) as `0x${string}`;
      await expect(d.snr.updateRewardsBalanceWithNonSignerKeys(r, total + 2n, reward, fake)).to.be.revertedWithCustomError(d.snr, "UnknownNonSigner").withArgs(next);
      // Replays stay refused: the same balance again, and the liquidated node's signature.
      await expect(d.snr.updateRewardsBalance(r, total, reward, ns)).to.be.revertedWithCustomError(d.snr, "RewardsNotIncreased");
      await expect(d.snr.liquidateBLSPublicKeyWithSignature(g1(liqKey.pk), ts, liq, ns)).to.be.revertedWithCustomError(d.snr, "BLSPubkeyNotFound");
    });

    it("accepts a signature timestamp ahead of the block by up to the expiry (aggregator clock 30 s ahead), refuses more", async () => {
      const d = await load(fixture);
      const key = d.seedKeys[2];
      const base = await now();
      const ahead = base + 30n;
      await expect(d.snr.exitBLSPublicKeyWithSignature(g1(key.pk), ahead, signExit(d.network, key.pk, ahead), [])).to.emit(d.snr, "ServiceNodeExit");
      d.network.nodes.delete(3n);
      const other = d.seedKeys[4];
      const t = await now();
      // The expiry is 600 s: at the next block (t + 1) a timestamp up to t + 601 is accepted.
      await expect(d.snr.liquidateBLSPublicKeyWithSignature(g1(other.pk), t + 602n, signLiquidation(d.network, other.pk, t + 602n), []))
        .to.be.revertedWithCustomError(d.snr, "SignatureFromFuture")
        .withArgs(5n, t + 602n, anyValue);
      await expect(d.snr.liquidateBLSPublicKeyWithSignature(g1(other.pk), t + 601n, signLiquidation(d.network, other.pk, t + 601n), [])).to.emit(d.snr, "ServiceNodeLiquidated");
    });
  });

  describe("item 2: any contributor requests an exit with the reference's one-argument call; claim-cycle views", () => {
    it("lets every contributor of a pooled node request with initiateExitBLSPublicKey(uint64), small ones after 30 days", async () => {
      const d = await load(fixture);
      const [op, big, small, stranger] = d.accounts;
      const k = nodeKey("any-contributor");
      const list = [contributor(op.address, 2n * Q), contributor(big.address, Q + Q / 2n), contributor(small.address, Q / 2n)];
      await d.token.connect(op).approve(d.address, STAKING_REQUIREMENT);
      await d.snr.connect(op).addBLSPublicKey(g1(k.pk), proofOfPossession(k, d.network.domain, op.address as `0x${string}`), params(k), list);
      const id = (await d.snr.nextServiceNodeID()) - 1n;
      const added = (await d.snr.serviceNodes(id)).addedTimestamp;
      const as = (who: HardhatEthersSigner) => new ethers.Contract(d.address, ["function initiateExitBLSPublicKey(uint64 serviceNodeID)"], who);
      expect(as(op).interface.getFunction("initiateExitBLSPublicKey")!.selector).to.equal("0xd9054b09");
      await expect(as(stranger).initiateExitBLSPublicKey(id)).to.be.revertedWithCustomError(d.snr, "CallerNotContributor").withArgs(id, stranger.address);
      await expect(as(small).initiateExitBLSPublicKey(id)).to.be.revertedWithCustomError(d.snr, "SmallContributorLeaveTooEarly").withArgs(id, small.address, added + 30n * DAY);
      await expect(as(big).initiateExitBLSPublicKey(id)).to.emit(d.snr, "ServiceNodeExitRequest").withArgs(id, big.address, [k.pk.X, k.pk.Y]);
      await time.increaseTo(added + 30n * DAY);
      await expect(as(small).initiateExitBLSPublicKey(id)).to.emit(d.snr, "ServiceNodeExitRequest").withArgs(id, small.address, [k.pk.X, k.pk.Y]);
      await expect(as(stranger).initiateExitBLSPublicKey(999n)).to.be.revertedWithCustomError(d.snr, "ServiceNodeDoesNotExist").withArgs(999n);
    });

    it("answers the portal's claim-cycle views at their reference selectors", async () => {
      const d = await load(fixture);
      const portal = new ethers.Contract(d.address, [
        "function claimThreshold() view returns (uint256)",
        "function claimCycle() view returns (uint256)",
        "function currentClaimTotal() view returns (uint256)",
        "function currentClaimCycle() view returns (uint256)",
      ], ethers.provider);
      const selectors = ["claimThreshold", "claimCycle", "currentClaimTotal", "currentClaimCycle"].map((n) => portal.interface.getFunction(n)!.selector);
      expect(selectors).to.deep.equal(["0xa44285a5", "0xb13aaebd", "0x9156ac80", "0xdd644d74"]);
      expect(await portal.claimThreshold()).to.equal(1_000_000n * SESH_UNIT);
      expect(await portal.claimCycle()).to.equal(12n * HOUR);
      expect(await portal.currentClaimTotal()).to.equal(0n);
      const who = d.accounts[2];
      const amount = 700n * SESH_UNIT;
      await d.snr.updateRewardsBalance(who.address, amount, signReward(d.network, who.address as `0x${string}`, amount), []);
      await d.snr.connect(who)["claimRewards()"]();
      const t = await now();
      expect(await portal.currentClaimTotal()).to.equal(amount);
      expect(await portal.currentClaimCycle()).to.equal(t / (12n * HOUR));
      await time.increaseTo((t / (12n * HOUR) + 1n) * 12n * HOUR);
      expect(await portal.currentClaimTotal()).to.equal(0n);
      expect(await portal.currentClaimCycle()).to.equal(t / (12n * HOUR) + 1n);
    });
  });

  describe("item 5: room to grow", () => {
    it("keeps the registry's code well under the 24,576-byte limit", async () => {
      const d = await load(fixture);
      const impl = ethers.getAddress(ethers.dataSlice(await ethers.provider.getStorage(d.address, "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc"), 12));
      const size = ethers.dataLength(await ethers.provider.getCode(impl));
      expect(size).to.be.lessThan(24_576 - 1_000);
    });
  });
});
