/**
 * The whole suite as `npx hardhat deploy` leaves it on a devnet (every contract of the address book, proxies
 * and implementations), plus the objects access checks are about: a solo node and a pooled node in the
 * registry, an open pool made by the factory (its operator has paid its quarter), and a live name with a
 * plaintext Session ID record and its Session reverse record. Used by the permission matrix.
 */
import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runDeploy } from "../../deploy/run";
import type { AddressBook } from "../../src/deployments/addressBook";
import { labelhash, namehash } from "../../src/names/hash";
import { sessionKeyPair, sessionReverseMessage, signSessionReverse } from "../../src/names/sessionKey";
import { g1, nodeKey, proofOfPossession } from "./network";
import { nodeParams } from "./serviceNodeContribution";
import { STAKING_REQUIREMENT } from "./serviceNodeRewards";

/** ERC-1967 admin slot: the ProxyAdmin of a transparent proxy. */
export const ERC1967_ADMIN_SLOT = "0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103";

export interface DeployedSuite {
  readonly book: AddressBook;
  /** The deployer, owner of every upgradeable contract. */
  readonly owner: HardhatEthersSigner;
  /** An account with no role anywhere (it holds no SESH, no name, no stake). */
  readonly stranger: HardhatEthersSigner;
  /** Operator of both registry nodes and of the pool. */
  readonly operator: HardhatEthersSigner;
  /** Second contributor of the pooled node; holder of the name. */
  readonly alice: HardhatEthersSigner;
  readonly soloNodeId: bigint;
  readonly pooledNodeId: bigint;
  readonly pooledContributors: { staker: { addr: string; beneficiary: string }; stakedAmount: bigint }[];
  /** The open pool the factory made for `operator`. */
  readonly pool: string;
  /** ProxyAdmin of the name service's transparent proxy. */
  readonly namesProxyAdmin: string;
  readonly name: { readonly full: string; readonly labelhash: string; readonly node: string; readonly sessionKey: string; readonly ed25519Key: string };
}

function address(book: AddressBook, name: keyof AddressBook["contracts"]): string {
  const record = book.contracts[name];
  if (record === undefined) throw new Error(`deployedSuite: the deploy recorded no ${name}`);
  return record.address;
}

/** Deploys with the real deploy runner (temporary address book) and builds the objects above. */
export async function deploySuite(): Promise<DeployedSuite> {
  const { ethers } = hre;
  const [owner, operator, alice] = await ethers.getSigners();
  const stranger = (await ethers.getSigners())[17];
  const dir = mkdtempSync(path.join(os.tmpdir(), "guards-suite-"));
  const saved = { DEPLOYMENTS_DIR: process.env.DEPLOYMENTS_DIR, TASKS_QUIET: process.env.TASKS_QUIET };
  process.env.DEPLOYMENTS_DIR = dir;
  process.env.TASKS_QUIET = "1";
  let book: AddressBook;
  try {
    ({ book } = await runDeploy(hre, { fresh: true, log: () => undefined }));
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  }

  const token = await ethers.getContractAt("SESH", address(book, "SESH"), owner);
  const registryAddress = address(book, "ServiceNodeRewards");
  const registry = await ethers.getContractAt("ServiceNodeRewards", registryAddress, operator);
  const domain = { chainId: (await ethers.provider.getNetwork()).chainId, contract: registryAddress as `0x${string}` };
  await token.transfer(operator.address, 3n * STAKING_REQUIREMENT);
  await token.connect(operator).approve(registryAddress, 2n * STAKING_REQUIREMENT);

  const solo = nodeKey("guards-matrix-solo");
  await registry.addBLSPublicKey(g1(solo.pk), proofOfPossession(solo, domain, operator.address as `0x${string}`), nodeParams(solo), []);
  const soloNodeId = await registry.serviceNodeIDs(ethers.concat([ethers.toBeHex(solo.pk.X, 32), ethers.toBeHex(solo.pk.Y, 32)]));

  const pooled = nodeKey("guards-matrix-pooled");
  const quarter = STAKING_REQUIREMENT / 4n;
  const pooledContributors = [
    { staker: { addr: operator.address, beneficiary: operator.address }, stakedAmount: quarter },
    { staker: { addr: alice.address, beneficiary: alice.address }, stakedAmount: STAKING_REQUIREMENT - quarter },
  ];
  await registry.addBLSPublicKey(g1(pooled.pk), proofOfPossession(pooled, domain, operator.address as `0x${string}`), nodeParams(pooled), pooledContributors);
  const pooledNodeId = await registry.serviceNodeIDs(ethers.concat([ethers.toBeHex(pooled.pk.X, 32), ethers.toBeHex(pooled.pk.Y, 32)]));

  const factory = await ethers.getContractAt("ServiceNodeContributionFactory", address(book, "ServiceNodeContributionFactory"), operator);
  const poolKey = nodeKey("guards-matrix-pool");
  const pop = proofOfPossession(poolKey, domain, operator.address as `0x${string}`);
  const pool = await factory.deploy.staticCall(g1(poolKey.pk), pop, nodeParams(poolKey), [], false);
  await factory.deploy(g1(poolKey.pk), pop, nodeParams(poolKey), [], false);
  await token.connect(operator).approve(pool, quarter);
  const poolContract = await ethers.getContractAt("ServiceNodeContribution", pool, operator);
  await poolContract["contributeFunds(uint256,address,uint256)"](quarter, ethers.ZeroAddress, await poolContract.epoch());

  // A live name of alice with a plaintext Session ID record, and the Session reverse record pointing at it.
  const names = await ethers.getContractAt("SessionNameService", address(book, "SessionNameService"), owner);
  const label = "guardsmatrix";
  const session = sessionKeyPair(ethers.getBytes(ethers.id("guards-matrix-session-key")));
  const sessionKey = session.sessionKey;
  await names.setRegistrar(owner.address, true);
  await names.registerFor(labelhash(label), alice.address, 1n, [{ kind: 1, key: "", value: sessionKey }]);
  const full = `${label}.session`;
  const reverseAddress = address(book, "SessionNameReverse");
  const reverse = await ethers.getContractAt("SessionNameReverse", reverseAddress, alice);
  // Signed by the Session ID's own key (nonce 0); any account may send it.
  const { chainId } = await ethers.provider.getNetwork();
  const message = sessionReverseMessage({ chainId, reverse: reverseAddress as `0x${string}`, sessionKey, fullName: full, nonce: 0n });
  const signed = signSessionReverse(session, message);
  await reverse.setSessionReverseName(sessionKey, ethers.toUtf8Bytes(full), signed.ed25519Key, signed.signature);
  const namesProxyAdmin = ethers.getAddress("0x" + (await ethers.provider.getStorage(await names.getAddress(), ERC1967_ADMIN_SLOT)).slice(26));

  return {
    book,
    owner,
    stranger,
    operator,
    alice,
    soloNodeId,
    pooledNodeId,
    pooledContributors,
    pool,
    namesProxyAdmin,
    name: { full, labelhash: labelhash(label), node: namehash(full), sessionKey, ed25519Key: session.ed25519Key },
  };
}
