/**
 * The address book: `deployments/<network>.json`, one per network, read by the tasks, the tracker and the
 * devnet. It records, per contract, where it lives and how it got there.
 *
 * The directory is `$DEPLOYMENTS_DIR` when set (tests use a temporary one), else `deployments/` at the
 * project root. Writes are atomic (temporary file in the same directory, then rename), so a reader never
 * sees half a file and a crash never leaves one.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Contracts the address book can hold. Modules written later add their name here (and their module to
 * `deploy/index.ts`); wiring in an existing module may refer to a name before its module exists.
 */
export type ContractName =
  | "SESH"
  | "RewardRatePool"
  | "ServiceNodeRewards"
  | "ServiceNodeContributionFactory"
  | "SessionNameService"
  // Recorded by the ServiceNodeRewards / ServiceNodeContributionFactory modules (no module of their own).
  | "BLSVerifier"
  | "ServiceNodeContribution"
  | "SessionNameCommitments"
  | "SessionNameResolver"
  | "SessionNameReverse";

/**
 * How a contract is deployed: a plain contract, a UUPS proxy in front of an implementation, or a transparent
 * proxy (upgraded through the ProxyAdmin it created) in front of an implementation.
 */
export type DeploymentKind = "contract" | "uups" | "transparent";

export interface ContractRecord {
  readonly kind: DeploymentKind;
  /** The address users talk to (the proxy for `uups` and `transparent`). */
  readonly address: string;
  /** The implementation behind a proxy; null for a plain contract. */
  readonly implementation: string | null;
  /** The transaction that created `address`. */
  readonly txHash: string;
  readonly blockNumber: number;
  readonly deployer: string;
  readonly chainId: number;
  /** The last upgrade of a proxy, if any. */
  readonly upgradeTxHash?: string;
}

export interface AddressBook {
  readonly network: string;
  readonly chainId: number;
  readonly contracts: Readonly<Partial<Record<ContractName, ContractRecord>>>;
}

/** The directory address books live in (read from the environment on every call). */
export function deploymentsDir(): string {
  const fromEnv = process.env.DEPLOYMENTS_DIR;
  if (fromEnv !== undefined && fromEnv.trim() !== "") return path.resolve(fromEnv);
  return path.resolve(__dirname, "..", "deployments");
}

/** The default JSON-RPC port of a devnet (`npm start`, `npx hardhat node`). */
export const DEVNET_DEFAULT_PORT = 8545;

/**
 * The file name (without `.json`) of `network`'s address book. Every network has one book, except
 * `localhost`: each devnet port has its own (`localhost` on 8545, `localhost-8546` on 8546, from
 * `LOCALHOST_URL`), so two devnets running side by side never share (and overwrite) one book.
 */
export function addressBookName(network: string, env: NodeJS.ProcessEnv = process.env): string {
  if (network !== "localhost") return network;
  const raw = env.LOCALHOST_URL?.trim();
  if (raw === undefined || raw === "") return network;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return network;
  }
  const port = url.port === "" ? (url.protocol === "https:" ? "443" : "80") : url.port;
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (loopback && port === String(DEVNET_DEFAULT_PORT)) return network;
  return loopback ? `localhost-${port}` : `localhost-${url.hostname.replace(/[^A-Za-z0-9]+/g, "_")}-${port}`;
}

export function addressBookPath(network: string, dir: string = deploymentsDir()): string {
  if (!/^[A-Za-z0-9_-]+$/.test(network)) throw new Error(`network name "${network}" cannot name an address book`);
  return path.join(dir, `${addressBookName(network)}.json`);
}

export function emptyAddressBook(network: string, chainId: number): AddressBook {
  return { network, chainId, contracts: {} };
}

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HEX_HASH = /^0x[0-9a-fA-F]{64}$/;

function fail(file: string, what: string): never {
  throw new Error(`address book ${file} is damaged: ${what}. Fix or delete the file, then deploy again`);
}

