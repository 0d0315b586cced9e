/** The network the portal talks to: read once from `config.json` beside index.html. */
// Types only: the first page loads no viem (its checksum code is the wallet layer's; viem checks an
// address's checksum where the portal calls a contract with it).
import type { Address } from "viem";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export type ContractKey =
  | "SESH"
  | "RewardRatePool"
  | "ServiceNodeRewards"
  | "ServiceNodeContributionFactory"
  | "SessionNameService"
  | "SessionNameCommitments"
  | "SessionNameReverse";

export interface PortalConfig {
  /** Address-book name: localhost, arbitrumSepolia, arbitrumOne. */
  readonly network: string;
  readonly chainId: number;
  readonly chainName: string;
  /** JSON-RPC for reads (may be relative to the page: the devnet server proxies /rpc). */
  readonly rpcUrl: string;
  /** JSON-RPC a wallet is told to add (absolute). */
  readonly walletRpcUrl: string;
  /** The tracker's HTTP API (may be relative). */
  readonly trackerUrl: string;
  /** The aggregator's JSON-RPC (may be relative); null when none is known. */
  readonly aggregatorUrl: string | null;
  /** Block explorer base URL (transactions at `${explorerUrl}/tx/<hash>`); null on the devnet. */
  readonly explorerUrl: string | null;
  readonly contracts: Readonly<Partial<Record<ContractKey, Address>>>;
}

export class ConfigError extends Error {}

const absolute = (url: string): string => new URL(url, window.location.href).href.replace(/\/$/, "");

/** Checks the shape of `config.json`; throws naming the first field that is wrong. */
export function parseConfig(value: unknown): PortalConfig {
  if (typeof value !== "object" || value === null) throw new ConfigError("config.json is not a JSON object");
  const o = value as Record<string, unknown>;
  const str = (key: string): string => {
    if (typeof o[key] !== "string" || o[key] === "") throw new ConfigError(`config.json: "${key}" must be a non-empty string`);
    return o[key] as string;
  };
  const optional = (key: string): string | null => (o[key] === null || o[key] === undefined ? null : str(key));
  if (typeof o.chainId !== "number" || !Number.isSafeInteger(o.chainId) || o.chainId <= 0) throw new ConfigError(`config.json: "chainId" must be a positive integer`);
  const contracts: Partial<Record<ContractKey, Address>> = {};
  for (const [name, address] of Object.entries((o.contracts ?? {}) as Record<string, unknown>)) {
    if (typeof address !== "string" || !ADDRESS.test(address)) throw new ConfigError(`config.json: contracts.${name} must be an address (0x and 40 hex digits)`);
    contracts[name as ContractKey] = address as Address;
  }
  const aggregator = optional("aggregatorUrl");
  return {
    network: str("network"),
    chainId: o.chainId,
    chainName: str("chainName"),
    rpcUrl: absolute(str("rpcUrl")),
    walletRpcUrl: str("walletRpcUrl"),
    trackerUrl: absolute(str("trackerUrl")),
    aggregatorUrl: aggregator === null ? null : absolute(aggregator),
    explorerUrl: optional("explorerUrl"),
    contracts,
  };
}

/** The config the server (or the build) put into index.html; null when there is none. */
export function embeddedConfig(): PortalConfig | null {
  const content = document.querySelector('meta[name="session-portal-config"]')?.getAttribute("content");
  if (content == null) return null;
  try {
    return parseConfig(JSON.parse(content));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`the embedded config is not JSON: ${(error as Error).message}`);
  }
}

export async function loadConfig(): Promise<PortalConfig> {
  const embedded = embeddedConfig();
  if (embedded !== null) return embedded;
  let response: Response;
  try {
    response = await fetch("./config.json", { cache: "no-store" });
  } catch (error) {
    throw new ConfigError(`could not load config.json: ${(error as Error).message}`);
  }
  if (!response.ok) throw new ConfigError(`config.json: HTTP ${response.status} (build with npm run portal:build -- --network <name>)`);
  return parseConfig(await response.json());
}

/** The address of `key`; throws when the address book has none (the page says so). */
export function contract(config: PortalConfig, key: ContractKey): Address {
  const address = config.contracts[key];
  if (address === undefined) throw new ConfigError(`the address book of ${config.network} has no ${key}`);
  return address;
}
