/** Deployer tasks: `deploy` (everything, idempotent) and `deploy:verify` (address book vs chain). */
import { task } from "hardhat/config";
import { compiledRuntime, sameRuntimeCode } from "../deploy/lib";
import { runDeploy } from "../deploy/run";
import type { DeployContext } from "../deploy/types";
import { parentNodeOf } from "../deploy/SessionNameService";
import { parseAddress, parseSesh } from "./lib/args";
import { TaskArgumentError, TaskError } from "../lib/errors";
import { loadDeployment } from "./lib/deployment";
import { out, table } from "../lib/output";

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

task("deploy:verify", "Checks every contract in the address book: code exists, and equals the compiled artifact (implementations too)").setAction(
  async (_args, hre) => {
    const deployment = await loadDeployment(hre);
    const rows: string[][] = [["contract", "address", "implementation", "block", "code"]];
    const problems: string[] = [];
    for (const [name, record] of Object.entries(deployment.book.contracts)) {
      let running = record.address;
      let check = "matches the artifact";
      if (record.kind === "uups" || record.kind === "transparent") {
        // Both proxy kinds keep their implementation in the ERC-1967 slot; the artifact to compare is the implementation's.
        running = await hre.upgrades.erc1967.getImplementationAddress(record.address);
        if (running.toLowerCase() !== record.implementation?.toLowerCase()) {
          problems.push(`${name}: the proxy runs ${running}, the address book says ${record.implementation}`);
          check = "implementation moved";
        }
      }
      let compiled: Awaited<ReturnType<typeof compiledRuntime>> | undefined;
      try {
        compiled = await compiledRuntime({ hre } as DeployContext, name);
      } catch {
        check = "no artifact to compare";
      }
      if (compiled !== undefined && !sameRuntimeCode(await hre.ethers.provider.getCode(running), compiled.code, compiled.masked)) {
        problems.push(`${name}: the code at ${running} differs from the compiled ${name}`);
        check = "DIFFERS";
      }
      rows.push([name, record.address, record.implementation ?? "-", String(record.blockNumber), check]);
    }
    table(rows);
    if (problems.length > 0) {
      throw new TaskError(
        `${deployment.file} does not match the compiled contracts on ${hre.network.name}:\n  ${problems.join("\n  ")}\n` +
          `run \`npx hardhat deploy --network ${hre.network.name}\` to upgrade or record what runs`,
      );
    }
    out(`${deployment.file}: every address has code on ${hre.network.name} (chain id ${deployment.chainId}), equal to the compiled artifacts`);
    return deployment;
  },
);
