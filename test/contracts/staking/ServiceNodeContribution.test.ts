import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ServiceNodeContribution } from "../../../typechain-types";
import { g1, proofOfPossession } from "../../helpers/network";
import { SESH_UNIT, STAKING_REQUIREMENT } from "../../helpers/serviceNodeRewards";
import {
  contribute,
  deployArgs,
  deployPools,
  freshKey,
  nodeParams,
  openPool,
  signPermit,
  type PoolDeployment,
} from "../../helpers/serviceNodeContribution";

const DAY = 86_400n;
const QUARTER = STAKING_REQUIREMENT / 4n;
const ZERO = ethers.ZeroAddress;
enum Status {
  WaitForOperatorContrib,
  OpenForPublicContrib,
  WaitForFinalized,
  Finalized,
}

const fixture = () => deployPools(3);

async function balanceOf(d: PoolDeployment, who: string | { getAddress(): Promise<string> }): Promise<bigint> {
  return d.token.balanceOf(typeof who === "string" ? who : await who.getAddress());
}

/** Pool with the operator's quarter paid (open), manual finalize unless told otherwise. */
async function openedPool(d: PoolDeployment, op: HardhatEthersSigner, manualFinalize = true) {
  const opened = await openPool(d, op, { manualFinalize });
  await contribute(d, opened.pool, op, QUARTER);
  return opened;
}

/** `ceil(a / b)`. */
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

async function expectPoolAccounting(d: PoolDeployment, pool: ServiceNodeContribution) {
  const [contributors] = await pool.getContributors();
  const sum = contributors.reduce((acc, c) => acc + c.stakedAmount, 0n);
  expect(await pool.totalContribution()).to.equal(sum);
  if ((await pool.status()) !== BigInt(Status.Finalized)) expect(await balanceOf(d, pool)).to.equal(sum);
}

