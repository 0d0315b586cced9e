/**
 * Deploy module: the Session Name Service behind its transparent proxy (`SessionNameServiceProxy`, upgraded
 * through the ProxyAdmin it creates, owned by the run's owner) and its three companions (commit book,
 * reverse records, ENS registry/resolver/universal resolver reading both), each bound to the proxy's address.
 *
 * First run: implementation (validated by `@openzeppelin/hardhat-upgrades`) → companions built for the
 * predicted proxy address → proxy initialised with owner, parent, fee recipient (the RewardRatePool), yearly
 * fee and the commit book; the proxy is then imported into the plugin's manifest so later upgrades are
 * validated against this layout. Later runs: unchanged when the running implementation is the compiled one
 * (immutables and metadata aside), else a validated upgrade through the ProxyAdmin.
 *
 * Wiring (idempotent): fee recipient = RewardRatePool; yearly fee = `--name-fee` when given; on devnet
 * flavours the deployer holds the registrar role (a trusted backend may register without commitment or fee —
 * handy for seeding a local network, never granted elsewhere).
 */
import { getCreateAddress } from "ethers";
import type { Hex } from "viem";
import { formatSesh } from "../lib/format";
import { send } from "../lib/send";
import { namehash } from "../src/names/hash";
import { normaliseLabel } from "../src/names/normalise";
import type { ContractName, ContractRecord } from "../src/deployments/addressBook";
import { compiledRuntime, sameRuntimeCode } from "./lib";
import type { DeployContext, DeployModule } from "./types";

const NAME: ContractName = "SessionNameService";
/** In deploy order: the resolver reads the reverse records, so it comes after them. */
const COMPANIONS = ["SessionNameCommitments", "SessionNameReverse", "SessionNameResolver"] as const;

/** Options for the upgrades plugin: transparent proxy, implementation constructed with the SESH address. */
function pluginOptions(sesh: string) {
  return { kind: "transparent" as const, constructorArgs: [sesh] };
}

/** Node of the parent name, after checking every label with the client's normaliser. */
export function parentNodeOf(parent: string): Hex {
  const labels = parent.split(".");
  try {
    labels.forEach((label) => {
      if (normaliseLabel(label) !== label) throw new Error(`label "${label}" is not in normal form (lower-case)`);
    });
  } catch (error) {
    throw new Error(`name parent "${parent}" is not a valid name: ${(error as Error).message}; pass e.g. --name-parent session`);
  }
  return namehash(parent);
}

/** The yearly fee to configure: the one asked for, else the flavour's; mainnet has no default. */
function wantedFee(ctx: DeployContext): bigint {
  const fee = ctx.nameFeePerYear ?? ctx.flavour.nameFeePerYear;
  if (fee === undefined) {
    throw new Error(
      `the ${ctx.flavour.kind} flavour of ${ctx.network} has no default name fee: pass --name-fee <SESH per year>`,
    );
  }
  return fee;
}

