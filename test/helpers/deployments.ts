/**
 * A temporary address-book directory ($DEPLOYMENTS_DIR) for the calling `describe` block, with quiet task
 * output. `perTest`: a fresh directory and a chain snapshot per test, both undone after it (a snapshot
 * rather than hardhat_reset, so other files' fixtures stay valid); otherwise one directory for the block.
 */
import { expect } from "chai";
import hre from "hardhat";
import { takeSnapshot, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface TemporaryDeployments {
  /** The directory of the running test (or block); set by the hooks. */
  readonly dir: string;
}

export function useTemporaryDeployments(prefix: string, options: { perTest: boolean }): TemporaryDeployments {
  const state = { dir: "" };
  const savedDir = process.env.DEPLOYMENTS_DIR;
  let snapshot: SnapshotRestorer | undefined;
  const setUp = async (): Promise<void> => {
    if (options.perTest) snapshot = await takeSnapshot();
    state.dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    process.env.DEPLOYMENTS_DIR = state.dir;
    process.env.TASKS_QUIET = "1";
  };
  const tearDown = async (): Promise<void> => {
    await snapshot?.restore();
    rmSync(state.dir, { recursive: true, force: true });
    if (savedDir === undefined) delete process.env.DEPLOYMENTS_DIR;
    else process.env.DEPLOYMENTS_DIR = savedDir;
  };
  if (options.perTest) {
    beforeEach(setUp);
    afterEach(tearDown);
  } else {
    before(setUp);
    after(tearDown);
  }
  return state;
}

/** Runs `body` and asserts that `account` sent no transaction and no block was mined meanwhile. */
export async function sendsNothing(account: string, body: () => Promise<unknown>): Promise<void> {
  const nonce = await hre.ethers.provider.getTransactionCount(account);
  const block = await hre.ethers.provider.getBlockNumber();
  await body();
  expect(await hre.ethers.provider.getTransactionCount(account)).to.equal(nonce);
  expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);
}
