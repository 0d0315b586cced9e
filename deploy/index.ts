/**
 * The deploy modules, in any order (the runner sorts them by `dependsOn`).
 *
 * Extension point: a new contract gets `deploy/<Contract>.ts` exporting a {@link DeployModule}, its name
 * in `ContractName` (src/deployments/addressBook.ts), and one entry here. Planned: ServiceNodeRewards (dependsOn
 * SESH, RewardRatePool — the pool's `wire` then sets it as beneficiary), ServiceNodeContributionFactory
 * (dependsOn ServiceNodeRewards; wires factory → rewards), the name service (wires fees → pool).
 */
import { rewardRatePoolModule } from "./RewardRatePool";
import { seshModule } from "./SESH";
import { serviceNodeContributionFactoryModule } from "./ServiceNodeContributionFactory";
import { serviceNodeRewardsModule } from "./ServiceNodeRewards";
import { sessionNameServiceModule } from "./SessionNameService";
import type { DeployModule } from "./types";

export const DEPLOY_MODULES: readonly DeployModule[] = [
  seshModule,
  rewardRatePoolModule,
  serviceNodeRewardsModule,
  serviceNodeContributionFactoryModule,
  sessionNameServiceModule,
];

/** Orders modules so each comes after everything it depends on; throws on a missing or cyclic dependency. */
export function orderModules(modules: readonly DeployModule[]): DeployModule[] {
  const byName = new Map(modules.map((m) => [m.name, m]));
  const ordered: DeployModule[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (module: DeployModule, path: readonly string[]): void => {
    const seen = state.get(module.name);
    if (seen === "done") return;
    if (seen === "visiting") throw new Error(`deploy modules depend on each other in a cycle: ${[...path, module.name].join(" → ")}`);
    state.set(module.name, "visiting");
    for (const dependency of module.dependsOn) {
      const next = byName.get(dependency);
      if (next === undefined) throw new Error(`deploy module ${module.name} depends on ${dependency}, which has no module in deploy/index.ts`);
      visit(next, [...path, module.name]);
    }
    state.set(module.name, "done");
    ordered.push(module);
  };
  for (const module of modules) visit(module, []);
  return ordered;
}
