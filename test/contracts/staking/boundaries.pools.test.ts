/**
 * Boundary tests of ServiceNodeContribution pools (issue 21): the operator's quarter, the public minimum, the
 * maximum of contributors (reserved slots count as taken), reservation minimums and the withdrawal delay, each
 * one unit / second on the refused side and exactly at the threshold on the accepted side.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { STAKING_REQUIREMENT } from "../../helpers/serviceNodeRewards";
import { contribute, deployArgs, deployPools, openPool, type PoolDeployment } from "../../helpers/serviceNodeContribution";

const DAY = 86_400n;
const REQ = STAKING_REQUIREMENT;
const fixture = () => deployPools(3);

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

describe("boundaries: ServiceNodeContribution", () => {
  it("refuses the operator a unit below a quarter and opens the pool at exactly a quarter", async () => {
    const d: PoolDeployment = await loadFixture(fixture);
    const op = d.accounts[0];
    const { pool } = await openPool(d, op, { manualFinalize: true });
    expect(await pool.minimumContributionFor(op.address)).to.equal(REQ / 4n);
    await expect(contribute(d, pool, op, REQ / 4n - 1n)).to.be.revertedWithCustomError(pool, "ContributionBelowMinimum").withArgs(REQ / 4n - 1n, REQ / 4n);
    await expect(contribute(d, pool, op, REQ / 4n)).to.emit(pool, "OpenForPublicContribution");
    expect(await pool.status()).to.equal(1n);
  });

  it("refuses a public contribution a unit below ceil(available / free slots) and accepts exactly it", async () => {
    const d = await loadFixture(fixture);
    const [op, a] = d.accounts;
    const { pool } = await openPool(d, op, { manualFinalize: true });
    await contribute(d, pool, op, REQ / 4n);
    const min = ceilDiv(REQ - REQ / 4n, 9n);
    expect(await pool.minimumContribution()).to.equal(min);
    await expect(contribute(d, pool, a, min - 1n)).to.be.revertedWithCustomError(pool, "ContributionBelowMinimum").withArgs(min - 1n, min);
    await expect(contribute(d, pool, a, min)).to.emit(pool, "NewContribution").withArgs(a.address, a.address, min);
  });

  it("refuses a contribution a unit above what is left and fills at exactly what is left", async () => {
    const d = await loadFixture(fixture);
    const [op, a] = d.accounts;
    const { pool } = await openPool(d, op, { manualFinalize: true });
    await contribute(d, pool, op, REQ / 4n);
    const left = REQ - REQ / 4n;
    await expect(contribute(d, pool, a, left + 1n)).to.be.revertedWithCustomError(pool, "ContributionExceedsRequirement").withArgs(left + 1n, left);
    await expect(contribute(d, pool, a, left)).to.emit(pool, "Filled");
  });

  it("takes contributors up to the maximum (reserved slots count) and refuses one more", async () => {
    const d = await loadFixture(fixture);
    await d.snr.setMaxContributors(3n);
    const [op, r1, r2, outsider] = d.accounts;
    const available = REQ - REQ / 4n;
    // Two free slots after the operator: one reservation leaves one, two leave none.
    const one = await openPool(d, op, { manualFinalize: true, reserved: [{ addr: r1.address, amount: ceilDiv(available, 2n) }] });
    await contribute(d, one.pool, op, REQ / 4n);
    const rest = available - ceilDiv(available, 2n);
    expect(await one.pool.minimumContribution()).to.equal(rest);
    await expect(contribute(d, one.pool, outsider, rest)).to.emit(one.pool, "NewContribution");

    const half = available / 2n;
    const two = await openPool(d, op, {
      manualFinalize: true,
      reserved: [
        { addr: r1.address, amount: available - half },
        { addr: r2.address, amount: half },
      ],
    });
    await contribute(d, two.pool, op, REQ / 4n);
    expect(await two.pool.minimumContribution()).to.equal(0n);
    await expect(contribute(d, two.pool, outsider, 1n)).to.be.revertedWithCustomError(two.pool, "ContributorsFull").withArgs(3n);
  });

  it("refuses more reservations than free slots and a reservation a unit below its slot's minimum", async () => {
    const d = await loadFixture(fixture);
    await d.snr.setMaxContributors(3n);
    const [op, r1, r2, r3] = d.accounts;
    const available = REQ - REQ / 4n;
    const deploy = (reserved: { addr: string; amount: bigint }[]) => d.factory.connect(op).deploy(...deployArgs(d, op, { reserved }).args);
    const small = available / 4n;
    await expect(deploy([r1, r2, r3].map((r) => ({ addr: r.address, amount: small }))))
      .to.be.revertedWithCustomError(d.implementation, "TooManyReservations")
      .withArgs(3n, 3n);
    const min = ceilDiv(available, 2n);
    await expect(deploy([{ addr: r1.address, amount: min - 1n }]))
      .to.be.revertedWithCustomError(d.implementation, "ReservationBelowMinimum")
      .withArgs(0n, min - 1n, min);
    await expect(deploy([{ addr: r1.address, amount: min }])).to.emit(d.factory, "NewServiceNodeContributionContract");
  });

  it("lets a contributor withdraw exactly a day after its last contribution, not a second earlier", async () => {
    const d = await loadFixture(fixture);
    const [op, a] = d.accounts;
    const { pool } = await openPool(d, op, { manualFinalize: true });
    await contribute(d, pool, op, REQ / 4n);
    await contribute(d, pool, a, REQ / 4n);
    const paidAt = BigInt(await time.latest());
    await time.setNextBlockTimestamp(paidAt + DAY - 1n);
    await expect(pool.connect(a).withdrawContribution()).to.be.revertedWithCustomError(pool, "WithdrawalTooEarly").withArgs(paidAt + DAY);
    await time.setNextBlockTimestamp(paidAt + DAY);
    await expect(pool.connect(a).withdrawContribution()).to.emit(pool, "WithdrawContribution").withArgs(a.address, REQ / 4n);
  });
});
