/** Reward pool tasks: `pool:status`, `pool:fund`, `pool:payout`. */
import { task } from "hardhat/config";
import { formatSesh, parseSesh } from "./lib/args";
import { TaskError } from "../lib/errors";
import { out, table } from "../lib/output";
import { poolContracts, poolStatus } from "./lib/pool";
import { send } from "../lib/send";

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
    const { pool, token, signer } = await poolContracts(hre);
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
  const { pool } = await poolContracts(hre);
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
  const amount = event === undefined || event === null ? 0n : (event.args[0] as bigint);
  out(`  paid ${formatSesh(amount)}; paid out in total ${formatSesh(await pool.totalPaidOut())}`);
  return amount;
});
