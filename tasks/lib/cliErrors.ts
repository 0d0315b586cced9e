/**
 * How a failing task ends on the command line: one clear paragraph, never a stack trace unless asked for
 * with `--verbose` (or `--show-stack-traces`). Hardhat itself prints the full stack of every error on a
 * Linux machine without a display (it takes that for a CI server), and of any error that is not a
 * Hardhat error; so when one of our tasks is the command's task, its action is wrapped: the error is
 * printed as `Error in session-network: …` and the process exits 1. Run in-process (tests, the devnet's
 * task runner, `hre.run`) the error is thrown unchanged.
 */
import { HardhatContext } from "hardhat/internal/context";
import type { ActionType, TaskArguments } from "hardhat/types";
import { PLUGIN } from "../../lib/errors";

/** Tasks of this project: every `group:name` task plus these. */
const OWN_TASKS = new Set(["deploy", "devnet", "tracker", "network"]);

/** The first paragraph of an error, with ethers' short message instead of its long dump. */
export function oneParagraph(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const short = (error as { shortMessage?: unknown }).shortMessage;
  const base = typeof short === "string" && short !== "" && error.name !== "TaskError" && error.name !== "RevertError" && error.name !== "TaskArgumentError" ? short : error.message;
  return base.split(/\n\s*\n/)[0].trim();
}

function verboseRequested(argv: readonly string[]): boolean {
  return argv.includes("--verbose") || argv.includes("--show-stack-traces") || process.env.HARDHAT_SHOW_STACK_TRACES === "true";
}

/** True when `name` is the task this `npx hardhat …` process was started for. */
function isCommandTask(name: string, argv: readonly string[]): boolean {
  const main = require.main?.filename ?? "";
  return /hardhat[\\/]internal[\\/]cli[\\/](cli|bootstrap)\.js$/.test(main) && argv.slice(2).includes(name);
}

/** Wraps the actions of this project's tasks (call once, after they are defined). */
export function installCliErrorHandling(): void {
  const dsl = HardhatContext.getHardhatContext().tasksDSL;
  for (const definition of Object.values(dsl.getTaskDefinitions())) {
    if (definition.isSubtask || !(definition.name.includes(":") || OWN_TASKS.has(definition.name))) continue;
    const action = definition.action as ActionType<TaskArguments>;
    const name = definition.name;
    definition.setAction(async (args, hre, runSuper) => {
      try {
        return await action(args, hre, runSuper);
      } catch (error) {
        if (!isCommandTask(name, process.argv) || verboseRequested(process.argv)) throw error;
        const ours = error instanceof Error && (error as { pluginName?: string }).pluginName === PLUGIN;
        const text = oneParagraph(error);
        process.stderr.write(`Error in ${PLUGIN}: ${text}${ours ? "" : " (an unexpected error: run the command again with --verbose for its stack trace)"}\n`);
        process.exit(1);
      }
    });
  }
}
