/** The wallet layer, loaded after the first render: wagmi (EIP-6963 discovery) around the pages that need it. */
import { useMemo, type ReactNode } from "react";
import { WagmiProvider } from "wagmi";
import type { PortalConfig } from "./config";
import { wagmiConfig } from "./wallet";

export default function WalletRoot({ config, children }: { config: PortalConfig; children: ReactNode }) {
  const wagmi = useMemo(() => wagmiConfig(config), [config]);
  return <WagmiProvider config={wagmi}>{children}</WagmiProvider>;
}
