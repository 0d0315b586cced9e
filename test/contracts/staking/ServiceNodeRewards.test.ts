import { expect } from "chai";
import { ethers, network as hhNetwork } from "hardhat";
import { loadFixture, time, mine } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  aggregatePublicKeys,
  aggregateSignatures,
  publicKey,
  R,
  rewardMessage,
  hashToFieldDst,
  sign,
  signatureToParams,
  verify,
  type G1Affine,
} from "../../../src/bls";
import {
  g1,
  hinted,
  networkSign,
  nodeKey,
  proofOfPossession,
  signExit,
  signLiquidation,
  signReward,
  signersSecret,
  type NodeKey,
} from "../../helpers/network";
import { canEncodeHinted, encodeHintedNonSigners } from "../../../src/network/nonSigners";
import { P } from "../../../src/bls";
import { deployServiceNodeRewards, now, SESH_UNIT, STAKING_REQUIREMENT, type Deployment } from "../../helpers/serviceNodeRewards";

const HOUR = 3600n;
const DAY = 24n * HOUR;
const FEE = 500;

function params(key: NodeKey, fee = FEE) {
  return { ed25519Pubkey: key.ed25519, ed25519Signature0: 1n, ed25519Signature1: 2n, fee };
}

function contributor(addr: string, amount: bigint, beneficiary = addr) {
  return { staker: { addr, beneficiary }, stakedAmount: amount };
}

async function registerSolo(d: Deployment, key: NodeKey, operator: HardhatEthersSigner) {
  await d.token.connect(operator).approve(d.address, STAKING_REQUIREMENT);
  const tx = await d.snr.connect(operator).addBLSPublicKey(g1(key.pk), proofOfPossession(key, d.network.domain, operator.address as `0x${string}`), params(key), []);
  const id = (await d.snr.nextServiceNodeID()) - 1n;
  d.network.nodes.set(id, key);
  return { tx, id };
}

function expectPoint(actual: { X: bigint; Y: bigint }, expected: G1Affine) {
  expect([actual.X, actual.Y]).to.deep.equal([expected.X, expected.Y]);
}

async function expectAggregateMatches(d: Deployment) {
  expectPoint(await d.snr.aggregatePubkey(), aggregatePublicKeys([...d.network.nodes.values()].map((k) => k.pk)));
  const [ids, keys] = await d.snr.allServiceNodeIDs();
  expect(ids).to.deep.equal([...d.network.nodes.keys()].sort((a, b) => (a < b ? -1 : 1)));
  ids.forEach((id, i) => expectPoint(keys[i], d.network.nodes.get(id)!.pk));
}

/** loadFixture reverts the chain but returns the same objects: give each test its own node map. */
async function load(f: () => Promise<Deployment>): Promise<Deployment> {
  const d = await loadFixture(f);
  return { ...d, network: { domain: d.network.domain, nodes: new Map(d.network.nodes) } };
}

