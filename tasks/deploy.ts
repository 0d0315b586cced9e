/** Deployer tasks: `deploy` (everything, idempotent) and `deploy:verify` (address book vs chain). */
import { task } from "hardhat/config";
import { runDeploy } from "../deploy/run";
import { parentNodeOf } from "../deploy/SessionNameService";
import { parseAddress, parseSesh } from "./lib/args";
import { TaskArgumentError, TaskError } from "./lib/errors";
import { loadDeployment } from "./lib/deployment";
import { out, table } from "./lib/output";

interface DeployArgs {
  fundPool?: string;
  seshReceiver?: string;
  owner?: string;
  nameParent?: string;
  nameFee?: string;
  fresh: boolean;
}

task("deploy", "Deploys every contract (skips what exists, upgrades what changed), wires them and funds the reward pool")
  .addOptionalParam("fundPool", "SESH the reward pool should have received in total, e.g. 40000000 (default: the network flavour's; 0: no funding)")
  .addOptionalParam("seshReceiver", "account that receives the 240M SESH supply when SESH is deployed (default: deployer)")
  .addOptionalParam("owner", "owner of the upgradeable contracts (default: deployer)")
  .addOptionalParam("nameParent", "parent name of the Session Name Service, fixed at its deployment (default: session)")
  .addOptionalParam("nameFee", "yearly name fee in SESH, e.g. 10 (default: the network flavour's; required on mainnet)")
  .addFlag("fresh", "devnets only: ignore the existing address book and deploy everything anew")
  .setAction(async (args: DeployArgs, hre) => {
    const poolFunding = args.fundPool === undefined ? undefined : parseSesh("--fund-pool", args.fundPool, { allowZero: true });
    const seshReceiver = args.seshReceiver === undefined ? undefined : parseAddress("--sesh-receiver", args.seshReceiver);
    const owner = args.owner === undefined ? undefined : parseAddress("--owner", args.owner);
    const nameFeePerYear = args.nameFee === undefined ? undefined : parseSesh("--name-fee", args.nameFee, { allowZero: true });
    const nameParent = args.nameParent;
    if (nameParent !== undefined) {
      try {
        parentNodeOf(nameParent);
      } catch (error) {
        throw new TaskArgumentError("--name-parent", (error as Error).message);
      }
    }
    await hre.run("compile", { quiet: true });
    try {
      return await runDeploy(hre, { poolFunding, seshReceiver, owner, nameParent, nameFeePerYear, fresh: args.fresh, log: out });
    } catch (error) {
      if (error instanceof TaskError) throw error;
      throw new TaskError(`deploy to ${hre.network.name} failed: ${(error as Error).message}`, error as Error);
    }
  });

task("deploy:verify", "Checks that every contract in the address book has code on this chain").setAction(async (_args, hre) => {
  const deployment = await loadDeployment(hre);
  table([
    ["contract", "address", "implementation", "block"],
    ...Object.entries(deployment.book.contracts).map(([name, r]) => [name, r.address, r.implementation ?? "-", String(r.blockNumber)]),
  ]);
  out(`${deployment.file}: every address has code on ${hre.network.name} (chain id ${deployment.chainId})`);
  return deployment;
});
