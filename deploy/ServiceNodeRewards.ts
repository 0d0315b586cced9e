/**
 * Deploy module: ServiceNodeRewards (UUPS proxy) and the stateless BLSVerifier its implementation calls.
 *
 * - deploy: BLSVerifier (a plain contract, replaced when its code changes), then the registry proxy,
 *   initialised with (owner, RewardRatePool, the flavour's staking requirement). The implementation's
 *   constructor fixes SESH and the verifier as immutables, so the proxy is upgraded when the compiled
 *   code changes *or* when its implementation points at another token or verifier than the address book.
 * - wire: the registry's reward pool is the RewardRatePool (the pool's own module points the pool's
 *   beneficiary back at the registry), its pooled-node factory is the ServiceNodeContributionFactory when
 *   that is deployed (only that factory's pools may register nodes for their operators), and the registry
 *   is started where the flavour says so. The pool and factory setters live in the registry's extension
 *   (called at the registry's address with the IServiceNodeRewardsExtension ABI).
 *
 * Delays: the registry's waits (30-day exit wait, 2-hour minimum node age, 1-hour exit-request interval)
 * are constants of the contract, so no flavour can shorten them; devnets move time with
 * `evm_increaseTime` instead. Its only owner-set time knob, the signature expiry, keeps its default.
 */
import { deployerIsOwner, deployOrReplaceContract, deployOrUpgradeUups } from "./lib";
import { formatSesh } from "../lib/format";
import { send } from "../lib/send";
import type { DeployContext, DeployModule } from "./types";

async function registry(ctx: DeployContext) {
  return ctx.hre.ethers.getContractAt("ServiceNodeRewards", ctx.require("ServiceNodeRewards"), ctx.deployer);
}

async function registryExtension(ctx: DeployContext) {
  return ctx.hre.ethers.getContractAt("IServiceNodeRewardsExtension", ctx.require("ServiceNodeRewards"), ctx.deployer);
}

/** The factory's address if this run or an earlier one deployed it, else undefined. */
function deployedFactory(ctx: DeployContext): string | undefined {
  try {
    return ctx.require("ServiceNodeContributionFactory");
  } catch {
    return undefined;
  }
}

export const serviceNodeRewardsModule: DeployModule = {
  name: "ServiceNodeRewards",
  dependsOn: ["SESH", "RewardRatePool"],

  async deploy(ctx) {
    const token = ctx.require("SESH");
    const { address: verifier } = await deployOrReplaceContract(ctx, "BLSVerifier", []);
    await deployOrUpgradeUups(ctx, "ServiceNodeRewards", [ctx.owner, ctx.require("RewardRatePool"), ctx.flavour.stakingRequirement], {
      constructorArgs: [token, verifier],
      async staleBecause(implementation) {
        const impl = await ctx.hre.ethers.getContractAt("ServiceNodeRewards", implementation);
        const [usedToken, usedVerifier] = [await impl.designatedToken(), await impl.blsVerifier()];
        if (usedToken.toLowerCase() !== token.toLowerCase()) return `uses token ${usedToken}, not SESH ${token}`;
        if (usedVerifier.toLowerCase() !== verifier.toLowerCase()) return `calls verifier ${usedVerifier}, not BLSVerifier ${verifier}`;
        return undefined;
      },
    });
  },

  async wire(ctx) {
    const contract = await registry(ctx);
    const extension = await registryExtension(ctx);
    const pool = ctx.require("RewardRatePool");
    const { ok: isOwner, owner } = await deployerIsOwner(ctx, await contract.getAddress());
    const asOwner = (what: string, call: string): boolean => {
      if (isOwner) return true;
      ctx.report({ contract: "ServiceNodeRewards", action: "skipped", detail: `${what}: the owner ${owner} must call ${call}` });
      return false;
    };

    const currentPool = await contract.rewardPool();
    if (currentPool.toLowerCase() === pool.toLowerCase()) {
      ctx.report({ contract: "ServiceNodeRewards", action: "unchanged", detail: `reward pool ${currentPool}` });
    } else if (asOwner("reward pool", `setRewardPool(${pool})`)) {
      const receipt = await send(ctx.hre, {
        description: `point ServiceNodeRewards at the reward pool ${pool} (was ${currentPool})`,
        contract: extension,
        contractName: "ServiceNodeRewards",
        method: "setRewardPool",
        args: [pool],
        confirmations: ctx.flavour.confirmations,
      });
      ctx.report({ contract: "ServiceNodeRewards", action: "wired", detail: `reward pool ${pool}`, txHash: receipt.hash });
    }

    const factory = deployedFactory(ctx);
    if (factory !== undefined) {
      const currentFactory = await extension.serviceNodeContributionFactory();
      if (currentFactory.toLowerCase() === factory.toLowerCase()) {
        ctx.report({ contract: "ServiceNodeRewards", action: "unchanged", detail: `pooled-node factory ${currentFactory}` });
      } else if (asOwner("pooled-node factory", `setServiceNodeContributionFactory(${factory})`)) {
        const receipt = await send(ctx.hre, {
          description: `let pools of the factory ${factory} register nodes (was ${currentFactory})`,
          contract: extension,
          contractName: "ServiceNodeRewards",
          method: "setServiceNodeContributionFactory",
          args: [factory],
          confirmations: ctx.flavour.confirmations,
        });
        ctx.report({ contract: "ServiceNodeRewards", action: "wired", detail: `pooled-node factory ${factory}`, txHash: receipt.hash });
      }
    }

    if (await contract.isStarted()) {
      ctx.report({
        contract: "ServiceNodeRewards",
        action: "unchanged",
        detail: `started; staking requirement ${formatSesh(await contract.stakingRequirement())}`,
      });
    } else if (!ctx.flavour.startRegistry) {
      ctx.report({
        contract: "ServiceNodeRewards",
        action: "skipped",
        detail: `not started on a ${ctx.flavour.kind}: the owner seeds the existing nodes (seedPublicKeyList), then calls start()`,
      });
    } else if (asOwner("start", "start()")) {
      const receipt = await send(ctx.hre, {
        description: "open ServiceNodeRewards for registrations (start)",
        contract,
        contractName: "ServiceNodeRewards",
        method: "start",
        args: [],
        confirmations: ctx.flavour.confirmations,
      });
      ctx.report({ contract: "ServiceNodeRewards", action: "wired", detail: "started", txHash: receipt.hash });
    }
  },
};
