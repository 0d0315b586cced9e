/** The wallet layer, loaded after the first render: wagmi (EIP-6963 discovery) around the pages that need it. */
import type { ReactNode } from "react";
import { WagmiProvider, type Config } from "wagmi";
import type { PortalConfig } from "./config";
import { wagmiConfig } from "./wallet";

/**
 * One wagmi config per portal config for the page's lifetime, outside React state. WagmiProvider reconnects
 * the last wallet while it renders, and wagmi allows one reconnect at a time in the whole page: a config
 * made in a render React then discarded (a lazy child suspending, a retried render) would start that
 * reconnect, and the config React keeps would find it taken and stay disconnected after every reload.
 */
const configs = new WeakMap<PortalConfig, Config>();

function configFor(config: PortalConfig): Config {
  let wagmi = configs.get(config);
  if (wagmi === undefined) {
    wagmi = wagmiConfig(config);
    configs.set(config, wagmi);
  }
  return wagmi;
}

export default function WalletRoot({ config, children }: { config: PortalConfig; children: ReactNode }) {
  return <WagmiProvider config={configFor(config)}>{children}</WagmiProvider>;
}
