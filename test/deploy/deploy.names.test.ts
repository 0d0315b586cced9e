import { expect } from "chai";
import hre from "hardhat";
import { readFileSync } from "node:fs";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Hex } from "viem";
import { addressBookPath, readAddressBook, writeAddressBook } from "../../deploy/addressBook";
import { SESH_UNIT } from "../../deploy/flavours";
import { compiledRuntime, sameRuntimeCode } from "../../deploy/lib";
import { runDeploy, type DeployResult } from "../../deploy/run";
import { parentNodeOf } from "../../deploy/SessionNameService";
import type { DeployContext } from "../../deploy/types";
import { namehash, prepareRegistration } from "../../src/names";
import { useTemporaryDeployments } from "../helpers/deployments";

const { ethers, upgrades } = hre;
const SILENT = { log: () => undefined };
const ADMIN_SLOT = "0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103";

describe("deploy: SessionNameService", () => {
  const deployments = useTemporaryDeployments("deployments-", { perTest: true });

  const deployAll = (options = {}): Promise<DeployResult> => runDeploy(hre, { ...SILENT, ...options });
  const namesActions = (r: DeployResult) =>
    r.actions.filter((a) => a.contract.startsWith("SessionName")).map((a) => `${a.contract}:${a.action}`);

  it("deploys proxy, implementation and companions, records them all and wires fees, fee, parent and roles", async () => {
    const [deployer] = await ethers.getSigners();
    const result: DeployResult = await hre.run("deploy", {});
    expect(namesActions(result)).to.deep.equal([
      "SessionNameCommitments:deployed",
      "SessionNameReverse:deployed",
      "SessionNameResolver:deployed",
      "SessionNameService:deployed",
      "SessionNameService:unchanged",
      "SessionNameService:unchanged",
      "SessionNameService:wired",
    ]);
    const book = readAddressBook("hardhat", deployments.dir)!;
    const record = book.contracts.SessionNameService!;
    expect(record).to.include({ kind: "transparent", deployer: deployer.address, chainId: 31337 });
    expect(record.implementation).to.equal(await upgrades.erc1967.getImplementationAddress(record.address));
    const receipt = (await ethers.provider.getTransactionReceipt(record.txHash))!;
    expect(receipt.contractAddress).to.equal(record.address);
    expect(receipt.blockNumber).to.equal(record.blockNumber);
    for (const name of ["SessionNameCommitments", "SessionNameResolver", "SessionNameReverse"] as const) {
      const c = book.contracts[name]!;
      expect(c).to.include({ kind: "contract", implementation: null });
      expect((await ethers.provider.getTransactionReceipt(c.txHash))!.contractAddress).to.equal(c.address);
    }

    const pool = book.contracts.RewardRatePool!.address;
    const names = await ethers.getContractAt("SessionNameService", record.address);
    expect(await names.feeRecipient()).to.equal(pool);
    expect(await names.feePerYear()).to.equal(10n * SESH_UNIT);
    expect(await names.parentNode()).to.equal(namehash("session"));
    expect(await names.owner()).to.equal(deployer.address);
    expect(await names.SESH()).to.equal(book.contracts.SESH!.address);
    expect(await names.isRegistrar(deployer.address)).to.equal(true);
    expect(await names.commitments()).to.equal(book.contracts.SessionNameCommitments!.address);
    expect(await (await ethers.getContractAt("SessionNameCommitments", book.contracts.SessionNameCommitments!.address)).REGISTRY()).to.equal(record.address);
    expect(await (await ethers.getContractAt("SessionNameResolver", book.contracts.SessionNameResolver!.address)).NAMES()).to.equal(record.address);
    expect(await (await ethers.getContractAt("SessionNameReverse", book.contracts.SessionNameReverse!.address)).NAMES()).to.equal(record.address);
    // The ENS resolver answers reverse lookups from these reverse records.
    expect(await (await ethers.getContractAt("SessionNameResolver", book.contracts.SessionNameResolver!.address)).REVERSE()).to.equal(
      book.contracts.SessionNameReverse!.address,
    );
    const proxyAdmin = await ethers.getContractAt("ProxyAdmin", "0x" + (await ethers.provider.getStorage(record.address, ADMIN_SLOT)).slice(26));
    expect(await proxyAdmin.owner()).to.equal(deployer.address);

    // The deployed service works end to end: commit, wait, register; the fee reaches the pool.
    const token = await ethers.getContractAt("SESH", book.contracts.SESH!.address);
    const p = prepareRegistration({ names: record.address as Hex, name: "deployed", owner: deployer.address as Hex, years: 1n, secret: `0x${"11".repeat(32)}`, records: [] });
    const commitments = await ethers.getContractAt("SessionNameCommitments", book.contracts.SessionNameCommitments!.address);
    await commitments.commit(p.commitment);
    await time.increase(60);
    await token.approve(record.address, 10n * SESH_UNIT);
    const poolBefore = await token.balanceOf(pool);
    await names.register(p.ids.labelhash, deployer.address, 1n, p.secret, []);
    expect(await names.ownerOf(BigInt(p.ids.node))).to.equal(deployer.address);
    expect(await token.balanceOf(pool)).to.equal(poolBefore + 10n * SESH_UNIT);
  });

  it("a second run sends nothing and leaves the address book as it was", async () => {
    const [deployer] = await ethers.getSigners();
    await deployAll();
    const bytes = readFileSync(addressBookPath("hardhat", deployments.dir), "utf8");
    const nonce = await ethers.provider.getTransactionCount(deployer.address);
    const again = await deployAll();
    expect(namesActions(again)).to.deep.equal([
      "SessionNameService:unchanged",
      "SessionNameCommitments:unchanged",
      "SessionNameReverse:unchanged",
      "SessionNameResolver:unchanged",
      "SessionNameService:unchanged",
      "SessionNameService:unchanged",
      "SessionNameService:unchanged",
    ]);
    expect(again.wrote).to.equal(false);
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
    expect(readFileSync(addressBookPath("hardhat", deployments.dir), "utf8")).to.equal(bytes);
  });

  it("replaces a stale reverse-records contract or resolver for the same proxy, and only those", async () => {
    const first = await deployAll();
    const proxy = first.book.contracts.SessionNameService!.address;
    const reverse = first.book.contracts.SessionNameReverse!.address;
    const edit = (changes: Record<string, string>) => {
      const book = readAddressBook("hardhat", deployments.dir)!;
      const contracts = { ...book.contracts } as Record<string, object>;
      for (const [name, address] of Object.entries(changes)) contracts[name] = { ...contracts[name], address };
      writeAddressBook({ ...book, contracts } as typeof book, deployments.dir);
    };
    // A resolver reading another reverse contract: only the resolver is replaced.
    const wrong = await ethers.deployContract("SessionNameResolver", [proxy, first.book.contracts.SessionNameCommitments!.address]);
    edit({ SessionNameResolver: await wrong.getAddress() });
    const second = await deployAll();
    expect(namesActions(second).filter((a) => !a.startsWith("SessionNameService:"))).to.deep.equal([
      "SessionNameCommitments:unchanged",
      "SessionNameReverse:unchanged",
      "SessionNameResolver:deployed",
    ]);
    const resolver = await ethers.getContractAt("SessionNameResolver", readAddressBook("hardhat", deployments.dir)!.contracts.SessionNameResolver!.address);
    expect(await resolver.REVERSE()).to.equal(reverse);
    expect(await resolver.NAMES()).to.equal(proxy);
    // A reverse entry whose code is not the compiled SessionNameReverse (an older one): both are replaced.
    edit({ SessionNameReverse: first.book.contracts.SessionNameCommitments!.address });
    const third = await deployAll();
    expect(namesActions(third).filter((a) => !a.startsWith("SessionNameService:"))).to.deep.equal([
      "SessionNameCommitments:unchanged",
      "SessionNameReverse:deployed",
      "SessionNameResolver:deployed",
    ]);
    const book = readAddressBook("hardhat", deployments.dir)!;
    const newReverse = await ethers.getContractAt("SessionNameReverse", book.contracts.SessionNameReverse!.address);
    expect(await newReverse.NAMES()).to.equal(proxy);
    expect(await (await ethers.getContractAt("SessionNameResolver", book.contracts.SessionNameResolver!.address)).REVERSE()).to.equal(
      await newReverse.getAddress(),
    );
    expect(namesActions(await deployAll()).every((a) => a.endsWith(":unchanged"))).to.equal(true);
  });

  it("upgrades a changed implementation through the ProxyAdmin (layout validated), keeping names and config", async () => {
    const [deployer, alice] = await ethers.getSigners();
    const first = await deployAll();
    const record = first.book.contracts.SessionNameService!;
    const names = await ethers.getContractAt("SessionNameService", record.address);
    const p = prepareRegistration({ names: record.address as Hex, name: "kept", owner: alice.address as Hex, years: 1n, secret: `0x${"22".repeat(32)}`, records: [] });
    await names.registerFor(p.ids.labelhash, alice.address, 1n, []);
    const sesh = first.book.contracts.SESH!.address;
    await upgrades.upgradeProxy(record.address, await ethers.getContractFactory("SessionNameServiceV2Mock"), { kind: "transparent", constructorArgs: [sesh], unsafeAllow: ["missing-initializer"] });
    const other = await upgrades.erc1967.getImplementationAddress(record.address);
    expect(await (await ethers.getContractAt("SessionNameServiceV2Mock", record.address)).version()).to.equal(2n);

    const rerun = await deployAll();
    const upgrade = rerun.actions.find((a) => a.contract === "SessionNameService" && a.action === "upgraded")!;
    expect(upgrade.txHash).to.be.a("string");
    const now = await upgrades.erc1967.getImplementationAddress(record.address);
    expect(now).to.not.equal(other);
    const { code, masked } = await compiledRuntime({ hre } as DeployContext, "SessionNameService");
    expect(sameRuntimeCode(await ethers.provider.getCode(now), code, masked)).to.equal(true);
    expect(await names.ownerOf(BigInt(p.ids.node))).to.equal(alice.address);
    expect(await names.owner()).to.equal(deployer.address);
    expect(await names.feeRecipient()).to.equal(first.book.contracts.RewardRatePool!.address);
    const book = readAddressBook("hardhat", deployments.dir)!;
    expect(book.contracts.SessionNameService).to.include({ implementation: now, upgradeTxHash: upgrade.txHash, txHash: record.txHash });
    // Transfers still run in the proxy after the upgrade.
    await names.connect(alice).transferFrom(alice.address, deployer.address, BigInt(p.ids.node));
    expect(await names.ownerOf(BigInt(p.ids.node))).to.equal(deployer.address);
    expect((await deployAll()).actions.some((a) => a.action === "upgraded")).to.equal(false);
  });

  it("upgrade validation sees the ERC-7201 namespace: a reordered layout is refused", async () => {
    const sesh = ethers.ZeroAddress;
    const current = await ethers.getContractFactory("SessionNameService");
    // Constructor arguments are needed to build the deploy data the checks look at (not in the option types).
    const options = { kind: "transparent" as const, constructorArgs: [sesh] };
    await upgrades.validateImplementation(current, options);
    const broken = { ...options, unsafeAllow: ["missing-initializer" as const] };
    await expect(upgrades.validateUpgrade(current, await ethers.getContractFactory("NameStorageLayoutBrokenMock"), broken)).to.be.rejectedWith(/Inserted `inserted`[\s\S]*NameStorageLayout: Deleted `names`/);
  });

  it("re-wires a fee recipient moved elsewhere and applies --name-fee, then leaves both", async () => {
    const [, , elsewhere] = await ethers.getSigners();
    const first = await deployAll();
    const names = await ethers.getContractAt("SessionNameService", first.book.contracts.SessionNameService!.address);
    await names.setFeeRecipient(elsewhere.address);
    const rewired = await deployAll({ nameFeePerYear: 25n * SESH_UNIT });
    expect(rewired.actions.filter((a) => a.contract === "SessionNameService" && a.action === "wired").map((a) => a.detail)).to.deep.equal([
      `fees go to the RewardRatePool ${first.book.contracts.RewardRatePool!.address}`,
      "fee 25 SESH per year",
    ]);
    expect(await names.feeRecipient()).to.equal(first.book.contracts.RewardRatePool!.address);
    expect(await names.feePerYear()).to.equal(25n * SESH_UNIT);
    const again = await deployAll({ nameFeePerYear: 25n * SESH_UNIT });
    expect(again.actions.some((a) => a.action === "wired")).to.equal(false);
  });

  it("deploys under another parent, and refuses a different parent or a malformed one later", async () => {
    const result: DeployResult = await hre.run("deploy", { nameParent: "loki" });
    const names = await ethers.getContractAt("SessionNameService", result.book.contracts.SessionNameService!.address);
    expect(await names.parentNode()).to.equal(parentNodeOf("loki"));
    await expect(deployAll()).to.be.rejectedWith(/serves parent node 0x[0-9a-f]{64}, not session .*the parent cannot change/);
    await expect(hre.run("deploy", { nameParent: "Bad Parent" })).to.be.rejectedWith(/--name-parent: name parent "Bad Parent" is not a valid name/);
  });

  it("with another owner, grants no registrar role and refuses to upgrade without the ProxyAdmin owner's key", async () => {
    const [, , owner] = await ethers.getSigners();
    const first = await deployAll({ owner: owner.address });
    const record = first.book.contracts.SessionNameService!;
    const names = await ethers.getContractAt("SessionNameService", record.address);
    expect(await names.owner()).to.equal(owner.address);
    expect(first.actions.find((a) => a.contract === "SessionNameService" && a.action === "skipped")?.detail).to.match(/registrar role not granted/);
    await upgrades.upgradeProxy(record.address, await ethers.getContractFactory("SessionNameServiceV2Mock", owner), {
      kind: "transparent",
      constructorArgs: [first.book.contracts.SESH!.address],
      unsafeAllow: ["missing-initializer"],
    });
    await expect(deployAll({ owner: owner.address })).to.be.rejectedWith(new RegExp(`ProxyAdmin 0x[0-9a-fA-F]{40} is owned by ${owner.address}`));
  });
});
