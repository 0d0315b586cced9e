/** Fixture for pooled-node tests and the gas suite: the registry (via deployServiceNodeRewards), the factory
 * behind an ERC-1967 proxy with its pool implementation, and helpers to open pools. */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ServiceNodeContribution, ServiceNodeContributionFactory } from "../../typechain-types";
import { g1, nodeKey, proofOfPossession, type NodeKey } from "./network";
import { deployServiceNodeRewards, type Deployment } from "./serviceNodeRewards";
import { permitTypes } from "../../src/token/permit";

export interface PoolDeployment extends Deployment {
  factory: ServiceNodeContributionFactory;
  implementation: ServiceNodeContribution;
}

export interface ReservationInput {
  readonly addr: string;
  readonly amount: bigint;
}

export interface OpenPoolOptions {
  readonly key?: NodeKey;
  readonly fee?: number;
  readonly reserved?: readonly ReservationInput[];
  readonly manualFinalize?: boolean;
}

/** Registry with `seeded` network nodes, started; factory proxy initialised by the owner; implementation set. */
export async function deployPools(seeded = 3): Promise<PoolDeployment> {
  const d = await deployServiceNodeRewards({ seeded, label: "pool-net" });
  const factoryImpl = await ethers.deployContract("ServiceNodeContributionFactory", [d.address]);
  const init = factoryImpl.interface.encodeFunctionData("initialize", [d.owner.address]);
  const proxy = await ethers.deployContract("ERC1967Proxy", [await factoryImpl.getAddress(), init]);
  const factory = await ethers.getContractAt("ServiceNodeContributionFactory", await proxy.getAddress());
  const implementation = await ethers.deployContract("ServiceNodeContribution", [d.address, await factory.getAddress()]);
  await factory.setImplementation(await implementation.getAddress());
  // The registry accepts pooled registrations only from pools of its configured factory.
  await d.ext.setServiceNodeContributionFactory(await factory.getAddress());
  return { ...d, factory, implementation };
}

/** Node params of `key` with `fee` (the Ed25519 signature is checked off-chain only). */
export function nodeParams(key: NodeKey, fee = 500) {
  return { ed25519Pubkey: key.ed25519, ed25519Signature0: 11n, ed25519Signature1: 22n, fee };
}

let poolCounter = 0;

/** A fresh node key no other pool in this process used. */
export function freshKey(prefix = "pooled"): NodeKey {
  poolCounter += 1;
  return nodeKey(`${prefix}-${poolCounter}`);
}

/** The arguments of factory.deploy for `operator`. */
export function deployArgs(d: PoolDeployment, operator: HardhatEthersSigner, options: OpenPoolOptions = {}) {
  const key = options.key ?? freshKey();
  return {
    key,
    args: [
      g1(key.pk),
      proofOfPossession(key, d.network.domain, operator.address as `0x${string}`),
      nodeParams(key, options.fee ?? 500),
      (options.reserved ?? []).map((r) => ({ addr: r.addr, amount: r.amount })),
      options.manualFinalize ?? false,
    ] as const,
  };
}

/** Creates a pool operated by `operator`; returns the pool contract, its key and the deploy receipt's gas. */
export async function openPool(d: PoolDeployment, operator: HardhatEthersSigner, options: OpenPoolOptions = {}) {
  const { key, args } = deployArgs(d, operator, options);
  const tx = await d.factory.connect(operator).deploy(...args);
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("openPool: no receipt");
  const event = receipt.logs
    .map((log) => {
      try {
        return d.factory.interface.parseLog(log);
      } catch {
        return null;
      }
    })
    .find((parsed) => parsed?.name === "NewServiceNodeContributionContract");
  if (!event) throw new Error("openPool: NewServiceNodeContributionContract not emitted");
  const pool = await ethers.getContractAt("ServiceNodeContribution", event.args.contributorContract as string);
  return { pool, key, tx, gasUsed: receipt.gasUsed };
}

/** Approve and contribute `amount` from `who`, on the terms of the pool's current epoch. */
export async function contribute(d: PoolDeployment, pool: ServiceNodeContribution, who: HardhatEthersSigner, amount: bigint, beneficiary = ethers.ZeroAddress) {
  await d.token.connect(who).approve(await pool.getAddress(), amount);
  return pool.connect(who)["contributeFunds(uint256,address,uint256)"](amount, beneficiary, await pool.epoch());
}

/** An EIP-2612 permit signature by `owner` for `spender`. */
export async function signPermit(d: PoolDeployment, owner: HardhatEthersSigner, spender: string, value: bigint, deadline: bigint) {
  const nonce = await d.token.nonces(owner.address);
  const signature = await owner.signTypedData(
    { name: "Session", version: "1", chainId: d.chainId, verifyingContract: await d.token.getAddress() },
    permitTypes(),
    { owner: owner.address, spender, value, nonce, deadline },
  );
  return ethers.Signature.from(signature);
}
