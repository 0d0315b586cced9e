/**
 * Running a task as another of the Hardhat node's unlocked accounts. The tasks always send from the first
 * signer (`hre.ethers.getSigners()[0]`); on a devnet (chain id 31337) {@link withAccount} puts account
 * `index` first while `body` runs, so a contributor's task is the same task an operator runs.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** Hardhat's default node serves 20 unlocked accounts. */
export const DEVNET_ACCOUNTS = 20;
const DEVNET_CHAIN_ID = 31337n;

type GetSigners = HardhatRuntimeEnvironment["ethers"]["getSigners"];

let queue: Promise<unknown> = Promise.resolve();

/** Runs `body` with account `index` as the tasks' sender; calls are serialized (one sender at a time). */
export function withAccount<T>(hre: HardhatRuntimeEnvironment, index: number, body: () => Promise<T>): Promise<T> {
  if (!Number.isInteger(index) || index < 0 || index >= DEVNET_ACCOUNTS) {
    return Promise.reject(new Error(`account #${index} does not exist: the devnet has accounts #0…#${DEVNET_ACCOUNTS - 1}`));
  }
  const run = async (): Promise<T> => {
    const chainId = (await hre.ethers.provider.getNetwork()).chainId;
    if (chainId !== DEVNET_CHAIN_ID) throw new Error(`acting as account #${index} is for devnets (chain id 31337), not chain id ${chainId}`);
    if (index === 0) return body();
    const saved: GetSigners = hre.ethers.getSigners;
    const all = await saved.call(hre.ethers);
    if (all[index] === undefined) throw new Error(`the node at ${hre.network.name} serves ${all.length} accounts, not #${index}`);
    hre.ethers.getSigners = async () => [all[index], ...all.filter((_, i) => i !== index)];
    try {
      return await body();
    } finally {
      hre.ethers.getSigners = saved;
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}
