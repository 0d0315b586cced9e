/**
 * Issue 18 item 2 (pool and factory parts): the staking portal and its backend drive our factory and pools
 * through the reference's ABI. Every call here goes through an ethers Contract built from signatures written
 * from the facts in REF-CLIENTS.md (selectors checked first), not through our TypeChain bindings.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Contract, Interface, type Signer } from "ethers";
import { g1, proofOfPossession } from "../../helpers/network";
import { SESH_UNIT, STAKING_REQUIREMENT } from "../../helpers/serviceNodeRewards";
import { deployPools, freshKey, type PoolDeployment } from "../../helpers/serviceNodeContribution";

const QUARTER = STAKING_REQUIREMENT / 4n;
const DAY = 86_400n;
const ZERO = ethers.ZeroAddress;

/** The reference factory and pool as the portal and the backend call them. */
const REF_FACTORY_ABI = [
  "function deploy((uint256 X, uint256 Y) key, (uint256 sigs0, uint256 sigs1, uint256 sigs2, uint256 sigs3) sig, (uint256 serviceNodePubkey, uint256 serviceNodeSignature1, uint256 serviceNodeSignature2, uint16 fee) params, (address addr, uint256 amount)[] reserved, bool manualFinalize) returns (address)",
  "event NewServiceNodeContributionContract(address indexed contributorContract, uint256 serviceNodePubkey, address operator)",
];
const REF_POOL_ABI = [
  "function blsPubkey() view returns (uint256 X, uint256 Y)",
  "function serviceNodeParams() view returns ((uint256 serviceNodePubkey, uint256 serviceNodeSignature1, uint256 serviceNodeSignature2, uint16 fee))",
  "function getContributions() view returns (address[] addrs, address[] beneficiaries, uint256[] contribs)",
  "function minimumContribution() view returns (uint256)",
  "function contributeFunds(uint256 amount, address beneficiary)",
  "function withdrawContribution()",
  "function totalReservedContribution() view returns (uint256)",
  "function status() view returns (uint8)",
  "function operator() view returns (address)",
];

const fixture = () => deployPools(3);

const refFactory = (d: PoolDeployment, signer: Signer) => new Contract(d.factory.target as string, REF_FACTORY_ABI, signer);
const refPool = (address: string, signer: Signer) => new Contract(address, REF_POOL_ABI, signer);

/** deploy(...) through the reference ABI, the operator first in the reservations as the portal sends it. */
async function portalDeploy(d: PoolDeployment, op: HardhatEthersSigner, reserved: { addr: string; amount: bigint }[], fee = 500) {
  const key = freshKey("portal");
  const pop = proofOfPossession(key, d.network.domain, op.address as `0x${string}`);
  const args = [
    [key.pk.X, key.pk.Y],
    [pop.sigs0, pop.sigs1, pop.sigs2, pop.sigs3],
    [key.ed25519, 11n, 22n, fee],
    reserved.map((r) => [r.addr, r.amount]),
    false,
  ];
  const factory = refFactory(d, op);
  const tx = await factory.deploy(...args);
  const receipt = await tx.wait();
  const event = receipt.logs.map((l: { topics: string[]; data: string }) => factory.interface.parseLog(l)).find((p: { name: string } | null) => p?.name === "NewServiceNodeContributionContract");
  return { key, args, factory, tx, receipt, event, pool: refPool(event.args.contributorContract as string, op), ours: await ethers.getContractAt("ServiceNodeContribution", event.args.contributorContract as string) };
}

/** approve + the reference's contributeFunds(uint256,address). */
async function portalContribute(d: PoolDeployment, pool: Contract, who: HardhatEthersSigner, amount: bigint) {
  await d.token.connect(who).approve(await pool.getAddress(), amount);
  return (pool.connect(who) as Contract).contributeFunds(amount, ZERO);
}

