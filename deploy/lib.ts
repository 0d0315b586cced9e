/**
 * Building blocks for deploy modules: deploy-or-skip for plain contracts, deploy-or-upgrade for UUPS
 * proxies (with `@openzeppelin/hardhat-upgrades`' storage-layout validation), and the bytecode
 * comparison that decides whether an implementation changed.
 */
import { Contract, type ContractTransactionResponse } from "ethers";
import type { ContractName, ContractRecord } from "../src/deployments/addressBook";
import type { DeployContext } from "./types";

/** Hex ranges of a deployed bytecode that differ per deployment: immutables and library links. */
interface ByteRange {
  start: number;
  length: number;
}

/** Removes the trailing CBOR metadata (its length is the last two bytes) from runtime bytecode. */
export function stripMetadata(code: Uint8Array): Uint8Array {
  if (code.length < 2) return code;
  const cborLength = (code[code.length - 2] << 8) | code[code.length - 1];
  if (cborLength + 2 > code.length) return code;
  return code.subarray(0, code.length - cborLength - 2);
}

function hexToBytes(hex: string): Uint8Array {
  const clean = hex.startsWith("0x") ? hex.slice(2) : hex;
  // Library placeholders (__$…$__) are not hex: they sit in masked ranges, so zero them.
  return Uint8Array.from(Buffer.from(clean.replace(/__\$[0-9a-fA-F]{34}\$__/g, "0".repeat(40)), "hex"));
}

/**
 * Whether `onchain` runtime code is the compiled `artifactCode` once immutables and library links
 * (`masked`) are zeroed and the metadata hash is stripped (a comment-only change is not an upgrade).
 */
export function sameRuntimeCode(onchain: string, artifactCode: string, masked: readonly ByteRange[]): boolean {
  const a = hexToBytes(onchain);
  const b = hexToBytes(artifactCode);
  if (a.length !== b.length) return false;
  for (const { start, length } of masked) {
    a.fill(0, start, start + length);
    b.fill(0, start, start + length);
  }
  return Buffer.from(stripMetadata(a)).equals(Buffer.from(stripMetadata(b)));
}

/** The compiled runtime bytecode of `contract` and the ranges that vary per deployment. */
export async function compiledRuntime(
  ctx: DeployContext,
  contract: string,
): Promise<{ code: string; masked: ByteRange[] }> {
  const artifact = await ctx.hre.artifacts.readArtifact(contract);
  const fqn = `${artifact.sourceName}:${artifact.contractName}`;
  const buildInfo = await ctx.hre.artifacts.getBuildInfo(fqn);
  if (buildInfo === undefined) throw new Error(`no build info for ${fqn}: run npx hardhat compile`);
  const output = buildInfo.output.contracts[artifact.sourceName][artifact.contractName];
  const masked: ByteRange[] = [];
  const immutables = output.evm.deployedBytecode.immutableReferences ?? {};
  for (const ranges of Object.values(immutables)) masked.push(...ranges);
  for (const libraries of Object.values(artifact.deployedLinkReferences)) {
    for (const ranges of Object.values(libraries)) masked.push(...ranges);
  }
  return { code: artifact.deployedBytecode, masked };
}

async function confirm(ctx: DeployContext, tx: ContractTransactionResponse | null, what: string) {
  if (tx === null) throw new Error(`${what}: no transaction`);
  const receipt = await tx.wait(ctx.flavour.confirmations);
  if (receipt === null) throw new Error(`${what}: transaction ${tx.hash} has no receipt`);
  return receipt;
}

/**
 * Deploys `name` (artifact `artifact`, by default the same name) with `args` unless the address book
 * already has it (the runner has checked that its code exists on this chain).
 */
export async function deployContractOnce(
  ctx: DeployContext,
  name: ContractName,
  args: readonly unknown[],
  artifact: string = name,
): Promise<string> {
  const existing = ctx.get(name);
  if (existing !== undefined) {
    if (existing.kind !== "contract") throw new Error(`address book records ${name} as ${existing.kind}, not a contract`);
    ctx.report({ contract: name, action: "unchanged", detail: `at ${existing.address}` });
    return existing.address;
  }
  return deployAndRecord(ctx, name, args, artifact, "");
}

