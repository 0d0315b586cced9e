/** wagmi for the configured chain: wallets found by EIP-6963 (no connector of ours), reads over HTTP. */
import { createConfig, http, type Config } from "wagmi";
import { chainOf, type PortalConfig } from "./config";

export function wagmiConfig(config: PortalConfig): Config {
  const chain = chainOf(config);
  return createConfig({
    chains: [chain],
    connectors: [],
    // Every injected wallet that announces itself (EIP-6963) becomes a connector.
    multiInjectedProviderDiscovery: true,
    transports: { [chain.id]: http(config.rpcUrl, { batch: false }) },
    pollingInterval: config.chainId === 31337 ? 500 : 2_000,
  });
}