describe("ServiceNodeContribution through the reference ABI (portal and staking backend)", () => {
  it("the reference selectors and topic are the ones REF-CLIENTS.md lists", () => {
    const factory = new Interface(REF_FACTORY_ABI);
    const pool = new Interface(REF_POOL_ABI);
    expect(factory.getFunction("deploy")!.selector).to.equal("0x8faff862");
    expect(pool.getFunction("blsPubkey")!.selector).to.equal("0x4564168b");
    expect(pool.getFunction("serviceNodeParams")!.selector).to.equal("0x2c7baaf3");
    expect(pool.getFunction("getContributions")!.selector).to.equal("0xdda0a81a");
  });

  it("factory deploy with the operator as reservation 0: its own stake, checked ≥ 25 % (ceil)", async () => {
    const d = await loadFixture(fixture);
    const [op, a, b] = d.accounts;
    const ours = d.implementation;
    const opStake = 10_000n * SESH_UNIT;
    // Below a quarter (rounded up) is refused; so is more than the requirement.
    const requirementOdd = STAKING_REQUIREMENT; // divisible by 4 here: ceil = exact quarter
    await expect(portalDeploy(d, op, [{ addr: op.address, amount: QUARTER - 1n }]))
      .to.be.revertedWithCustomError(ours, "ReservationBelowMinimum")
      .withArgs(0, QUARTER - 1n, (requirementOdd + 3n) / 4n);
    await expect(portalDeploy(d, op, [{ addr: op.address, amount: STAKING_REQUIREMENT + 1n }]))
      .to.be.revertedWithCustomError(ours, "ReservationExceedsRequirement")
      .withArgs(0, STAKING_REQUIREMENT + 1n, STAKING_REQUIREMENT);
    // Other reservations are checked against what the operator's stake leaves.
    await expect(portalDeploy(d, op, [{ addr: op.address, amount: opStake }, { addr: a.address, amount: STAKING_REQUIREMENT - opStake + 1n }]))
      .to.be.revertedWithCustomError(ours, "ReservationExceedsRequirement")
      .withArgs(1, STAKING_REQUIREMENT - opStake + 1n, STAKING_REQUIREMENT - opStake);

    const { pool, ours: p, event } = await portalDeploy(d, op, [
      { addr: op.address, amount: opStake },
      { addr: a.address, amount: 5_000n * SESH_UNIT },
    ]);
    expect(event.args.operator).to.equal(op.address);
    expect(await p.contributorSlots()).to.equal(2n);
    expect(await pool.totalReservedContribution()).to.equal(5_000n * SESH_UNIT); // the operator's own stake is not a reservation for others
    // Before the operator pays: minimumContribution() is the operator's minimum, its reservation.
    expect(await pool.minimumContribution()).to.equal(opStake);
    expect(await p.minimumContributionFor(op.address)).to.equal(opStake);
    expect(await p.operatorContribution()).to.equal(0n);
    // The operator must put in what it reserved.
    await expect(portalContribute(d, pool, op, opStake - 1n)).to.be.revertedWithCustomError(p, "ContributionBelowMinimum").withArgs(opStake - 1n, opStake);
    await expect(portalContribute(d, pool, op, opStake)).to.emit(p, "OpenForPublicContribution");
    expect(await p.operatorContribution()).to.equal(opStake);
    // Public minimum: ceil((25,000 − 10,000 − 5,000) / (10 − 2)).
    expect(await pool.minimumContribution()).to.equal((10_000n * SESH_UNIT + 7n) / 8n);
    await portalContribute(d, pool, a, 5_000n * SESH_UNIT);
    await expect(portalContribute(d, pool, b, 10_000n * SESH_UNIT)).to.emit(d.snr, "NewServiceNodeV2");
    const [addrs, , amounts] = await pool.getContributions();
    expect([...addrs]).to.deep.equal([op.address, a.address, b.address]);
    expect([...amounts]).to.deep.equal([opStake, 5_000n * SESH_UNIT, 10_000n * SESH_UNIT]);
  });

  it("minimumContribution() before the operator's first contribution is ceil(requirement / 4) without a reservation", async () => {
    const d = await loadFixture(fixture);
    const [op] = d.accounts;
    const { pool } = await portalDeploy(d, op, []);
    expect(await pool.minimumContribution()).to.equal((STAKING_REQUIREMENT + 3n) / 4n);
  });

  it("the factory event's serviceNodePubkey is the node's Ed25519 key; blsPubkey() and serviceNodeParams() answer", async () => {
    const d = await loadFixture(fixture);
    const [op] = d.accounts;
    const { key, event, pool } = await portalDeploy(d, op, [], 777);
    expect(event.args.serviceNodePubkey).to.equal(key.ed25519);
    expect(event.args.serviceNodePubkey).not.to.equal(key.pk.X);
    const [X, Y] = await pool.blsPubkey();
    expect([X, Y]).to.deep.equal([key.pk.X, key.pk.Y]);
    const params = await pool.serviceNodeParams();
    expect([params.serviceNodePubkey, params.serviceNodeSignature1, params.serviceNodeSignature2, params.fee]).to.deep.equal([key.ed25519, 11n, 22n, 777n]);
    // After a key update both views follow the new keys.
    const key2 = freshKey("portal-upd");
    const ours = await ethers.getContractAt("ServiceNodeContribution", await pool.getAddress());
    await ours.connect(op).updatePubkeys(g1(key2.pk), proofOfPossession(key2, d.network.domain, op.address as `0x${string}`), key2.ed25519, 3n, 4n);
    expect([...(await pool.blsPubkey())]).to.deep.equal([key2.pk.X, key2.pk.Y]);
    expect((await pool.serviceNodeParams()).serviceNodePubkey).to.equal(key2.ed25519);
  });

  it("getContributions() returns the reference's (addrs, beneficiaries, amounts) of paid contributors, operator first", async () => {
    const d = await loadFixture(fixture);
    const [op, a, b, ben] = d.accounts;
    const { pool, ours } = await portalDeploy(d, op, [{ addr: op.address, amount: QUARTER }, { addr: b.address, amount: 3_000n * SESH_UNIT }]);
    expect(await pool.getContributions()).to.deep.equal([[], [], []]);
    await portalContribute(d, pool, op, QUARTER);
    await d.token.connect(a).approve(await pool.getAddress(), 2_000n * SESH_UNIT);
    await (pool.connect(a) as Contract).contributeFunds(2_000n * SESH_UNIT, ben.address);
    const [addrs, beneficiaries, amounts] = await pool.getContributions();
    // b's unpaid reservation is not a contribution.
    expect([...addrs]).to.deep.equal([op.address, a.address]);
    expect([...beneficiaries]).to.deep.equal([op.address, ben.address]);
    expect([...amounts]).to.deep.equal([QUARTER, 2_000n * SESH_UNIT]);
    // Ours, under another name, carries the times too.
    const [contributors, times] = await ours.getContributors();
    expect(contributors.map((c) => c.stakedAmount)).to.deep.equal([...amounts]);
    expect(times.length).to.equal(2);
  });

  it("withdrawContribution() by a non-contributor is a no-op (no revert, nothing moves), in every state", async () => {
    const d = await loadFixture(fixture);
    const [op, a, stranger] = d.accounts;
    const { pool, ours } = await portalDeploy(d, op, []);
    const poolAddress = await pool.getAddress();
    await expect((pool.connect(stranger) as Contract).withdrawContribution()).not.to.emit(ours, "WithdrawContribution");
    await portalContribute(d, pool, op, QUARTER);
    await portalContribute(d, pool, a, 2_500n * SESH_UNIT);
    const before = [await d.token.balanceOf(stranger.address), await d.token.balanceOf(poolAddress), await ours.totalContribution(), await ours.contributorSlots()];
    await expect((pool.connect(stranger) as Contract).withdrawContribution()).not.to.emit(ours, "WithdrawContribution");
    expect([await d.token.balanceOf(stranger.address), await d.token.balanceOf(poolAddress), await ours.totalContribution(), await ours.contributorSlots()]).to.deep.equal(before);
  });

  it("a reserved contributor who paid and withdrew keeps its reservation (as the reference)", async () => {
    const d = await loadFixture(fixture);
    const [op, a, b, c, stranger] = d.accounts;
    const ra = 6_000n * SESH_UNIT;
    const { pool, ours } = await portalDeploy(d, op, [{ addr: op.address, amount: QUARTER }, { addr: a.address, amount: ra }]);
    await portalContribute(d, pool, op, QUARTER);
    await portalContribute(d, pool, b, 2_000n * SESH_UNIT); // slot 2
    await portalContribute(d, pool, a, ra + 500n * SESH_UNIT); // reserved slot 1, paid above its reservation
    await portalContribute(d, pool, c, 1_500n * SESH_UNIT); // slot 3
    expect(await pool.totalReservedContribution()).to.equal(0n);
    await time.increase(DAY);

    const aBefore = await d.token.balanceOf(a.address);
    await expect((pool.connect(a) as Contract).withdrawContribution()).to.emit(ours, "WithdrawContribution").withArgs(a.address, ra + 500n * SESH_UNIT);
    expect(await d.token.balanceOf(a.address)).to.equal(aBefore + ra + 500n * SESH_UNIT);
    // The slot is a reservation of the original amount again; nobody moved.
    expect(await pool.totalReservedContribution()).to.equal(ra);
    expect(await ours.contributorSlots()).to.equal(4n);
    expect((await ours.getReservations()).map((r) => [r.addr, r.amount])).to.deep.equal([[a.address, ra]]);
    const [addrs] = await pool.getContributions();
    expect([...addrs]).to.deep.equal([op.address, b.address, c.address]);
    // The minimum for others counts the reservation as stake and slot again.
    const available = STAKING_REQUIREMENT - QUARTER - 3_500n * SESH_UNIT - ra;
    expect(await pool.minimumContribution()).to.equal((available + 5n) / 6n);
    // Nobody else can take more than what is not reserved; a pays its reservation again.
    await expect(portalContribute(d, pool, stranger, available + 1n))
      .to.be.revertedWithCustomError(ours, "ContributionExceedsRequirement")
      .withArgs(available + 1n, available);
    await expect(portalContribute(d, pool, a, ra - 1n)).to.be.revertedWithCustomError(ours, "ContributionBelowReservation").withArgs(ra - 1n, ra);
    await portalContribute(d, pool, a, ra);
    expect(await pool.totalReservedContribution()).to.equal(0n);

    // A non-reserved contributor's withdrawal frees its slot, and a paid reservation moved into it stays one.
    await time.increase(DAY);
    await (pool.connect(b) as Contract).withdrawContribution(); // slot 2 ← c (slot 3)
    expect(await ours.contributorSlots()).to.equal(3n);
    await (pool.connect(a) as Contract).withdrawContribution();
    expect(await pool.totalReservedContribution()).to.equal(ra);
    expect(await ours.contributorSlots()).to.equal(3n);
    // The operator's reset drops every reservation, kept ones too (as the reference).
    await ours.connect(op).reset();
    expect(await pool.totalReservedContribution()).to.equal(0n);
    expect(await ours.getReservations()).to.deep.equal([]);
    expect(await d.token.balanceOf(await pool.getAddress())).to.equal(0n);
  });
});