/** Deploys a plain contract, records it in the address book and reports it; `reason` ends the log lines. */
async function deployAndRecord(
  ctx: DeployContext,
  name: ContractName,
  args: readonly unknown[],
  artifact: string,
  reason: string,
): Promise<string> {
  ctx.log(`deploying ${name}(${args.map(String).join(", ")}) from ${ctx.deployer.address}${reason}`);
  const factory = await ctx.hre.ethers.getContractFactory(artifact, ctx.deployer);
  const contract = await factory.deploy(...args);
  const receipt = await confirm(ctx, contract.deploymentTransaction(), `deploy ${name}`);
  const address = await contract.getAddress();
  ctx.record(name, {
    kind: "contract",
    address,
    implementation: null,
    txHash: receipt.hash,
    blockNumber: receipt.blockNumber,
    deployer: ctx.deployer.address,
    chainId: ctx.chainId,
  });
  ctx.report({ contract: name, action: "deployed", detail: `at ${address}, gas ${receipt.gasUsed}${reason}`, txHash: receipt.hash });
  return address;
}

/** Throws a clear error when `address` has an `owner()` that is not the deployer (who must upgrade it). */
async function assertDeployerOwns(ctx: DeployContext, name: ContractName, address: string): Promise<void> {
  const ownable = new Contract(address, ["function owner() view returns (address)"], ctx.hre.ethers.provider);
  let owner: string;
  try {
    owner = (await ownable.getFunction("owner").staticCall()) as string;
  } catch {
    return; // Not Ownable: let the upgrade call report what it requires.
  }
  if (owner.toLowerCase() !== ctx.deployer.address.toLowerCase()) {
    throw new Error(
      `${name} at ${address} runs different code than the compiled ${name} and needs an upgrade, but its owner is ` +
        `${owner} and the deployer is ${ctx.deployer.address}: deploy with the owner's key, or have the owner upgrade it ` +
        "(e.g. prepare the implementation with upgrades.prepareUpgrade and call upgradeToAndCall from the owner)",
    );
  }
}

/**
 * Deploys `name` as a UUPS proxy initialised with `initializer(initArgs)`, or, when the address book has
 * it, compares the proxy's current implementation with the compiled one and upgrades (after the
 * plugin's storage-layout validation against the running implementation) when they differ.
 */
export interface UupsOptions {
  /** The initializer's name (default "initialize"). */
  readonly initializer?: string;
  /** Constructor arguments of the implementation (immutables such as the token). */
  readonly constructorArgs?: readonly unknown[];
  /**
   * Called with the running implementation when its code equals the compiled code: returns why it
   * must be replaced anyway (e.g. an immutable points at an outdated contract), or undefined.
   */
  readonly staleBecause?: (implementation: string) => Promise<string | undefined>;
}

