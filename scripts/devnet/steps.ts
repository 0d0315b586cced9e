/**
 * The steps `npm start` runs once the Hardhat node answers, in order. Each step may start services
 * (returning how to stop them) and add rows to the status table.
 *
 * Extension point: later steps go into {@link START_STEPS} after `deploy` —
 *   - simulated nodes: register 12 nodes (solo and pooled with several contributors) through the tasks;
 *   - tracker: start the L2 tracker against `ctx.rpcUrl` and the address book, add its URL;
 *   - aggregator: start the BLS signing service / aggregator, add its URL;
 *   - names: register a few names.
 * A step that starts a child process uses `ctx.spawn` so shutdown stops it.
 */
import type { ChildProcess, SpawnOptions } from "node:child_process";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { AddressBook } from "../../deploy/addressBook";
import type { DeployResult } from "../../deploy/run";

export interface StartContext {
  readonly hre: HardhatRuntimeEnvironment;
  readonly rpcUrl: string;
  readonly port: number;
  /** The address book, set by the deploy step. */
  book?: AddressBook;
  /** Starts a child process that shutdown will stop (process group, SIGTERM then SIGKILL). */
  spawn(name: string, command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  log(line: string): void;
}

export interface StepResult {
  /** Rows for the status table: label, value. */
  readonly rows?: readonly (readonly [string, string])[];
  /** Services the user can open: label, URL. */
  readonly urls?: readonly (readonly [string, string])[];
  /** Stops what the step started (in-process services); children from ctx.spawn are stopped anyway. */
  stop?(): Promise<void>;
}

export interface StartStep {
  readonly name: string;
  run(ctx: StartContext): Promise<StepResult>;
}

const deployStep: StartStep = {
  name: "deploy",
  async run(ctx) {
    // The node was just started from genesis: any localhost address book is from an earlier run.
    const result = (await ctx.hre.run("deploy", { fresh: true })) as DeployResult;
    ctx.book = result.book;
    return {
      rows: Object.entries(result.book.contracts).map(
        ([name, r]) => [name, r.implementation === null ? r.address : `${r.address} (implementation ${r.implementation})`] as const,
      ),
    };
  },
};

export const START_STEPS: readonly StartStep[] = [deployStep];
