/** Deployment fixture for ServiceNodeRewards tests, benchmarks and property tests. */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { IServiceNodeRewardsExtension, RewardRatePool, SESH, ServiceNodeRewards } from "../../typechain-types";
import { SESH_UNIT, STAKING_REQUIREMENT } from "../../src/protocol";
import { g1, makeNodeKeys, proofOfPossession, type NodeKey, type SimNetwork } from "./network";

/** The protocol's (src/protocol), re-exported for the many tests that import them with this fixture. */
export { SESH_UNIT, STAKING_REQUIREMENT };
export const POOL_RESERVE = 10_000_000n * SESH_UNIT;

export interface Deployment {
  snr: ServiceNodeRewards;
  /** The same registry with the ABI of its extension (seeding, most owner setters, claim-cycle views). */
  ext: IServiceNodeRewardsExtension;
  token: SESH;
  pool: RewardRatePool;
  owner: HardhatEthersSigner;
  accounts: HardhatEthersSigner[];
  network: SimNetwork;
  seedKeys: NodeKey[];
  address: `0x${string}`;
  chainId: bigint;
}

export interface DeployOptions {
  /** Number of network nodes seeded before start (default 50). */
  readonly seeded?: number;
  /** Label for the node keys (default "node"). */
  readonly label?: string;
  /** Call start() (default true). */
  readonly start?: boolean;
  /** Seed nodes in batches of this size (default 100). */
  readonly batch?: number;
}

/** SESH, a funded RewardRatePool paying to the registry, the registry behind an ERC-1967 proxy, N seeded
 * nodes (each operated by one of the test accounts), started, and time moved 3 h on so seeded nodes are
 * old enough to exit. Every account gets 1M SESH. */
export async function deployServiceNodeRewards(options: DeployOptions = {}): Promise<Deployment> {
  const { seeded = 50, label = "node", start = true, batch = 100 } = options;
  const signers = await ethers.getSigners();
  const [owner, ...accounts] = signers;
  const token = await ethers.deployContract("SESH", [owner.address]);
  const poolImpl = await ethers.deployContract("RewardRatePool");
  const poolInit = poolImpl.interface.encodeFunctionData("initialize", [owner.address, await token.getAddress(), ethers.ZeroAddress]);
  const poolProxy = await ethers.deployContract("ERC1967Proxy", [await poolImpl.getAddress(), poolInit]);
  const pool = await ethers.getContractAt("RewardRatePool", await poolProxy.getAddress());

  const verifier = await ethers.deployContract("BLSVerifier");
  const impl = await ethers.deployContract("ServiceNodeRewards", [await token.getAddress(), await verifier.getAddress()]);
  const init = impl.interface.encodeFunctionData("initialize", [owner.address, await pool.getAddress(), STAKING_REQUIREMENT]);
  const proxy = await ethers.deployContract("ERC1967Proxy", [await impl.getAddress(), init]);
  const snr = await ethers.getContractAt("ServiceNodeRewards", await proxy.getAddress());
  const address = (await snr.getAddress()) as `0x${string}`;
  const ext = await ethers.getContractAt("IServiceNodeRewardsExtension", address);
  await pool.setBeneficiary(address);
  await token.transfer(await pool.getAddress(), POOL_RESERVE);
  for (const account of accounts) await token.transfer(account.address, 1_000_000n * SESH_UNIT);

  const chainId = (await ethers.provider.getNetwork()).chainId;
  const network: SimNetwork = { domain: { chainId, contract: address }, nodes: new Map() };
  const seedKeys = makeNodeKeys(seeded, label);
  // Seeding pulls the stake behind every seeded node from the owner.
  if (seeded > 0) await token.approve(address, BigInt(seeded) * STAKING_REQUIREMENT);
  for (let from = 0; from < seeded; from += batch) {
    const addedTimestamp = BigInt(await time.latest());
    const chunk = seedKeys.slice(from, from + batch).map((key, j) => {
      const operator = accounts[(from + j) % accounts.length].address;
      return {
        blsPubkey: g1(key.pk),
        addedTimestamp,
        ed25519Pubkey: key.ed25519,
        contributors: [{ staker: { addr: operator, beneficiary: operator }, stakedAmount: STAKING_REQUIREMENT }],
      };
    });
    await ext.seedPublicKeyList(chunk, { gasLimit: 29_000_000 });
  }
  seedKeys.forEach((key, i) => network.nodes.set(BigInt(i + 1), key));
  if (start) {
    await snr.start();
    await time.increase(3 * 3600);
  }
  return { snr, ext, token, pool, owner, accounts, network, seedKeys, address, chainId };
}

/** The timestamp of the latest block. */
export async function now(): Promise<bigint> {
  return BigInt(await time.latest());
}

/** A contributor-list entry as the registry takes it (beneficiary: the staker itself unless given). */
export function contributorEntry(addr: string, amount: bigint, beneficiary = addr) {
  return { staker: { addr, beneficiary }, stakedAmount: amount };
}

/**
 * Registers `key` with `operator` paying the whole current staking requirement: solo when `contributors` is
 * empty, else pooled with `operator` as contributor 0. Adds the node to `d.network` and returns its id and
 * the block time it was added at.
 */
export async function registerNode(
  d: Deployment,
  key: NodeKey,
  operator: HardhatEthersSigner,
  contributors: ReturnType<typeof contributorEntry>[] = [],
): Promise<{ id: bigint; added: bigint }> {
  const requirement = await d.snr.stakingRequirement();
  await d.token.connect(operator).approve(d.address, requirement);
  const pop = proofOfPossession(key, d.network.domain, operator.address as `0x${string}`);
  const params = { ed25519Pubkey: key.ed25519, ed25519Signature0: 1n, ed25519Signature1: 2n, fee: 0 };
  await d.snr.connect(operator).addBLSPublicKey(g1(key.pk), pop, params, contributors);
  const id = (await d.snr.nextServiceNodeID()) - 1n;
  d.network.nodes.set(id, key);
  return { id, added: (await d.snr.serviceNodes(id)).addedTimestamp };
}
