/**
 * `npx hardhat tracker --network <name>`: runs the L2 tracker against the selected network's RPC URL
 * (and chain id). Everything else is configured with the TRACKER_* environment variables listed by
 * `npm run tracker -- --help`; TRACKER_RPC_URLS overrides the network URL (several, comma-separated).
 */
import { task } from "hardhat/config";

task("tracker", "Runs the L2 tracker (configure with TRACKER_* environment variables; see `npm run tracker -- --help`)").setAction(
  async (_args: Record<string, never>, hre) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    const network = hre.network.config as { url?: string; chainId?: number };
    if (!env.TRACKER_RPC_URLS && network.url) env.TRACKER_RPC_URLS = network.url;
    if (!env.TRACKER_CHAIN_ID && network.chainId) env.TRACKER_CHAIN_ID = String(network.chainId);
    const { main } = await import("../src/tracker/cli");
    const code = await main([], env);
    if (code !== 0) process.exitCode = code;
  },
);
