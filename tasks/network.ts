/**
 * `npx hardhat network --network localhost [--nodes 12] [--tracker URL] […]`: the simulated node network
 * (signing nodes + aggregator JSON-RPC) against the selected network's RPC URL, until Ctrl-C; `--keys`
 * prints the nodes' registration params instead. Options are those of `npm run network -- --help`.
 */
import { task } from "hardhat/config";
import { TaskError } from "../lib/errors";

const PASSED = ["nodes", "seed", "tracker", "rewards", "port", "nodePortBase", "offline", "slow", "badSignature", "garbage", "minActive", "unlock", "processes", "operator"] as const;
type Args = Partial<Record<(typeof PASSED)[number], string>> & { keys: boolean };

const flagOf = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

task("network", "Runs the simulated node network and the aggregator's JSON-RPC until Ctrl-C (see npm run network -- --help)")
  .addOptionalParam("nodes", "number of nodes (default 12)")
  .addOptionalParam("seed", "seed of the node keys (default session-devnet)")
  .addOptionalParam("tracker", "read the chain state through the tracker's API at this URL")
  .addOptionalParam("rewards", "ServiceNodeRewards address (default: the network's address book)")
  .addOptionalParam("port", "aggregator port on 127.0.0.1 (default 8790)")
  .addOptionalParam("nodePortBase", "node i listens on this port + i (default: free ports)")
  .addOptionalParam("offline", "offline node indices, e.g. 0,3")
  .addOptionalParam("slow", "slow node indices")
  .addOptionalParam("badSignature", "indices of nodes returning wrong signatures")
  .addOptionalParam("garbage", "indices of nodes returning malformed signatures")
  .addOptionalParam("minActive", "seconds before a node earns (default 86400)")
  .addOptionalParam("unlock", "exit unlock seconds (default 1296000)")
  .addOptionalParam("processes", "split the nodes across this many child processes (default 1)")
  .addOptionalParam("operator", "with --keys: operator address(es), comma-separated")
  .addFlag("keys", "print the nodes' registration params (JSON) instead of starting")
  .setAction(async (args: Args, hre) => {
    const url = (hre.network.config as { url?: string }).url;
    if (url === undefined) {
      throw new TaskError("the network daemon reads the chain over JSON-RPC: run it with --network localhost (after npm start or npx hardhat node), or another HTTP network");
    }
    const argv: string[] = [args.keys ? "keys" : "start", "--rpc", url, "--address-book", hre.network.name];
    for (const name of PASSED) {
      const value = args[name];
      if (value === undefined) continue;
      if (name === "operator" && !args.keys) throw new TaskError("--operator only goes with --keys");
      if (args.keys && !["nodes", "seed", "rewards", "operator"].includes(name)) throw new TaskError(`${flagOf(name)} does not go with --keys`);
      argv.push(flagOf(name), value);
    }
    const { main } = await import("../src/network/cli");
    const code = await main(argv);
    if (code !== 0) throw new TaskError(`the network exited with code ${code} (see the message above)`);
  });
