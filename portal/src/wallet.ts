/** wagmi for the configured chain: wallets found by EIP-6963 (no connector of ours), reads over HTTP. */
import { createConfig, http, type Config } from "wagmi";
import { defineChain, type Chain } from "viem";
import type { PortalConfig } from "./config";

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

/** The viem chain of `config`: its reads go to `config.rpcUrl`, a wallet adding it gets `walletRpcUrl`. */
export function chainOf(config: PortalConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.chainName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.walletRpcUrl] } },
    blockExplorers: config.explorerUrl === null ? undefined : { default: { name: "Explorer", url: config.explorerUrl } },
    testnet: config.chainId !== 42161,
  });
}

