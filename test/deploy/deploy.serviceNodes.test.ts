import { expect } from "chai";
import hre from "hardhat";
import { readFileSync } from "node:fs";
import { addressBookPath, readAddressBook, writeAddressBook } from "../../deploy/addressBook";
import { STAKING_REQUIREMENT } from "../../deploy/flavours";
import { runDeploy, type DeployResult } from "../../deploy/run";
import { useTemporaryDeployments } from "../helpers/deployments";

const { ethers, upgrades } = hre;
const SILENT = { log: () => undefined };

describe("deploy: ServiceNodeRewards and ServiceNodeContributionFactory", () => {
  const deployments = useTemporaryDeployments("deployments-sn-", { perTest: true });

  const deployAll = (): Promise<DeployResult> => runDeploy(hre, SILENT);

  async function contracts(result: DeployResult) {
    const c = result.book.contracts;
    return {
      token: await ethers.getContractAt("SESH", c.SESH!.address),
      pool: await ethers.getContractAt("RewardRatePool", c.RewardRatePool!.address),
      rewards: await ethers.getContractAt("ServiceNodeRewards", c.ServiceNodeRewards!.address),
      factory: await ethers.getContractAt("ServiceNodeContributionFactory", c.ServiceNodeContributionFactory!.address),
      poolImpl: await ethers.getContractAt("ServiceNodeContribution", c.ServiceNodeContribution!.address),
      verifier: c.BLSVerifier!.address,
    };
  }

  it("a fresh deploy records every contract and wires them on chain", async () => {
    const [deployer] = await ethers.getSigners();
    const result = await deployAll();
    const book = readAddressBook("hardhat", deployments.dir)!;
    expect(Object.keys(book.contracts)).to.deep.equal([
      "SESH",
      "RewardRatePool",
      "BLSVerifier",
      "ServiceNodeRewards",
      "ServiceNodeContributionFactory",
      "ServiceNodeContribution",
      // The name service's entries are asserted in deploy.names.test.ts.
      "SessionNameCommitments",
      "SessionNameReverse",
      "SessionNameResolver",
      "SessionNameService",
    ]);
    const { token, pool, rewards, factory, poolImpl, verifier } = await contracts(result);
    const rewardsAddress = await rewards.getAddress();
    const factoryAddress = await factory.getAddress();

    expect(book.contracts.BLSVerifier).to.include({ kind: "contract", implementation: null, chainId: 31337 });
    for (const name of ["ServiceNodeRewards", "ServiceNodeContributionFactory"] as const) {
      const record = book.contracts[name]!;
      expect(record.kind).to.equal("uups");
      expect(record.implementation).to.equal(await upgrades.erc1967.getImplementationAddress(record.address));
      expect((await ethers.provider.getTransactionReceipt(record.txHash))!.contractAddress).to.equal(record.address);
    }

    // Registry: token and verifier immutables, pool both ways, started, production requirement.
    expect(await rewards.designatedToken()).to.equal(await token.getAddress());
    expect(await rewards.blsVerifier()).to.equal(verifier);
    expect(await rewards.rewardPool()).to.equal(await pool.getAddress());
    expect(await pool.beneficiary()).to.equal(rewardsAddress);
    expect(await rewards.isStarted()).to.equal(true);
    expect(await rewards.stakingRequirement()).to.equal(STAKING_REQUIREMENT);
    expect(await rewards.owner()).to.equal(deployer.address);

    // Factory → registry, factory → pool implementation → (registry, factory).
    expect(await factory.registry()).to.equal(rewardsAddress);
    expect(await factory.implementation()).to.equal(await poolImpl.getAddress());
    expect(await poolImpl.factory()).to.equal(factoryAddress);
    expect(await poolImpl.registry()).to.equal(rewardsAddress);
    expect(await poolImpl.token()).to.equal(await token.getAddress());
    expect(await factory.owner()).to.equal(deployer.address);
    expect(await factory.paused()).to.equal(false);

    const wires = result.actions.filter((a) => a.action === "wired");
    expect(wires.map((a) => `${a.contract}: ${a.detail}`)).to.deep.equal([
      `RewardRatePool: beneficiary ${rewardsAddress}`,
      `ServiceNodeRewards: pooled-node factory ${factoryAddress}`,
      "ServiceNodeRewards: started",
      `ServiceNodeContributionFactory: pool implementation ${await poolImpl.getAddress()}`,
      `SessionNameService: registrar ${deployer.address} (devnet)`,
    ]);
    const startReceipt = (await ethers.provider.getTransactionReceipt(wires[2].txHash!))!;
    expect(startReceipt.logs.map((l) => rewards.interface.parseLog(l)?.name)).to.deep.equal(["Started"]);
  });

  it("a second run reports everything unchanged and sends nothing", async () => {
    const [deployer] = await ethers.getSigners();
    const first = await deployAll();
    const bytes = readFileSync(first.file, "utf8");
    const nonce = await ethers.provider.getTransactionCount(deployer.address);
    const again = await deployAll();
    expect(again.wrote).to.equal(false);
    expect(again.actions.filter((a) => a.action !== "unchanged")).to.deep.equal([]);
    expect(again.actions.map((a) => a.contract)).to.include.members(["BLSVerifier", "ServiceNodeContribution"]);
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
    expect(readFileSync(first.file, "utf8")).to.equal(bytes);
  });

  it("a changed verifier is redeployed and the registry upgraded to use it, keeping the registry's state", async () => {
    const first = await deployAll();
    const { rewards } = await contracts(first);
    const oldImpl = first.book.contracts.ServiceNodeRewards!.implementation!;
    const requirementBefore = await rewards.stakingRequirement();
    // The recorded verifier no longer has the compiled BLSVerifier code (here: another contract's).
    writeAddressBook(
      { ...first.book, contracts: { ...first.book.contracts, BLSVerifier: { ...first.book.contracts.BLSVerifier!, address: first.book.contracts.SESH!.address } } },
      deployments.dir,
    );
    const rerun = await deployAll();
    const changed = rerun.actions.filter((a) => a.action !== "unchanged").map((a) => `${a.contract}:${a.action}`);
    expect(changed).to.deep.equal(["BLSVerifier:deployed", "ServiceNodeRewards:upgraded"]);
    const book = readAddressBook("hardhat", deployments.dir)!;
    const newVerifier = book.contracts.BLSVerifier!.address;
    expect(newVerifier).to.not.equal(first.book.contracts.BLSVerifier!.address);
    const newImpl = await upgrades.erc1967.getImplementationAddress(await rewards.getAddress());
    expect(newImpl).to.not.equal(oldImpl);
    expect(book.contracts.ServiceNodeRewards!.implementation).to.equal(newImpl);
    expect(book.contracts.ServiceNodeRewards!.upgradeTxHash).to.be.a("string");
    expect(await rewards.blsVerifier()).to.equal(newVerifier);
    expect(await rewards.isStarted()).to.equal(true);
    expect(await rewards.stakingRequirement()).to.equal(requirementBefore);
    // The factory and pools do not depend on the verifier's address: untouched.
    expect(book.contracts.ServiceNodeContribution).to.deep.equal(first.book.contracts.ServiceNodeContribution);

    const third = await deployAll();
    expect(third.actions.filter((a) => a.action !== "unchanged")).to.deep.equal([]);
  });

  it("points the factory back at the recorded pool implementation when someone changed it", async () => {
    const first = await deployAll();
    const { factory, rewards } = await contracts(first);
    const other = await ethers.deployContract("ServiceNodeContribution", [await rewards.getAddress(), await factory.getAddress()]);
    await factory.setImplementation(await other.getAddress());
    const rerun = await deployAll();
    const wired = rerun.actions.filter((a) => a.action === "wired");
    expect(wired.map((a) => a.contract)).to.deep.equal(["ServiceNodeContributionFactory"]);
    expect(await factory.implementation()).to.equal(first.book.contracts.ServiceNodeContribution!.address);
  });

  it("a recorded pool implementation of another code is replaced and wired", async () => {
    const first = await deployAll();
    const { factory } = await contracts(first);
    writeAddressBook(
      {
        ...first.book,
        contracts: {
          ...first.book.contracts,
          ServiceNodeContribution: { ...first.book.contracts.ServiceNodeContribution!, address: first.book.contracts.BLSVerifier!.address },
        },
      },
      deployments.dir,
    );
    const rerun = await deployAll();
    const changed = rerun.actions.filter((a) => a.action !== "unchanged").map((a) => `${a.contract}:${a.action}`);
    expect(changed).to.deep.equal(["ServiceNodeContribution:deployed", "ServiceNodeContributionFactory:wired"]);
    const replacement = readAddressBook("hardhat", deployments.dir)!.contracts.ServiceNodeContribution!.address;
    expect(await factory.implementation()).to.equal(replacement);
    expect(readFileSync(addressBookPath("hardhat", deployments.dir), "utf8")).to.contain(replacement);
  });
});
