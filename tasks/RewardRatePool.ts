/** Reward pool tasks: `pool:status`, `pool:fund`, `pool:payout`. */
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatSesh, parseSesh } from "./lib/args";
import { contractAddress, loadDeployment } from "./lib/deployment";
import { TaskError } from "./lib/errors";
import { out, table } from "./lib/output";
import { send } from "./lib/send";

const DAY = 86_400n;
const YEAR = 365n * DAY;

async function contracts(hre: HardhatRuntimeEnvironment) {
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
  const { pool, token } = await contracts(hre);
  const address = await pool.getAddress();
  const balance = await token.balanceOf(address);
  return {
    address,
    balance,
    ratePerBlock: await pool.rewardRate(),
    ratePerDay: await pool.calculateInterestAmount(balance, DAY),
    ratePerYear: await pool.calculateInterestAmount(balance, YEAR),
    released: await pool.calculateTotalReleased(),
    paidOut: await pool.totalPaidOut(),
    releasable: await pool.releasable(),
    beneficiary: await pool.beneficiary(),
    owner: await pool.owner(),
  };
}

task("pool:status", "Prints the reward pool's balance, reward rate, releases and beneficiary").setAction(async (_args, hre) => {
  const s = await poolStatus(hre);
  table([
    ["RewardRatePool", s.address],
    ["balance", formatSesh(s.balance)],
    ["rate per block (2 min)", formatSesh(s.ratePerBlock)],
    ["rate per day", formatSesh(s.ratePerDay)],
    ["rate per year (15.1 %)", formatSesh(s.ratePerYear)],
    ["released so far", formatSesh(s.released)],
    ["paid out so far", formatSesh(s.paidOut)],
    ["payable now", formatSesh(s.releasable)],
    ["beneficiary", s.beneficiary === "0x0000000000000000000000000000000000000000" ? "(not set)" : s.beneficiary],
    ["owner", s.owner],
  ]);
  return s;
});

task("pool:fund", "Sends SESH from your account into the reward pool")
  .addParam("amount", "SESH to add, e.g. 1000000")
  .setAction(async (args: { amount: string }, hre) => {
    const amount = parseSesh("--amount", args.amount);
    const { pool, token, signer } = await contracts(hre);
    const balance = await token.balanceOf(signer.address);
    if (balance < amount) {
      throw new TaskError(`${signer.address} holds ${formatSesh(balance)}, less than --amount ${formatSesh(amount)}: lower --amount`);
    }
    const address = await pool.getAddress();
    await send(hre, {
      description: `fund the reward pool with ${formatSesh(amount)}`,
      contract: token,
      contractName: "SESH",
      method: "transfer",
      args: [address, amount],
    });
    const after = await token.balanceOf(address);
    out(`  the pool now holds ${formatSesh(after)}; rate per block ${formatSesh(await pool.rewardRate())}`);
    return after;
  });

task("pool:payout", "Pays the rewards released so far to the pool's beneficiary (anyone may call)").setAction(async (_args, hre) => {
  const { pool } = await contracts(hre);
  const receipt = await send(hre, {
    description: `pay ${formatSesh(await pool.releasable())} (approximately) to the beneficiary ${await pool.beneficiary()}`,
    contract: pool,
    contractName: "RewardRatePool",
    method: "payoutReleased",
    args: [],
  });
  const event = receipt.logs
    .map((log) => pool.interface.parseLog(log))
    .find((parsed) => parsed !== null && parsed.name === "FundsReleased");
  const amount = event === undefined || event === null ? 0n : (event.args[1] as bigint);
  out(`  paid ${formatSesh(amount)}; paid out in total ${formatSesh(await pool.totalPaidOut())}`);
  return amount;
});
