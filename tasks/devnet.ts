/**
 * `devnet`: the same as `npm start` (scripts/start.ts), as a Hardhat task. `devnet:time` moves a
 * devnet's clock; `devnet:deregister` makes the simulated network treat a node as deregistered, so it
 * can be liquidated.
 *
 * `DEVNET_ACCOUNT=N npx hardhat --network localhost <task> …` runs any task as the devnet node's unlocked
 * account #N (tasks send from the first signer); chain id 31337 only.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { extendEnvironment, task } from "hardhat/config";
import { parsePositiveInt } from "./lib/args";
import { readDevnetControl, readDevnetRecord, writeDevnetControl } from "./lib/devnet";
import { DEVNET_CHAIN_ID, formatDuration, parseDuration, taskCommand } from "./lib/duration";
import { TaskError } from "../lib/errors";
import { out } from "../lib/output";
import { parseNodeId } from "./lib/serviceNodes";

task("devnet", "Starts a local Session Network (Hardhat node, contracts, status table) until Ctrl-C; same as npm start")
  .addOptionalParam("port", "JSON-RPC port on 127.0.0.1 (default 8545)")
  .addOptionalParam("trackerPort", "tracker API port (default 8787)")
  .addOptionalParam("aggregatorPort", "aggregator JSON-RPC port (default 8790)")
  .addOptionalParam("blockInterval", "milliseconds between blocks without transactions (default 1000; 0: only on transactions)")
  .addOptionalParam("deregistered", "node ids the network treats as deregistered (liquidatable), e.g. 9")
  .addFlag("exitWhenReady", "stop right after printing ready (CI)")
  .setAction(async (args: { port?: string; trackerPort?: string; aggregatorPort?: string; blockInterval?: string; deregistered?: string; exitWhenReady: boolean }, hre) => {
    if (hre.network.name !== "hardhat") {
      throw new TaskError(`devnet starts its own node on 127.0.0.1; run it without --network (got --network ${hre.network.name})`);
    }
    const port = args.port === undefined ? undefined : parsePositiveInt("--port", args.port, { max: 65_535 });
    const script = path.join(hre.config.paths.root, "scripts", "start.ts");
    const argv = [require.resolve("ts-node/dist/bin.js"), "--transpile-only", script];
    if (port !== undefined) argv.push("--port", String(port));
    for (const [flag, value] of [["--tracker-port", args.trackerPort], ["--aggregator-port", args.aggregatorPort], ["--block-interval", args.blockInterval], ["--deregistered", args.deregistered]] as const) {
      if (value !== undefined) argv.push(flag, value);
    }
    if (args.exitWhenReady) argv.push("--exit-when-ready");
    // START_PARENT_PID: the devnet stops by itself if this process dies without stopping it.
    const child = spawn(process.execPath, argv, { cwd: hre.config.paths.root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, START_PARENT_PID: String(process.pid) } });
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

/** Refuses anything but a devnet (chain id 31337): time travel and deregistration are devnet tools. */
async function assertDevnet(hre: import("hardhat/types").HardhatRuntimeEnvironment, what: string): Promise<bigint> {
  const chainId = BigInt((await hre.network.provider.send("eth_chainId", [])) as string);
  if (chainId !== BigInt(DEVNET_CHAIN_ID)) throw new TaskError(`${what} is for devnets (chain id ${DEVNET_CHAIN_ID}); ${hre.network.name} is chain id ${chainId}`);
  return chainId;
}

task("devnet:time", "Devnets: prints the chain's clock, or moves it forward with --advance (evm_increaseTime + one normal block)")
  .addOptionalParam("advance", "how far to move the clock: 2h, 90m, 1d12h, 45s, or seconds")
  .setAction(async (args: { advance?: string }, hre) => {
    const seconds = args.advance === undefined ? undefined : parseDuration("--advance", args.advance);
    await assertDevnet(hre, "devnet:time");
    const latest = async () => {
      const block = (await hre.network.provider.send("eth_getBlockByNumber", ["latest", false])) as { number: string; timestamp: string };
      return { number: BigInt(block.number), timestamp: BigInt(block.timestamp) };
    };
    const iso = (t: bigint) => new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");
    const before = await latest();
    if (seconds === undefined) {
      out(`block ${before.number} at ${iso(before.timestamp)} (${before.timestamp}); move it: ${taskCommand(hre, "devnet:time --advance 2h")}`);
      return { block: before.number, timestamp: before.timestamp };
    }
    // One ordinary block after the clock moved: hardhat_mine's block ranges report a zero parent hash,
    // which stops followers such as the tracker, so time travel here never uses it.
    await hre.network.provider.send("evm_increaseTime", [Number(seconds)]);
    await hre.network.provider.send("evm_mine", []);
    const after = await latest();
    out(`moved the clock by ${formatDuration(seconds)}: block ${after.number} at ${iso(after.timestamp)} (was ${iso(before.timestamp)})`);
    return { block: after.number, timestamp: after.timestamp, advanced: seconds };
  });

task("devnet:deregister", "Devnets started by npm start: the simulated network treats a node as deregistered, so node:liquidate can remove it")
  .addParam("id", "the node id (see node:list)")
  .addOptionalParam("timeout", "seconds to wait for the restarted network (default 180)")
  .setAction(async (args: { id: string; timeout?: string }, hre) => {
    const id = parseNodeId("--id", args.id);
    const timeoutSeconds = args.timeout === undefined ? 180 : parsePositiveInt("--timeout", args.timeout);
    await assertDevnet(hre, "devnet:deregister");
    const record = readDevnetRecord();
    if (record === undefined || hre.network.name === "hardhat") {
      throw new TaskError(
        `no devnet started by npm start is running for ${hre.network.name === "hardhat" ? "this command (add --network localhost)" : `${(hre.network.config as { url?: string }).url}`}: ` +
          "only npm start's simulated network can be told to deregister a node (or start the network yourself with npm run network -- start --deregistered ID)",
      );
    }
    const control = readDevnetControl(record.controlFile);
    const wanted = [...new Set([...control.deregistered, id.toString()])];
    if (record.aggregatorUrl === null) throw new TaskError("the devnet has no aggregator running");
    const listed = async (): Promise<boolean> => {
      try {
        const { aggregatorClient } = await import("../src/network/aggregator/client");
        const list = await aggregatorClient(record.aggregatorUrl!).removals();
        return list.some((c) => c.serviceNodeId === id && c.type === "liquidate");
      } catch {
        return false;
      }
    };
    if (control.deregistered.includes(id.toString()) && (await listed())) {
      out(`node ${id} is deregistered already: ${taskCommand(hre, `node:liquidate --id ${id} --aggregator ${record.aggregatorUrl}`)}`);
      return { id, deregistered: wanted };
    }
    writeDevnetControl(record.controlFile, { deregistered: wanted });
    out(`asked npm start (pid ${record.pid}) to restart the network with node${wanted.length === 1 ? "" : "s"} ${wanted.join(", ")} deregistered…`);
    const deadline = Date.now() + timeoutSeconds * 1000;
    while (!(await listed())) {
      if (Date.now() > deadline) throw new TaskError(`the network did not list node ${id} as liquidatable within ${timeoutSeconds} s: see npm start's output and log`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    out(`node ${id} is deregistered by the network; liquidate it: ${taskCommand(hre, `node:liquidate --id ${id} --aggregator ${record.aggregatorUrl}`)}`);
    return { id, deregistered: wanted };
  });
