import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { readAddressBook } from "../../deploy/addressBook";
import { flavourForChain, SESH_UNIT } from "../../deploy/flavours";
import { rewardRatePoolModule } from "../../deploy/RewardRatePool";
import { runDeploy } from "../../deploy/run";
import { seshModule } from "../../deploy/SESH";
import { formatSesh, parseAddress, parsePositiveInt, parseSesh } from "../../tasks/lib/args";
import { TaskArgumentError } from "../../tasks/lib/errors";
import { RevertError, send } from "../../tasks/lib/send";
import type { PoolStatus } from "../../tasks/lib/pool";
import { assertFaucetAllowed } from "../../tasks/SESH";
import { sendsNothing, useTemporaryDeployments } from "../helpers/deployments";
import { rewardRateAt } from "../../src/network/ledger/rate";

const { ethers } = hre;
const DEVNET_FUNDING = 40_000_000n * SESH_UNIT;
const YEAR = 365n * 86_400n;
const GOOD = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("tasks", () => {
  const deployments = useTemporaryDeployments("deployments-", { perTest: false });

  async function deployed() {
    const result = await runDeploy(hre, { log: () => undefined, fresh: true });
    const [deployer, alice, bob] = await ethers.getSigners();
    const token = await ethers.getContractAt("SESH", result.book.contracts.SESH!.address);
    const pool = await ethers.getContractAt("RewardRatePool", result.book.contracts.RewardRatePool!.address);
    return { deployer, alice, bob, token, pool };
  }

  /** Only SESH and the pool (no ServiceNodeRewards, so the pool has no beneficiary). */
  async function tokenAndPool() {
    await runDeploy(hre, { log: () => undefined, fresh: true }, [seshModule, rewardRatePoolModule]);
    const [deployer] = await ethers.getSigners();
    return { deployer };
  }

  describe("argument parsers", () => {
    it("parse SESH amounts with up to 9 decimals and name the argument when wrong", () => {
      expect(parseSesh("--amount", "25000")).to.equal(25_000n * SESH_UNIT);
      expect(parseSesh("--amount", "0.5")).to.equal(SESH_UNIT / 2n);
      expect(parseSesh("--amount", "0.000000001")).to.equal(1n);
      expect(parseSesh("--amount", "0", { allowZero: true })).to.equal(0n);
      expect(() => parseSesh("--amount", "0")).to.throw(TaskArgumentError, /--amount: is 0/);
      expect(() => parseSesh("--amount", "-1")).to.throw(/--amount: "-1" is negative/);
      expect(() => parseSesh("--amount", "1,000")).to.throw(/--amount: "1,000" is not a SESH amount: .* e.g. 25000 or 0.5/);
      expect(() => parseSesh("--amount", "1e9")).to.throw(/not a SESH amount/);
      expect(() => parseSesh("--amount", "0.0000000001")).to.throw(/has 10 decimals, but SESH has 9/);
      expect(() => parseSesh("--amount", "11", { max: 10n * SESH_UNIT })).to.throw(/more than the 10 SESH allowed/);
      expect(() => parseSesh("--amount", undefined)).to.throw(/--amount: is required/);
      expect(formatSesh(25_000_500_000_000n)).to.equal("25000.5 SESH");
      expect(formatSesh(1n)).to.equal("0.000000001 SESH");
    });

    it("parse addresses (checksummed) and positive ints", () => {
      expect(parseAddress("--to", GOOD.toLowerCase())).to.equal(GOOD);
      expect(() => parseAddress("--to", "0x12")).to.throw(/--to: "0x12" is not an address: write 0x followed by 40/);
      expect(() => parseAddress("--to", GOOD.replace("C5", "c5"))).to.throw(/wrong checksum/);
      expect(() => parseAddress("--to", ethers.ZeroAddress)).to.throw(/--to: is the zero address/);
      expect(parsePositiveInt("--count", "3")).to.equal(3);
      for (const bad of ["0", "-2", "1.5", "x", ""]) {
        expect(() => parsePositiveInt("--count", bad)).to.throw(/--count: .* is not a positive whole number/);
      }
    });
  });

  describe("validation before sending", () => {
    it("sesh:transfer rejects a bad address, a bad amount and more than the balance, sending nothing", async () => {
      const { deployer } = await loadFixture(deployed);
      await sendsNothing(deployer.address, async () => {
        await expect(hre.run("sesh:transfer", { to: "0xnothex", amount: "1" })).to.be.rejectedWith(/--to: "0xnothex" is not an address/);
        await expect(hre.run("sesh:transfer", { to: GOOD, amount: "ten" })).to.be.rejectedWith(/--amount: "ten" is not a SESH amount/);
        await expect(hre.run("sesh:transfer", { to: GOOD, amount: "1.1234567891" })).to.be.rejectedWith(/--amount: .* 10 decimals/);
        await expect(hre.run("sesh:transfer", { to: GOOD, amount: "200000001" })).to.be.rejectedWith(
          /holds 200000000 SESH, less than the 200000001 SESH asked for: lower --amount/,
        );
      });
    });

    it("sesh:faucet caps the amount, sesh:balance checks --account, pool:fund checks --amount and the balance", async () => {
      const { deployer } = await loadFixture(deployed);
      await sendsNothing(deployer.address, async () => {
        await expect(hre.run("sesh:faucet", { to: GOOD, amount: "1000001" })).to.be.rejectedWith(
          /--amount: 1000001 SESH is more than the 1000000 SESH allowed here/,
        );
        await expect(hre.run("sesh:faucet", { to: ethers.ZeroAddress, amount: "1" })).to.be.rejectedWith(/--to: is the zero address/);
        await expect(hre.run("sesh:balance", { account: "bob" })).to.be.rejectedWith(/--account: "bob" is not an address/);
        await expect(hre.run("pool:fund", { amount: "-5" })).to.be.rejectedWith(/--amount: "-5" is negative/);
        await expect(hre.run("pool:fund", { amount: "300000000" })).to.be.rejectedWith(/less than --amount 300000000 SESH/);
        await expect(hre.run("deploy", { fundPool: "lots" })).to.be.rejectedWith(/--fund-pool: "lots" is not a SESH amount/);
        await expect(hre.run("deploy", { owner: "0x0" })).to.be.rejectedWith(/--owner: "0x0" is not an address/);
      });
    });

    it("the faucet refuses mainnet", () => {
      expect(() => assertFaucetAllowed("arbitrumOne", flavourForChain(42161, "arbitrumOne"))).to.throw(
        /sesh:faucet is for devnets and testnets; arbitrumOne \(chain id 42161\) is mainnet/,
      );
      expect(() => assertFaucetAllowed("arbitrumSepolia", flavourForChain(421614, "arbitrumSepolia"))).to.not.throw();
    });

    it("every task says the in-process chain has nothing deployed (never advising to deploy to it)", async () => {
      const { deployer } = await loadFixture(deployed);
      const empty = mkdtempSync(path.join(os.tmpdir(), "deployments-empty-"));
      process.env.DEPLOYMENTS_DIR = empty;
      try {
        await sendsNothing(deployer.address, async () => {
          for (const [name, args] of [
            ["sesh:balance", {}],
            ["sesh:transfer", { to: GOOD, amount: "1" }],
            ["sesh:faucet", { to: GOOD, amount: "1" }],
            ["pool:status", {}],
            ["pool:fund", { amount: "1" }],
            ["pool:payout", {}],
            ["deploy:verify", {}],
          ] as const) {
            await expect(hre.run(name, args), name).to.be.rejectedWith(
              /this ran on Hardhat's throw-away in-process chain .* nothing is deployed on it/,
            );
          }
        });
      } finally {
        process.env.DEPLOYMENTS_DIR = deployments.dir;
        rmSync(empty, { recursive: true, force: true });
      }
    });
  });

  describe("reverts", () => {
    it("pool:payout without a beneficiary is decoded to BeneficiaryNotSet and sends nothing", async () => {
      // Its own address book: the shared one belongs to the full deployment's snapshot.
      const own = mkdtempSync(path.join(os.tmpdir(), "deployments-pool-only-"));
      process.env.DEPLOYMENTS_DIR = own;
      try {
        const { deployer } = await loadFixture(tokenAndPool);
        await sendsNothing(deployer.address, async () => {
          const error = await hre.run("pool:payout").then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).to.be.instanceOf(RevertError);
          expect((error as RevertError).errorName).to.equal("BeneficiaryNotSet");
          expect((error as RevertError).message).to.match(
            /RewardRatePool.payoutReleased\(\) would revert \(nothing was sent\): BeneficiaryNotSet\(\) — the reward pool has no beneficiary yet/,
          );
        });
      } finally {
        process.env.DEPLOYMENTS_DIR = deployments.dir;
        rmSync(own, { recursive: true, force: true });
      }
    });

    it("send decodes a custom error with its arguments (ERC20InsufficientBalance)", async () => {
      const { alice, token } = await loadFixture(deployed);
      await sendsNothing(alice.address, async () => {
        const error = (await send(hre, {
          description: "overspend",
          contract: token,
          contractName: "SESH",
          method: "transfer",
          args: [GOOD, 5n],
          signer: alice,
        }).catch((e: unknown) => e)) as RevertError;
        expect(error).to.be.instanceOf(RevertError);
        expect(error.errorName).to.equal("ERC20InsufficientBalance");
        expect(error.errorArgs).to.deep.equal({ sender: alice.address, balance: "0", needed: "5" });
        expect(error.txHash).to.equal(undefined);
      });
    });

    it("send decodes errors the called ABI does not declare, from every compiled artifact", async () => {
      const { alice, token } = await loadFixture(deployed);
      // An ABI with the function only: ethers alone could not name the error.
      const bare = new ethers.Contract(await token.getAddress(), ["function transfer(address to, uint256 value) returns (bool)"], alice);
      const error = (await send(hre, {
        description: "overspend through a bare ABI",
        contract: bare,
        contractName: "SESH",
        method: "transfer",
        args: [GOOD, 7n],
      }).catch((e: unknown) => e)) as RevertError;
      expect(error.errorName).to.equal("ERC20InsufficientBalance");
      expect(error.errorArgs).to.deep.equal({ sender: alice.address, balance: "0", needed: "7" });
    });

    it("send names the owner-only error and says what to change", async () => {
      const { deployer, pool } = await loadFixture(deployed);
      const [, , , stranger] = await ethers.getSigners();
      const error = (await send(hre, {
        description: "set the beneficiary as a stranger",
        contract: pool,
        contractName: "RewardRatePool",
        method: "setBeneficiary",
        args: [deployer.address],
        signer: stranger,
      }).catch((e: unknown) => e)) as RevertError;
      expect(error.errorName).to.equal("OwnableUnauthorizedAccount");
      expect(error.errorArgs).to.deep.equal({ account: stranger.address });
      expect(error.message).to.match(/OwnableUnauthorizedAccount\(account=0x[0-9a-fA-F]{40}\) — only the contract's owner may do this/);
    });
  });

  describe("effects", () => {
    it("sesh:transfer, sesh:faucet and sesh:balance move and read SESH", async () => {
      const { deployer, alice, bob, token } = await loadFixture(deployed);
      expect(await hre.run("sesh:transfer", { to: alice.address, amount: "25000" })).to.equal(25_000n * SESH_UNIT);
      expect(await hre.run("sesh:faucet", { to: bob.address, amount: "0.5" })).to.equal(SESH_UNIT / 2n);
      expect(await token.balanceOf(deployer.address)).to.equal(240_000_000n * SESH_UNIT - DEVNET_FUNDING - 25_000n * SESH_UNIT - SESH_UNIT / 2n);
      expect(await hre.run("sesh:balance", { account: alice.address })).to.equal(25_000n * SESH_UNIT);
      expect(await hre.run("sesh:balance", {})).to.equal(await token.balanceOf(deployer.address));
    });

    it("pool:status reports balance, rates and beneficiary; pool:fund adds to it", async () => {
      const { pool } = await loadFixture(deployed);
      const status = (await hre.run("pool:status")) as PoolStatus;
      expect(status.balance).to.equal(DEVNET_FUNDING);
      // The reference's rate: one 120 s block on the balance less what accrued since the last payout.
      const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
      expect(status.ratePerBlock).to.equal(rewardRateAt({ balance: DEVNET_FUNDING, lastPaidOutTime: await pool.lastPaidOutTime() }, now));
      expect(status.ratePerDay).to.equal((DEVNET_FUNDING * 1510n * 86_400n) / (10_000n * YEAR));
      expect(status.ratePerYear).to.equal((DEVNET_FUNDING * 1510n) / 10_000n);
      expect(status.beneficiary).to.equal(readAddressBook("hardhat", deployments.dir)!.contracts.ServiceNodeRewards!.address);
      expect(await hre.run("pool:fund", { amount: "1000000" })).to.equal(DEVNET_FUNDING + 1_000_000n * SESH_UNIT);
      expect(await pool.calculateTotalDeposited()).to.equal(DEVNET_FUNDING + 1_000_000n * SESH_UNIT);
    });

    it("pool:payout pays the released rewards to the beneficiary", async () => {
      const { pool, token, bob } = await loadFixture(deployed);
      await pool.setBeneficiary(bob.address);
      await time.increase(86_400);
      const paid = (await hre.run("pool:payout")) as bigint;
      expect(paid).to.be.greaterThan(0n);
      expect(await token.balanceOf(bob.address)).to.equal(paid);
      expect(await pool.totalPaidOut()).to.equal(paid);
    });

    it("deploy:verify confirms every recorded address", async () => {
      await loadFixture(deployed);
      const deployment = await hre.run("deploy:verify");
      expect(Object.keys(deployment.book.contracts)).to.include.members([
        "SESH",
        "RewardRatePool",
        "BLSVerifier",
        "ServiceNodeRewards",
        "ServiceNodeContributionFactory",
        "ServiceNodeContribution",
        "SessionNameCommitments",
        "SessionNameResolver",
        "SessionNameReverse",
        "SessionNameService",
      ]);
    });
  });
});