describe("ServiceNodeContribution", () => {
  describe("factory", () => {
    it("creates a clone operated by the caller, records it and emits NewServiceNodeContributionContract", async () => {
      const d = await loadFixture(fixture);
      const [op] = d.accounts;
      const { key, args } = deployArgs(d, op, { fee: 1234 });
      const predicted = await d.factory.connect(op).deploy.staticCall(...args);
      await expect(d.factory.connect(op).deploy(...args))
        .to.emit(d.factory, "NewServiceNodeContributionContract")
        .withArgs(predicted, key.ed25519, op.address); // the Ed25519 key, as the reference
      const pool = await ethers.getContractAt("ServiceNodeContribution", predicted);
      expect(await d.factory.owns(predicted)).to.equal(true);
      expect(await d.factory.owns(op.address)).to.equal(false);
      expect(await pool.operator()).to.equal(op.address);
      expect(await pool.status()).to.equal(Status.WaitForOperatorContrib);
      expect(await pool.stakingRequirement()).to.equal(STAKING_REQUIREMENT);
      expect(await pool.maxContributors()).to.equal(10n);
      expect(await pool.manualFinalize()).to.equal(false);
      const [pk, pop, params] = await pool.registration();
      expect([pk.X, pk.Y]).to.deep.equal([key.pk.X, key.pk.Y]);
      expect([pop.sigs0, pop.sigs1, pop.sigs2, pop.sigs3]).to.deep.equal(Object.values(args[1]));
      expect([params.ed25519Pubkey, params.ed25519Signature0, params.ed25519Signature1, params.fee]).to.deep.equal([key.ed25519, 11n, 22n, 1234n]);
      // An EIP-1167 clone with immutable args: 45 bytes of proxy code + 308 bytes of args.
      const code = await ethers.provider.getCode(predicted);
      expect((code.length - 2) / 2).to.equal(45 + 308);
      expect(code.toLowerCase()).to.contain((await d.implementation.getAddress()).slice(2).toLowerCase());
    });

    it("takes the caller as operator, never tx.origin (a contract operator)", async () => {
      const d = await loadFixture(fixture);
      const [eoa] = d.accounts;
      const deployer = await ethers.deployContract("PoolDeployer");
      const deployerAddress = (await deployer.getAddress()) as `0x${string}`;
      const key = freshKey();
      // A PoP for the EOA is rejected: the operator is the calling contract.
      await expect(
        deployer.connect(eoa).deploy(await d.factory.getAddress(), g1(key.pk), proofOfPossession(key, d.network.domain, eoa.address as `0x${string}`), nodeParams(key), []),
      ).to.be.revertedWithCustomError(d.implementation, "InvalidProofOfPossession");
      const tx = deployer.connect(eoa).deploy(await d.factory.getAddress(), g1(key.pk), proofOfPossession(key, d.network.domain, deployerAddress), nodeParams(key), []);
      await expect(tx).to.emit(d.factory, "NewServiceNodeContributionContract").withArgs(ethers.isAddress, key.ed25519, deployerAddress);
    });

    it("checks fee, proof of possession and Ed25519 key at creation", async () => {
      const d = await loadFixture(fixture);
      const [op, other] = d.accounts;
      const { args } = deployArgs(d, op);
      await expect(d.factory.connect(op).deploy(args[0], args[1], { ...args[2], fee: 10_001 }, [], false))
        .to.be.revertedWithCustomError(d.implementation, "InvalidFee")
        .withArgs(10_001);
      await expect(d.factory.connect(op).deploy(args[0], args[1], { ...args[2], fee: 10_000 }, [], false)).to.emit(d.factory, "NewServiceNodeContributionContract");
      // The PoP binds the operator: someone else cannot open a pool with this key and proof.
      await expect(d.factory.connect(other).deploy(...args)).to.be.revertedWithCustomError(d.implementation, "InvalidProofOfPossession");
      // ... and the Ed25519 key.
      await expect(d.factory.connect(op).deploy(args[0], args[1], { ...args[2], ed25519Pubkey: 5n }, [], false)).to.be.revertedWithCustomError(d.implementation, "InvalidProofOfPossession");
      await expect(d.factory.connect(op).deploy(args[0], args[1], { ...args[2], ed25519Pubkey: 0n }, [], false)).to.be.revertedWithCustomError(d.implementation, "NullEd25519Pubkey");
    });

    it("validates reservations at creation", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b] = d.accounts;
      const deployWith = (reserved: { addr: string; amount: bigint }[]) => {
        const { args } = deployArgs(d, op, { reserved });
        return d.factory.connect(op).deploy(...args);
      };
      const available = STAKING_REQUIREMENT - QUARTER;
      const min1 = ceilDiv(available, 9n);
      // The operator may only come first (its own stake, see ServiceNodeContribution.refClients.test.ts).
      await expect(deployWith([{ addr: a.address, amount: min1 }, { addr: op.address, amount: min1 }])).to.be.revertedWithCustomError(d.implementation, "InvalidReservation").withArgs(1);
      await expect(deployWith([{ addr: ZERO, amount: min1 }])).to.be.revertedWithCustomError(d.implementation, "InvalidReservation").withArgs(0);
      await expect(deployWith([{ addr: a.address, amount: 0n }])).to.be.revertedWithCustomError(d.implementation, "InvalidReservation").withArgs(0);
      await expect(deployWith([{ addr: a.address, amount: min1 }, { addr: a.address, amount: min1 }])).to.be.revertedWithCustomError(d.implementation, "InvalidReservation").withArgs(1);
      await expect(deployWith([{ addr: a.address, amount: min1 - 1n }]))
        .to.be.revertedWithCustomError(d.implementation, "ReservationBelowMinimum")
        .withArgs(0, min1 - 1n, min1);
      await expect(deployWith([{ addr: a.address, amount: available + 1n }]))
        .to.be.revertedWithCustomError(d.implementation, "ReservationExceedsRequirement")
        .withArgs(0, available + 1n, available);
      const ten = d.accounts.slice(1, 11).map((s) => ({ addr: s.address, amount: SESH_UNIT }));
      await expect(deployWith(ten)).to.be.revertedWithCustomError(d.implementation, "TooManyReservations").withArgs(10, 10);
      const { pool } = await openPool(d, op, { reserved: [{ addr: a.address, amount: 10_000n * SESH_UNIT }, { addr: b.address, amount: 5_000n * SESH_UNIT }] });
      expect((await pool.getReservations()).map((r) => [r.addr, r.amount])).to.deep.equal([
        [a.address, 10_000n * SESH_UNIT],
        [b.address, 5_000n * SESH_UNIT],
      ]);
      expect(await pool.totalReservedContribution()).to.equal(15_000n * SESH_UNIT);
      expect(await pool.contributorSlots()).to.equal(3n);
    });

    it("is pausable, owner-administered, upgradeable only by the owner, and cannot be renounced", async () => {
      const d = await loadFixture(fixture);
      const [op, stranger] = d.accounts;
      await expect(d.factory.connect(stranger).pause()).to.be.revertedWithCustomError(d.factory, "OwnableUnauthorizedAccount");
      await d.factory.pause();
      const { args } = deployArgs(d, op);
      await expect(d.factory.connect(op).deploy(...args)).to.be.revertedWithCustomError(d.factory, "EnforcedPause");
      await expect(d.factory.connect(stranger).unpause()).to.be.revertedWithCustomError(d.factory, "OwnableUnauthorizedAccount");
      await d.factory.unpause();
      await expect(d.factory.connect(op).deploy(...args)).to.emit(d.factory, "NewServiceNodeContributionContract");
      await expect(d.factory.renounceOwnership()).to.be.revertedWithCustomError(d.factory, "RenounceOwnershipDisabled");
      await expect(d.factory.connect(stranger).renounceOwnership()).to.be.revertedWithCustomError(d.factory, "OwnableUnauthorizedAccount");
      await expect(d.factory.initialize(stranger.address)).to.be.revertedWithCustomError(d.factory, "InvalidInitialization");

      const newImpl = await ethers.deployContract("ServiceNodeContributionFactory", [d.address]);
      await expect(d.factory.connect(stranger).upgradeToAndCall(await newImpl.getAddress(), "0x")).to.be.revertedWithCustomError(d.factory, "OwnableUnauthorizedAccount");
      await d.factory.upgradeToAndCall(await newImpl.getAddress(), "0x");
      expect(await d.factory.implementation()).to.equal(await d.implementation.getAddress());
      await expect(newImpl.initialize(stranger.address)).to.be.revertedWithCustomError(d.factory, "InvalidInitialization");

      // Two-step ownership transfer.
      await d.factory.transferOwnership(stranger.address);
      expect(await d.factory.owner()).to.equal(d.owner.address);
      await d.factory.connect(stranger).acceptOwnership();
      expect(await d.factory.owner()).to.equal(stranger.address);
    });

    it("accepts only implementations made for this factory and registry", async () => {
      const d = await loadFixture(fixture);
      const [, stranger] = d.accounts;
      await expect(d.factory.connect(stranger).setImplementation(await d.implementation.getAddress())).to.be.revertedWithCustomError(d.factory, "OwnableUnauthorizedAccount");
      const foreign = await ethers.deployContract("ServiceNodeContribution", [d.address, stranger.address]);
      await expect(d.factory.setImplementation(await foreign.getAddress())).to.be.revertedWithCustomError(d.factory, "InvalidImplementation");
      await expect(d.factory.setImplementation(stranger.address)).to.be.revertedWithCustomError(d.factory, "InvalidImplementation");
      const next = await ethers.deployContract("ServiceNodeContribution", [d.address, await d.factory.getAddress()]);
      await expect(d.factory.setImplementation(await next.getAddress())).to.emit(d.factory, "ImplementationUpdated").withArgs(await next.getAddress());
      // A fresh factory has no implementation yet.
      const impl = await ethers.deployContract("ServiceNodeContributionFactory", [d.address]);
      const proxy = await ethers.deployContract("ERC1967Proxy", [await impl.getAddress(), impl.interface.encodeFunctionData("initialize", [d.owner.address])]);
      const bare = await ethers.getContractAt("ServiceNodeContributionFactory", await proxy.getAddress());
      const { args } = deployArgs(d, d.accounts[0]);
      await expect(bare.connect(d.accounts[0]).deploy(...args)).to.be.revertedWithCustomError(bare, "ImplementationNotSet");
    });

    it("audit: a pool created outside the factory cannot be initialised and is not owned", async () => {
      const d = await loadFixture(fixture);
      const [op] = d.accounts;
      // The implementation is marked initialised and only the factory may initialise.
      await expect(d.implementation.initialize(500, [], false)).to.be.revertedWithCustomError(d.implementation, "NotFactory").withArgs(d.owner.address);
      // An EIP-1167 clone of the real implementation made outside the factory cannot be initialised or used.
      const initcode = `0x3d602d80600a3d3981f3363d3d373d3d3d363d73${(await d.implementation.getAddress()).slice(2)}5af43d82803e903d91602b57fd5bf3`;
      const receipt = await (await op.sendTransaction({ data: initcode })).wait();
      const clone = await ethers.getContractAt("ServiceNodeContribution", receipt!.contractAddress!);
      expect(await ethers.provider.getCode(receipt!.contractAddress!)).to.have.length(2 + 90);
      await expect(clone.connect(op).initialize(500, [], false)).to.be.revertedWithCustomError(clone, "NotFactory").withArgs(op.address);
      await expect(clone.connect(op)["contributeFunds(uint256,address)"](QUARTER, ZERO)).to.be.revertedWithCustomError(clone, "WaitingForOperatorContribution");
      expect(await d.factory.owns(await clone.getAddress())).to.equal(false);
      const rogue = await ethers.deployContract("ServiceNodeContribution", [d.address, op.address]);
      await expect(rogue.connect(op).initialize(500, [], false)).to.be.revertedWithCustomError(rogue, "AlreadyInitialized");
      expect(await d.factory.owns(await rogue.getAddress())).to.equal(false);
      // The rogue implementation cannot take contributions either.
      await expect(rogue.connect(op)["contributeFunds(uint256,address)"](QUARTER, ZERO)).to.be.revertedWithCustomError(rogue, "InvalidStatus").withArgs(Status.Finalized);
    });
  });

  describe("contributions", () => {
    it("requires the operator first, with at least a quarter, and opens the pool", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const { pool, key } = await openPool(d, op, { fee: 700 });
      await d.token.connect(a).approve(await pool.getAddress(), STAKING_REQUIREMENT);
      await expect(pool.connect(a)["contributeFunds(uint256,address)"](QUARTER, ZERO)).to.be.revertedWithCustomError(pool, "WaitingForOperatorContribution");
      await d.token.connect(op).approve(await pool.getAddress(), STAKING_REQUIREMENT);
      await expect(pool.connect(op)["contributeFunds(uint256,address)"](0n, ZERO)).to.be.revertedWithCustomError(pool, "ZeroAmount");
      await expect(pool.connect(op)["contributeFunds(uint256,address)"](QUARTER - 1n, ZERO)).to.be.revertedWithCustomError(pool, "ContributionBelowMinimum").withArgs(QUARTER - 1n, QUARTER);
      expect(await pool.minimumContributionFor(op.address)).to.equal(QUARTER);
      expect(await pool.minimumContributionFor(a.address)).to.equal(0n);
      const before = await balanceOf(d, op.address);
      await expect(pool.connect(op)["contributeFunds(uint256,address)"](QUARTER, a.address))
        .to.emit(pool, "NewContribution")
        .withArgs(op.address, a.address, QUARTER)
        .and.to.emit(pool, "OpenForPublicContribution")
        .withArgs(key.pk.X, op.address, 700);
      expect(await balanceOf(d, op.address)).to.equal(before - QUARTER);
      expect(await pool.status()).to.equal(Status.OpenForPublicContrib);
      expect(await pool.operatorContribution()).to.equal(QUARTER);
      expect(await pool.operatorShare()).to.equal(2_500n);
      expect(await pool.contributionOf(op.address)).to.deep.equal([QUARTER, a.address, BigInt(await time.latest())]);
      await expectPoolAccounting(d, pool);
    });

    it("enforces the public minimum ceil(available / free slots), zero and over-requirement amounts", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b] = d.accounts;
      const { pool } = await openedPool(d, op);
      const min = ceilDiv(STAKING_REQUIREMENT - QUARTER, 9n);
      expect(await pool.minimumContribution()).to.equal(min);
      expect(await pool.minimumContributionFor(a.address)).to.equal(min);
      await d.token.connect(a).approve(await pool.getAddress(), STAKING_REQUIREMENT);
      await expect(pool.connect(a)["contributeFunds(uint256,address)"](min - 1n, ZERO)).to.be.revertedWithCustomError(pool, "ContributionBelowMinimum").withArgs(min - 1n, min);
      await expect(pool.connect(a)["contributeFunds(uint256,address)"](0n, ZERO)).to.be.revertedWithCustomError(pool, "ZeroAmount");
      const available = STAKING_REQUIREMENT - QUARTER;
      await expect(pool.connect(a)["contributeFunds(uint256,address)"](available + 1n, ZERO))
        .to.be.revertedWithCustomError(pool, "ContributionExceedsRequirement")
        .withArgs(available + 1n, available);
      await expect(pool.connect(a)["contributeFunds(uint256,address)"](min, b.address)).to.emit(pool, "NewContribution").withArgs(a.address, b.address, min);
      expect(await pool.minimumContribution()).to.equal(ceilDiv(available - min, 8n));
      expect(await pool.minimumContributionFor(a.address)).to.equal(1n); // a top-up
      expect(await pool.calcMinimumContribution(100n, 0n, 10n)).to.equal(25n);
      await expect(pool.calcMinimumContribution(100n, 10n, 10n)).to.be.revertedWithCustomError(pool, "ContributorsFull").withArgs(10n);
      await expectPoolAccounting(d, pool);
    });

    it("audit: tiny contributions cannot exhaust the slots — minimum-sized contributors always fill exactly", async () => {
      const d = await loadFixture(fixture);
      const [op, ...rest] = d.accounts;
      const { pool } = await openedPool(d, op);
      for (let i = 0; i < 9; i++) {
        const min = await pool.minimumContribution();
        const available = STAKING_REQUIREMENT - (await pool.totalContribution());
        expect(min).to.equal(ceilDiv(available, BigInt(9 - i)));
        await contribute(d, pool, rest[i], min);
      }
      expect(await pool.contributorSlots()).to.equal(10n);
      expect(await pool.totalContribution()).to.equal(STAKING_REQUIREMENT);
      expect(await pool.status()).to.equal(Status.WaitForFinalized);
      await d.token.connect(rest[9]).approve(await pool.getAddress(), SESH_UNIT);
      await expect(pool.connect(rest[9])["contributeFunds(uint256,address)"](SESH_UNIT, ZERO)).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.WaitForFinalized);
      expect(await pool.minimumContribution()).to.equal(0n);
    });

    it("counts unfilled reservations as stake and slots; reserved contributors pay at least their reservation", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b, c] = d.accounts;
      const ra = 9_000n * SESH_UNIT;
      const rb = 3_000n * SESH_UNIT;
      const { pool } = await openPool(d, op, { manualFinalize: true, reserved: [{ addr: a.address, amount: ra }, { addr: b.address, amount: rb }] });
      await contribute(d, pool, op, QUARTER);
      const available = STAKING_REQUIREMENT - QUARTER - ra - rb;
      expect(await pool.minimumContribution()).to.equal(ceilDiv(available, 7n));
      expect(await pool.minimumContributionFor(a.address)).to.equal(ra);
      await d.token.connect(a).approve(await pool.getAddress(), STAKING_REQUIREMENT);
      // audit: a reserved contributor paying less than reserved.
      await expect(pool.connect(a)["contributeFunds(uint256,address)"](ra - 1n, ZERO)).to.be.revertedWithCustomError(pool, "ContributionBelowReservation").withArgs(ra - 1n, ra);
      // It may pay more: its reservation plus what is free.
      await expect(pool.connect(a)["contributeFunds(uint256,address)"](ra + available + 1n, ZERO))
        .to.be.revertedWithCustomError(pool, "ContributionExceedsRequirement")
        .withArgs(ra + available + 1n, ra + available);
      await pool.connect(a)["contributeFunds(uint256,address)"](ra + SESH_UNIT, ZERO);
      expect(await pool.totalReservedContribution()).to.equal(rb);
      expect((await pool.getReservations()).map((r) => r.addr)).to.deep.equal([b.address]);
      expect(await pool.contributorSlots()).to.equal(3n);
      // A public contributor cannot take b's reserved stake.
      const free = STAKING_REQUIREMENT - QUARTER - ra - SESH_UNIT - rb;
      await d.token.connect(c).approve(await pool.getAddress(), STAKING_REQUIREMENT);
      await expect(pool.connect(c)["contributeFunds(uint256,address)"](free + 1n, ZERO)).to.be.revertedWithCustomError(pool, "ContributionExceedsRequirement").withArgs(free + 1n, free);
      await pool.connect(c)["contributeFunds(uint256,address)"](free, ZERO);
      await contribute(d, pool, b, rb);
      expect(await pool.status()).to.equal(Status.WaitForFinalized);
      await expectPoolAccounting(d, pool);
    });

    it("allows top-ups and restarts the withdrawal delay", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const { pool } = await openedPool(d, op);
      const min = await pool.minimumContribution();
      await contribute(d, pool, a, min);
      await time.increase(DAY);
      await expect(contribute(d, pool, a, 1n)).to.emit(pool, "NewContribution").withArgs(a.address, a.address, 1n);
      const toppedAt = BigInt(await time.latest());
      expect(await pool.contributionOf(a.address)).to.deep.equal([min + 1n, a.address, toppedAt]);
      await expect(pool.connect(a).withdrawContribution()).to.be.revertedWithCustomError(pool, "WithdrawalTooEarly").withArgs(toppedAt + DAY);
      await expect(contribute(d, pool, op, 5n)).to.emit(pool, "NewContribution").withArgs(op.address, op.address, 5n);
      expect(await pool.operatorContribution()).to.equal(QUARTER + 5n);
      await expectPoolAccounting(d, pool);
    });

    it("contributeFundsWithPermit joins in one transaction, survives a front-run permit, fails without allowance", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b] = d.accounts;
      const { pool } = await openedPool(d, op);
      const poolAddress = await pool.getAddress();
      const amount = 2_500n * SESH_UNIT;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const permit = await signPermit(d, a, poolAddress, amount, deadline);
      expect(await d.token.allowance(a.address, poolAddress)).to.equal(0n);
      await expect(pool.connect(a).contributeFundsWithPermit(amount, ZERO, 0n, deadline, permit.v, permit.r, permit.s))
        .to.emit(pool, "NewContribution")
        .withArgs(a.address, a.address, amount);
      expect(await d.token.allowance(a.address, poolAddress)).to.equal(0n);
      // Front-run: someone submits b's permit first; b's contribution still goes through.
      const permitB = await signPermit(d, b, poolAddress, amount, deadline);
      await d.token.permit(b.address, poolAddress, amount, deadline, permitB.v, permitB.r, permitB.s);
      await expect(pool.connect(b).contributeFundsWithPermit(amount, ZERO, 0n, deadline, permitB.v, permitB.r, permitB.s)).to.emit(pool, "NewContribution");
      // A bad permit and no allowance: the token's allowance error.
      const [, , , c] = d.accounts;
      await expect(pool.connect(c).contributeFundsWithPermit(amount, ZERO, 0n, deadline, permit.v, permit.r, permit.s)).to.be.revertedWithCustomError(d.token, "ERC20InsufficientAllowance");
      await expectPoolAccounting(d, pool);
    });
  });

  describe("terms epoch (issue 16 hole 4: a contribution in flight cannot be captured)", () => {
    it("adversarial: reset + 100 % fee + re-contribute just before a contribution lands — the contribution reverts", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const { pool } = await openedPool(d, op, false);
      const poolAddress = await pool.getAddress();
      // What the contributor saw: fee 5 %, epoch 0.
      const seenEpoch = await pool.epoch();
      const [, , seenParams] = await pool.registration();
      expect([seenEpoch, seenParams.fee]).to.deep.equal([0n, 500n]);
      const amount = 5_000n * SESH_UNIT;
      await d.token.connect(a).approve(poolAddress, amount);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const permit = await signPermit(d, a, poolAddress, amount, deadline);

      // The operator front-runs: reset (refund), fee 100 %, its quarter again — one transaction.
      await d.token.connect(op).approve(poolAddress, QUARTER);
      await pool.connect(op).resetUpdateFeeReservedAndContribute(10_000, [], QUARTER, ZERO);
      const changedAt = BigInt(await time.latest());
      expect(await pool.epoch()).to.equal(2n); // PoolReset + FeeUpdated
      const before = await balanceOf(d, a.address);

      await expect(pool.connect(a)["contributeFunds(uint256,address,uint256)"](amount, ZERO, seenEpoch))
        .to.be.revertedWithCustomError(pool, "PoolEpochChanged")
        .withArgs(seenEpoch, 2n);
      await expect(pool.connect(a).contributeFundsWithPermit(amount, ZERO, seenEpoch, deadline, permit.v, permit.r, permit.s))
        .to.be.revertedWithCustomError(pool, "PoolEpochChanged")
        .withArgs(seenEpoch, 2n);
      // The reference's 2-argument ABI states nothing, so it waits out the settle delay after a change.
      await expect(pool.connect(a)["contributeFunds(uint256,address)"](amount, ZERO))
        .to.be.revertedWithCustomError(pool, "PoolTermsRecentlyChanged")
        .withArgs(changedAt, changedAt + 3_600n);
      expect(await balanceOf(d, a.address)).to.equal(before);
      expect(await pool.totalContribution()).to.equal(QUARTER);

      // Having read the new terms, the contributor may still join on them (stating the new epoch)...
      await expect(pool.connect(a)["contributeFunds(uint256,address,uint256)"](amount, ZERO, 2n)).to.emit(pool, "NewContribution").withArgs(a.address, a.address, amount);
      // ... and the 2-argument form works again once the delay has passed.
      const b = d.accounts[2];
      await d.token.connect(b).approve(poolAddress, amount);
      await time.setNextBlockTimestamp(changedAt + 3_599n);
      await expect(pool.connect(b)["contributeFunds(uint256,address)"](amount, ZERO)).to.be.revertedWithCustomError(pool, "PoolTermsRecentlyChanged");
      await expect(pool.connect(b)["contributeFunds(uint256,address)"](amount, ZERO)).to.emit(pool, "NewContribution");
      await expectPoolAccounting(d, pool);
    });

    it("changes once per reset, fee change, key update and reservation change — never on anything else", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b] = d.accounts;
      const { pool } = await openPool(d, op, { manualFinalize: true });
      expect(await pool.epoch()).to.equal(0n);
      await pool.connect(op).updateManualFinalize(false);
      expect(await pool.epoch()).to.equal(0n);
      await pool.connect(op).updateFee(700);
      expect(await pool.epoch()).to.equal(1n);
      const key2 = freshKey();
      await pool.connect(op).updatePubkeys(g1(key2.pk), proofOfPossession(key2, d.network.domain, op.address as `0x${string}`), key2.ed25519, 1n, 2n);
      expect(await pool.epoch()).to.equal(2n);
      await pool.connect(op).updateReservedContributors([{ addr: a.address, amount: 5_000n * SESH_UNIT }]);
      expect(await pool.epoch()).to.equal(3n);
      await pool.connect(op).updateReservedContributors([]);
      expect(await pool.epoch()).to.equal(4n);
      // The operator's own contributions, others' contributions and beneficiary changes leave it alone.
      await contribute(d, pool, op, QUARTER);
      await contribute(d, pool, b, 2_500n * SESH_UNIT);
      await pool.connect(b).updateBeneficiary(a.address);
      expect(await pool.epoch()).to.equal(4n);
      await pool.connect(op).reset();
      expect(await pool.epoch()).to.equal(5n);
      // reset + keys + fee + reservations: four changes.
      await pool
        .connect(op)
        .resetUpdateAndContribute(g1(key2.pk), proofOfPossession(key2, d.network.domain, op.address as `0x${string}`), nodeParams(key2, 42), [{ addr: a.address, amount: 5_000n * SESH_UNIT }], 0n, ZERO);
      expect(await pool.epoch()).to.equal(9n);
      // The operator never waits for its own change, even through the 2-argument form.
      await d.token.connect(op).approve(await pool.getAddress(), QUARTER);
      await expect(pool.connect(op)["contributeFunds(uint256,address)"](QUARTER, ZERO)).to.emit(pool, "OpenForPublicContribution");
    });
  });

  describe("beneficiaries", () => {
    it("are set on contribution, updatable only while open or filled, and registered", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b, benA, benB] = d.accounts;
      const { pool } = await openPool(d, op, { manualFinalize: true });
      await expect(pool.connect(op).updateBeneficiary(benA.address)).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.WaitForOperatorContrib);
      await contribute(d, pool, op, QUARTER);
      await expect(pool.connect(a).updateBeneficiary(benA.address)).to.be.revertedWithCustomError(pool, "NotContributor").withArgs(a.address);
      await contribute(d, pool, a, QUARTER, benB.address);
      await expect(pool.connect(a).updateBeneficiary(benA.address)).to.emit(pool, "BeneficiaryUpdated").withArgs(a.address, benA.address);
      await contribute(d, pool, b, STAKING_REQUIREMENT - 2n * QUARTER, benB.address);
      expect(await pool.status()).to.equal(Status.WaitForFinalized);
      // Filled: still updatable. Zero means the contributor itself.
      await expect(pool.connect(b).updateBeneficiary(ZERO)).to.emit(pool, "BeneficiaryUpdated").withArgs(b.address, b.address);
      await pool.connect(b).updateBeneficiary(benB.address);
      const [list] = await pool.getContributors();
      expect(list.map((c) => [c.staker.addr, c.staker.beneficiary, c.stakedAmount])).to.deep.equal([
        [op.address, op.address, QUARTER],
        [a.address, benA.address, QUARTER],
        [b.address, benB.address, STAKING_REQUIREMENT - 2n * QUARTER],
      ]);
      await expect(pool.connect(op).finalize())
        .to.emit(d.snr, "NewServiceNodeV2")
        .withArgs(anyValue, await pool.getAddress(), anyValue, anyValue, [
          [[op.address, op.address], QUARTER],
          [[a.address, benA.address], QUARTER],
          [[b.address, benB.address], STAKING_REQUIREMENT - 2n * QUARTER],
        ]);
      // audit: no beneficiary change after finalize (the registry holds the list).
      await expect(pool.connect(a).updateBeneficiary(a.address)).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.Finalized);
    });
  });

  describe("finalize", () => {
    it("auto-finalizes on the last contribution: registers with the operator as contributor 0 and moves the stake", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b] = d.accounts;
      const { pool, key } = await openPool(d, op);
      await contribute(d, pool, op, QUARTER);
      await contribute(d, pool, a, QUARTER);
      const registryBefore = await balanceOf(d, d.address);
      const id = await d.snr.nextServiceNodeID();
      const last = STAKING_REQUIREMENT - 2n * QUARTER;
      await expect(contribute(d, pool, b, last))
        .to.emit(pool, "Filled")
        .withArgs(key.pk.X, op.address)
        .and.to.emit(pool, "Finalized")
        .withArgs(key.pk.X)
        .and.to.emit(d.snr, "NewServiceNodeV2");
      expect(await pool.status()).to.equal(Status.Finalized);
      expect(await balanceOf(d, pool)).to.equal(0n);
      expect(await balanceOf(d, d.address)).to.equal(registryBefore + STAKING_REQUIREMENT);
      expect(await d.token.allowance(await pool.getAddress(), d.address)).to.equal(0n);
      const node = await d.snr.serviceNodes(id);
      expect(node.operator).to.equal(op.address);
      expect([node.pubkey.X, node.pubkey.Y]).to.deep.equal([key.pk.X, key.pk.Y]);
      expect(node.contributorsHash).to.equal(
        ethers.keccak256(
          ethers.AbiCoder.defaultAbiCoder().encode(
            ["tuple(tuple(address,address),uint256)[]"],
            [[[[op.address, op.address], QUARTER], [[a.address, a.address], QUARTER], [[b.address, b.address], last]]],
          ),
        ),
      );
      // Views keep the record after finalize.
      expect(await pool.totalContribution()).to.equal(STAKING_REQUIREMENT);
      await expect(pool.connect(op).finalize()).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.Finalized);
      await expect(pool.connect(a).withdrawContribution()).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.Finalized);
      await expect(pool.connect(op).withdrawContribution()).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.Finalized);
      await expect(contribute(d, pool, a, 1n)).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.Finalized);
    });

    it("manual finalize: only the operator, only when filled; the flag can be switched before finalize", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const { pool } = await openedPool(d, op, true);
      await expect(pool.connect(op).finalize()).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.OpenForPublicContrib);
      await expect(pool.connect(a).updateManualFinalize(false)).to.be.revertedWithCustomError(pool, "NotOperator").withArgs(a.address);
      await contribute(d, pool, a, STAKING_REQUIREMENT - QUARTER);
      expect(await pool.status()).to.equal(Status.WaitForFinalized);
      await expect(pool.connect(a).finalize()).to.be.revertedWithCustomError(pool, "NotOperator").withArgs(a.address);
      await expect(pool.connect(op).updateManualFinalize(false)).to.emit(pool, "ManualFinalizeUpdated").withArgs(false);
      expect(await pool.status()).to.equal(Status.WaitForFinalized);
      await expect(pool.connect(op).finalize()).to.emit(d.snr, "NewServiceNodeV2");
      await expect(pool.connect(op).updateManualFinalize(true)).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.Finalized);
    });

    it("a registry rejection reverts the filling contribution atomically (key already registered)", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const key = freshKey();
      const { pool: first } = await openPool(d, op, { key });
      const { pool: second } = await openPool(d, op, { key });
      await contribute(d, first, op, STAKING_REQUIREMENT);
      expect(await first.status()).to.equal(Status.Finalized);
      await contribute(d, second, op, QUARTER);
      await d.token.connect(a).approve(await second.getAddress(), STAKING_REQUIREMENT);
      await expect(second.connect(a)["contributeFunds(uint256,address)"](STAKING_REQUIREMENT - QUARTER, ZERO)).to.be.revertedWithCustomError(d.snr, "BLSPubkeyAlreadyExists");
      expect(await second.status()).to.equal(Status.OpenForPublicContrib);
    });
  });

  describe("withdraw and reset", () => {
    it("a contributor withdraws only a day after its last contribution; its slot frees", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b, stranger] = d.accounts;
      const { pool } = await openedPool(d, op);
      await contribute(d, pool, a, 2_500n * SESH_UNIT, stranger.address);
      await contribute(d, pool, b, 3_000n * SESH_UNIT);
      const paidAt = BigInt(await time.latest());
      // A non-contributor's withdrawal changes nothing and does not revert (as the reference).
      await expect(pool.connect(stranger).withdrawContribution()).not.to.emit(pool, "WithdrawContribution");
      await expect(pool.connect(b).withdrawContribution()).to.be.revertedWithCustomError(pool, "WithdrawalTooEarly").withArgs(paidAt + DAY);
      await time.increase(DAY);
      const before = await balanceOf(d, a.address);
      await expect(pool.connect(a).withdrawContribution()).to.emit(pool, "WithdrawContribution").withArgs(a.address, 2_500n * SESH_UNIT);
      expect(await balanceOf(d, a.address)).to.equal(before + 2_500n * SESH_UNIT);
      expect(await pool.contributorSlots()).to.equal(2n);
      // b moved into a's slot and kept its own beneficiary; a's custom beneficiary is gone.
      const [list] = await pool.getContributors();
      expect(list.map((c) => [c.staker.addr, c.staker.beneficiary])).to.deep.equal([
        [op.address, op.address],
        [b.address, b.address],
      ]);
      expect(await pool.contributionOf(a.address)).to.deep.equal([0n, ZERO, 0n]);
      await expect(pool.connect(a).withdrawContribution()).not.to.emit(pool, "WithdrawContribution");
      expect(await balanceOf(d, a.address)).to.equal(before + 2_500n * SESH_UNIT);
      await expectPoolAccounting(d, pool);
    });

    it("a withdrawal keeps the custom beneficiary of the contributor moved into the freed slot", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b, benB] = d.accounts;
      const { pool } = await openedPool(d, op);
      await contribute(d, pool, a, 2_500n * SESH_UNIT);
      await contribute(d, pool, b, 3_000n * SESH_UNIT, benB.address);
      await time.increase(DAY);
      await pool.connect(a).withdrawContribution();
      expect((await pool.contributionOf(b.address))[1]).to.equal(benB.address);
      const [list] = await pool.getContributors();
      expect(list[1].staker.beneficiary).to.equal(benB.address);
    });

    it("audit: a withdrawal from a filled pool re-opens it instead of leaving it stuck in WaitForFinalized", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b] = d.accounts;
      const { pool } = await openedPool(d, op, true);
      await contribute(d, pool, a, STAKING_REQUIREMENT - QUARTER);
      expect(await pool.status()).to.equal(Status.WaitForFinalized);
      await time.increase(DAY);
      await pool.connect(a).withdrawContribution();
      expect(await pool.status()).to.equal(Status.OpenForPublicContrib);
      await contribute(d, pool, b, STAKING_REQUIREMENT - QUARTER);
      expect(await pool.status()).to.equal(Status.WaitForFinalized);
      await expect(pool.connect(op).finalize()).to.emit(d.snr, "NewServiceNodeV2");
    });

    it("the operator withdrawing refunds everyone and resets; reservations are dropped", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b, c] = d.accounts;
      const { pool } = await openPool(d, op, { reserved: [{ addr: c.address, amount: 3_000n * SESH_UNIT }] });
      await contribute(d, pool, op, QUARTER);
      await contribute(d, pool, a, 2_500n * SESH_UNIT, b.address);
      await contribute(d, pool, b, 3_000n * SESH_UNIT);
      const balances = await Promise.all([op, a, b].map((s) => balanceOf(d, s.address)));
      const tx = pool.connect(op).withdrawContribution();
      await expect(tx)
        .to.emit(pool, "PoolReset")
        .withArgs(STAKING_REQUIREMENT, 10n)
        .and.to.emit(pool, "WithdrawContribution")
        .withArgs(a.address, 2_500n * SESH_UNIT);
      expect(await balanceOf(d, op.address)).to.equal(balances[0] + QUARTER);
      expect(await balanceOf(d, a.address)).to.equal(balances[1] + 2_500n * SESH_UNIT);
      expect(await balanceOf(d, b.address)).to.equal(balances[2] + 3_000n * SESH_UNIT);
      expect(await balanceOf(d, pool)).to.equal(0n);
      expect(await pool.status()).to.equal(Status.WaitForOperatorContrib);
      expect(await pool.contributorSlots()).to.equal(1n);
      expect(await pool.totalContribution()).to.equal(0n);
      expect(await pool.totalReservedContribution()).to.equal(0n);
      expect(await pool.getReservations()).to.deep.equal([]);
      expect((await pool.getContributors())[0]).to.deep.equal([]);
      expect(await pool.operatorContribution()).to.equal(0n);
      // Works again from the start; the old custom beneficiary does not linger.
      await contribute(d, pool, op, QUARTER);
      await contribute(d, pool, b, 2_500n * SESH_UNIT);
      expect(await pool.contributionOf(b.address)).to.deep.equal([2_500n * SESH_UNIT, b.address, BigInt(await time.latest())]);
    });

    it("reset is operator-only, works in every state, and refunds nothing after finalize", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const { pool } = await openPool(d, op);
      await expect(pool.connect(a).reset()).to.be.revertedWithCustomError(pool, "NotOperator").withArgs(a.address);
      await expect(pool.connect(op).reset()).to.emit(pool, "PoolReset");
      await contribute(d, pool, op, QUARTER);
      await contribute(d, pool, a, STAKING_REQUIREMENT - QUARTER);
      expect(await pool.status()).to.equal(Status.Finalized);
      const before = await balanceOf(d, a.address);
      await expect(pool.connect(op).reset()).to.emit(pool, "PoolReset").and.not.to.emit(pool, "WithdrawContribution");
      expect(await balanceOf(d, a.address)).to.equal(before);
      expect(await pool.status()).to.equal(Status.WaitForOperatorContrib);
      expect(await pool.totalContribution()).to.equal(0n);
    });
  });

  describe("operator updates", () => {
    it("keys, fee and reservations change only before the operator's first contribution", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b] = d.accounts;
      const { pool } = await openPool(d, op);
      const key2 = freshKey();
      const pop2 = proofOfPossession(key2, d.network.domain, op.address as `0x${string}`);
      await expect(pool.connect(a).updateFee(1)).to.be.revertedWithCustomError(pool, "NotOperator");
      await expect(pool.connect(op).updateFee(10_001)).to.be.revertedWithCustomError(pool, "InvalidFee").withArgs(10_001);
      await expect(pool.connect(op).updateFee(900)).to.emit(pool, "FeeUpdated").withArgs(900);
      await expect(pool.connect(op).updatePubkeys(g1(key2.pk), proofOfPossession(key2, d.network.domain, a.address as `0x${string}`), key2.ed25519, 1n, 2n)).to.be.revertedWithCustomError(pool, "InvalidProofOfPossession");
      await expect(pool.connect(a).updatePubkeys(g1(key2.pk), pop2, key2.ed25519, 1n, 2n)).to.be.revertedWithCustomError(pool, "NotOperator");
      await expect(pool.connect(op).updatePubkeys(g1(key2.pk), pop2, key2.ed25519, 1n, 2n)).to.emit(pool, "PubkeysUpdated").withArgs(key2.pk.X, key2.ed25519);
      const [pk, , params] = await pool.registration();
      expect([pk.X, params.ed25519Pubkey, params.ed25519Signature0, params.ed25519Signature1, params.fee]).to.deep.equal([key2.pk.X, key2.ed25519, 1n, 2n, 900n]);
      await expect(pool.connect(op).updateReservedContributors([{ addr: a.address, amount: 5_000n * SESH_UNIT }])).to.emit(pool, "ReservedContributorsUpdated");
      await pool.connect(op).updateReservedContributors([{ addr: b.address, amount: 4_000n * SESH_UNIT }]);
      expect((await pool.getReservations()).map((r) => [r.addr, r.amount])).to.deep.equal([[b.address, 4_000n * SESH_UNIT]]);
      expect(await pool.totalReservedContribution()).to.equal(4_000n * SESH_UNIT);

      await contribute(d, pool, op, QUARTER);
      await expect(pool.connect(op).updateFee(1)).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.OpenForPublicContrib);
      await expect(pool.connect(op).updatePubkeys(g1(key2.pk), pop2, key2.ed25519, 1n, 2n)).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.OpenForPublicContrib);
      await expect(pool.connect(op).updateReservedContributors([])).to.be.revertedWithCustomError(pool, "InvalidStatus").withArgs(Status.OpenForPublicContrib);
      // The updated key and fee are what gets registered.
      await contribute(d, pool, b, 4_000n * SESH_UNIT);
      const id = await d.snr.nextServiceNodeID();
      await expect(contribute(d, pool, a, STAKING_REQUIREMENT - QUARTER - 4_000n * SESH_UNIT))
        .to.emit(d.snr, "NewServiceNodeV2")
        .withArgs(id, await pool.getAddress(), [key2.pk.X, key2.pk.Y], [key2.ed25519, 1n, 2n, 900n], anyValue);
    });

    it("re-registers after an exit in one transaction (reset + fee + reservations + contribute)", async () => {
      const d = await loadFixture(fixture);
      const [op, a, b] = d.accounts;
      const { pool, key } = await openPool(d, op);
      await contribute(d, pool, op, QUARTER);
      const id = await d.snr.nextServiceNodeID();
      await contribute(d, pool, a, STAKING_REQUIREMENT - QUARTER);
      await d.snr.connect(op)["initiateExitBLSPublicKey(uint64)"](id);
      await time.increase(30n * DAY);
      await d.snr.exitBLSPublicKeyAfterWaitTime(id);
      await d.token.connect(op).approve(await pool.getAddress(), QUARTER);
      const reserved = [{ addr: b.address, amount: 6_000n * SESH_UNIT }];
      await expect(pool.connect(a).resetUpdateFeeReservedAndContribute(300, reserved, QUARTER, ZERO)).to.be.revertedWithCustomError(pool, "NotOperator");
      await expect(pool.connect(op).resetUpdateFeeReservedAndContribute(300, reserved, QUARTER, ZERO))
        .to.emit(pool, "PoolReset")
        .and.to.emit(pool, "OpenForPublicContribution")
        .withArgs(key.pk.X, op.address, 300);
      expect(await pool.status()).to.equal(Status.OpenForPublicContrib);
      expect((await pool.getReservations()).map((r) => r.addr)).to.deep.equal([b.address]);
      await contribute(d, pool, b, 6_000n * SESH_UNIT);
      const id2 = await d.snr.nextServiceNodeID();
      await expect(contribute(d, pool, a, STAKING_REQUIREMENT - QUARTER - 6_000n * SESH_UNIT)).to.emit(d.snr, "NewServiceNodeV2").withArgs(id2, await pool.getAddress(), [key.pk.X, key.pk.Y], [key.ed25519, 11n, 22n, 300n], anyValue);
    });

    it("resetUpdateAndContribute replaces the keys too, and refunds an open pool first", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const { pool } = await openedPool(d, op);
      await contribute(d, pool, a, 2_500n * SESH_UNIT);
      const key2 = freshKey();
      const before = await balanceOf(d, a.address);
      await d.token.connect(op).approve(await pool.getAddress(), QUARTER);
      await pool
        .connect(op)
        .resetUpdateAndContribute(g1(key2.pk), proofOfPossession(key2, d.network.domain, op.address as `0x${string}`), nodeParams(key2, 42), [], QUARTER, a.address);
      expect(await balanceOf(d, a.address)).to.equal(before + 2_500n * SESH_UNIT);
      expect(await pool.contributionOf(op.address)).to.deep.equal([QUARTER, a.address, BigInt(await time.latest())]);
      const [pk, , params] = await pool.registration();
      expect([pk.X, params.fee]).to.deep.equal([key2.pk.X, 42n]);
      await expectPoolAccounting(d, pool);
      // Zero amount: reset and update only.
      await pool.connect(op).resetUpdateAndContribute(g1(key2.pk), proofOfPossession(key2, d.network.domain, op.address as `0x${string}`), nodeParams(key2, 43), [], 0n, ZERO);
      expect(await pool.status()).to.equal(Status.WaitForOperatorContrib);
    });
  });

  describe("registry parameter changes", () => {
    it("contributions revert with StakingRequirementChanged / MaxContributorsChanged until the operator resets", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const { pool } = await openedPool(d, op);
      await d.token.connect(a).approve(await pool.getAddress(), STAKING_REQUIREMENT);
      const newRequirement = 20_000n * SESH_UNIT;
      await d.snr.setStakingRequirement(newRequirement);
      await expect(pool.connect(a)["contributeFunds(uint256,address)"](5_000n * SESH_UNIT, ZERO))
        .to.be.revertedWithCustomError(pool, "StakingRequirementChanged")
        .withArgs(STAKING_REQUIREMENT, newRequirement);
      await d.snr.setStakingRequirement(STAKING_REQUIREMENT);
      await d.snr.setMaxContributors(5);
      await expect(pool.connect(a)["contributeFunds(uint256,address)"](5_000n * SESH_UNIT, ZERO)).to.be.revertedWithCustomError(pool, "MaxContributorsChanged").withArgs(10n, 5n);
      await d.snr.setStakingRequirement(newRequirement);
      await expect(pool.connect(op).reset()).to.emit(pool, "PoolReset").withArgs(newRequirement, 5n);
      expect(await pool.stakingRequirement()).to.equal(newRequirement);
      await contribute(d, pool, op, newRequirement / 4n);
      expect(await pool.minimumContribution()).to.equal(ceilDiv(newRequirement - newRequirement / 4n, 4n));
      await contribute(d, pool, a, newRequirement - newRequirement / 4n);
      expect(await pool.status()).to.equal(Status.WaitForFinalized);
      await expect(pool.connect(op).finalize()).to.emit(d.snr, "NewServiceNodeV2");
    });
  });

  describe("registry change after the pool filled (manual finalize)", () => {
    it("the registry rejects the stale list with its own error; the operator resets and refunds", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const { pool } = await openedPool(d, op, true);
      await contribute(d, pool, a, STAKING_REQUIREMENT - QUARTER);
      const lower = 20_000n * SESH_UNIT;
      await d.snr.setStakingRequirement(lower);
      await expect(pool.connect(op).finalize()).to.be.revertedWithCustomError(d.snr, "ContributionTotalMismatch").withArgs(lower, STAKING_REQUIREMENT);
      expect(await pool.status()).to.equal(Status.WaitForFinalized);
      const before = await balanceOf(d, a.address);
      await expect(pool.connect(op).reset()).to.emit(pool, "PoolReset").withArgs(lower, 10n);
      expect(await balanceOf(d, a.address)).to.equal(before + STAKING_REQUIREMENT - QUARTER);
    });
  });

  describe("registry requirement beyond 64 bits", () => {
    it("rejects new pools, and never blocks an open pool's refunds", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const { pool } = await openedPool(d, op);
      await contribute(d, pool, a, 2_500n * SESH_UNIT);
      const huge = 2n ** 64n;
      await d.snr.setStakingRequirement(huge);
      const { args } = deployArgs(d, op);
      await expect(d.factory.connect(op).deploy(...args)).to.be.revertedWithCustomError(d.implementation, "UnsupportedStakingRequirement").withArgs(huge);
      await d.token.connect(a).approve(await pool.getAddress(), SESH_UNIT);
      await expect(pool.connect(a)["contributeFunds(uint256,address)"](SESH_UNIT, ZERO)).to.be.revertedWithCustomError(pool, "StakingRequirementChanged").withArgs(STAKING_REQUIREMENT, huge);
      const before = await balanceOf(d, a.address);
      await expect(pool.connect(op).reset()).to.emit(pool, "PoolReset").withArgs(2n ** 64n - 1n, 10n);
      expect(await balanceOf(d, a.address)).to.equal(before + 2_500n * SESH_UNIT);
      expect(await balanceOf(d, pool)).to.equal(0n);
    });
  });

  describe("rescue and re-entrancy", () => {
    it("rescues stray tokens but never contributors' SESH", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const { pool } = await openedPool(d, op);
      const poolAddress = await pool.getAddress();
      await expect(pool.connect(op).rescueERC20(await d.token.getAddress())).to.be.revertedWithCustomError(pool, "NothingToRescue");
      await d.token.connect(a).transfer(poolAddress, 7n);
      await expect(pool.connect(a).rescueERC20(await d.token.getAddress())).to.be.revertedWithCustomError(pool, "NotOperator");
      await expect(pool.connect(op).rescueERC20(await d.token.getAddress())).to.emit(pool, "ERC20Rescued").withArgs(await d.token.getAddress(), 7n);
      expect(await balanceOf(d, pool)).to.equal(QUARTER);
      const other = await ethers.deployContract("SESH", [a.address]);
      await other.connect(a).transfer(poolAddress, 99n);
      const before = await other.balanceOf(op.address);
      await pool.connect(op).rescueERC20(await other.getAddress());
      expect(await other.balanceOf(op.address)).to.equal(before + 99n);
      await expect(pool.connect(op).rescueERC20(await other.getAddress())).to.be.revertedWithCustomError(pool, "NothingToRescue");
      // Finalized: any SESH left is stray.
      await contribute(d, pool, a, STAKING_REQUIREMENT - QUARTER);
      await pool.connect(op).finalize();
      await d.token.connect(a).transfer(poolAddress, 5n);
      await expect(pool.connect(op).rescueERC20(await d.token.getAddress())).to.emit(pool, "ERC20Rescued").withArgs(await d.token.getAddress(), 5n);
    });

    it("re-entrancy: a malicious token re-entering during rescue gains nothing; the pool only moves SESH", async () => {
      const d = await loadFixture(fixture);
      const [op, a] = d.accounts;
      const { pool } = await openedPool(d, op);
      const poolAddress = await pool.getAddress();
      await contribute(d, pool, a, 2_500n * SESH_UNIT);
      expect(await pool.token()).to.equal(await d.token.getAddress());
      expect(await pool.registry()).to.equal(d.address);
      const evil = await ethers.deployContract("ReentrantToken");
      await evil.transfer(poolAddress, 1_000n);
      // The token is no contributor: its re-entrant withdrawal is a no-op (as the reference), moving nothing.
      await evil.arm(poolAddress, pool.interface.encodeFunctionData("withdrawContribution"));
      await evil.transfer(poolAddress, 1n);
      await pool.connect(op).rescueERC20(await evil.getAddress());
      expect(await evil.attempted()).to.equal(true);
      expect(await balanceOf(d, pool)).to.equal(QUARTER + 2_500n * SESH_UNIT);
      for (const data of [
        pool.interface.encodeFunctionData("reset"),
        pool.interface.encodeFunctionData("rescueERC20", [await d.token.getAddress()]),
        pool.interface.encodeFunctionData("finalize"),
      ]) {
        await evil.arm(poolAddress, data);
        await evil.transfer(poolAddress, 1n);
        await pool.connect(op).rescueERC20(await evil.getAddress());
        expect(await evil.attempted()).to.equal(true);
        expect(await evil.succeeded()).to.equal(false);
      }
      expect(await balanceOf(d, pool)).to.equal(QUARTER + 2_500n * SESH_UNIT);
      await expectPoolAccounting(d, pool);
    });
  });
});
