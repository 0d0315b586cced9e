import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { RewardRatePool, SESH } from "../../../typechain-types";
import { rewardRateAt } from "../../../src/network/ledger/rate";

const SESH_UNIT = 10n ** 9n;
const RATE_BPS = 1510n;
const BPS = 10_000n;
const YEAR = 365n * 24n * 3600n;
const DAY = 86_400n;
const BLOCK_TIME = 120n;
/** ceil(BPS * YEAR / RATE_BPS): the first elapsed time at which the closed form reaches the balance. */
const FULL_RELEASE_SECONDS = (BPS * YEAR + RATE_BPS - 1n) / RATE_BPS;
const INITIAL_RESERVE = 100_000_000n * SESH_UNIT;
const STORAGE_SLOT = BigInt(
  ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ["uint256"],
      [BigInt(ethers.keccak256(ethers.toUtf8Bytes("session.storage.RewardRatePool"))) - 1n],
    ),
  ),
) & ~0xffn;

/** The closed form: balance × 15.1 % × t / year, rounded down, never more than the balance. */
function closedForm(balance: bigint, elapsed: bigint): bigint {
  const amount = (balance * RATE_BPS * elapsed) / (BPS * YEAR);
  return amount < balance ? amount : balance;
}

interface Deployed {
  pool: RewardRatePool;
  token: SESH;
  owner: HardhatEthersSigner;
  beneficiary: HardhatEthersSigner;
  other: HardhatEthersSigner;
  deployedAt: bigint;
}

async function deployPool(withBeneficiary: boolean, reserve: bigint): Promise<Deployed> {
  const [owner, beneficiary, other] = await ethers.getSigners();
  const token = await ethers.deployContract("SESH", [owner.address]);
  const implementation = await ethers.deployContract("RewardRatePool");
  const initData = implementation.interface.encodeFunctionData("initialize", [
    owner.address,
    await token.getAddress(),
    withBeneficiary ? beneficiary.address : ethers.ZeroAddress,
  ]);
  const proxy = await ethers.deployContract("ERC1967Proxy", [await implementation.getAddress(), initData]);
  const deployedAt = BigInt((await proxy.deploymentTransaction()!.getBlock())!.timestamp);
  const pool = await ethers.getContractAt("RewardRatePool", await proxy.getAddress());
  if (reserve > 0n) await token.transfer(await pool.getAddress(), reserve);
  return { pool, token, owner, beneficiary, other, deployedAt };
}

const funded = () => deployPool(true, INITIAL_RESERVE);
const fundedWithoutBeneficiary = () => deployPool(false, INITIAL_RESERVE);
const empty = () => deployPool(true, 0n);
const tiny = () => deployPool(true, 1_000n);

/** Sends `payoutReleased` in a block at exactly `timestamp`; returns the receipt's block timestamp. */
async function payoutAt(pool: RewardRatePool, timestamp: bigint, caller?: HardhatEthersSigner) {
  await time.setNextBlockTimestamp(timestamp);
  return (caller ? pool.connect(caller) : pool).payoutReleased();
}

