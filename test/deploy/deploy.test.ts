import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { encryptKeystoreJsonSync } from "ethers";
import {
  addressBookPath,
  readAddressBook,
  writeAddressBook,
  type AddressBook,
} from "../../deploy/addressBook";
import { assertFlavourSafe, flavourForChain, PRODUCTION_DELAYS, SESH_UNIT, type NetworkFlavour } from "../../deploy/flavours";
import { DEPLOY_MODULES, orderModules } from "../../deploy/index";
import { rewardRatePoolModule } from "../../deploy/RewardRatePool";
import { seshModule } from "../../deploy/SESH";
import { compiledRuntime, deployContractOnce, sameRuntimeCode, stripMetadata } from "../../deploy/lib";
import { networksFromEnv } from "../../deploy/networks";
import { runDeploy, type DeployResult } from "../../deploy/run";
import type { DeployContext, DeployModule } from "../../deploy/types";
import { useTemporaryDeployments } from "../helpers/deployments";

const { ethers, upgrades } = hre;
const SILENT = { log: () => undefined };
const DEVNET_FUNDING = 40_000_000n * SESH_UNIT;

/** SESH and the pool only (the wiring tests put a stand-in for ServiceNodeRewards next to them). */
const TOKEN_AND_POOL: readonly DeployModule[] = [seshModule, rewardRatePoolModule];

/** A stand-in for the ServiceNodeRewards module: records a plain contract under that name. */
const rewardsStandIn: DeployModule = {
  name: "ServiceNodeRewards",
  dependsOn: ["RewardRatePool"],
  async deploy(ctx: DeployContext) {
    await deployContractOnce(ctx, "ServiceNodeRewards", [ctx.deployer.address], "SESH");
  },
};

