/**
 * Deploy module: ServiceNodeContributionFactory (UUPS proxy) and the ServiceNodeContribution
 * implementation its pools clone.
 *
 * - deploy: the factory proxy (its implementation's constructor fixes the registry, so a factory whose
 *   implementation names another registry is upgraded), then the pool implementation, which is
 *   constructed with the registry and the factory proxy's address; it is replaced when its code changes
 *   or it names another factory or registry.
 * - wire: the factory clones the recorded pool implementation (`setImplementation`, owner only).
 */
import { deployerIsOwner, deployOrReplaceContract, deployOrUpgradeUups } from "./lib";
import { send } from "../lib/send";
import type { DeployModule } from "./types";

export const serviceNodeContributionFactoryModule: DeployModule = {
  name: "ServiceNodeContributionFactory",
  dependsOn: ["ServiceNodeRewards"],

  async deploy(ctx) {
    const registry = ctx.require("ServiceNodeRewards");
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    const factory = await deployOrUpgradeUups(ctx, "ServiceNodeContributionFactory", [ctx.owner], {
      constructorArgs: [registry],
      async staleBecause(implementation) {
        const impl = await ctx.hre.ethers.getContractAt("ServiceNodeContributionFactory", implementation);
        const used = await impl.registry();
        return same(used, registry) ? undefined : `names registry ${used}, not ServiceNodeRewards ${registry}`;
      },
    });
    await deployOrReplaceContract(ctx, "ServiceNodeContribution", [registry, factory], async (address) => {
      const impl = await ctx.hre.ethers.getContractAt("ServiceNodeContribution", address);
      const [usedFactory, usedRegistry] = [await impl.factory(), await impl.registry()];
      if (!same(usedFactory, factory)) return `names factory ${usedFactory}, not ${factory}`;
      if (!same(usedRegistry, registry)) return `names registry ${usedRegistry}, not ${registry}`;
      return undefined;
    });
  },

  async wire(ctx) {
    const factoryAddress = ctx.require("ServiceNodeContributionFactory");
    const wanted = ctx.require("ServiceNodeContribution");
    const factory = await ctx.hre.ethers.getContractAt("ServiceNodeContributionFactory", factoryAddress, ctx.deployer);
    const current = await factory.implementation();
    if (current.toLowerCase() === wanted.toLowerCase()) {
      ctx.report({ contract: "ServiceNodeContributionFactory", action: "unchanged", detail: `pool implementation ${current}` });
      return;
    }
    const { ok, owner } = await deployerIsOwner(ctx, factoryAddress);
    if (!ok) {
      ctx.report({
        contract: "ServiceNodeContributionFactory",
        action: "skipped",
        detail: `pool implementation: the owner ${owner} must call setImplementation(${wanted})`,
      });
      return;
    }
    const receipt = await send(ctx.hre, {
      description: `make the factory clone the pool implementation ${wanted} (was ${current})`,
      contract: factory,
      contractName: "ServiceNodeContributionFactory",
      method: "setImplementation",
      args: [wanted],
      confirmations: ctx.flavour.confirmations,
    });
    ctx.report({ contract: "ServiceNodeContributionFactory", action: "wired", detail: `pool implementation ${wanted}`, txHash: receipt.hash });
  },
};