export async function deployOrUpgradeUups(
  ctx: DeployContext,
  name: ContractName,
  initArgs: readonly unknown[],
  options: UupsOptions | string = {},
): Promise<string> {
  const { initializer = "initialize", constructorArgs, staleBecause } =
    typeof options === "string" ? { initializer: options } : (options as UupsOptions);
  const pluginOptions = constructorArgs === undefined ? {} : { constructorArgs: [...constructorArgs] };
  const { upgrades, ethers } = ctx.hre;
  const factory = await ethers.getContractFactory(name, ctx.deployer);
  const existing = ctx.get(name);
  if (existing === undefined) {
    ctx.log(`deploying ${name} behind a UUPS proxy, ${initializer}(${initArgs.map(String).join(", ")})`);
    const proxy = await upgrades.deployProxy(factory, [...initArgs], { kind: "uups", initializer, ...pluginOptions });
    const receipt = await confirm(ctx, proxy.deploymentTransaction(), `deploy ${name} proxy`);
    const address = await proxy.getAddress();
    const implementation = await upgrades.erc1967.getImplementationAddress(address);
    ctx.record(name, {
      kind: "uups",
      address,
      implementation,
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      deployer: ctx.deployer.address,
      chainId: ctx.chainId,
    });
    ctx.report({
      contract: name,
      action: "deployed",
      detail: `proxy ${address}, implementation ${implementation}`,
      txHash: receipt.hash,
    });
    return address;
  }

  if (existing.kind !== "uups") throw new Error(`address book records ${name} as ${existing.kind}, not a UUPS proxy`);
  const current = await upgrades.erc1967.getImplementationAddress(existing.address);
  const { code, masked } = await compiledRuntime(ctx, name);
  const sameCode = sameRuntimeCode(await ethers.provider.getCode(current), code, masked);
  const stale = sameCode && staleBecause !== undefined ? await staleBecause(current) : undefined;
  if (sameCode && stale === undefined) {
    if (current.toLowerCase() !== existing.implementation?.toLowerCase()) {
      // Upgraded outside this tool to the same code: record the truth.
      ctx.record(name, { ...existing, implementation: current });
    }
    ctx.report({ contract: name, action: "unchanged", detail: `proxy ${existing.address}, implementation ${current}` });
    return existing.address;
  }

  ctx.log(
    stale === undefined
      ? `${name}: the implementation at ${current} differs from the compiled ${name}; validating and upgrading`
      : `${name}: the implementation at ${current} ${stale}; validating and upgrading`,
  );
  await assertDeployerOwns(ctx, name, existing.address);
  const upgraded = await upgrades.upgradeProxy(existing.address, factory, { kind: "uups", ...pluginOptions });
  const upgradeTx = (upgraded as unknown as { deployTransaction?: ContractTransactionResponse }).deployTransaction;
  const receipt = await confirm(ctx, upgradeTx ?? null, `upgrade ${name}`);
  const implementation = await upgrades.erc1967.getImplementationAddress(existing.address);
  const record: ContractRecord = { ...existing, implementation, upgradeTxHash: receipt.hash };
  ctx.record(name, record);
  ctx.report({
    contract: name,
    action: "upgraded",
    detail: `proxy ${existing.address}: implementation ${current} → ${implementation}`,
    txHash: receipt.hash,
  });
  return existing.address;
}

/**
 * Like {@link deployContractOnce}, for a plain contract that is replaced rather than upgraded (a
 * stateless verifier, a clone implementation): keeps the recorded one when its runtime code equals the
 * compiled code and `staleBecause` (if given) finds nothing wrong with it; otherwise deploys a new one
 * and records it. Returns the address in use and whether it is new.
 */
export async function deployOrReplaceContract(
  ctx: DeployContext,
  name: ContractName,
  args: readonly unknown[],
  staleBecause?: (address: string) => Promise<string | undefined>,
): Promise<{ address: string; replaced: boolean }> {
  const existing = ctx.get(name);
  let reason = "";
  if (existing !== undefined) {
    if (existing.kind !== "contract") throw new Error(`address book records ${name} as ${existing.kind}, not a contract`);
    const { code, masked } = await compiledRuntime(ctx, name);
    const sameCode = sameRuntimeCode(await ctx.hre.ethers.provider.getCode(existing.address), code, masked);
    const stale = sameCode ? await staleBecause?.(existing.address) : "runs different code than the compiled one";
    if (stale === undefined) {
      ctx.report({ contract: name, action: "unchanged", detail: `at ${existing.address}` });
      return { address: existing.address, replaced: false };
    }
    reason = ` (replaces ${existing.address}, which ${stale})`;
  }
  return { address: await deployAndRecord(ctx, name, args, name, reason), replaced: true };
}

/**
 * Whether the deployer may call `onlyOwner` functions of `address`; when not, the caller reports the
 * step as skipped with the call the owner has to make.
 */
export async function deployerIsOwner(ctx: DeployContext, address: string): Promise<{ ok: boolean; owner: string }> {
  const ownable = new Contract(address, ["function owner() view returns (address)"], ctx.hre.ethers.provider);
  const owner = (await ownable.getFunction("owner").staticCall()) as string;
  return { ok: owner.toLowerCase() === ctx.deployer.address.toLowerCase(), owner };
}