describe("ServiceNodeRewards", () => {
  const fixture = () => deployServiceNodeRewards({ seeded: 50 });
  const unstarted = () => deployServiceNodeRewards({ seeded: 0, start: false });

  describe("deployment and operations", () => {
    it("initialises defaults, seeds 50 nodes into the aggregate and lists them ascending", async () => {
      const d = await load(fixture);
      expect(await d.snr.totalNodes()).to.equal(50n);
      expect(await d.snr.stakingRequirement()).to.equal(STAKING_REQUIREMENT);
      expect(await d.snr.maxContributors()).to.equal(10n);
      expect(await d.snr.signatureExpiry()).to.equal(600n);
      expect(await d.snr.blsNonSignerThresholdMax()).to.equal(4000n);
      expect(await d.snr.blsNonSignerThreshold()).to.equal(16n);
      expect(await d.snr.liquidationRatios()).to.deep.equal([3n, 17n, 9980n]);
      const [limit, cycle] = await d.ext.claimState();
      expect([limit, cycle]).to.deep.equal([1_000_000n * SESH_UNIT, 12n * HOUR]);
      expect(await d.snr.isStarted()).to.equal(true);
      expect(await d.snr.owner()).to.equal(d.owner.address);
      await expectAggregateMatches(d);
      const node = await d.snr.serviceNodes(7n);
      expectPoint(node.pubkey, d.seedKeys[6].pk);
      expect(node.deposit).to.equal(STAKING_REQUIREMENT);
      expect(node.operator).to.equal(d.accounts[6].address);
      expect(await d.snr.serviceNodeIDs(ethers.concat([ethers.toBeHex(d.seedKeys[6].pk.X, 32), ethers.toBeHex(d.seedKeys[6].pk.Y, 32)]))).to.equal(7n);
      expect(node.addedTimestamp).to.be.greaterThan(0n);
    });

    it("disables initializers on the implementation and rejects a second initialize", async () => {
      const d = await load(fixture);
      await expect(d.snr.initialize(d.owner.address, d.owner.address, 1n)).to.be.revertedWithCustomError(d.snr, "InvalidInitialization");
      const impl = await ethers.getContractAt("ServiceNodeRewards", ethers.getAddress(ethers.dataSlice(await ethers.provider.getStorage(d.address, "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc"), 12)));
      await expect(impl.initialize(d.owner.address, d.owner.address, 1n)).to.be.revertedWithCustomError(d.snr, "InvalidInitialization");
    });

    it("seeds only before start and only by the owner, with valid contributor lists", async () => {
      const d = await load(unstarted);
      const k = nodeKey("seed-x");
      const op = d.accounts[0].address;
      const added = await now();
      const seed = (contributors: ReturnType<typeof contributor>[]) => [{ blsPubkey: g1(k.pk), addedTimestamp: added, ed25519Pubkey: k.ed25519, contributors }];
      await d.token.approve(d.address, 2n * STAKING_REQUIREMENT);
      await expect(d.ext.connect(d.accounts[0]).seedPublicKeyList(seed([contributor(op, STAKING_REQUIREMENT)]))).to.be.revertedWithCustomError(d.snr, "OwnableUnauthorizedAccount");
      await expect(d.ext.seedPublicKeyList(seed([]))).to.be.revertedWithCustomError(d.snr, "InvalidContributor").withArgs(0);
      await expect(d.ext.seedPublicKeyList(seed([contributor(op, STAKING_REQUIREMENT - 1n)]))).to.be.revertedWithCustomError(d.snr, "ContributionTotalMismatch");
      await expect(d.ext.seedPublicKeyList(seed([contributor(op, STAKING_REQUIREMENT)])))
        .to.emit(d.snr, "NewSeededServiceNode")
        .withArgs(1n, [k.pk.X, k.pk.Y], k.ed25519, [[[op, op], STAKING_REQUIREMENT]]);
      await expect(d.ext.seedPublicKeyList(seed([contributor(op, STAKING_REQUIREMENT)]))).to.be.revertedWithCustomError(d.snr, "BLSPubkeyAlreadyExists").withArgs(1n);
      await expect(d.snr.start()).to.emit(d.snr, "Started");
      await expect(d.snr.start()).to.be.revertedWithCustomError(d.snr, "ContractAlreadyStarted");
      const k2 = nodeKey("seed-y");
      await expect(d.ext.seedPublicKeyList([{ blsPubkey: g1(k2.pk), addedTimestamp: added, ed25519Pubkey: k2.ed25519, contributors: [contributor(op, STAKING_REQUIREMENT)] }])).to.be.revertedWithCustomError(d.snr, "ContractAlreadyStarted");
    });

    it("blocks registration and signed actions before start", async () => {
      const d = await load(unstarted);
      const k = nodeKey("early");
      await expect(d.snr.addBLSPublicKey(g1(k.pk), proofOfPossession(k, d.network.domain, d.owner.address as `0x${string}`), params(k), [])).to.be.revertedWithCustomError(d.snr, "ContractNotStarted");
    });

    it("refuses a zero token or verifier in the constructor, and a zero registry in the factory's, naming what was given", async () => {
      const d = await load(fixture);
      const verifier = await d.snr.blsVerifier();
      const token = await d.token.getAddress();
      const Registry = await ethers.getContractFactory("ServiceNodeRewards");
      await expect(Registry.deploy(ethers.ZeroAddress, verifier)).to.be.revertedWithCustomError(Registry, "InvalidConstructorAddress").withArgs(ethers.ZeroAddress, verifier);
      await expect(Registry.deploy(token, ethers.ZeroAddress)).to.be.revertedWithCustomError(Registry, "InvalidConstructorAddress").withArgs(token, ethers.ZeroAddress);
      const Factory = await ethers.getContractFactory("ServiceNodeContributionFactory");
      await expect(Factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(Factory, "InvalidRegistry").withArgs(ethers.ZeroAddress);
    });

    it("has Ownable2Step ownership, renounce disabled, setters with events and range checks", async () => {
      const d = await load(fixture);
      const [a] = d.accounts;
      await expect(d.snr.renounceOwnership()).to.be.revertedWithCustomError(d.snr, "RenounceOwnershipDisabled");
      await expect(d.snr.connect(a).setStakingRequirement(1n)).to.be.revertedWithCustomError(d.snr, "OwnableUnauthorizedAccount");
      await expect(d.snr.setStakingRequirement(20_000n * SESH_UNIT)).to.emit(d.snr, "StakingRequirementUpdated").withArgs(20_000n * SESH_UNIT);
      await expect(d.snr.setStakingRequirement(0n)).to.be.revertedWithCustomError(d.snr, "InvalidStakingRequirement").withArgs(0n);
      await expect(d.snr.setStakingRequirement(2n ** 96n)).to.be.revertedWithCustomError(d.snr, "InvalidStakingRequirement").withArgs(2n ** 96n);
      await expect(d.snr.setMaxContributors(5n)).to.emit(d.snr, "MaxContributorsUpdated").withArgs(5n);
      await expect(d.snr.setMaxContributors(0n)).to.be.revertedWithCustomError(d.snr, "InvalidMaxContributors").withArgs(0n);
      await expect(d.snr.setMaxContributors(256n)).to.be.revertedWithCustomError(d.snr, "InvalidMaxContributors").withArgs(256n);
      await expect(d.ext.setSignatureExpiry(300n)).to.emit(d.snr, "SignatureExpiryUpdated").withArgs(300n);
      await expect(d.ext.setSignatureExpiry(DAY + 1n)).to.be.revertedWithCustomError(d.snr, "InvalidSignatureExpiry").withArgs(DAY + 1n);
      await expect(d.ext.setBLSNonSignerThresholdMax(0n)).to.be.revertedWithCustomError(d.snr, "InvalidNonSignerThresholdMax").withArgs(0n);
      await expect(d.ext.setBLSNonSignerThresholdMax(5n)).to.emit(d.snr, "BLSNonSignerThresholdMaxUpdated").withArgs(5n);
      expect(await d.snr.blsNonSignerThreshold()).to.equal(5n);
      await expect(d.ext.setClaimLimit(7n)).to.emit(d.snr, "ClaimLimitUpdated").withArgs(7n);
      await expect(d.ext.setClaimCycle(HOUR)).to.emit(d.snr, "ClaimCycleUpdated").withArgs(HOUR);
      await expect(d.ext.setClaimLimit(0n)).to.be.revertedWithCustomError(d.snr, "InvalidClaimLimit").withArgs(0n);
      await expect(d.ext.setClaimCycle(0n)).to.be.revertedWithCustomError(d.snr, "InvalidClaimCycle").withArgs(0n);
      await expect(d.ext.setLiquidationRatios(1n, 1n, 5n)).to.be.revertedWithCustomError(d.snr, "InvalidLiquidationRatios").withArgs(1n, 1n, 5n);
      await expect(d.ext.setLiquidationRatios(0n, 0n, 0n)).to.be.revertedWithCustomError(d.snr, "InvalidLiquidationRatios").withArgs(0n, 0n, 0n);
      await expect(d.ext.setLiquidationRatios(1n, 1n, 6n)).to.emit(d.snr, "LiquidationRatiosUpdated").withArgs(1n, 1n, 6n);
      await expect(d.ext.setRewardPool(ethers.ZeroAddress)).to.be.revertedWithCustomError(d.snr, "InvalidRewardPool").withArgs(ethers.ZeroAddress);
      await expect(d.ext.setRewardPool(a.address)).to.emit(d.snr, "RewardPoolUpdated").withArgs(await d.pool.getAddress(), a.address);
      await d.snr.transferOwnership(a.address);
      expect(await d.snr.owner()).to.equal(d.owner.address);
      await d.snr.connect(a).acceptOwnership();
      expect(await d.snr.owner()).to.equal(a.address);
    });

    it("upgrades (UUPS) only by the owner, keeping state", async () => {
      const d = await load(fixture);
      const impl2 = await ethers.deployContract("ServiceNodeRewards", [await d.token.getAddress(), await d.snr.blsVerifier()]);
      await expect(d.snr.connect(d.accounts[0]).upgradeToAndCall(await impl2.getAddress(), "0x")).to.be.revertedWithCustomError(d.snr, "OwnableUnauthorizedAccount");
      await d.snr.upgradeToAndCall(await impl2.getAddress(), "0x");
      expect(await d.snr.totalNodes()).to.equal(50n);
      await expectAggregateMatches(d);
    });
  });

  describe("registration", () => {
    it("registers a solo node: event, stored state, aggregate, stake pulled", async () => {
      const d = await load(fixture);
      const op = d.accounts[3];
      const k = nodeKey("solo");
      const before = await d.token.balanceOf(d.address);
      await d.token.connect(op).approve(d.address, STAKING_REQUIREMENT);
      await expect(d.snr.connect(op).addBLSPublicKey(g1(k.pk), proofOfPossession(k, d.network.domain, op.address as `0x${string}`), params(k), []))
        .to.emit(d.snr, "NewServiceNodeV2")
        .withArgs(51n, op.address, [k.pk.X, k.pk.Y], [k.ed25519, 1n, 2n, FEE], [[[op.address, op.address], STAKING_REQUIREMENT]]);
      d.network.nodes.set(51n, k);
      expect(await d.token.balanceOf(d.address)).to.equal(before + STAKING_REQUIREMENT);
      const node = await d.snr.serviceNodes(51n);
      expect(node.operator).to.equal(op.address);
      expect(node.deposit).to.equal(STAKING_REQUIREMENT);
      expect(node.addedTimestamp).to.equal(await now());
      expect(node.contributorsHash).to.equal(ethers.ZeroHash);
      await expectAggregateMatches(d);
    });

    it("registers a pooled node paid by its operator with the list's hash", async () => {
      const d = await load(fixture);
      const [, op, c1, c2, c3] = d.accounts;
      const sender = op;
      const k = nodeKey("pooled");
      const list = [contributor(op.address, 7_000n * SESH_UNIT), contributor(c1.address, 6_000n * SESH_UNIT, c3.address), contributor(c2.address, 6_000n * SESH_UNIT), contributor(c3.address, 6_000n * SESH_UNIT)];
      await d.token.connect(sender).approve(d.address, STAKING_REQUIREMENT);
      await expect(d.snr.connect(sender).addBLSPublicKey(g1(k.pk), proofOfPossession(k, d.network.domain, op.address as `0x${string}`), params(k), list))
        .to.emit(d.snr, "NewServiceNodeV2")
        .withArgs(51n, sender.address, [k.pk.X, k.pk.Y], [k.ed25519, 1n, 2n, FEE], list.map((c) => [[c.staker.addr, c.staker.beneficiary], c.stakedAmount]));
      const node = await d.snr.serviceNodes(51n);
      expect(node.operator).to.equal(op.address);
      const encoded = ethers.AbiCoder.defaultAbiCoder().encode(["tuple(tuple(address addr, address beneficiary) staker, uint256 stakedAmount)[]"], [list]);
      expect(node.contributorsHash).to.equal(ethers.keccak256(encoded));
    });

    it("rejects bad contributor lists, fees and keys", async () => {
      const d = await load(fixture);
      const [, op, c1] = d.accounts;
      const sender = op;
      const k = nodeKey("bad");
      const pop = proofOfPossession(k, d.network.domain, op.address as `0x${string}`);
      await d.token.connect(sender).approve(d.address, STAKING_REQUIREMENT);
      const add = (list: ReturnType<typeof contributor>[], p = params(k), key: { X: bigint; Y: bigint } = g1(k.pk)) => d.snr.connect(sender).addBLSPublicKey(key, pop, p, list);
      await expect(add([contributor(op.address, STAKING_REQUIREMENT - 1n)])).to.be.revertedWithCustomError(d.snr, "ContributionTotalMismatch").withArgs(STAKING_REQUIREMENT, STAKING_REQUIREMENT - 1n);
      await expect(add([contributor(op.address, 6_249n * SESH_UNIT), contributor(c1.address, 18_751n * SESH_UNIT)])).to.be.revertedWithCustomError(d.snr, "OperatorStakeTooLow").withArgs(6_249n * SESH_UNIT, 6_250n * SESH_UNIT);
      const eleven = Array.from({ length: 11 }, (_, i) => contributor(d.accounts[i].address, i === 0 ? STAKING_REQUIREMENT - 10n : 1n));
      await expect(add(eleven)).to.be.revertedWithCustomError(d.snr, "MaxContributorsExceeded").withArgs(11n, 10n);
      await expect(add([contributor(op.address, STAKING_REQUIREMENT, ethers.ZeroAddress)])).to.be.revertedWithCustomError(d.snr, "InvalidContributor").withArgs(0n);
      await expect(add([], params(k, 10_001))).to.be.revertedWithCustomError(d.snr, "InvalidFee").withArgs(10_001n);
      await expect(add([], { ...params(k), ed25519Pubkey: 0n })).to.be.revertedWithCustomError(d.snr, "NullEd25519Pubkey");
      await expect(add([], params(k), { X: k.pk.X, Y: k.pk.Y + 1n })).to.be.revertedWithCustomError(d.snr, "InvalidPublicKey");
      await expect(add([], params(k), { X: 0n, Y: 0n })).to.be.revertedWithCustomError(d.snr, "InvalidPublicKey");
      const seeded = d.seedKeys[4];
      await expect(add([], params(k), g1(seeded.pk))).to.be.revertedWithCustomError(d.snr, "BLSPubkeyAlreadyExists").withArgs(5n);
    });

    it("rejects proofs of possession for another operator, another Ed25519 key, chain or contract", async () => {
      const d = await load(fixture);
      const [op, other] = d.accounts;
      const k = nodeKey("pop");
      await d.token.connect(op).approve(d.address, STAKING_REQUIREMENT);
      const add = (pop: ReturnType<typeof proofOfPossession>) => d.snr.connect(op).addBLSPublicKey(g1(k.pk), pop, params(k), []);
      const dom = d.network.domain;
      await expect(add(proofOfPossession(k, dom, other.address as `0x${string}`))).to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
      await expect(add(proofOfPossession(k, dom, op.address as `0x${string}`, k.ed25519 + 1n))).to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
      await expect(add(proofOfPossession(k, { ...dom, chainId: dom.chainId + 1n }, op.address as `0x${string}`))).to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
      await expect(add(proofOfPossession(k, { ...dom, contract: other.address as `0x${string}` }, op.address as `0x${string}`))).to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
      await expect(add(proofOfPossession(k, dom, op.address as `0x${string}`))).to.emit(d.snr, "NewServiceNodeV2");
    });

    it("defeats a rogue-key registration (key chosen to cancel the aggregate)", async () => {
      const d = await load(fixture);
      const attacker = d.accounts[9];
      // The attacker knows sk_a and registers pk_rogue = sk_a·G − aggregate, so the new aggregate would be
      // sk_a·G and the attacker alone could "sign as the network".
      const skA = 123456789n;
      const aggregate = aggregatePublicKeys([...d.network.nodes.values()].map((k) => k.pk));
      const rogue = aggregatePublicKeys([publicKey(skA), { X: aggregate.X, Y: (21888242871839275222246405745257275088696311157297823662689037894645226208583n - aggregate.Y) }]);
      const fake: NodeKey = { label: "rogue", sk: skA, pk: rogue, ed25519: 99n };
      // Without a PoP check it would work: a lone signature verifies against the rogue aggregate.
      const msg = rewardMessage(d.network.domain, attacker.address as `0x${string}`, 10n ** 18n);
      const lone = sign(skA, msg, hashToFieldDst(d.network.domain));
      expect(verify(aggregatePublicKeys([aggregate, rogue]), msg, lone, hashToFieldDst(d.network.domain))).to.equal(true);
      // The PoP must be signed by the rogue key's secret, which nobody knows; sk_a's signature fails.
      await d.token.connect(attacker).approve(d.address, STAKING_REQUIREMENT);
      const pop = proofOfPossession(fake, d.network.domain, attacker.address as `0x${string}`);
      await expect(d.snr.connect(attacker).addBLSPublicKey(g1(rogue), pop, params(fake), [])).to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
    });

    it("admits at most max(20, 2 %) new keys per block (flash-loan mass registration)", async () => {
      const d = await load(fixture);
      const keys = Array.from({ length: 21 }, (_, i) => nodeKey(`flash-${i}`));
      const op = d.accounts[5];
      await d.token.connect(op).approve(d.address, 21n * STAKING_REQUIREMENT);
      const pops = keys.map((k) => proofOfPossession(k, d.network.domain, op.address as `0x${string}`));
      await hhNetwork.provider.send("evm_setAutomine", [false]);
      const txs = [];
      try {
        for (let i = 0; i < 21; i++) txs.push(await d.snr.connect(op).addBLSPublicKey(g1(keys[i].pk), pops[i], params(keys[i]), [], { gasLimit: 1_000_000 }));
        await mine();
      } finally {
        await hhNetwork.provider.send("evm_setAutomine", [true]);
      }
      const receipts = await Promise.all(txs.map((tx) => ethers.provider.getTransactionReceipt(tx.hash)));
      expect(new Set(receipts.map((r) => r!.blockNumber)).size).to.equal(1);
      expect(receipts.slice(0, 20).every((r) => r!.status === 1)).to.equal(true);
      expect(receipts[20]!.status).to.equal(0);
      await expect(d.snr.connect(op).addBLSPublicKey(g1(keys[20].pk), pops[20], params(keys[20]), [])).to.emit(d.snr, "NewServiceNodeV2");
      expect(await d.snr.totalNodes()).to.equal(71n);
      expect(await d.ext.maxPermittedPubkeyAggregations()).to.equal(20n);
    });
  });

  describe("exit requests and timed exits", () => {
    it("lets the operator request, repeats only an hour apart, and anyone exit 30 days later", async () => {
      const d = await load(fixture);
      const op = d.accounts[2];
      const key = d.seedKeys[2];
      await expect(d.snr.connect(d.accounts[3])["initiateExitBLSPublicKey(uint64)"](3n)).to.be.revertedWithCustomError(d.snr, "CallerNotContributor");
      await expect(d.snr.exitBLSPublicKeyAfterWaitTime(3n)).to.be.revertedWithCustomError(d.snr, "ExitWaitNotOver").withArgs(3n, 0n);
      await expect(d.snr.connect(op)["initiateExitBLSPublicKey(uint64)"](3n)).to.emit(d.snr, "ServiceNodeExitRequest").withArgs(3n, op.address, [key.pk.X, key.pk.Y]);
      const first = await now();
      await expect(d.snr.connect(op)["initiateExitBLSPublicKey(uint64)"](3n)).to.be.revertedWithCustomError(d.snr, "ExitRequestTooSoon");
      await time.increase(3600);
      await expect(d.snr.connect(op)["initiateExitBLSPublicKey(uint64)"](3n)).to.emit(d.snr, "ServiceNodeExitRequest");
      expect((await d.snr.serviceNodes(3n)).exitRequestTimestamp).to.equal(first);
      await time.increaseTo(first + 30n * DAY - 2n);
      await expect(d.snr.exitBLSPublicKeyAfterWaitTime(3n)).to.be.revertedWithCustomError(d.snr, "ExitWaitNotOver").withArgs(3n, first + 30n * DAY);
      await expect(d.snr.connect(d.accounts[9]).exitBLSPublicKeyAfterWaitTime(3n)).to.emit(d.snr, "ServiceNodeExit").withArgs(3n, d.accounts[9].address, STAKING_REQUIREMENT, [key.pk.X, key.pk.Y]);
      d.network.nodes.delete(3n);
      await expectAggregateMatches(d);
      expect(await d.snr.totalNodes()).to.equal(49n);
      expect((await d.snr.serviceNodes(3n)).operator).to.equal(ethers.ZeroAddress);
      await expect(d.snr.exitBLSPublicKeyAfterWaitTime(3n)).to.be.revertedWithCustomError(d.snr, "ServiceNodeDoesNotExist");
    });

    it("lets pooled contributors request with the registered list; small ones only after 30 days; stays open while paused", async () => {
      const d = await load(fixture);
      const [, op, big, small, stranger] = d.accounts;
      const sender = op;
      const k = nodeKey("pooled-exit");
      const list = [contributor(op.address, 12_000n * SESH_UNIT), contributor(big.address, 7_000n * SESH_UNIT), contributor(small.address, 6_000n * SESH_UNIT)];
      await d.token.connect(sender).approve(d.address, STAKING_REQUIREMENT);
      await d.snr.connect(sender).addBLSPublicKey(g1(k.pk), proofOfPossession(k, d.network.domain, op.address as `0x${string}`), params(k), list);
      const req = (who: HardhatEthersSigner, l = list) => d.snr.connect(who)["initiateExitBLSPublicKey(uint64,((address,address),uint256)[])"](51n, l);
      await expect(req(stranger)).to.be.revertedWithCustomError(d.snr, "CallerNotContributor").withArgs(51n, stranger.address);
      await expect(req(big, [...list.slice(0, 2), contributor(stranger.address, 6_000n * SESH_UNIT)])).to.be.revertedWithCustomError(d.snr, "CallerNotContributor");
      const added = (await d.snr.serviceNodes(51n)).addedTimestamp;
      await expect(req(small)).to.be.revertedWithCustomError(d.snr, "SmallContributorLeaveTooEarly").withArgs(51n, small.address, added + 30n * DAY);
      await d.snr.pause();
      await expect(req(big)).to.emit(d.snr, "ServiceNodeExitRequest").withArgs(51n, big.address, [k.pk.X, k.pk.Y]);
      await d.snr.unpause();
      await time.increaseTo(added + 30n * DAY);
      await expect(req(small)).to.emit(d.snr, "ServiceNodeExitRequest");
      await expect(d.snr.connect(op)["initiateExitBLSPublicKey(uint64)"](51n)).to.be.revertedWithCustomError(d.snr, "ExitRequestTooSoon");
    });
  });

  describe("signed exits", () => {
    it("removes a node with a network signature (with and without non-signers)", async () => {
      const d = await load(fixture);
      const key = d.seedKeys[9];
      const ts = await now();
      const nonSigners = [2n, 17n, 33n];
      const sig = signExit(d.network, key.pk, ts, nonSigners);
      await expect(d.snr.connect(d.accounts[8]).exitBLSPublicKeyWithSignature(g1(key.pk), ts, sig, nonSigners))
        .to.emit(d.snr, "ServiceNodeExit")
        .withArgs(10n, d.accounts[8].address, STAKING_REQUIREMENT, [key.pk.X, key.pk.Y]);
      d.network.nodes.delete(10n);
      await expectAggregateMatches(d);
      // The same Ed25519 and BLS key may register again after the exit.
      const op = d.accounts[1];
      await d.token.connect(op).approve(d.address, STAKING_REQUIREMENT);
      await expect(d.snr.connect(op).addBLSPublicKey(g1(key.pk), proofOfPossession(key, d.network.domain, op.address as `0x${string}`), params(key), [])).to.emit(d.snr, "NewServiceNodeV2");
      d.network.nodes.set(51n, key);
      // An aggregate of individual signatures equals the helper's one-shot signature.
      const ts2 = await now();
      const other = d.seedKeys[20];
      const msgSig = signExit(d.network, other.pk, ts2);
      const ids = [...d.network.nodes.keys()];
      const individual = aggregateSignatures(ids.map((id) => sign(d.network.nodes.get(id)!.sk, (await_exit(d, other.pk, ts2)), hashToFieldDst(d.network.domain))));
      expect(signatureToParams(individual)).to.deep.equal(msgSig);
      await expect(d.snr.exitBLSPublicKeyWithSignature(g1(other.pk), ts2, msgSig, [])).to.emit(d.snr, "ServiceNodeExit");
    });

    it("rejects expired, future, wrong-tag, wrong-purpose and too-young exits", async () => {
      const d = await load(fixture);
      const key = d.seedKeys[0];
      const ts = await now();
      const exit = (t: bigint, sig: ReturnType<typeof signExit>) => d.snr.exitBLSPublicKeyWithSignature(g1(key.pk), t, sig, []);
      await time.increase(601);
      await expect(exit(ts, signExit(d.network, key.pk, ts))).to.be.revertedWithCustomError(d.snr, "SignatureExpired").withArgs(1n, ts, ts + 602n);
      const t2 = await now();
      // Ahead of the block by more than the expiry (600 s): refused (up to the expiry is accepted, see the
      // security tests).
      await expect(exit(t2 + 602n, signExit(d.network, key.pk, t2 + 602n))).to.be.revertedWithCustomError(d.snr, "SignatureFromFuture");
      const dom = d.network.domain;
      await expect(exit(t2, signExit(d.network, key.pk, t2, [], { ...dom, chainId: dom.chainId + 1n }))).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
      await expect(exit(t2, signExit(d.network, key.pk, t2, [], { ...dom, contract: d.owner.address as `0x${string}` }))).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
      await expect(exit(t2, signLiquidation(d.network, key.pk, t2))).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
      await expect(exit(t2, signExit(d.network, d.seedKeys[1].pk, t2))).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
      const stranger = nodeKey("stranger");
      await expect(d.snr.exitBLSPublicKeyWithSignature(g1(stranger.pk), t2, signExit(d.network, stranger.pk, t2), [])).to.be.revertedWithCustomError(d.snr, "BLSPubkeyNotFound");
      await expect(d.snr.exitBLSPublicKeyWithSignature({ X: key.pk.X, Y: key.pk.Y + 1n }, t2, signExit(d.network, key.pk, t2), [])).to.be.revertedWithCustomError(d.snr, "BLSPubkeyNotFound");
      // A fresh node cannot be exited for 2 hours.
      const { id } = await registerSolo(d, nodeKey("young"), d.accounts[4]);
      const young = d.network.nodes.get(id)!;
      const t3 = await now();
      // (Signed after its registration: an earlier timestamp is refused as made for an earlier registration.)
      await expect(d.snr.exitBLSPublicKeyWithSignature(g1(young.pk), t3 + 1n, signExit(d.network, young.pk, t3 + 1n), [])).to.be.revertedWithCustomError(d.snr, "ServiceNodeTooYoung").withArgs(id, t3 + 2n * HOUR);
      await d.snr.pause();
      await expect(exit(t3, signExit(d.network, key.pk, t3))).to.be.revertedWithCustomError(d.snr, "ContractPaused");
    });

    it("checks non-signers: threshold, order, duplicates, unknown ids, and that they really did not sign", async () => {
      const d = await load(fixture);
      const key = d.seedKeys[0];
      const ts = await now();
      const exit = (ns: bigint[], sig = signExit(d.network, key.pk, ts, ns)) => d.snr.exitBLSPublicKeyWithSignature(g1(key.pk), ts, sig, ns);
      const seventeen = Array.from({ length: 17 }, (_, i) => BigInt(i + 2));
      await expect(exit(seventeen)).to.be.revertedWithCustomError(d.snr, "TooManyNonSigners").withArgs(17n, 16n);
      await expect(exit([5n, 5n], signExit(d.network, key.pk, ts, [5n]))).to.be.revertedWithCustomError(d.snr, "NonSignersNotAscending").withArgs(1n, 5n);
      await expect(exit([7n, 5n])).to.be.revertedWithCustomError(d.snr, "NonSignersNotAscending").withArgs(1n, 5n);
      await expect(exit([5n, 99n], signExit(d.network, key.pk, ts, [5n]))).to.be.revertedWithCustomError(d.snr, "UnknownNonSigner").withArgs(99n);
      await expect(exit([0n])).to.be.revertedWithCustomError(d.snr, "NonSignersNotAscending").withArgs(0n, 0n);
      // Keys live at a fixed base + id, so an id wider than its uint64 type (dirty calldata, which the ABI
      // decoder does not clean for raw reads) could address any slot — here the aggregate key's, whose
      // subtraction would leave nothing to sign for. It is refused as unknown.
      const aggregateSlot = 0xd089b1bc32a293e5ca0f40b2ec81b802b8a44cbbc0e67e6e3b27370e8c944300n + 3n;
      const keysBase = 0xe2ce4faf3bdde3e7f7c55ecd223a6dafb674ab6135aef9224d9d12d5e1f2ad00n;
      const wide = (aggregateSlot - keysBase + (1n << 256n)) % (1n << 256n);
      expect(await ethers.provider.getStorage(await d.snr.getAddress(), keysBase + wide - (1n << 256n))).to.not.equal(ethers.ZeroHash);
      const fragment = d.snr.interface.getFunction("exitBLSPublicKeyWithSignature")!;
      const types = fragment.inputs.map((input, i) => (i === fragment.inputs.length - 1 ? "uint256[]" : input.format("full")));
      const sig = signExit(d.network, key.pk, ts);
      const data = fragment.selector + ethers.AbiCoder.defaultAbiCoder().encode(types, [g1(key.pk), ts, sig, [wide]]).slice(2);
      await expect(d.accounts[0].sendTransaction({ to: await d.snr.getAddress(), data })).to.be.revertedWithCustomError(d.snr, "UnknownNonSigner").withArgs(wide);
      // Signed by everyone but listed with a non-signer, or signed by fewer than listed: invalid.
      await expect(exit([5n], signExit(d.network, key.pk, ts))).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
      await expect(exit([], signExit(d.network, key.pk, ts, [5n]))).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
      await expect(exit(seventeen.slice(1))).to.emit(d.snr, "ServiceNodeExit");
    });
  });

  describe("liquidation", () => {
    it("splits the deposit 3 / 17 / 9,980 (pool share rounded up) and removes the node", async () => {
      const d = await load(fixture);
      await registerSolo(d, nodeKey("funding"), d.accounts[6]); // the registry now holds one stake
      const key = d.seedKeys[11];
      const liquidator = d.accounts[7];
      const ts = await now();
      const poolAddr = await d.pool.getAddress();
      const liq = (STAKING_REQUIREMENT * 3n) / 10_000n;
      const poolShare = (STAKING_REQUIREMENT * 17n + 9_999n) / 10_000n;
      const balances = [await d.token.balanceOf(liquidator.address), await d.token.balanceOf(poolAddr), await d.token.balanceOf(d.address)];
      await expect(d.snr.connect(liquidator).liquidateBLSPublicKeyWithSignature(g1(key.pk), ts, signLiquidation(d.network, key.pk, ts), []))
        .to.emit(d.snr, "ServiceNodeLiquidated")
        .withArgs(12n, liquidator.address, [key.pk.X, key.pk.Y])
        .and.to.emit(d.snr, "ServiceNodeExit")
        .withArgs(12n, liquidator.address, STAKING_REQUIREMENT - liq - poolShare, [key.pk.X, key.pk.Y]);
      expect(await d.token.balanceOf(liquidator.address)).to.equal(balances[0] + liq);
      expect(await d.token.balanceOf(poolAddr)).to.equal(balances[1] + poolShare);
      expect(await d.token.balanceOf(d.address)).to.equal(balances[2] - liq - poolShare);
      d.network.nodes.delete(12n);
      await expectAggregateMatches(d);
    });

    it("rounds the pool share up with odd ratios, and rejects exit signatures, expired and future ones", async () => {
      const d = await load(fixture);
      await d.ext.setLiquidationRatios(1n, 1n, 7n);
      await registerSolo(d, nodeKey("funding"), d.accounts[6]);
      const key = d.seedKeys[12];
      const ts = await now();
      const liq = (d2: bigint[]) => d.snr.liquidateBLSPublicKeyWithSignature(g1(key.pk), d2[0], signLiquidation(d.network, key.pk, d2[1]), []);
      await expect(d.snr.liquidateBLSPublicKeyWithSignature(g1(key.pk), ts, signExit(d.network, key.pk, ts), [])).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
      await expect(liq([ts + 700n, ts + 700n])).to.be.revertedWithCustomError(d.snr, "SignatureFromFuture");
      await expect(liq([ts - 601n, ts - 601n])).to.be.revertedWithCustomError(d.snr, "SignatureExpired");
      const l = STAKING_REQUIREMENT / 9n;
      const p = (STAKING_REQUIREMENT + 8n) / 9n;
      await expect(liq([ts, ts])).to.emit(d.snr, "ServiceNodeExit").withArgs(13n, d.owner.address, STAKING_REQUIREMENT - l - p, [key.pk.X, key.pk.Y]);
    });
  });

  describe("rewards", () => {
    it("updates a lifetime balance with a network signature; only strictly increasing", async () => {
      const d = await load(fixture);
      const r = d.accounts[4].address as `0x${string}`;
      const total = 1_000n * SESH_UNIT;
      await expect(d.snr.updateRewardsBalance(r, total, signReward(d.network, r, total, [3n]), [3n])).to.emit(d.snr, "RewardsBalanceUpdated").withArgs(r, total, 0n);
      expect(await d.snr.recipients(r)).to.deep.equal([total, 0n]);
      await expect(d.snr.updateRewardsBalance(r, total, signReward(d.network, r, total), [])).to.be.revertedWithCustomError(d.snr, "RewardsNotIncreased").withArgs(total, total);
      await expect(d.snr.updateRewardsBalance(r, total - 1n, signReward(d.network, r, total - 1n), [])).to.be.revertedWithCustomError(d.snr, "RewardsNotIncreased");
      const dom = d.network.domain;
      await expect(d.snr.updateRewardsBalance(r, total + 1n, signReward(d.network, r, total + 1n, [], { ...dom, chainId: 1n }), [])).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
      await expect(d.snr.updateRewardsBalance(r, total + 1n, signReward(d.network, r, total + 1n, [], { ...dom, contract: r }), [])).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
      await expect(d.snr.updateRewardsBalance(d.accounts[5].address, total + 1n, signReward(d.network, r, total + 1n), [])).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
      await expect(d.snr.updateRewardsBalance(ethers.ZeroAddress, 1n, signReward(d.network, ethers.ZeroAddress as `0x${string}`, 1n), [])).to.be.revertedWithCustomError(d.snr, "InvalidRecipient").withArgs(ethers.ZeroAddress);
      await expect(d.snr.updateRewardsBalance(r, 2n * total, signReward(d.network, r, 2n * total), [])).to.emit(d.snr, "RewardsBalanceUpdated").withArgs(r, 2n * total, total);
    });

    it("pays claims (all and partial) up to the signed total, pulling released funds from the pool when short", async () => {
      const d = await load(deployEmptyBalance);
      const who = d.accounts[4];
      const r = who.address as `0x${string}`;
      // The registry holds exactly the 3 seeded stakes; a claim above that must pull what the pool released.
      const held = await d.token.balanceOf(d.address);
      expect(held).to.equal(3n * STAKING_REQUIREMENT);
      const total = held + 300n * SESH_UNIT;
      await d.snr.updateRewardsBalance(r, total, signReward(d.network, r, total), []);
      await expect(d.snr.connect(who)["claimRewards(uint256)"](total + 1n)).to.be.revertedWithCustomError(d.snr, "ClaimExceedsBalance").withArgs(total + 1n, total);
      await expect(d.snr.connect(who)["claimRewards(uint256)"](0n)).to.be.revertedWithCustomError(d.snr, "NothingToClaim");
      const before = await d.token.balanceOf(r);
      await expect(d.snr.connect(who)["claimRewards(uint256)"](held + 100n * SESH_UNIT)).to.emit(d.snr, "RewardsClaimed").withArgs(r, held + 100n * SESH_UNIT).and.to.emit(d.pool, "FundsReleased");
      await expect(d.snr.connect(who)["claimRewards()"]()).to.emit(d.snr, "RewardsClaimed").withArgs(r, 200n * SESH_UNIT);
      expect(await d.token.balanceOf(r)).to.equal(before + total);
      expect(await d.snr.recipients(r)).to.deep.equal([total, total]);
      await expect(d.snr.connect(who)["claimRewards()"]()).to.be.revertedWithCustomError(d.snr, "NothingToClaim");
    });

    it("enforces the global claim limit per cycle and blocks claims while paused", async () => {
      const d = await load(fixture);
      await d.ext.setClaimLimit(1_000n * SESH_UNIT);
      await registerSolo(d, nodeKey("funding"), d.accounts[6]);
      const [a, b] = d.accounts;
      for (const who of [a, b]) await d.snr.updateRewardsBalance(who.address, 800n * SESH_UNIT, signReward(d.network, who.address as `0x${string}`, 800n * SESH_UNIT), []);
      await time.increaseTo(((await now()) / (12n * HOUR) + 1n) * 12n * HOUR);
      await d.snr.connect(a)["claimRewards()"]();
      await expect(d.snr.connect(b)["claimRewards()"]()).to.be.revertedWithCustomError(d.snr, "ClaimLimitExceeded").withArgs(1_600n * SESH_UNIT, 1_000n * SESH_UNIT);
      await d.snr.connect(b)["claimRewards(uint256)"](200n * SESH_UNIT);
      await time.increase(12n * HOUR);
      await d.snr.pause();
      await expect(d.snr.connect(b)["claimRewards()"]()).to.be.revertedWithCustomError(d.snr, "ContractPaused");
      const r = b.address as `0x${string}`;
      await expect(d.snr.updateRewardsBalance(r, 900n * SESH_UNIT, signReward(d.network, r, 900n * SESH_UNIT), [])).to.be.revertedWithCustomError(d.snr, "ContractPaused");
      await d.snr.unpause();
      await expect(d.snr.connect(b)["claimRewards()"]()).to.emit(d.snr, "RewardsClaimed").withArgs(b.address, 600n * SESH_UNIT);
    });
  });
});

describe("ServiceNodeRewards: hinted non-signers, duplicate contributors, pool views", () => {
  const fixture = () => deployServiceNodeRewards({ seeded: 50 });

  it("exits, liquidates and updates balances with hinted non-signers, matching the id-only functions", async () => {
    const d = await load(fixture);
    await registerSolo(d, nodeKey("funding"), d.accounts[6]); // the registry holds a stake for the payouts
    const ns = [2n, 17n, 33n, 49n];
    const exitKey = d.seedKeys[9];
    let ts = await now();
    await expect(d.snr.connect(d.accounts[8]).exitBLSPublicKeyWithSignatureAndNonSignerKeys(g1(exitKey.pk), ts, signExit(d.network, exitKey.pk, ts, ns), hinted(d.network, ns)))
      .to.emit(d.snr, "ServiceNodeExit")
      .withArgs(10n, d.accounts[8].address, STAKING_REQUIREMENT, [exitKey.pk.X, exitKey.pk.Y]);
    d.network.nodes.delete(10n);
    await expectAggregateMatches(d);

    const liqKey = d.seedKeys[11];
    ts = await now();
    const before = await d.token.balanceOf(d.accounts[7].address);
    await expect(d.snr.connect(d.accounts[7]).liquidateBLSPublicKeyWithSignatureAndNonSignerKeys(g1(liqKey.pk), ts, signLiquidation(d.network, liqKey.pk, ts, ns), hinted(d.network, ns)))
      .to.emit(d.snr, "ServiceNodeLiquidated")
      .withArgs(12n, d.accounts[7].address, [liqKey.pk.X, liqKey.pk.Y]);
    expect(await d.token.balanceOf(d.accounts[7].address)).to.equal(before + (STAKING_REQUIREMENT * 3n) / 10_000n);
    d.network.nodes.delete(12n);
    await expectAggregateMatches(d);

    const r = d.accounts[4].address as `0x${string}`;
    const total = 500n * SESH_UNIT;
    await expect(d.snr.updateRewardsBalanceWithNonSignerKeys(r, total, signReward(d.network, r, total, ns), hinted(d.network, ns)))
      .to.emit(d.snr, "RewardsBalanceUpdated")
      .withArgs(r, total, 0n);
    expect(await d.snr.recipients(r)).to.deep.equal([total, 0n]);
    // With no non-signers the packed list is empty.
    await expect(d.snr.updateRewardsBalanceWithNonSignerKeys(r, total + 1n, signReward(d.network, r, total + 1n), "0x")).to.emit(d.snr, "RewardsBalanceUpdated").withArgs(r, total + 1n, total);
  });

  it("rejects wrong Ys, bad entries, order, duplicates, unknown ids, too many, and keys that did sign", async () => {
    const d = await load(fixture);
    const r = d.accounts[4].address as `0x${string}`;
    const total = 10n * SESH_UNIT;
    const upd = (bytes: `0x${string}`, ns: bigint[]) => d.snr.updateRewardsBalanceWithNonSignerKeys(r, total, signReward(d.network, r, total, ns), bytes);
    const y = (id: bigint) => d.network.nodes.get(id)!.pk.Y;
    // Raw entries `skip ‖ Y` (bypassing the encoder's own checks) to reach the contract's; `at` turns ids into skips.
    const raw = (entries: [bigint, bigint][]) => ("0x" + entries.map(([skip, v]) => skip.toString(16).padStart(4, "0") + v.toString(16).padStart(64, "0")).join("")) as `0x${string}`;
    const at = (entries: [bigint, bigint][]) => raw(entries.map(([id, v], i) => [id - (i === 0 ? 0n : entries[i - 1][0]) - 1n, v]));
    await expect(upd(at([[5n, P - y(5n)]]), [5n])).to.be.revertedWithCustomError(d.snr, "InvalidNonSignerY").withArgs(5n, P - y(5n));
    await expect(upd(at([[5n, y(5n) + P]]), [5n])).to.be.revertedWithCustomError(d.snr, "InvalidNonSignerY").withArgs(5n, y(5n) + P);
    await expect(upd(at([[5n, y(6n)]]), [5n])).to.be.revertedWithCustomError(d.snr, "InvalidNonSignerY").withArgs(5n, y(6n));
    // The stored parity but not the stored point: y + 2P (≥ P) and y + 2 (off the curve) are refused by the
    // curve check (the ecAdd precompile's own input check); the first bad entry is named, even when a later
    // one is also bad, and a valid entry before it does not hide it.
    await expect(upd(at([[5n, y(5n) + 2n * P]]), [5n])).to.be.revertedWithCustomError(d.snr, "InvalidNonSignerY").withArgs(5n, y(5n) + 2n * P);
    await expect(upd(at([[3n, y(3n)], [5n, y(5n) + 2n]]), [3n, 5n])).to.be.revertedWithCustomError(d.snr, "InvalidNonSignerY").withArgs(5n, y(5n) + 2n);
    await expect(upd(at([[4n, y(4n) + 2n], [5n, y(5n) + 2n]]), [4n, 5n])).to.be.revertedWithCustomError(d.snr, "InvalidNonSignerY").withArgs(4n, y(4n) + 2n);
    // Ids are the running sum of skip + 1: consecutive ids are skip 0, and a duplicate or a lower id cannot
    // be written. Entries in the four-at-a-time part of the loop (count ≥ 4) are checked like the others.
    expect(raw([[2n, y(3n)], [1n, y(5n)]])).to.equal(hinted(d.network, [3n, 5n]));
    const five = [2n, 3n, 4n, 5n, 6n];
    const r2 = d.accounts[5].address as `0x${string}`;
    await expect(d.snr.updateRewardsBalanceWithNonSignerKeys(r2, total, signReward(d.network, r2, total, five), hinted(d.network, five))).to.emit(d.snr, "RewardsBalanceUpdated");
    const later = (id: bigint) => d.snr.updateRewardsBalanceWithNonSignerKeys(r2, total + id, signReward(d.network, r2, total + id, five), at(five.map((i) => [i, i === id ? y(i) ^ 2n : y(i)])));
    for (const bad of five) await expect(later(bad)).to.be.revertedWithCustomError(d.snr, "InvalidNonSignerY").withArgs(bad, y(bad) ^ 2n);
    // An id past the last node, an even Y for it (x would be 2^255) and an odd one (x would be 0, which no
    // curve point has) — both unknown; and y = 0 (the precompile's infinity) for it is no escape either.
    await expect(upd(at([[5n, y(5n)], [99n, 2n]]), [5n])).to.be.revertedWithCustomError(d.snr, "UnknownNonSigner").withArgs(99n);
    await expect(upd(at([[99n, 3n]]), [])).to.be.revertedWithCustomError(d.snr, "UnknownNonSigner").withArgs(99n);
    await expect(upd(at([[99n, 0n]]), [])).to.be.revertedWithCustomError(d.snr, "UnknownNonSigner").withArgs(99n);
    await expect(upd(raw([[0xffffn, 1n]]), [])).to.be.revertedWithCustomError(d.snr, "UnknownNonSigner").withArgs(0x10000n);
    const packed = hinted(d.network, [5n]);
    await expect(upd(`${packed}00` as `0x${string}`, [5n])).to.be.revertedWithCustomError(d.snr, "InvalidNonSignerEntries").withArgs(35n);
    const seventeen = Array.from({ length: 17 }, (_, i) => BigInt(i + 2));
    await expect(upd(hinted(d.network, seventeen), seventeen)).to.be.revertedWithCustomError(d.snr, "TooManyNonSigners").withArgs(17n, 16n);
    // Listed as a non-signer although it signed (and the other way round): the signature fails.
    await expect(d.snr.updateRewardsBalanceWithNonSignerKeys(r, total, signReward(d.network, r, total), packed)).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
    await expect(d.snr.updateRewardsBalanceWithNonSignerKeys(r, total, signReward(d.network, r, total, [5n]), "0x")).to.be.revertedWithCustomError(d.snr, "InvalidBLSSignature");
    // A node removed since the network aggregated counts as the point at infinity, whatever Y is sent.
    const key = d.seedKeys[5];
    const ts = await now();
    await d.snr.exitBLSPublicKeyWithSignature(g1(key.pk), ts, signExit(d.network, key.pk, ts), []);
    d.network.nodes.delete(6n);
    await expect(upd(at([[6n, key.pk.Y]]), [])).to.emit(d.snr, "RewardsBalanceUpdated");
    // The encoder refuses what the contract would, and what the packed form cannot carry.
    expect(() => encodeHintedNonSigners([{ id: 7n, y: 1n }, { id: 5n, y: 1n }])).to.throw(/ascending/);
    expect(() => encodeHintedNonSigners([{ id: 7n, y: 1n }, { id: 7n, y: 1n }])).to.throw(/ascending/);
    expect(() => encodeHintedNonSigners([{ id: 7n, y: P }])).to.throw(/field element/);
    expect(() => encodeHintedNonSigners([{ id: 5n, y: 1n }, { id: 5n + 0x10001n, y: 1n }])).to.throw(/2\^16.*id list/);
    expect(canEncodeHinted([5n, 5n + 0x10000n])).to.equal(true);
    expect(canEncodeHinted([5n, 5n + 0x10001n])).to.equal(false);
    expect(canEncodeHinted([5n, 5n])).to.equal(false);
  });

  it("rejects a contributor list naming the same address twice", async () => {
    const d = await load(fixture);
    const [sender, op, c1] = d.accounts;
    const k = nodeKey("dup");
    await d.token.connect(op).approve(d.address, STAKING_REQUIREMENT);
    const add = (list: ReturnType<typeof contributor>[]) =>
      d.snr.connect(op).addBLSPublicKey(g1(k.pk), proofOfPossession(k, d.network.domain, op.address as `0x${string}`), params(k), list);
    const q = STAKING_REQUIREMENT / 4n;
    await expect(add([contributor(op.address, q), contributor(c1.address, q), contributor(c1.address, q, sender.address), contributor(d.accounts[3].address, q)]))
      .to.be.revertedWithCustomError(d.snr, "DuplicateContributor")
      .withArgs(2n, c1.address);
    await expect(add([contributor(op.address, 2n * q), contributor(c1.address, q), contributor(op.address, q)]))
      .to.be.revertedWithCustomError(d.snr, "DuplicateContributor")
      .withArgs(2n, op.address);
    // Seeding applies the same rule.
    const seedKey = nodeKey("dup-seed");
    const fresh = await deployServiceNodeRewards({ seeded: 0, start: false });
    await expect(fresh.ext.seedPublicKeyList([{ blsPubkey: g1(seedKey.pk), addedTimestamp: await now(), ed25519Pubkey: seedKey.ed25519, contributors: [contributor(op.address, 3n * q), contributor(op.address, q)] }]))
      .to.be.revertedWithCustomError(fresh.snr, "DuplicateContributor")
      .withArgs(1n, op.address);
    await expect(add([contributor(op.address, 2n * q), contributor(c1.address, q), contributor(sender.address, q)])).to.emit(d.snr, "NewServiceNodeV2");
  });

  it("exposes the views pooled nodes need through the interface, and validateProofOfPossession", async () => {
    const d = await load(fixture);
    const views = await ethers.getContractAt("IServiceNodeRewards", d.address);
    expect(await views.stakingRequirement()).to.equal(STAKING_REQUIREMENT);
    expect(await views.maxContributors()).to.equal(10n);
    expect(await views.designatedToken()).to.equal(await d.token.getAddress());
    expect(await views.blsVerifier()).to.equal(await d.snr.blsVerifier());
    const i = d.ext;
    const k = nodeKey("pop-view");
    const op = d.accounts[2].address as `0x${string}`;
    const pop = proofOfPossession(k, d.network.domain, op);
    await i.validateProofOfPossession(g1(k.pk), pop, op, k.ed25519); // does not revert
    await expect(i.validateProofOfPossession(g1(k.pk), pop, d.accounts[3].address, k.ed25519)).to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
    await expect(i.validateProofOfPossession(g1(k.pk), pop, op, k.ed25519 + 1n)).to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
    await expect(i.validateProofOfPossession({ X: k.pk.X, Y: k.pk.Y + 1n }, pop, op, k.ed25519)).to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
    const other = { ...d.network.domain, contract: op };
    await expect(i.validateProofOfPossession(g1(k.pk), proofOfPossession(k, other, op), op, k.ed25519)).to.be.revertedWithCustomError(d.snr, "InvalidProofOfPossession");
  });
});

/** The 50-node fixture with nothing registered: the registry's balance is zero until the pool pays. */
const deployEmptyBalance = () => deployServiceNodeRewards({ seeded: 3, label: "node" });

function await_exit(d: Deployment, pk: G1Affine, ts: bigint) {
  return exitMessageOf(d, pk, ts);
}

import { exitMessage } from "../../../src/bls";
function exitMessageOf(d: Deployment, pk: G1Affine, ts: bigint) {
  return exitMessage(d.network.domain, pk, ts);
}

// Keep imported helpers referenced for type checking of unused imports.
void R;
void signersSecret;
void networkSign;
