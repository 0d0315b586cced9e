/**
 * Deploy module: the RewardRatePool (UUPS proxy), its beneficiary (ServiceNodeRewards, once deployed)
 * and its reserve (topped up to the run's funding target).
 */
import { ZeroAddress } from "ethers";
import { formatSesh } from "../lib/format";
import { send } from "../lib/send";
import { deployOrUpgradeUups } from "./lib";
import type { DeployContext, DeployModule } from "./types";

async function pool(ctx: DeployContext) {
  return ctx.hre.ethers.getContractAt("RewardRatePool", ctx.require("RewardRatePool"), ctx.deployer);
}

export const rewardRatePoolModule: DeployModule = {
  name: "RewardRatePool",
  dependsOn: ["SESH"],

  async deploy(ctx) {
    // The rewards contract is normally deployed after the pool; if it already exists, initialise with it.
    const beneficiary = ctx.get("ServiceNodeRewards")?.address ?? ZeroAddress;
    await deployOrUpgradeUups(ctx, "RewardRatePool", [ctx.owner, ctx.require("SESH"), beneficiary]);
  },

  async wire(ctx) {
    const rewards = ctx.get("ServiceNodeRewards");
    if (rewards === undefined) {
      ctx.report({
        contract: "RewardRatePool",
        action: "skipped",
        detail: "beneficiary not set: ServiceNodeRewards is not deployed yet",
      });
      return;
    }
    const contract = await pool(ctx);
    const current = await contract.beneficiary();
    if (current.toLowerCase() === rewards.address.toLowerCase()) {
      ctx.report({ contract: "RewardRatePool", action: "unchanged", detail: `beneficiary ${current}` });
      return;
    }
    const owner = await contract.owner();
    if (owner.toLowerCase() !== ctx.deployer.address.toLowerCase()) {
      // Not an error: a deploy for another owner (e.g. a multisig) lists what the owner still has to do.
      ctx.report({
        contract: "RewardRatePool",
        action: "skipped",
        detail: `beneficiary: the owner ${owner} must call setBeneficiary(${rewards.address})`,
      });
      return;
    }
    const receipt = await send(ctx.hre, {
      description: `point the reward pool at ServiceNodeRewards (was ${current})`,
      contract,
      contractName: "RewardRatePool",
      method: "setBeneficiary",
      args: [rewards.address],
      confirmations: ctx.flavour.confirmations,
    });
    ctx.report({ contract: "RewardRatePool", action: "wired", detail: `beneficiary ${rewards.address}`, txHash: receipt.hash });
  },

  async fund(ctx) {
    if (ctx.poolFunding === 0n) {
      ctx.report({ contract: "RewardRatePool", action: "skipped", detail: "no funding asked for" });
      return;
    }
    const contract = await pool(ctx);
    const deposited = await contract.calculateTotalDeposited();
    if (deposited >= ctx.poolFunding) {
      ctx.report({
        contract: "RewardRatePool",
        action: "unchanged",
        detail: `has received ${formatSesh(deposited)} (target ${formatSesh(ctx.poolFunding)})`,
      });
      return;
    }
    const missing = ctx.poolFunding - deposited;
    const token = await ctx.hre.ethers.getContractAt("SESH", ctx.require("SESH"), ctx.deployer);
    const balance = await token.balanceOf(ctx.deployer.address);
    if (balance < missing) {
      throw new Error(
        `funding the reward pool needs ${formatSesh(missing)} more, but the deployer ${ctx.deployer.address} ` +
          `holds ${formatSesh(balance)}: send it SESH, or lower the target with --fund-pool (0 skips funding)`,
      );
    }
    const receipt = await send(ctx.hre, {
      description: `fund the reward pool with ${formatSesh(missing)} (target ${formatSesh(ctx.poolFunding)})`,
      contract: token,
      contractName: "SESH",
      method: "transfer",
      args: [await contract.getAddress(), missing],
      confirmations: ctx.flavour.confirmations,
    });
    ctx.report({ contract: "RewardRatePool", action: "funded", detail: `+${formatSesh(missing)}`, txHash: receipt.hash });
  },
};