function checkRecord(file: string, name: string, value: unknown): ContractRecord {
  if (typeof value !== "object" || value === null) fail(file, `entry ${name} is not an object`);
  const r = value as Record<string, unknown>;
  if (r.kind !== "contract" && r.kind !== "uups" && r.kind !== "transparent") {
    fail(file, `${name}.kind must be "contract", "uups" or "transparent"`);
  }
  if (typeof r.address !== "string" || !HEX_ADDRESS.test(r.address)) fail(file, `${name}.address is not an address`);
  if (r.kind !== "contract" && (typeof r.implementation !== "string" || !HEX_ADDRESS.test(r.implementation))) {
    fail(file, `${name}.implementation is not an address`);
  }
  if (r.kind === "contract" && r.implementation !== null) fail(file, `${name}.implementation must be null`);
  if (typeof r.txHash !== "string" || !HEX_HASH.test(r.txHash)) fail(file, `${name}.txHash is not a hash`);
  if (!Number.isSafeInteger(r.blockNumber) || (r.blockNumber as number) < 0) fail(file, `${name}.blockNumber`);
  if (typeof r.deployer !== "string" || !HEX_ADDRESS.test(r.deployer)) fail(file, `${name}.deployer`);
  if (!Number.isSafeInteger(r.chainId)) fail(file, `${name}.chainId is not an integer`);
  return r as unknown as ContractRecord;
}

/** Reads and shape-checks the address book of `network`; undefined when there is none. */
export function readAddressBook(network: string, dir: string = deploymentsDir()): AddressBook | undefined {
  const file = addressBookPath(network, dir);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    fail(file, `not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null) fail(file, "not an object");
  const book = parsed as Record<string, unknown>;
  if (typeof book.network !== "string") fail(file, "network is missing");
  if (!Number.isSafeInteger(book.chainId)) fail(file, "chainId is missing");
  if (typeof book.contracts !== "object" || book.contracts === null) fail(file, "contracts is missing");
  const contracts: Partial<Record<ContractName, ContractRecord>> = {};
  for (const [name, value] of Object.entries(book.contracts as Record<string, unknown>)) {
    contracts[name as ContractName] = checkRecord(file, name, value);
  }
  return { network: book.network, chainId: book.chainId as number, contracts };
}

/** Serialises a book the way it is stored (stable key order: contracts in insertion order). */
export function serialiseAddressBook(book: AddressBook): string {
  return `${JSON.stringify(book, null, 2)}\n`;
}

/** Writes the book atomically: a temporary file in the same directory, then rename over the old one. */
export function writeAddressBook(book: AddressBook, dir: string = deploymentsDir()): string {
  const file = addressBookPath(book.network, dir);
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, serialiseAddressBook(book), { flag: "wx" });
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
  return file;
}

/** Removes the address book of `network` (devnets that restart from genesis). */
export function deleteAddressBook(network: string, dir: string = deploymentsDir()): void {
  rmSync(addressBookPath(network, dir), { force: true });
}

/** Returns a copy of `book` with `name` set to `record`. */
export function withRecord(book: AddressBook, name: ContractName, record: ContractRecord): AddressBook {
  return { ...book, contracts: { ...book.contracts, [name]: record } };
}

/** What {@link verifyAddressBook} needs from a provider. */
export interface CodeReader {
  getCode(address: string): Promise<string>;
}

/**
 * Checks that `book` describes the chain it is used on: the book's and every record's chain id equal
 * `chainId`, and there is code at every recorded address. Throws with the file, the contract and what
 * to do.
 */
export async function verifyAddressBook(
  book: AddressBook,
  chainId: number,
  provider: CodeReader,
  dir: string = deploymentsDir(),
): Promise<void> {
  const file = addressBookPath(book.network, dir);
  const remedy =
    `if the chain was reset, delete ${file} (or run \`npx hardhat deploy --network ${book.network} --fresh\` ` +
    "on a devnet); otherwise check that the network's RPC points at the right chain";
  if (book.chainId !== chainId) {
    throw new Error(
      `address book ${file} is for chain id ${book.chainId}, but network ${book.network} is chain id ${chainId}: ${remedy}`,
    );
  }
  for (const [name, record] of Object.entries(book.contracts) as [string, ContractRecord][]) {
    if (record.chainId !== chainId) {
      throw new Error(
        `address book ${file} records ${name} on chain id ${record.chainId}, but network ${book.network} ` +
          `is chain id ${chainId}: ${remedy}`,
      );
    }
    for (const [label, address] of [
      ["", record.address],
      [" implementation", record.implementation],
    ] as const) {
      if (address === null) continue;
      const code = await provider.getCode(address);
      if (code === "0x" || code === "") {
        throw new Error(
          `address book ${file} records ${name}${label} at ${address}, but there is no code there on ` +
            `${book.network} (chain id ${chainId}): ${remedy}`,
        );
      }
    }
  }
}
