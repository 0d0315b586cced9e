/**
 * The portal's `config.json` for a network: chain, where to read (JSON-RPC, tracker, aggregator) and the
 * contract addresses from the address book. Shared by the build (static bundles for real networks) and the
 * devnet server.
 */
import type { AddressBook, ContractName } from "../src/deployments/addressBook";

/** What portal/src/config.ts parses. */
export interface PortalConfigJson {
  readonly network: string;
  readonly chainId: number;
  readonly chainName: string;
  readonly rpcUrl: string;
  readonly walletRpcUrl: string;
  readonly trackerUrl: string;
  readonly aggregatorUrl: string | null;
  readonly explorerUrl: string | null;
  readonly contracts: Readonly<Record<string, string>>;
}

export interface KnownNetwork {
  readonly chainId: number;
  readonly chainName: string;
  /** A public JSON-RPC a wallet can add (override with --rpc). */
  readonly rpcUrl: string | null;
  readonly explorerUrl: string | null;
}

export const PORTAL_NETWORKS: Readonly<Record<string, KnownNetwork>> = {
  localhost: { chainId: 31337, chainName: "Session devnet", rpcUrl: "http://127.0.0.1:8545", explorerUrl: null },
  arbitrumSepolia: { chainId: 421614, chainName: "Arbitrum Sepolia", rpcUrl: "https://sepolia-rollup.arbitrum.io/rpc", explorerUrl: "https://sepolia.arbiscan.io" },
  arbitrumOne: { chainId: 42161, chainName: "Arbitrum One", rpcUrl: "https://arb1.arbitrum.io/rpc", explorerUrl: "https://arbiscan.io" },
};

const PORTAL_CONTRACTS: readonly ContractName[] = [
  "SESH",
  "RewardRatePool",
  "ServiceNodeRewards",
  "ServiceNodeContributionFactory",
  "SessionNameService",
  "SessionNameCommitments",
  "SessionNameReverse",
];

export function portalConfig(args: {
  readonly book: AddressBook;
  readonly rpcUrl: string;
  readonly walletRpcUrl: string;
  readonly trackerUrl: string;
  readonly aggregatorUrl: string | null;
  readonly chainName?: string;
  readonly explorerUrl?: string | null;
}): PortalConfigJson {
  const known = PORTAL_NETWORKS[args.book.network];
  const contracts: Record<string, string> = {};
  for (const name of PORTAL_CONTRACTS) {
    const record = args.book.contracts[name];
    if (record !== undefined) contracts[name] = record.address;
  }
  return {
    network: args.book.network,
    chainId: args.book.chainId,
    chainName: args.chainName ?? known?.chainName ?? args.book.network,
    rpcUrl: args.rpcUrl,
    walletRpcUrl: args.walletRpcUrl,
    trackerUrl: args.trackerUrl,
    aggregatorUrl: args.aggregatorUrl,
    explorerUrl: args.explorerUrl ?? known?.explorerUrl ?? null,
    contracts,
  };
}

/**
 * The Content-Security-Policy the portal runs under: only its own files; calls only to itself and to
 * `connect` (a static bundle's tracker, RPC and aggregator origins). No inline script, no external font.
 */
export function portalCsp(connect: readonly string[] = []): string {
  const origins = [...new Set(connect.map((u) => new URL(u).origin))];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${origins.map((o) => ` ${o}`).join("")}`,
    "font-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The meta element portal/src/config.ts reads first. */
export const CONFIG_META = "session-portal-config";

const escapeAttribute = (text: string): string => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** index.html with the config as `<meta name="session-portal-config" content="…">` (replacing any earlier one). */
export function withConfigMeta(html: string, configJson: string): string {
  const meta = `<meta name="${CONFIG_META}" content="${escapeAttribute(configJson)}" />`;
  const without = html.replace(new RegExp(`\\s*<meta name="${CONFIG_META}"[^>]*>`), "");
  return without.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    ${meta}`);
}
