/**
 * Network entries for hardhat.config.ts, read from the environment.
 *
 * Pure module: it must not import `hardhat` (the config file loads it before the runtime exists).
 *
 * - `hardhat` (in-process) and `localhost` are always present. `LOCALHOST_URL` overrides the localhost
 *   URL (`scripts/start.ts` sets it when started with `--port`).
 * - `arbitrumSepolia` and `arbitrumOne` are added only when `RPC_URL` is set, so a missing env never
 *   breaks local use. Each entry pins its chain id, so an RPC for the wrong chain fails before anything
 *   is sent. `PRIVATE_KEY` (0x + 64 hex digits) becomes the only account — or, so the key never sits
 *   in the environment in plain text, `KEYSTORE` (path to an encrypted JSON keystore, as written by
 *   geth, `cast wallet` or ethers) with `KEYSTORE_PASSWORD`. With neither, the remote networks are
 *   read-only.
 */
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";

/** Chain ids of the networks this suite knows. */
export const CHAIN_IDS = {
  hardhat: 31337,
  localhost: 31337,
  arbitrumSepolia: 421614,
  arbitrumOne: 42161,
} as const;

export type KnownNetworkName = keyof typeof CHAIN_IDS;

export const DEFAULT_LOCALHOST_URL = "http://127.0.0.1:8545";

/** The subset of Hardhat's HTTP network config this module produces. */
export interface RemoteNetworkEntry {
  url: string;
  chainId: number;
  accounts: string[];
}

export interface EnvNetworks {
  localhost: { url: string };
  arbitrumSepolia?: RemoteNetworkEntry;
  arbitrumOne?: RemoteNetworkEntry;
}

/** The environment variables this module reads. */
export interface NetworkEnv {
  RPC_URL?: string;
  PRIVATE_KEY?: string;
  KEYSTORE?: string;
  KEYSTORE_PASSWORD?: string;
  LOCALHOST_URL?: string;
}

const PRIVATE_KEY_PATTERN = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * Checks `PRIVATE_KEY` and returns it 0x-prefixed; throws naming the variable and the expected format.
 * The key itself is never echoed.
 */
export function parsePrivateKey(raw: string): string {
  const key = raw.trim();
  if (!PRIVATE_KEY_PATTERN.test(key)) {
    const shown = key.length === 0 ? "empty" : `${key.length} characters long`;
    throw new Error(
      `PRIVATE_KEY is not a private key (it is ${shown}): set it to 0x followed by 64 hexadecimal digits, ` +
        "or unset it to use the networks read-only",
    );
  }
  const prefixed = key.startsWith("0x") ? key : `0x${key}`;
  if (/^0x0{64}$/.test(prefixed)) throw new Error("PRIVATE_KEY is zero: set it to a real 32-byte private key");
  return prefixed;
}

function parseUrl(name: string, raw: string): string {
  const url = raw.trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${name} "${url}" is not a URL: set it to an http(s) or ws(s) RPC endpoint`);
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(parsed.protocol)) {
    throw new Error(`${name} "${url}" uses ${parsed.protocol}: set it to an http(s) or ws(s) RPC endpoint`);
  }
  return url;
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

/**
 * Decrypts the keystore at `KEYSTORE` with `KEYSTORE_PASSWORD` and returns its private key; throws naming
 * what is wrong (missing file, not a keystore, wrong password) without echoing the password.
 */
export function keystorePrivateKey(file: string, password: string | undefined): string {
  if (password === undefined) {
    throw new Error(`KEYSTORE is set (${file}) but KEYSTORE_PASSWORD is not: set it to the keystore's password`);
  }
  let json: string;
  try {
    json = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`KEYSTORE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): set it to the path of an encrypted JSON keystore`);
  }
  try {
    JSON.parse(json);
  } catch {
    throw new Error(`KEYSTORE ${file} is not JSON: set it to an encrypted JSON keystore (Web3 Secret Storage)`);
  }
  try {
    return Wallet.fromEncryptedJsonSync(json, password).privateKey;
  } catch (error) {
    const message = (error as Error).message;
    if (/password/i.test(message)) throw new Error(`KEYSTORE_PASSWORD does not decrypt ${file}: check the password`);
    throw new Error(`KEYSTORE ${file} is not an encrypted JSON keystore ethers can read: ${message}`);
  }
}

/** The one account of the remote networks: from PRIVATE_KEY or KEYSTORE (never both), or none. */
function remoteAccounts(env: NetworkEnv): string[] {
  if (isSet(env.PRIVATE_KEY) && isSet(env.KEYSTORE)) {
    throw new Error("both PRIVATE_KEY and KEYSTORE are set: keep one (KEYSTORE keeps the key encrypted)");
  }
  if (isSet(env.PRIVATE_KEY)) return [parsePrivateKey(env.PRIVATE_KEY)];
  if (isSet(env.KEYSTORE)) return [keystorePrivateKey(env.KEYSTORE.trim(), env.KEYSTORE_PASSWORD)];
  return [];
}

/** Builds the network entries from `env` (normally `process.env`). */
export function networksFromEnv(env: NetworkEnv): EnvNetworks {
  const localhost = { url: parseUrl("LOCALHOST_URL", env.LOCALHOST_URL ?? DEFAULT_LOCALHOST_URL) };
  const rpc = env.RPC_URL?.trim();
  if (rpc === undefined || rpc === "") {
    if (env.PRIVATE_KEY !== undefined && env.PRIVATE_KEY.trim() !== "") parsePrivateKey(env.PRIVATE_KEY);
    return { localhost };
  }
  const url = parseUrl("RPC_URL", rpc);
  // Decrypting a keystore takes a second of scrypt: done only when a remote network is configured.
  const accounts = remoteAccounts(env);
  return {
    localhost,
    arbitrumSepolia: { url, chainId: CHAIN_IDS.arbitrumSepolia, accounts },
    arbitrumOne: { url, chainId: CHAIN_IDS.arbitrumOne, accounts },
  };
}
