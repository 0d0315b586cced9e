/** Deployment fixture shared by the Session Name Service tests and the `names` gas suite. */
import hre from "hardhat";
import { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroHash, getCreateAddress } from "ethers";
import { Hex } from "viem";
import {
  SESH,
  SessionNameCommitments,
  SessionNameResolver,
  SessionNameReverse,
  SessionNameService,
} from "../../typechain-types";
import { PreparedRegistration, RecordSpec, prepareRegistration } from "../../src/names";

/** 10 SESH per year (9 decimals). */
export const FEE_PER_YEAR = 10n * 10n ** 9n;
export const MIN_AGE = 60;
export const MAX_AGE = 24 * 3600;
export const YEAR = 365 * 24 * 3600;
export const GRACE = 90 * 24 * 3600;

export interface NamesFixture {
  readonly sesh: SESH;
  readonly names: SessionNameService;
  readonly commitments: SessionNameCommitments;
  readonly resolver: SessionNameResolver;
  readonly reverse: SessionNameReverse;
  readonly namesAddress: Hex;
  readonly deployer: HardhatEthersSigner;
  readonly admin: HardhatEthersSigner;
  readonly alice: HardhatEthersSigner;
  readonly bob: HardhatEthersSigner;
  readonly carol: HardhatEthersSigner;
  readonly registrar: HardhatEthersSigner;
  readonly pool: HardhatEthersSigner;
}

/** Deploys SESH, the name service behind its proxy and the three companions; funds and approves users. */
export async function deployNames(): Promise<NamesFixture> {
  const { ethers } = hre;
  const [deployer, admin, alice, bob, carol, registrar, pool] = await ethers.getSigners();
  const sesh = await ethers.deployContract("SESH", [deployer.address]);
  const impl = await ethers.deployContract("SessionNameService", [await sesh.getAddress()]);
  const nonce = await deployer.getNonce();
  const proxyAddress = getCreateAddress({ from: deployer.address, nonce: nonce + 3 });
  const commitments = await ethers.deployContract("SessionNameCommitments", [proxyAddress]);
  const reverse = await ethers.deployContract("SessionNameReverse", [proxyAddress]);
  const resolver = await ethers.deployContract("SessionNameResolver", [proxyAddress, await reverse.getAddress()]);
  const init = impl.interface.encodeFunctionData("initialize", [
    admin.address,
    ZeroHash,
    pool.address,
    FEE_PER_YEAR,
    await commitments.getAddress(),
  ]);
  const proxy = await ethers.deployContract("SessionNameServiceProxy", [await impl.getAddress(), admin.address, init]);
  if ((await proxy.getAddress()) !== proxyAddress) throw new Error("proxy address prediction failed");
  const names = await ethers.getContractAt("SessionNameService", proxyAddress);
  for (const user of [alice, bob, carol, registrar]) {
    await sesh.transfer(user.address, 10_000n * 10n ** 9n);
  }
  // The RewardRatePool always holds SESH; give the stand-in recipient a balance too.
  await sesh.transfer(pool.address, 1n);
  return {
    sesh,
    names,
    commitments,
    resolver,
    reverse,
    namesAddress: proxyAddress as Hex,
    deployer,
    admin,
    alice,
    bob,
    carol,
    registrar,
    pool,
  };
}

/** Secret derived from a tag, so tests are deterministic. */
export function secretOf(tag: string): Hex {
  return hre.ethers.id(`secret:${tag}`) as Hex;
}

/** Prepares, commits, waits 60 s and registers `name` for `owner`, paid by `payer` from its allowance. */
export async function commitAndRegister(
  f: NamesFixture,
  payer: HardhatEthersSigner,
  name: string,
  owner: string,
  years = 1n,
  records: readonly RecordSpec[] = [],
): Promise<PreparedRegistration> {
  const prepared = prepareRegistration({
    names: f.namesAddress,
    name,
    owner: owner as Hex,
    years,
    secret: secretOf(name + owner),
    records,
  });
  await f.commitments.connect(payer).commit(prepared.commitment);
  await time.increase(MIN_AGE);
  await f.sesh.connect(payer).approve(f.namesAddress, FEE_PER_YEAR * years);
  await f.names
    .connect(payer)
    .register(prepared.ids.labelhash, prepared.owner, years, prepared.secret, [...prepared.records]);
  return prepared;
}
