/**
 * `devnet`: the same as `npm start` (scripts/start.ts), as a Hardhat task.
 *
 * `DEVNET_ACCOUNT=N npx hardhat --network localhost <task> …` runs any task as the devnet node's unlocked
 * account #N (tasks send from the first signer); chain id 31337 only.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { extendEnvironment, task } from "hardhat/config";
import { parsePositiveInt } from "./lib/args";
import { TaskError } from "./lib/errors";

task("devnet", "Starts a local Session Network (Hardhat node, contracts, status table) until Ctrl-C; same as npm start")
  .addOptionalParam("port", "JSON-RPC port on 127.0.0.1 (default 8545)")
  .addFlag("exitWhenReady", "stop right after printing ready (CI)")
  .setAction(async (args: { port?: string; exitWhenReady: boolean }, hre) => {
    if (hre.network.name !== "hardhat") {
      throw new TaskError(`devnet starts its own node on 127.0.0.1; run it without --network (got --network ${hre.network.name})`);
    }
    const port = args.port === undefined ? undefined : parsePositiveInt("--port", args.port, { max: 65_535 });
    const script = path.join(hre.config.paths.root, "scripts", "start.ts");
    const argv = [require.resolve("ts-node/dist/bin.js"), "--transpile-only", script];
    if (port !== undefined) argv.push("--port", String(port));
    if (args.exitWhenReady) argv.push("--exit-when-ready");
    const child = spawn(process.execPath, argv, { cwd: hre.config.paths.root, stdio: ["ignore", "inherit", "inherit"] });
    // Ctrl-C reaches the child too (same process group); forward SIGTERM, and stay alive until it exits.
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward("SIGINT");
    const onTerm = forward("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    try {
      const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      if (code !== 0) throw new TaskError(`the devnet exited with code ${code}`);
    } finally {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    }
  });

extendEnvironment((hre) => {
  const raw = process.env.DEVNET_ACCOUNT;
  if (raw === undefined || raw.trim() === "") return;
  if (!/^\d{1,2}$/.test(raw.trim()) || Number(raw) > 19) {
    throw new TaskError(`DEVNET_ACCOUNT "${raw}" is not a devnet account: give 0…19 (the Hardhat node's unlocked accounts), or unset it`);
  }
  const index = Number(raw);
  const ethers = hre.ethers;
  const original = ethers.getSigners.bind(ethers);
  ethers.getSigners = async () => {
    const chainId = BigInt((await hre.network.provider.send("eth_chainId", [])) as string);
    if (chainId !== 31337n) throw new TaskError(`DEVNET_ACCOUNT is for devnets (chain id 31337), but ${hre.network.name} is chain id ${chainId}: unset it`);
    const all = await original();
    if (all[index] === undefined) throw new TaskError(`DEVNET_ACCOUNT=${index}: ${hre.network.name} serves only ${all.length} accounts`);
    return [all[index], ...all.filter((_, i) => i !== index)];
  };
});
