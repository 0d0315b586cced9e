/** Reads the reward pool's state for `pool:status` and the devnet's status table. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { contractAddress, loadDeployment } from "./deployment";

const DAY = 86_400n;
const YEAR = 365n * DAY;

export async function poolContracts(hre: HardhatRuntimeEnvironment) {
  const deployment = await loadDeployment(hre);
  const [signer] = await hre.ethers.getSigners();
  const pool = await hre.ethers.getContractAt("RewardRatePool", contractAddress(deployment, "RewardRatePool"), signer);
  const token = await hre.ethers.getContractAt("SESH", contractAddress(deployment, "SESH"), signer);
  return { pool, token, signer };
}

export interface PoolStatus {
  readonly address: string;
  readonly balance: bigint;
  readonly ratePerBlock: bigint;
  readonly ratePerDay: bigint;
  readonly ratePerYear: bigint;
  readonly released: bigint;
  readonly paidOut: bigint;
  readonly releasable: bigint;
  readonly beneficiary: string;
  readonly owner: string;
}

/** Reads the pool's state (used by `pool:status` and the devnet's status table). */
export async function poolStatus(hre: HardhatRuntimeEnvironment): Promise<PoolStatus> {
  const { pool, token } = await poolContracts(hre);
  const address = await pool.getAddress();
  const balance = await token.balanceOf(address);
  return {
    address,
    balance,
    ratePerBlock: await pool.rewardRate(),
    ratePerDay: await pool.calculatePayoutAmount(balance, DAY),
    ratePerYear: await pool.calculatePayoutAmount(balance, YEAR),
    released: await pool["calculateReleasedAmount()"](),
    paidOut: await pool.totalPaidOut(),
    releasable: await pool.releasable(),
    beneficiary: await pool.beneficiary(),
    owner: await pool.owner(),
  };
}