describe("deploy", () => {
  const deployments = useTemporaryDeployments("deployments-", { perTest: true });

  const deployAll = (options = {}): Promise<DeployResult> => runDeploy(hre, { ...SILENT, ...options });

  describe("a first run", () => {
    it("deploys SESH and the pool proxy and records address, implementation, tx, block, deployer and chain id", async () => {
      const [deployer] = await ethers.getSigners();
      const result: DeployResult = await hre.run("deploy", {});
      expect(result.wrote).to.equal(true);
      const book = readAddressBook("hardhat", deployments.dir)!;
      expect(book).to.deep.equal(result.book);
      expect(book.network).to.equal("hardhat");
      expect(book.chainId).to.equal(31337);

      const sesh = book.contracts.SESH!;
      const seshReceipt = (await ethers.provider.getTransactionReceipt(sesh.txHash))!;
      expect(seshReceipt.contractAddress).to.equal(sesh.address);
      expect(seshReceipt.blockNumber).to.equal(sesh.blockNumber);
      expect(sesh).to.include({ kind: "contract", implementation: null, deployer: deployer.address, chainId: 31337 });

      const pool = book.contracts.RewardRatePool!;
      expect(pool).to.include({ kind: "uups", deployer: deployer.address, chainId: 31337 });
      expect(pool.implementation).to.equal(await upgrades.erc1967.getImplementationAddress(pool.address));
      const poolReceipt = (await ethers.provider.getTransactionReceipt(pool.txHash))!;
      expect(poolReceipt.contractAddress).to.equal(pool.address);
      expect(poolReceipt.blockNumber).to.equal(pool.blockNumber);

      const token = await ethers.getContractAt("SESH", sesh.address);
      const rewardPool = await ethers.getContractAt("RewardRatePool", pool.address);
      expect(await rewardPool.owner()).to.equal(deployer.address);
      expect(await rewardPool.token()).to.equal(sesh.address);
      expect(await rewardPool.beneficiary()).to.equal(book.contracts.ServiceNodeRewards!.address);
      expect(await token.balanceOf(pool.address)).to.equal(DEVNET_FUNDING);
      expect(await token.balanceOf(deployer.address)).to.equal(240_000_000n * SESH_UNIT - DEVNET_FUNDING);
      // The name service's own actions are asserted in deploy.names.test.ts.
      const notNames = (a: { contract: string }) => !a.contract.startsWith("SessionName");
      expect(result.actions.filter(notNames).map((a) => `${a.contract}:${a.action}`)).to.deep.equal([
        "SESH:deployed",
        "RewardRatePool:deployed",
        "BLSVerifier:deployed",
        "ServiceNodeRewards:deployed",
        "ServiceNodeContributionFactory:deployed",
        "ServiceNodeContribution:deployed",
        "RewardRatePool:wired",
        "ServiceNodeRewards:unchanged",
        "ServiceNodeRewards:wired",
        "ServiceNodeRewards:wired",
        "ServiceNodeContributionFactory:wired",
        "RewardRatePool:funded",
      ]);
    });

    it("uses --sesh-receiver, --owner and --fund-pool", async () => {
      const [, receiver, owner] = await ethers.getSigners();
      const result: DeployResult = await hre.run("deploy", {
        seshReceiver: receiver.address,
        owner: owner.address,
        fundPool: "0",
      });
      const token = await ethers.getContractAt("SESH", result.book.contracts.SESH!.address);
      const pool = await ethers.getContractAt("RewardRatePool", result.book.contracts.RewardRatePool!.address);
      expect(await token.balanceOf(receiver.address)).to.equal(240_000_000n * SESH_UNIT);
      expect(await pool.owner()).to.equal(owner.address);
      expect(await token.balanceOf(await pool.getAddress())).to.equal(0n);
      // The deployer cannot do the owner's wiring: the run lists it instead of failing.
      const skipped = result.actions.filter((a) => a.action === "skipped").map((a) => a.detail);
      const rewards = result.book.contracts.ServiceNodeRewards!.address;
      expect(skipped).to.deep.equal([
        `beneficiary: the owner ${owner.address} must call setBeneficiary(${rewards})`,
        `pooled-node factory: the owner ${owner.address} must call setServiceNodeContributionFactory(${result.book.contracts.ServiceNodeContributionFactory!.address})`,
        `start: the owner ${owner.address} must call start()`,
        `pool implementation: the owner ${owner.address} must call setImplementation(${result.book.contracts.ServiceNodeContribution!.address})`,
        "devnet registrar role not granted: the deployer is not the owner",
        "no funding asked for",
      ]);
    });
  });

  describe("a re-run", () => {
    it("changes nothing: no transaction, no new block, the address book's bytes and mtime untouched", async () => {
      const [deployer] = await ethers.getSigners();
      await deployAll();
      const file = addressBookPath("hardhat", deployments.dir);
      const bytes = readFileSync(file, "utf8");
      const mtime = statSync(file).mtimeMs;
      const nonce = await ethers.provider.getTransactionCount(deployer.address);
      const block = await ethers.provider.getBlockNumber();

      const again = await deployAll();
      expect(again.wrote).to.equal(false);
      expect(again.actions.filter((a) => a.action !== "unchanged")).to.deep.equal([]);
      expect(again.actions.every((a) => a.txHash === undefined)).to.equal(true);
      expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      expect(readFileSync(file, "utf8")).to.equal(bytes);
      expect(statSync(file).mtimeMs).to.equal(mtime);
    });

    it("tops the pool up to a raised funding target, and leaves it when the target is lower", async () => {
      const first = await deployAll();
      const token = await ethers.getContractAt("SESH", first.book.contracts.SESH!.address);
      const poolAddress = first.book.contracts.RewardRatePool!.address;
      const raised = await deployAll({ poolFunding: 50_000_000n * SESH_UNIT });
      expect(raised.actions.find((a) => a.action === "funded")?.detail).to.equal("+10000000 SESH");
      expect(await token.balanceOf(poolAddress)).to.equal(50_000_000n * SESH_UNIT);
      const lowered = await deployAll({ poolFunding: 1n * SESH_UNIT });
      expect(lowered.actions.some((a) => a.action === "funded")).to.equal(false);
      expect(await token.balanceOf(poolAddress)).to.equal(50_000_000n * SESH_UNIT);
    });

    it("refuses to fund with a clear message when the deployer lacks SESH", async () => {
      await expect(deployAll({ poolFunding: 300_000_000n * SESH_UNIT })).to.be.rejectedWith(
        /needs 300000000 SESH more, but the deployer .* holds 240000000 SESH/,
      );
    });
  });

  describe("wiring", () => {
    it("points the pool at ServiceNodeRewards once its module exists, in the same run, then leaves it", async () => {
      await runDeploy(hre, SILENT, TOKEN_AND_POOL);
      const modules = [...TOKEN_AND_POOL, rewardsStandIn];
      const wired = await runDeploy(hre, SILENT, modules);
      const rewards = wired.book.contracts.ServiceNodeRewards!.address;
      const pool = await ethers.getContractAt("RewardRatePool", wired.book.contracts.RewardRatePool!.address);
      expect(await pool.beneficiary()).to.equal(rewards);
      const wire = wired.actions.find((a) => a.action === "wired")!;
      expect(wire.detail).to.equal(`beneficiary ${rewards}`);
      expect(wire.txHash).to.be.a("string");
      const receipt = (await ethers.provider.getTransactionReceipt(wire.txHash!))!;
      expect(receipt.logs.map((l) => pool.interface.parseLog(l)?.name)).to.deep.equal(["BeneficiaryUpdated"]);

      const again = await runDeploy(hre, SILENT, modules);
      expect(again.actions.some((a) => a.action === "wired")).to.equal(false);
      expect(again.wrote).to.equal(false);
    });

    it("initialises the pool with ServiceNodeRewards when that is already recorded", async () => {
      // The rewards stand-in has no dependency on the pool here, so it is deployed first.
      const early: DeployModule = { ...rewardsStandIn, dependsOn: ["SESH"] };
      const result = await runDeploy(hre, SILENT, [early, ...TOKEN_AND_POOL]);
      const pool = await ethers.getContractAt("RewardRatePool", result.book.contracts.RewardRatePool!.address);
      expect(await pool.beneficiary()).to.equal(result.book.contracts.ServiceNodeRewards!.address);
      expect(result.actions.some((a) => a.contract === "RewardRatePool" && a.action === "wired")).to.equal(false);
    });
  });

  describe("upgrades", () => {
    it("upgrades a proxy whose implementation differs from the compiled one, keeping its state", async () => {
      const [deployer] = await ethers.getSigners();
      const first = await deployAll();
      const record = first.book.contracts.RewardRatePool!;
      // Someone put other code behind the proxy (validated by the plugin like any upgrade).
      await upgrades.upgradeProxy(record.address, await ethers.getContractFactory("RewardRatePoolV2Mock"), {
        kind: "uups",
        unsafeAllow: ["missing-initializer"],
      });
      const other = await upgrades.erc1967.getImplementationAddress(record.address);
      expect(other).to.not.equal(record.implementation);
      const v2 = await ethers.getContractAt("RewardRatePoolV2Mock", record.address);
      expect(await v2.version()).to.equal(2n);
      const pool = await ethers.getContractAt("RewardRatePool", record.address);
      await time.increase(86_400);
      const lastPaid = await pool.lastPaidOutTime();

      const rerun = await deployAll();
      const upgrade = rerun.actions.find((a) => a.action === "upgraded")!;
      expect(upgrade.contract).to.equal("RewardRatePool");
      const now = await upgrades.erc1967.getImplementationAddress(record.address);
      expect(now).to.not.equal(other);
      const { code, masked } = await compiledRuntime({ hre } as DeployContext, "RewardRatePool");
      expect(sameRuntimeCode(await ethers.provider.getCode(now), code, masked)).to.equal(true);
      await expect(v2.version()).to.be.reverted;
      expect(await pool.owner()).to.equal(deployer.address);
      expect(await pool.lastPaidOutTime()).to.equal(lastPaid);
      expect(await pool.calculateTotalDeposited()).to.equal(DEVNET_FUNDING);

      const book = readAddressBook("hardhat", deployments.dir)!;
      expect(book.contracts.RewardRatePool!.implementation).to.equal(now);
      expect(book.contracts.RewardRatePool!.upgradeTxHash).to.equal(upgrade.txHash);
      expect(book.contracts.RewardRatePool!.txHash).to.equal(record.txHash);

      const third = await deployAll();
      expect(third.actions.some((a) => a.action === "upgraded")).to.equal(false);
      expect(third.wrote).to.equal(false);
    });

    it("refuses, naming the owner, to upgrade a proxy the deployer does not own", async () => {
      const [, , owner] = await ethers.getSigners();
      const first = await deployAll({ owner: owner.address });
      const record = first.book.contracts.RewardRatePool!;
      await upgrades.upgradeProxy(record.address, await ethers.getContractFactory("RewardRatePoolV2Mock", owner), {
        kind: "uups",
        unsafeAllow: ["missing-initializer"],
      });
      await expect(deployAll({ owner: owner.address })).to.be.rejectedWith(
        new RegExp(`RewardRatePool at ${record.address} runs different code .* its owner is ${owner.address}`),
      );
    });

    it("compares runtime code modulo immutables and the metadata hash", async () => {
      const { code, masked } = await compiledRuntime({ hre } as DeployContext, "RewardRatePool");
      expect(masked.length).to.be.greaterThan(0); // UUPSUpgradeable's __self
      const impl = await ethers.deployContract("RewardRatePool");
      const onchain = await ethers.provider.getCode(await impl.getAddress());
      expect(onchain).to.not.equal(code); // __self is filled in on chain
      expect(sameRuntimeCode(onchain, code, masked)).to.equal(true);
      const v2 = await ethers.deployContract("RewardRatePoolV2Mock");
      expect(sameRuntimeCode(await ethers.provider.getCode(await v2.getAddress()), code, masked)).to.equal(false);
      const bytes = Uint8Array.from([1, 2, 3, 0xaa, 0xbb, 0x00, 0x02]);
      expect([...stripMetadata(bytes)]).to.deep.equal([1, 2, 3]);
    });
  });

  describe("a damaged or foreign address book", () => {
    async function tamper(change: (book: AddressBook) => AddressBook): Promise<string> {
      const first = await deployAll();
      writeAddressBook(change(first.book), deployments.dir);
      return readFileSync(first.file, "utf8");
    }

    it("refuses when a recorded address has no code, before sending anything", async () => {
      const [deployer] = await ethers.getSigners();
      const empty = ethers.Wallet.createRandom().address;
      const before = await tamper((b) => ({
        ...b,
        contracts: { ...b.contracts, SESH: { ...b.contracts.SESH!, address: empty } },
      }));
      const nonce = await ethers.provider.getTransactionCount(deployer.address);
      await expect(hre.run("deploy", {})).to.be.rejectedWith(
        new RegExp(`records SESH at ${empty}, but there is no code there on hardhat \\(chain id 31337\\).*delete`),
      );
      expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
      expect(readFileSync(addressBookPath("hardhat", deployments.dir), "utf8")).to.equal(before);
      // A task (not deploy) on the in-process chain says what that chain is instead of advising to delete the book.
      await expect(hre.run("pool:status")).to.be.rejectedWith(/throw-away in-process chain/);
    });

    it("refuses a book written for another chain id", async () => {
      await tamper((b) => ({ ...b, chainId: 421614 }));
      await expect(deployAll()).to.be.rejectedWith(/is for chain id 421614, but network hardhat is chain id 31337/);
    });

    it("refuses a record made on another chain id", async () => {
      await tamper((b) => ({ ...b, contracts: { ...b.contracts, RewardRatePool: { ...b.contracts.RewardRatePool!, chainId: 42161 } } }));
      await expect(deployAll()).to.be.rejectedWith(/records RewardRatePool on chain id 42161/);
    });

    it("refuses a file that is not a valid address book", async () => {
      writeFileSync(addressBookPath("hardhat", deployments.dir), "{ not json");
      await expect(deployAll()).to.be.rejectedWith(/is damaged: not JSON/);
      writeFileSync(addressBookPath("hardhat", deployments.dir), JSON.stringify({ network: "hardhat", chainId: 31337, contracts: { SESH: { kind: "x" } } }));
      await expect(deployAll()).to.be.rejectedWith(/SESH.kind must be "contract", "uups" or "transparent"/);
    });

    it("--fresh deploys anew over a stale book on a devnet", async () => {
      await tamper((b) => ({ ...b, contracts: { ...b.contracts, SESH: { ...b.contracts.SESH!, address: ethers.Wallet.createRandom().address } } }));
      const result: DeployResult = await hre.run("deploy", { fresh: true });
      expect(result.actions[0].action).to.equal("deployed");
      expect(await ethers.provider.getCode(readAddressBook("hardhat", deployments.dir)!.contracts.SESH!.address)).to.not.equal("0x");
    });

    it("writes atomically, leaving no temporary file", async () => {
      await deployAll();
      expect(readdirSync(deployments.dir)).to.deep.equal(["hardhat.json"]);
    });
  });

  describe("configuration", () => {
    it("orders modules by dependency and rejects cycles and unknown dependencies", () => {
      const reversed = [...DEPLOY_MODULES].reverse();
      expect(orderModules(reversed).map((m) => m.name)).to.deep.equal([
        "SESH",
        "RewardRatePool",
        "SessionNameService",
        "ServiceNodeRewards",
        "ServiceNodeContributionFactory",
      ]);
      const a: DeployModule = { name: "SESH", dependsOn: ["RewardRatePool"], deploy: async () => undefined };
      const b: DeployModule = { name: "RewardRatePool", dependsOn: ["SESH"], deploy: async () => undefined };
      expect(() => orderModules([a, b])).to.throw(/cycle: SESH → RewardRatePool → SESH/);
      expect(() => orderModules([b])).to.throw(/depends on SESH, which has no module/);
    });

    it("gives mainnet no faucet, no automatic funding and production delays; refuses unknown chains", () => {
      const mainnet = flavourForChain(42161, "arbitrumOne");
      expect(mainnet.kind).to.equal("mainnet");
      expect(mainnet.faucet).to.equal(false);
      expect(mainnet.poolFunding).to.equal(0n);
      expect(mainnet.allowFresh).to.equal(false);
      expect(mainnet.delays).to.equal(PRODUCTION_DELAYS);
      expect(flavourForChain(421614, "arbitrumSepolia").kind).to.equal("testnet");
      expect(flavourForChain(31337, "localhost").kind).to.equal("devnet");
      const unsafe: NetworkFlavour = { ...mainnet, faucet: true };
      expect(() => assertFlavourSafe(unsafe)).to.throw(/must not enable the faucet/);
      expect(() => flavourForChain(1, "mainnet")).to.throw(/chain id 1, which this suite has no flavour for/);
    });

    it("adds the Arbitrum networks only when RPC_URL is set, and checks PRIVATE_KEY", () => {
      expect(networksFromEnv({})).to.deep.equal({ localhost: { url: "http://127.0.0.1:8545" } });
      const key = `0x${"ab".repeat(32)}`;
      const withRpc = networksFromEnv({ RPC_URL: "https://arb.example/rpc", PRIVATE_KEY: key.slice(2) });
      expect(withRpc.arbitrumSepolia).to.deep.equal({ url: "https://arb.example/rpc", chainId: 421614, accounts: [key] });
      expect(withRpc.arbitrumOne).to.deep.equal({ url: "https://arb.example/rpc", chainId: 42161, accounts: [key] });
      expect(networksFromEnv({ RPC_URL: "https://arb.example/rpc" }).arbitrumOne!.accounts).to.deep.equal([]);
      expect(() => networksFromEnv({ RPC_URL: "https://x", PRIVATE_KEY: "0x1234" })).to.throw(
        /PRIVATE_KEY is not a private key \(it is 6 characters long\): set it to 0x followed by 64 hexadecimal digits/,
      );
      expect(() => networksFromEnv({ PRIVATE_KEY: "nonsense" })).to.throw(/PRIVATE_KEY is not a private key/);
      expect(() => networksFromEnv({ RPC_URL: "arb.example" })).to.throw(/RPC_URL "arb.example" is not a URL/);
      expect(networksFromEnv({ LOCALHOST_URL: "http://127.0.0.1:9999" }).localhost.url).to.equal("http://127.0.0.1:9999");
    });

    it("takes the remote account from an encrypted KEYSTORE, naming what is wrong with it", () => {
      const key = `0x${"cd".repeat(32)}`;
      const dir = mkdtempSync(path.join(os.tmpdir(), "keystore-"));
      const file = path.join(dir, "deployer.json");
      // A cheap scrypt cost keeps the test fast; real keystores use the default.
      const json = encryptKeystoreJsonSync({ address: new ethers.Wallet(key).address, privateKey: key }, "s3cret", { scrypt: { N: 1 << 10 } });
      writeFileSync(file, json);
      const rpc = "https://arb.example/rpc";
      expect(networksFromEnv({ RPC_URL: rpc, KEYSTORE: file, KEYSTORE_PASSWORD: "s3cret" }).arbitrumSepolia!.accounts).to.deep.equal([key]);
      expect(() => networksFromEnv({ RPC_URL: rpc, KEYSTORE: file })).to.throw(/KEYSTORE_PASSWORD is not: set it/);
      expect(() => networksFromEnv({ RPC_URL: rpc, KEYSTORE: file, KEYSTORE_PASSWORD: "wrong" })).to.throw(/KEYSTORE_PASSWORD does not decrypt/);
      expect(() => networksFromEnv({ RPC_URL: rpc, KEYSTORE: path.join(dir, "missing.json"), KEYSTORE_PASSWORD: "x" })).to.throw(/cannot be read \(ENOENT\)/);
      writeFileSync(path.join(dir, "plain.txt"), "not json");
      expect(() => networksFromEnv({ RPC_URL: rpc, KEYSTORE: path.join(dir, "plain.txt"), KEYSTORE_PASSWORD: "x" })).to.throw(/is not JSON/);
      expect(() => networksFromEnv({ RPC_URL: rpc, KEYSTORE: file, KEYSTORE_PASSWORD: "s3cret", PRIVATE_KEY: key })).to.throw(/both PRIVATE_KEY and KEYSTORE are set/);
      // No remote network configured: the keystore is not even opened.
      expect(networksFromEnv({ KEYSTORE: path.join(dir, "missing.json") })).to.deep.equal({ localhost: { url: "http://127.0.0.1:8545" } });
    });
  });
});
