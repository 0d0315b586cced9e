/**
 * Gas suite "token": SESH transfer/approve/permit and every RewardRatePool operation, each as the whole
 * transaction's gasUsed (21,000 base included) on the in-process Hardhat network (prague).
 */
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { GasRow, GasSuite } from "./types";
import { SESH_UNIT } from "../../src/protocol";
import { permitTypes } from "../../src/token/permit";

const DAY = 86_400;
const YEAR = 365 * DAY;

async function gasOf(tx: Promise<ContractTransactionResponse> | ContractTransactionResponse): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("gas suite token: transaction has no receipt");
  return receipt.gasUsed;
}

async function measure(): Promise<GasRow[]> {
  const { ethers } = hre;
  const [deployer, holder, spender, beneficiary, newBeneficiary, caller] = await ethers.getSigners();
  const rows: GasRow[] = [];

  const token = await ethers.deployContract("SESH", [deployer.address]);
  rows.push({
    operation: "SESH deploy",
    gas: (await token.deploymentTransaction()!.wait())!.gasUsed,
    note: "mints 240M SESH to the receiver",
  });
  rows.push({
    operation: "SESH transfer",
    gas: await gasOf(token.transfer(holder.address, 1_000n * SESH_UNIT)),
    note: "recipient had no balance",
  });
  rows.push({
    operation: "SESH transfer (recipient holds SESH)",
    gas: await gasOf(token.transfer(holder.address, 1_000n * SESH_UNIT)),
  });
  rows.push({
    operation: "SESH approve",
    gas: await gasOf(token.connect(holder).approve(spender.address, 500n * SESH_UNIT)),
    note: "zero to non-zero allowance",
  });

  const { chainId } = await ethers.provider.getNetwork();
  // A fixed deadline keeps the signed digest, and so the calldata and gas, identical run to run.
  const deadline = 4_102_444_800n; // 2100-01-01
  const value = 250n * SESH_UNIT;
  const signature = await deployer.signTypedData(
    { name: "Session", version: "1", chainId, verifyingContract: await token.getAddress() },
    permitTypes(),
    { owner: deployer.address, spender: spender.address, value, nonce: await token.nonces(deployer.address), deadline },
  );
  const { v, r, s } = ethers.Signature.from(signature);
  rows.push({
    operation: "SESH permit",
    gas: await gasOf(token.connect(spender).permit(deployer.address, spender.address, value, deadline, v, r, s)),
    note: "first nonce, zero to non-zero allowance, sent by the spender",
  });

  const implementation = await ethers.deployContract("RewardRatePool");
  rows.push({
    operation: "RewardRatePool implementation deploy",
    gas: (await implementation.deploymentTransaction()!.wait())!.gasUsed,
  });
  const initData = implementation.interface.encodeFunctionData("initialize", [
    deployer.address,
    await token.getAddress(),
    beneficiary.address,
  ]);
  const proxy = await ethers.deployContract("ERC1967Proxy", [await implementation.getAddress(), initData]);
  rows.push({
    operation: "RewardRatePool deploy ERC1967Proxy + initialize",
    gas: (await proxy.deploymentTransaction()!.wait())!.gasUsed,
    note: "with a beneficiary",
  });
  const pool = await ethers.getContractAt("RewardRatePool", await proxy.getAddress());
  await (await token.transfer(await pool.getAddress(), 100_000_000n * SESH_UNIT)).wait();

  await time.increase(DAY);
  rows.push({
    operation: "payoutReleased after 1 day",
    gas: await gasOf(pool.connect(caller).payoutReleased()),
    note: "first payout: beneficiary had no balance",
  });
  await time.increase(YEAR);
  rows.push({
    operation: "payoutReleased after 1 year",
    gas: await gasOf(pool.connect(caller).payoutReleased()),
    note: "steady state",
  });
  await time.increase(120);
  rows.push({
    operation: "payoutReleased after 120 s",
    gas: await gasOf(pool.connect(caller).payoutReleased()),
    note: "steady state",
  });
  rows.push({
    operation: "setBeneficiary",
    gas: await gasOf(pool.setBeneficiary(newBeneficiary.address)),
    note: "non-zero to non-zero",
  });
  rows.push({
    operation: "rewardRate (view)",
    gas: await pool.rewardRate.estimateGas(),
    note: "eth_estimateGas of a call, 21,000 base included",
  });
  return rows;
}

export const tokenSuite: GasSuite = { name: "token", measure };
