/**
 * Runs Hardhat tasks against a running devnet, one request per stdin line, without paying Hardhat's
 * start-up for each (tests drive whole stories through it; the tasks are the same `npx hardhat` runs).
 *
 *   LOCALHOST_URL=http://127.0.0.1:8545 ts-node --transpile-only scripts/devnet/taskRunner.ts
 *   stdin:  {"id": 1, "account": 3, "task": "contribution:contribute", "args": {"pool": "0x…", "amount": "5000"}}
 *   stdout: @@result {"id": 1, "ok": true, "value": …}   (bigints as decimal strings)
 *           @@result {"id": 1, "ok": false, "error": "…"}
 *
 * `account` is a devnet account index (default 0). The task's own lines go to stdout as usual.
 * Instead of `task` and `args`, a request may give `argv`: a command line as typed after `npx hardhat`
 * (e.g. ["--network", "localhost", "node:register", "--new-bls-key", "node.key"]), parsed with the task's
 * own parameter definitions (flags, kebab-case names) as Hardhat's CLI parses it. `TASK_RUNNER_CWD`
 * sets the working directory tasks see (files like node.key are written there).
 */
import readline from "node:readline";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { withAccount } from "./accounts";
import { RESULT_PREFIX } from "./services";

interface Request {
  readonly id: number;
  readonly account?: number;
  readonly task?: string;
  readonly args?: Record<string, unknown>;
  readonly argv?: readonly string[];
}

/** Global options of `npx hardhat` that take a value; they are dropped (the runner is on localhost). */
const GLOBAL_WITH_VALUE = new Set(["--network", "--config"]);
const GLOBAL_FLAGS = new Set(["--verbose", "--show-stack-traces", "--quiet"]);

/** Parses a command line typed after `npx hardhat` into a task name and its arguments. */
export function parseCommandLine(hre: HardhatRuntimeEnvironment, argv: readonly string[]): { task: string; args: Record<string, unknown> } {
  let task: string | undefined;
  const args: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (task === undefined) {
      if (GLOBAL_WITH_VALUE.has(token)) {
        if (token === "--network" && argv[i + 1] !== "localhost") throw new Error(`the task runner serves --network localhost, not ${argv[i + 1]}`);
        i++;
      } else if (GLOBAL_FLAGS.has(token)) continue;
      else if (token.startsWith("--")) throw new Error(`unknown global option ${token}`);
      else task = token;
      continue;
    }
    if (!token.startsWith("--")) throw new Error(`${task}: unexpected positional argument "${token}"`);
    const name = token.slice(2).replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    const definition = hre.tasks[task]?.paramDefinitions[name];
    if (definition === undefined) throw new Error(`${task}: unrecognized param ${token} (see npx hardhat help ${task})`);
    if (definition.isFlag) args[name] = true;
    else {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${task}: ${token} needs a value`);
      args[name] = value;
    }
  }
  if (task === undefined) throw new Error("no task in the command line");
  if (hre.tasks[task] === undefined) throw new Error(`unknown task ${task}`);
  return { task, args };
}

function reply(body: Record<string, unknown>): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`);
}

async function main(): Promise<void> {
  process.env.HARDHAT_NETWORK = "localhost";
  process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = "true";
  const hre = (await import("hardhat")).default as HardhatRuntimeEnvironment;
  if (process.env.TASK_RUNNER_CWD) process.chdir(process.env.TASK_RUNNER_CWD);
  reply({ id: 0, ok: true, value: "ready" });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    let request: Request;
    try {
      request = JSON.parse(line) as Request;
    } catch {
      reply({ id: -1, ok: false, error: `not a JSON request: ${line.slice(0, 80)}` });
      continue;
    }
    try {
      const { task, args } = request.argv === undefined ? { task: request.task ?? "", args: request.args ?? {} } : parseCommandLine(hre, request.argv);
      const value = await withAccount(hre, request.account ?? 0, () => hre.run(task, args));
      reply({ id: request.id, ok: true, value });
    } catch (error) {
      reply({ id: request.id, ok: false, error: (error as Error).message ?? String(error) });
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`taskRunner: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