async function names(ctx: DeployContext) {
  return ctx.hre.ethers.getContractAt("SessionNameService", ctx.require(NAME), ctx.deployer);
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

async function deployFresh(ctx: DeployContext, sesh: string, pool: string): Promise<void> {
  const { ethers, upgrades } = ctx.hre;
  const parentNode = parentNodeOf(ctx.nameParent);
  const fee = wantedFee(ctx);
  const factory = await ethers.getContractFactory(NAME, ctx.deployer);
  ctx.log(`deploying ${NAME} (parent ${ctx.nameParent}, fee ${formatSesh(fee)}/year, fees to ${pool}) behind a transparent proxy`);
  // The plugin's checks (constructor, immutables, storage) first; the implementation is deployed here rather than
  // through the plugin's cache, which can point at stale addresses on a devnet that was reset or snapshot-restored.
  await upgrades.validateImplementation(factory, pluginOptions(sesh));
  const implContract = await factory.deploy(sesh);
  if ((await implContract.deploymentTransaction()!.wait(ctx.flavour.confirmations)) === null) {
    throw new Error(`deploy ${NAME} implementation: no receipt`);
  }
  const implementation = await implContract.getAddress();

  // The companions take the proxy's address in their constructors, and the proxy's initializer takes the commit
  // book's: deploy them for the address the proxy will have after them (three nonces later).
  const base = await ctx.deployer.getNonce("pending");
  const proxyAddress = getCreateAddress({ from: ctx.deployer.address, nonce: base + COMPANIONS.length });
  const companions: Record<string, { address: string; hash: string; block: number }> = {};
  for (const companion of COMPANIONS) {
    const args = companion === "SessionNameResolver" ? [proxyAddress, companions.SessionNameReverse.address] : [proxyAddress];
    const contract = await ethers.deployContract(companion, args, ctx.deployer);
    const receipt = await contract.deploymentTransaction()!.wait(ctx.flavour.confirmations);
    if (receipt === null) throw new Error(`deploy ${companion}: no receipt`);
    companions[companion] = { address: await contract.getAddress(), hash: receipt.hash, block: receipt.blockNumber };
  }
  const init = factory.interface.encodeFunctionData("initialize", [
    ctx.owner,
    parentNode,
    pool,
    fee,
    companions.SessionNameCommitments.address,
  ]);
  const proxy = await ethers.deployContract("SessionNameServiceProxy", [implementation, ctx.owner, init], ctx.deployer);
  const receipt = await proxy.deploymentTransaction()!.wait(ctx.flavour.confirmations);
  if (receipt === null) throw new Error(`deploy ${NAME} proxy: no receipt`);
  const address = await proxy.getAddress();
  if (!sameAddress(address, proxyAddress)) {
    throw new Error(
      `the ${NAME} proxy landed at ${address}, not at the predicted ${proxyAddress} its companions point to ` +
        "(another transaction from the deployer interfered): run the deploy again from an idle account",
    );
  }
  await upgrades.forceImport(address, factory, pluginOptions(sesh));

  // Recorded only now, all together: a run interrupted before this point starts the name service over.
  const common = { deployer: ctx.deployer.address, chainId: ctx.chainId };
  for (const companion of COMPANIONS) {
    const c = companions[companion];
    ctx.record(companion, { kind: "contract", address: c.address, implementation: null, txHash: c.hash, blockNumber: c.block, ...common });
    ctx.report({ contract: companion, action: "deployed", detail: `at ${c.address} for ${address}`, txHash: c.hash });
  }
  ctx.record(NAME, { kind: "transparent", address, implementation, txHash: receipt.hash, blockNumber: receipt.blockNumber, ...common });
  ctx.report({ contract: NAME, action: "deployed", detail: `proxy ${address}, implementation ${implementation}`, txHash: receipt.hash });
}

async function checkExisting(ctx: DeployContext, existing: ContractRecord, sesh: string): Promise<void> {
  const { ethers, upgrades } = ctx.hre;
  if (existing.kind !== "transparent") throw new Error(`address book records ${NAME} as ${existing.kind}, not a transparent proxy`);
  for (const companion of COMPANIONS) {
    if (ctx.get(companion) === undefined) {
      throw new Error(`address book has ${NAME} but not ${companion}: restore the file, or deploy anew (--fresh on a devnet)`);
    }
  }
  const contract = await names(ctx);
  const parentNode = parentNodeOf(ctx.nameParent);
  const onchainParent = await contract.parentNode();
  if (onchainParent !== parentNode) {
    throw new Error(
      `${NAME} at ${existing.address} serves parent node ${onchainParent}, not ${ctx.nameParent} (${parentNode}); ` +
        "the parent cannot change after deployment: pass the parent it was deployed with",
    );
  }
  const onchainSesh = await contract.SESH();
  if (!sameAddress(onchainSesh, sesh)) {
    throw new Error(`${NAME} at ${existing.address} takes fees in ${onchainSesh}, but the address book's SESH is ${sesh}`);
  }

  const current = await upgrades.erc1967.getImplementationAddress(existing.address);
  const { code, masked } = await compiledRuntime(ctx, NAME);
  if (sameRuntimeCode(await ethers.provider.getCode(current), code, masked)) {
    if (!sameAddress(current, existing.implementation ?? "")) ctx.record(NAME, { ...existing, implementation: current });
    ctx.report({ contract: NAME, action: "unchanged", detail: `proxy ${existing.address}, implementation ${current}` });
    await refreshCompanions(ctx, existing.address);
    return;
  }

  ctx.log(`${NAME}: the implementation at ${current} differs from the compiled one; validating and upgrading`);
  const admin = await upgrades.erc1967.getAdminAddress(existing.address);
  const proxyAdmin = new ethers.Contract(admin, ["function owner() view returns (address)"], ethers.provider);
  const adminOwner = (await proxyAdmin.getFunction("owner").staticCall()) as string;
  if (!sameAddress(adminOwner, ctx.deployer.address)) {
    throw new Error(
      `${NAME} at ${existing.address} runs different code than the compiled one and needs an upgrade, but its ProxyAdmin ` +
        `${admin} is owned by ${adminOwner} and the deployer is ${ctx.deployer.address}: deploy with that key, or have ` +
        "the owner call ProxyAdmin.upgradeAndCall with an implementation from upgrades.prepareUpgrade",
    );
  }
  const factory = await ethers.getContractFactory(NAME, ctx.deployer);
  // Validates the new layout against the running one (from the plugin's manifest) and deploys the implementation.
  const prepared = (await upgrades.prepareUpgrade(existing.address, factory, pluginOptions(sesh))) as string;
  if (!sameRuntimeCode(await ethers.provider.getCode(prepared), code, masked)) {
    throw new Error(
      `the upgrades plugin returned ${prepared} as the new ${NAME} implementation, but other code runs there: its ` +
        `manifest (.openzeppelin/) is stale for ${ctx.network}; remove that network's file and deploy again`,
    );
  }
  const proxyAdminContract = await ethers.getContractAt("ProxyAdmin", admin, ctx.deployer);
  const sent = await send(ctx.hre, {
    description: `upgrade ${NAME} ${existing.address} to implementation ${prepared}`,
    contract: proxyAdminContract,
    contractName: "ProxyAdmin",
    method: "upgradeAndCall",
    args: [existing.address, prepared, "0x"],
    confirmations: ctx.flavour.confirmations,
  });
  const receipt = { hash: sent.hash };
  const implementation = await upgrades.erc1967.getImplementationAddress(existing.address);
  ctx.record(NAME, { ...existing, implementation, upgradeTxHash: receipt.hash });
  ctx.report({ contract: NAME, action: "upgraded", detail: `proxy ${existing.address}: implementation ${current} → ${implementation}`, txHash: receipt.hash });
  await refreshCompanions(ctx, existing.address);
}

/**
 * The commit book is bound to the proxy's storage and stays. The reverse records and the resolver are plain
 * contracts bound to the proxy: when the compiled code differs from the deployed one (e.g. the signed Session
 * reverse, the resolver's reverse reads), a new one is deployed for the same proxy and recorded. A new reverse
 * contract starts without records (its ABI changed with its code), and takes a new resolver with it.
 */
async function refreshCompanions(ctx: DeployContext, proxy: string): Promise<void> {
  const { ethers } = ctx.hre;
  ctx.report({ contract: "SessionNameCommitments", action: "unchanged", detail: `at ${ctx.require("SessionNameCommitments")}` });
  let reverse = ctx.require("SessionNameReverse");
  for (const companion of ["SessionNameReverse", "SessionNameResolver"] as const) {
    const address = ctx.require(companion);
    const { code, masked } = await compiledRuntime(ctx, companion);
    let reason: string | undefined;
    if (!sameRuntimeCode(await ethers.provider.getCode(address), code, masked)) reason = "its code differs from the compiled one";
    else if (companion === "SessionNameResolver") {
      const reads = await ethers.getContractAt("SessionNameResolver", address);
      if (!sameAddress(await reads.REVERSE(), reverse)) reason = `it reads reverse records from another contract than ${reverse}`;
    }
    if (reason === undefined) {
      ctx.report({ contract: companion, action: "unchanged", detail: `at ${address}` });
      continue;
    }
    ctx.log(`${companion} at ${address}: ${reason}; deploying a new one for ${proxy}`);
    const args = companion === "SessionNameResolver" ? [proxy, reverse] : [proxy];
    const contract = await ethers.deployContract(companion, args, ctx.deployer);
    const receipt = await contract.deploymentTransaction()!.wait(ctx.flavour.confirmations);
    if (receipt === null) throw new Error(`deploy ${companion}: no receipt`);
    const fresh = await contract.getAddress();
    ctx.record(companion, {
      kind: "contract",
      address: fresh,
      implementation: null,
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      deployer: ctx.deployer.address,
      chainId: ctx.chainId,
    });
    ctx.report({ contract: companion, action: "deployed", detail: `at ${fresh} for ${proxy}, replacing ${address} (${reason})`, txHash: receipt.hash });
    if (companion === "SessionNameReverse") reverse = fresh;
  }
}

/** Sends `method(args)` as the service's owner, after checking the deployer is that owner. */
async function asOwner(ctx: DeployContext, what: string, method: string, args: readonly unknown[]): Promise<string> {
  const contract = await names(ctx);
  const owner = await contract.owner();
  if (!sameAddress(owner, ctx.deployer.address)) {
    throw new Error(`${NAME} needs ${what}, but only its owner ${owner} may do that and the deployer is ${ctx.deployer.address}: run the deploy with the owner's key`);
  }
  const receipt = await send(ctx.hre, { description: what, contract, contractName: NAME, method, args, confirmations: ctx.flavour.confirmations });
  return receipt.hash;
}

export const sessionNameServiceModule: DeployModule = {
  name: NAME,
  dependsOn: ["SESH", "RewardRatePool"],

  async deploy(ctx) {
    const sesh = ctx.require("SESH");
    const existing = ctx.get(NAME);
    if (existing === undefined) await deployFresh(ctx, sesh, ctx.require("RewardRatePool"));
    else await checkExisting(ctx, existing, sesh);
  },

  async wire(ctx) {
    const contract = await names(ctx);
    const pool = ctx.require("RewardRatePool");
    const recipient = await contract.feeRecipient();
    if (sameAddress(recipient, pool)) {
      ctx.report({ contract: NAME, action: "unchanged", detail: `fees go to the RewardRatePool ${pool}` });
    } else {
      const hash = await asOwner(ctx, `send name fees to the RewardRatePool ${pool} (was ${recipient})`, "setFeeRecipient", [pool]);
      ctx.report({ contract: NAME, action: "wired", detail: `fees go to the RewardRatePool ${pool}`, txHash: hash });
    }

    const fee = await contract.feePerYear();
    if (ctx.nameFeePerYear !== undefined && ctx.nameFeePerYear !== fee) {
      const hash = await asOwner(ctx, `set the yearly name fee to ${formatSesh(ctx.nameFeePerYear)} (was ${formatSesh(fee)})`, "setFeePerYear", [ctx.nameFeePerYear]);
      ctx.report({ contract: NAME, action: "wired", detail: `fee ${formatSesh(ctx.nameFeePerYear)} per year`, txHash: hash });
    } else {
      ctx.report({ contract: NAME, action: "unchanged", detail: `fee ${formatSesh(fee)} per year` });
    }

    if (!ctx.flavour.nameRegistrarIsDeployer) return;
    if (!sameAddress(await contract.owner(), ctx.deployer.address)) {
      ctx.report({ contract: NAME, action: "skipped", detail: "devnet registrar role not granted: the deployer is not the owner" });
      return;
    }
    if (await contract.isRegistrar(ctx.deployer.address)) {
      ctx.report({ contract: NAME, action: "unchanged", detail: `registrar ${ctx.deployer.address} (devnet)` });
      return;
    }
    const hash = await asOwner(ctx, `devnet: let the deployer ${ctx.deployer.address} register names without commitment`, "setRegistrar", [ctx.deployer.address, true]);
    ctx.report({ contract: NAME, action: "wired", detail: `registrar ${ctx.deployer.address} (devnet)`, txHash: hash });
  },
};