describe("RewardRatePool", () => {
  describe("initialisation", () => {
    it("stores owner, token, beneficiary and the start time in ERC-7201 storage", async () => {
      const { pool, token, owner, beneficiary, deployedAt } = await loadFixture(funded);
      expect(await pool.owner()).to.equal(owner.address);
      expect(await pool.pendingOwner()).to.equal(ethers.ZeroAddress);
      expect(await pool.token()).to.equal(await token.getAddress());
      expect(await pool.beneficiary()).to.equal(beneficiary.address);
      expect(await pool.lastPaidOutTime()).to.equal(deployedAt);
      expect(await pool.totalPaidOut()).to.equal(0n);
      expect(await pool.calculateTotalDeposited()).to.equal(INITIAL_RESERVE);
      expect(await pool.ANNUAL_SIMPLE_PAYOUT_RATE()).to.equal(151n);
      expect(await pool.BASIS_POINTS()).to.equal(1000n);
      expect(await pool.YEAR()).to.equal(YEAR);
      expect(await pool.BLOCK_TIME()).to.equal(BLOCK_TIME);
      expect(await pool.FULL_RELEASE_SECONDS()).to.equal(FULL_RELEASE_SECONDS);
      // The token address sits in the first word of the namespaced struct, not in slot 0.
      const poolAddress = await pool.getAddress();
      const word = await ethers.provider.getStorage(poolAddress, STORAGE_SLOT);
      expect(ethers.getAddress(ethers.dataSlice(word, 12))).to.equal(await token.getAddress());
      expect(await ethers.provider.getStorage(poolAddress, 0n)).to.equal(ethers.ZeroHash);
    });

    it("emits BeneficiaryUpdated(0, beneficiary) when initialised with a beneficiary, nothing without", async () => {
      const withIt = await loadFixture(funded);
      const events = await withIt.pool.queryFilter(withIt.pool.filters.BeneficiaryUpdated());
      expect(events.map((e) => [e.args.previousBeneficiary, e.args.newBeneficiary])).to.deep.equal([
        [ethers.ZeroAddress, withIt.beneficiary.address],
      ]);
      const without = await loadFixture(fundedWithoutBeneficiary);
      expect(await without.pool.beneficiary()).to.equal(ethers.ZeroAddress);
      expect(await without.pool.queryFilter(without.pool.filters.BeneficiaryUpdated())).to.have.length(0);
    });

    it("rejects a zero token and a zero owner", async () => {
      const [owner, beneficiary] = await ethers.getSigners();
      const implementation = await ethers.deployContract("RewardRatePool");
      const implAddress = await implementation.getAddress();
      const token = await ethers.deployContract("SESH", [owner.address]);
      const zeroToken = implementation.interface.encodeFunctionData("initialize", [
        owner.address,
        ethers.ZeroAddress,
        beneficiary.address,
      ]);
      await expect(ethers.deployContract("ERC1967Proxy", [implAddress, zeroToken]))
        .to.be.revertedWithCustomError(implementation, "InvalidToken")
        .withArgs(ethers.ZeroAddress);
      const zeroOwner = implementation.interface.encodeFunctionData("initialize", [
        ethers.ZeroAddress,
        await token.getAddress(),
        beneficiary.address,
      ]);
      await expect(ethers.deployContract("ERC1967Proxy", [implAddress, zeroOwner]))
        .to.be.revertedWithCustomError(implementation, "OwnableInvalidOwner")
        .withArgs(ethers.ZeroAddress);
    });

    it("cannot initialise the implementation", async () => {
      const [owner, beneficiary] = await ethers.getSigners();
      const implementation = await ethers.deployContract("RewardRatePool");
      await expect(
        implementation.initialize(owner.address, owner.address, beneficiary.address),
      ).to.be.revertedWithCustomError(implementation, "InvalidInitialization");
    });

    it("cannot initialise the proxy twice", async () => {
      const { pool, token, other } = await loadFixture(funded);
      await expect(
        pool.connect(other).initialize(other.address, await token.getAddress(), other.address),
      ).to.be.revertedWithCustomError(pool, "InvalidInitialization");
      expect(await pool.owner()).to.not.equal(other.address);
    });
  });

  describe("release rate", () => {
    const periods: Array<[string, bigint]> = [
      ["a day", DAY],
      ["a month (30 days)", 30n * DAY],
      ["a year", YEAR],
    ];
    for (const [label, elapsed] of periods) {
      it(`pays exactly the closed form over ${label}`, async () => {
        const { pool, token, beneficiary, deployedAt } = await loadFixture(funded);
        const expected = closedForm(INITIAL_RESERVE, elapsed);
        expect(await pool["calculateReleasedAmount(uint256)"](deployedAt + elapsed)).to.equal(expected);
        const tx = await payoutAt(pool, deployedAt + elapsed);
        await expect(tx).to.emit(pool, "FundsReleased").withArgs(expected);
        await expect(tx).to.changeTokenBalances(token, [pool, beneficiary], [-expected, expected]);
        expect(await pool.totalPaidOut()).to.equal(expected);
        expect(await pool.lastPaidOutTime()).to.equal(deployedAt + elapsed);
        expect(await pool.calculateTotalDeposited()).to.equal(INITIAL_RESERVE);
      });
    }

    it("matches the hand-computed figures for a 100M SESH reserve", async () => {
      // 100,000,000 SESH × 0.151 = 15,100,000 SESH per year; per day that is 15.1M / 365.
      expect(closedForm(INITIAL_RESERVE, YEAR)).to.equal(15_100_000n * SESH_UNIT);
      expect(closedForm(INITIAL_RESERVE, DAY)).to.equal(41_369_863_013_698n); // 41,369.863013698 SESH
      expect(closedForm(INITIAL_RESERVE, 30n * DAY)).to.equal(1_241_095_890_410_958n);
      expect(closedForm(INITIAL_RESERVE, BLOCK_TIME)).to.equal(57_458_143_074n); // 57.458 SESH per block
      const { pool } = await loadFixture(funded);
      for (const elapsed of [BLOCK_TIME, DAY, 30n * DAY, YEAR]) {
        expect(await pool.calculatePayoutAmount(INITIAL_RESERVE, elapsed)).to.equal(closedForm(INITIAL_RESERVE, elapsed));
      }
    });

    it("rewardRate() is the reference's: one 120 s block on the balance less what accrued since the last payout", async () => {
      const { pool, token, owner, deployedAt } = await loadFixture(funded);
      const poolAddress = await pool.getAddress();
      const reference = async () => closedForm((await pool.calculateTotalDeposited()) - (await pool["calculateReleasedAmount()"]()), BLOCK_TIME);
      const at = async () => {
        const balance = await token.balanceOf(poolAddress);
        return closedForm(balance - closedForm(balance, BigInt(await time.latest()) - (await pool.lastPaidOutTime())), BLOCK_TIME);
      };
      expect(await pool.rewardRate()).to.equal(await at());
      expect(await pool.rewardRate()).to.equal(await reference());
      // 30 days without a payout: ≈ 1.24 % less than a rate on the whole balance (what ours used to read).
      await time.increaseTo(deployedAt + 30n * DAY);
      const rate = await pool.rewardRate();
      expect(rate).to.equal(await at());
      expect(rate).to.equal(await reference());
      expect(rate).to.equal(closedForm(INITIAL_RESERVE - closedForm(INITIAL_RESERVE, 30n * DAY), BLOCK_TIME));
      expect(rate < closedForm(INITIAL_RESERVE, BLOCK_TIME)).to.equal(true);
      // A payout does not move it: the rate was already computed on what stays after paying the accrued part.
      await payoutAt(pool, deployedAt + 30n * DAY + 1n);
      expect(await pool.rewardRate()).to.equal(closedForm(await token.balanceOf(poolAddress), BLOCK_TIME));
      // A deposit counts at once.
      const extra = 12_345_678n * SESH_UNIT + 9n;
      await token.connect(owner).transfer(poolAddress, extra);
      expect(await pool.rewardRate()).to.equal(await at());
      expect(await pool.rewardRate()).to.equal(await reference());
    });

    it("releasable() and calculateReleasedAmount() report what has accrued now", async () => {
      const { pool, deployedAt } = await loadFixture(funded);
      await time.increaseTo(deployedAt + 7n * DAY);
      expect(await pool.releasable()).to.equal(closedForm(INITIAL_RESERVE, 7n * DAY));
      expect(await pool["calculateReleasedAmount()"]()).to.equal(closedForm(INITIAL_RESERVE, 7n * DAY));
      const first = closedForm(INITIAL_RESERVE, 10n * DAY);
      await payoutAt(pool, deployedAt + 10n * DAY);
      expect(await pool.releasable()).to.equal(0n);
      await time.increaseTo(deployedAt + 11n * DAY);
      const second = closedForm(INITIAL_RESERVE - first, DAY);
      expect(await pool.releasable()).to.equal(second);
      expect(await pool["calculateReleasedAmount()"]()).to.equal(first + second);
    });

    it("rejects a release query for a time before the last payout", async () => {
      const { pool, deployedAt } = await loadFixture(funded);
      await expect(pool["calculateReleasedAmount(uint256)"](deployedAt - 1n))
        .to.be.revertedWithCustomError(pool, "TimestampBeforeLastPayout")
        .withArgs(deployedAt - 1n, deployedAt);
    });
  });

  describe("payoutReleased", () => {
    it("can be called by anyone and always pays the beneficiary", async () => {
      const { pool, token, beneficiary, other, deployedAt } = await loadFixture(funded);
      const expected = closedForm(INITIAL_RESERVE, DAY);
      const tx = await payoutAt(pool, deployedAt + DAY, other);
      await expect(tx).to.changeTokenBalances(token, [pool, beneficiary, other], [-expected, expected, 0n]);
    });

    it("returns the amount it pays", async () => {
      const { pool, other, deployedAt } = await loadFixture(funded);
      await time.setNextBlockTimestamp(deployedAt + DAY);
      await mine();
      const returned = await pool.connect(other).payoutReleased.staticCall({ blockTag: "latest" });
      expect(returned).to.equal(closedForm(INITIAL_RESERVE, DAY));
      expect(returned).to.equal(await pool.releasable());
    });

    it("reverts with BeneficiaryNotSet until a beneficiary is set, then pays what accrued since initialisation", async () => {
      const { pool, token, owner, beneficiary, deployedAt } = await loadFixture(fundedWithoutBeneficiary);
      await time.setNextBlockTimestamp(deployedAt + DAY);
      await expect(pool.payoutReleased()).to.be.revertedWithCustomError(pool, "BeneficiaryNotSet");
      await pool.connect(owner).setBeneficiary(beneficiary.address);
      const elapsed = 2n * DAY;
      const tx = await payoutAt(pool, deployedAt + elapsed);
      await expect(tx).to.changeTokenBalance(token, beneficiary, closedForm(INITIAL_RESERVE, elapsed));
    });

    it("includes funds deposited after a payout from the next accrual", async () => {
      const { pool, token, owner, beneficiary, deployedAt } = await loadFixture(funded);
      const first = closedForm(INITIAL_RESERVE, DAY);
      await payoutAt(pool, deployedAt + DAY);
      const deposit = 5_000_000n * SESH_UNIT;
      await token.connect(owner).transfer(await pool.getAddress(), deposit);
      expect(await pool.calculateTotalDeposited()).to.equal(INITIAL_RESERVE + deposit);
      const second = closedForm(INITIAL_RESERVE - first + deposit, 3n * DAY);
      const tx = await payoutAt(pool, deployedAt + 4n * DAY);
      await expect(tx).to.changeTokenBalance(token, beneficiary, second);
      expect(await pool.totalPaidOut()).to.equal(first + second);
      expect(await pool.calculateTotalDeposited()).to.equal(INITIAL_RESERVE + deposit);
      expect(await token.balanceOf(await pool.getAddress())).to.equal(INITIAL_RESERVE + deposit - first - second);
    });

    it("pays exactly the whole balance, never more, once the elapsed time is huge", async () => {
      for (const elapsed of [FULL_RELEASE_SECONDS, 100n * YEAR]) {
        const { pool, token, beneficiary, deployedAt } = await loadFixture(funded);
        expect(await pool["calculateReleasedAmount(uint256)"](deployedAt + elapsed)).to.equal(INITIAL_RESERVE);
        const tx = await payoutAt(pool, deployedAt + elapsed);
        await expect(tx).to.changeTokenBalance(token, beneficiary, INITIAL_RESERVE);
        expect(await token.balanceOf(await pool.getAddress())).to.equal(0n);
        expect(await pool.totalPaidOut()).to.equal(INITIAL_RESERVE);
        expect(await pool.rewardRate()).to.equal(0n);
        // An empty pool pays 0 and moves its clock, so a later deposit accrues from then.
        await expect(payoutAt(pool, deployedAt + elapsed + DAY))
          .to.emit(pool, "FundsReleased")
          .withArgs(0n);
        expect(await pool.lastPaidOutTime()).to.equal(deployedAt + elapsed + DAY);
      }
    });

    it("just below the full-release time pays strictly less than the balance", async () => {
      const { pool, token, beneficiary, deployedAt } = await loadFixture(funded);
      const elapsed = FULL_RELEASE_SECONDS - 1n;
      const expected = (INITIAL_RESERVE * RATE_BPS * elapsed) / (BPS * YEAR);
      expect(expected).to.be.lessThan(INITIAL_RESERVE);
      await expect(payoutAt(pool, deployedAt + elapsed)).to.changeTokenBalance(token, beneficiary, expected);
    });

    it("calculatePayoutAmount is min(balance, closed form) for extreme inputs without overflow", async () => {
      const { pool } = await loadFixture(funded);
      const max = ethers.MaxUint256;
      expect(await pool.calculatePayoutAmount(max, max)).to.equal(max);
      expect(await pool.calculatePayoutAmount(max, FULL_RELEASE_SECONDS - 1n)).to.equal(
        (max * RATE_BPS * (FULL_RELEASE_SECONDS - 1n)) / (BPS * YEAR),
      );
      expect(await pool.calculatePayoutAmount(1n, FULL_RELEASE_SECONDS - 1n)).to.equal(0n);
      expect(await pool.calculatePayoutAmount(1n, FULL_RELEASE_SECONDS)).to.equal(1n);
      expect(await pool.calculatePayoutAmount(0n, max)).to.equal(0n);
    });

    it("a payout that rounds to zero changes nothing, so frequent calls cannot starve the beneficiary", async () => {
      const { pool, token, beneficiary, deployedAt } = await loadFixture(tiny); // 1,000 atomic units
      // 1000 × 0.151 / year: one unit accrues every ~208,848 s.
      for (let i = 1n; i <= 8n; i++) {
        const tx = await payoutAt(pool, deployedAt + i * 6n * 3600n); // every 6 h for 2 days
        expect(await pool.releasable()).to.equal(0n);
        await expect(tx).to.not.emit(pool, "FundsReleased");
      }
      expect(await pool.lastPaidOutTime()).to.equal(deployedAt);
      const tx = await payoutAt(pool, deployedAt + YEAR);
      await expect(tx).to.changeTokenBalance(token, beneficiary, 151n);
      await expect(tx).to.emit(pool, "FundsReleased").withArgs(151n);
    });

    it("an empty pool advances its clock, so a later deposit does not accrue retroactively", async () => {
      const { pool, token, owner, beneficiary, deployedAt } = await loadFixture(empty);
      await payoutAt(pool, deployedAt + YEAR);
      expect(await pool.lastPaidOutTime()).to.equal(deployedAt + YEAR);
      await token.connect(owner).transfer(await pool.getAddress(), INITIAL_RESERVE);
      await expect(payoutAt(pool, deployedAt + YEAR + DAY)).to.changeTokenBalance(
        token,
        beneficiary,
        closedForm(INITIAL_RESERVE, DAY),
      );
    });

    it("property: random deposits and payout times never overpay, payouts sum to the per-interval closed forms, and rewardRate() equals the network ledger's rewardRateAt to the unit", async () => {
      // Reentrancy is not exercised: SESH is a plain OpenZeppelin ERC-20 with no transfer hooks, so the
      // beneficiary gets no callback during payoutReleased; the pool also updates its state before the
      // transfer, so a re-entrant call could only find zero elapsed time.
      type Step = { kind: "payout"; wait: bigint } | { kind: "deposit"; amount: bigint; wait: bigint };
      const step: fc.Arbitrary<Step> = fc.oneof(
        { weight: 3, arbitrary: fc.record({ kind: fc.constant("payout" as const), wait: fc.bigInt(1n, 3n * YEAR) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant("payout" as const), wait: fc.bigInt(1n, 600n) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant("payout" as const), wait: fc.bigInt(6n * YEAR, 50n * YEAR) }) },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant("deposit" as const),
            amount: fc.oneof(fc.bigInt(1n, 10_000n), fc.bigInt(1n, 10_000_000n * SESH_UNIT)),
            wait: fc.bigInt(1n, 30n * DAY),
          }),
        },
      );
      const seen = { zeroOnNonEmpty: 0, drained: 0, partial: 0 };
      const start = fc.oneof(fc.bigInt(0n, 5_000n), fc.bigInt(1n, 200_000_000n * SESH_UNIT));
      await fc.assert(
        fc.asyncProperty(start, fc.array(step, { minLength: 1, maxLength: 10 }), async (reserve, steps) => {
          const { pool, token, owner, beneficiary } = await loadFixture(empty);
          const poolAddress = await pool.getAddress();
          if (reserve > 0n) await token.connect(owner).transfer(poolAddress, reserve);
          let balance = reserve;
          let deposited = reserve;
          let paid = 0n;
          let last = await pool.lastPaidOutTime();
          let now = BigInt(await time.latest());
          for (const s of steps) {
            now += s.wait;
            await time.setNextBlockTimestamp(now);
            if (s.kind === "deposit") {
              await token.connect(owner).transfer(poolAddress, s.amount);
              balance += s.amount;
              deposited += s.amount;
              expect(await pool.rewardRate()).to.equal(rewardRateAt({ balance, lastPaidOutTime: last }, now));
              continue;
            }
            const before = await token.balanceOf(beneficiary.address);
            await pool.payoutReleased();
            const amount = (await token.balanceOf(beneficiary.address)) - before;
            const expected = closedForm(balance, now - last);
            expect(amount).to.equal(expected);
            expect(amount <= balance).to.equal(true);
            if (expected === 0n && balance !== 0n) seen.zeroOnNonEmpty++;
            else if (expected === balance && balance !== 0n) seen.drained++;
            else if (expected !== 0n) seen.partial++;
            if (expected !== 0n || balance === 0n) last = now;
            balance -= amount;
            paid += amount;
            expect(await token.balanceOf(poolAddress)).to.equal(balance);
            expect(await pool.lastPaidOutTime()).to.equal(last);
            // The node network's ledger computes the same rate from the same state (src/network/ledger/rate.ts).
            expect(await pool.rewardRate()).to.equal(rewardRateAt({ balance, lastPaidOutTime: last }, now));
            await time.increase(1n + (s.wait % 7_200n));
            expect(await pool.rewardRate()).to.equal(rewardRateAt({ balance, lastPaidOutTime: last }, BigInt(await time.latest())));
            now = BigInt(await time.latest());
          }
          expect(await pool.totalPaidOut()).to.equal(paid);
          expect(await token.balanceOf(beneficiary.address)).to.equal(paid);
          expect(await pool.calculateTotalDeposited()).to.equal(deposited);
        }),
        { seed: 0x5e55, numRuns: 100 },
      );
      // The seeded runs reach every branch: rounding to zero, draining the pool, and ordinary payouts.
      expect(seen.zeroOnNonEmpty).to.be.greaterThan(0);
      expect(seen.drained).to.be.greaterThan(0);
      expect(seen.partial).to.be.greaterThan(0);
    });
  });

  describe("ownership and beneficiary", () => {
    it("only the owner sets the beneficiary; it emits BeneficiaryUpdated and rejects zero", async () => {
      const { pool, owner, beneficiary, other } = await loadFixture(funded);
      await expect(pool.connect(other).setBeneficiary(other.address))
        .to.be.revertedWithCustomError(pool, "OwnableUnauthorizedAccount")
        .withArgs(other.address);
      await expect(pool.connect(beneficiary).setBeneficiary(beneficiary.address))
        .to.be.revertedWithCustomError(pool, "OwnableUnauthorizedAccount")
        .withArgs(beneficiary.address);
      await expect(pool.connect(owner).setBeneficiary(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(pool, "InvalidBeneficiary")
        .withArgs(ethers.ZeroAddress);
      await expect(pool.connect(owner).setBeneficiary(other.address))
        .to.emit(pool, "BeneficiaryUpdated")
        .withArgs(beneficiary.address, other.address);
      expect(await pool.beneficiary()).to.equal(other.address);
    });

    it("pays accrued rewards to the beneficiary current at payout time", async () => {
      const { pool, token, owner, beneficiary, other, deployedAt } = await loadFixture(funded);
      await pool.connect(owner).setBeneficiary(other.address);
      const tx = await payoutAt(pool, deployedAt + DAY);
      await expect(tx).to.changeTokenBalances(token, [beneficiary, other], [0n, closedForm(INITIAL_RESERVE, DAY)]);
    });

    it("transfers ownership in two steps", async () => {
      const { pool, owner, beneficiary, other } = await loadFixture(funded);
      await expect(pool.connect(owner).transferOwnership(other.address))
        .to.emit(pool, "OwnershipTransferStarted")
        .withArgs(owner.address, other.address);
      expect(await pool.owner()).to.equal(owner.address);
      expect(await pool.pendingOwner()).to.equal(other.address);
      await expect(pool.connect(beneficiary).acceptOwnership())
        .to.be.revertedWithCustomError(pool, "OwnableUnauthorizedAccount")
        .withArgs(beneficiary.address);
      await expect(pool.connect(other).acceptOwnership())
        .to.emit(pool, "OwnershipTransferred")
        .withArgs(owner.address, other.address);
      expect(await pool.owner()).to.equal(other.address);
      expect(await pool.pendingOwner()).to.equal(ethers.ZeroAddress);
      await expect(pool.connect(owner).setBeneficiary(owner.address))
        .to.be.revertedWithCustomError(pool, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);
      await pool.connect(other).setBeneficiary(owner.address);
      expect(await pool.beneficiary()).to.equal(owner.address);
    });

    it("cannot renounce ownership", async () => {
      const { pool, owner, other } = await loadFixture(funded);
      await expect(pool.connect(owner).renounceOwnership()).to.be.revertedWithCustomError(
        pool,
        "RenounceOwnershipDisabled",
      );
      await expect(pool.connect(other).renounceOwnership()).to.be.revertedWithCustomError(
        pool,
        "RenounceOwnershipDisabled",
      );
      expect(await pool.owner()).to.equal(owner.address);
    });
  });

  describe("upgrades", () => {
    it("only the owner upgrades, and state survives the upgrade", async () => {
      const { pool, owner, beneficiary, other, token, deployedAt } = await loadFixture(funded);
      await payoutAt(pool, deployedAt + DAY);
      const paid = await pool.totalPaidOut();
      const v2 = await ethers.deployContract("RewardRatePoolV2Mock");
      const v2Address = await v2.getAddress();
      await expect(pool.connect(other).upgradeToAndCall(v2Address, "0x"))
        .to.be.revertedWithCustomError(pool, "OwnableUnauthorizedAccount")
        .withArgs(other.address);
      await expect(pool.connect(owner).upgradeToAndCall(v2Address, "0x"))
        .to.emit(pool, "Upgraded")
        .withArgs(v2Address);
      const implSlot = BigInt(ethers.keccak256(ethers.toUtf8Bytes("eip1967.proxy.implementation"))) - 1n;
      const implWord = await ethers.provider.getStorage(await pool.getAddress(), implSlot);
      expect(ethers.getAddress(ethers.dataSlice(implWord, 12))).to.equal(v2Address);
      const upgraded = await ethers.getContractAt("RewardRatePoolV2Mock", await pool.getAddress());
      expect(await upgraded.version()).to.equal(2n);
      expect(await upgraded.owner()).to.equal(owner.address);
      expect(await upgraded.token()).to.equal(await token.getAddress());
      expect(await upgraded.beneficiary()).to.equal(beneficiary.address);
      expect(await upgraded.totalPaidOut()).to.equal(paid);
      expect(await upgraded.lastPaidOutTime()).to.equal(deployedAt + DAY);
      await expect(upgraded.initialize(other.address, other.address, other.address)).to.be.revertedWithCustomError(
        upgraded,
        "InvalidInitialization",
      );
    });

    it("the implementation itself cannot be upgraded directly", async () => {
      const { owner } = await loadFixture(funded);
      const implementation = await ethers.deployContract("RewardRatePool");
      const v2 = await ethers.deployContract("RewardRatePoolV2Mock");
      await expect(
        implementation.connect(owner).upgradeToAndCall(await v2.getAddress(), "0x"),
      ).to.be.revertedWithCustomError(implementation, "UUPSUnauthorizedCallContext");
    });
  });
});
