/** `devnet`: the same as `npm start` (scripts/start.ts), as a Hardhat task. */
import { spawn } from "node:child_process";
import path from "node:path";
import { task } from "hardhat/config";
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
