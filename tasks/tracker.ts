/**
 * `npx hardhat tracker --network <name>`: runs the L2 tracker against the selected network's RPC URL
 * (and chain id). Everything else is configured with the TRACKER_* environment variables listed by
 * `npm run tracker -- --help`; TRACKER_RPC_URLS overrides the network URL (several, comma-separated).
 * Contract addresses and the start block default to the network's address book (deployments/<network>.json)
 * when it has them; TRACKER_* variables win.
 */
import { task } from "hardhat/config";
import { readAddressBook, type AddressBook, type ContractName } from "../src/deployments/addressBook";

/** TRACKER_* defaults from an address book: the contracts it records and the earliest deployment block. */
export function trackerEnvFromAddressBook(book: AddressBook): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const names: [ContractName, string][] = [
    ["ServiceNodeRewards", "TRACKER_REWARDS_ADDRESS"],
    ["ServiceNodeContributionFactory", "TRACKER_FACTORY_ADDRESS"],
    ["RewardRatePool", "TRACKER_REWARD_RATE_POOL"],
    ["SessionNameService", "TRACKER_NAME_SERVICE"],
  ];
  const blocks: number[] = [];
  for (const [name, variable] of names) {
    const record = book.contracts[name];
    if (!record) continue;
    env[variable] = record.address;
    blocks.push(record.blockNumber);
  }
  if (blocks.length > 0) env.TRACKER_START_BLOCK = String(Math.min(...blocks));
  return env;
}

task("tracker", "Runs the L2 tracker (configure with TRACKER_* environment variables; see `npm run tracker -- --help`)").setAction(
  async (_args: Record<string, never>, hre) => {
    const book = readAddressBook(hre.network.name);
    const env: NodeJS.ProcessEnv = { ...(book ? trackerEnvFromAddressBook(book) : {}), ...process.env };
    const network = hre.network.config as { url?: string; chainId?: number };
    if (!env.TRACKER_RPC_URLS && network.url) env.TRACKER_RPC_URLS = network.url;
    if (!env.TRACKER_CHAIN_ID && network.chainId) env.TRACKER_CHAIN_ID = String(network.chainId);
    const { main } = await import("../src/tracker/cli");
    const code = await main([], env);
    if (code !== 0) process.exitCode = code;
  },
);
