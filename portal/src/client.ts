/** The config and the chain's public client, for components inside the wallet layer (walletRoot.tsx). */
import type { PublicClient } from "viem";
import { usePublicClient } from "wagmi";
import type { PortalConfig } from "./config";
import { usePortalConfig } from "./portal";

export function usePortal(): { config: PortalConfig; client: PublicClient } {
  const config = usePortalConfig();
  const client = usePublicClient();
  if (client === undefined) throw new Error(`no public client for chain ${config.chainId}`);
  return { config, client: client as PublicClient };
}
