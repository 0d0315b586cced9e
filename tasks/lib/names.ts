/**
 * Shared helpers of the `names:*` tasks: loading the deployed name service, parsing names and record
 * arguments with the client's own validation (src/names), reading a name's state, and waiting out a
 * commitment.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { hexToString, type Hex } from "viem";
import {
  DEFAULT_PARENT,
  NameError,
  RecordKind,
  RecordValueError,
  decodeTextRecord,
  decodeTypedRecord,
  encodeRecord,
  namehash,
  nameIds,
  type NameIds,
  type RecordInput,
  type RecordSpec,
} from "../../src/names";
import type { SESH, SessionNameCommitments, SessionNameReverse, SessionNameService } from "../../typechain-types";
import { deploymentsDir } from "../../src/deployments/addressBook";
import { contractAddress, loadDeployment, type Deployment } from "./deployment";
import { TaskArgumentError, TaskError } from "../../lib/errors";
import { out } from "../../lib/output";
import { REVERT_HINTS } from "../../lib/send";

Object.assign(REVERT_HINTS, {
  NameNotAvailable: "the name is taken (or in its grace period): pick another name, or wait until availableAt",
  NameReserved: "the name is held back by the service's owner: pick another name",
  NameInGracePeriod: "the name expired and is in its grace period: only its owner may renew it now",
  NameExpired: "the name's grace period is over: register it anew with `npx hardhat names:register`",
  NotNameOwner: "only the name's owner may do this, and only while the name is live",
  RegistrationPaused: "registration is paused by the service's owner: try again later",
  CommitmentTooNew: "the commitment is younger than 60 s: wait until readyAt",
  CommitmentTooOld: "the commitment is older than 24 h: run `names:register` again, which commits anew",
  CommitmentNotFound: "no matching commitment: run `names:register` again, which commits first",
  SessionRecordMismatch: "the name's Session ID record must be the same Session ID, in plaintext: set it with `names:set --plaintext`",
});

/** The deployed name service and its companions, with the account that sends. */
export interface NamesDeployment {
  readonly deployment: Deployment;
  readonly signer: HardhatEthersSigner;
  readonly parent: string;
  readonly names: SessionNameService;
  readonly commitments: SessionNameCommitments;
  readonly reverse: SessionNameReverse;
  readonly sesh: SESH;
}

/**
 * Loads the address book (missing deployment → the deploy command to run), checks that the service serves
 * `parent`, and connects the contracts to the first account.
 */
export async function loadNames(hre: HardhatRuntimeEnvironment, parent: string = DEFAULT_PARENT): Promise<NamesDeployment> {
  const deployment = await loadDeployment(hre);
  const [signer] = await hre.ethers.getSigners();
  if (signer === undefined) throw new TaskError(`network ${hre.network.name} has no account to send from: set PRIVATE_KEY`);
  const names = await hre.ethers.getContractAt("SessionNameService", contractAddress(deployment, "SessionNameService"), signer);
  const parentNode = await names.parentNode();
  if (parentNode !== namehash(parent)) {
    throw new TaskArgumentError(
      "--parent",
      `the name service on ${deployment.network} serves parent node ${parentNode}, not "${parent}": pass the parent it was deployed with`,
    );
  }
  return {
    deployment,
    signer,
    parent,
    names,
    commitments: await hre.ethers.getContractAt("SessionNameCommitments", contractAddress(deployment, "SessionNameCommitments"), signer),
    reverse: await hre.ethers.getContractAt("SessionNameReverse", contractAddress(deployment, "SessionNameReverse"), signer),
    sesh: await hre.ethers.getContractAt("SESH", contractAddress(deployment, "SESH"), signer),
  };
}

/** Normalises a user-typed name; the normaliser's message names what is wrong. */
export function parseName(argument: string, value: unknown, parent: string = DEFAULT_PARENT): NameIds {
  if (typeof value !== "string") throw new TaskArgumentError(argument, "is required, e.g. alice or alice.session");
  try {
    return nameIds(value.trim(), parent);
  } catch (error) {
    if (error instanceof NameError) throw new TaskArgumentError(argument, error.message);
    throw error;
  }
}

/** Record arguments shared by `names:register` and `names:set`. */
export interface RecordArgs {
  session?: string;
  lokinet?: string;
  wallet?: string;
  /** `key=value`. */
  text?: string;
  plaintext?: boolean;
}

/** The records asked for, validated and encoded (encrypted unless `--plaintext`) for `ids`. */
export function parseRecords(args: RecordArgs, ids: NameIds): { specs: RecordSpec[]; inputs: RecordInput[] } {
  const plaintext = args.plaintext === true;
  const specs: [string, RecordSpec][] = [];
  if (args.session !== undefined) specs.push(["--session", { kind: "session", value: args.session.trim(), plaintext }]);
  if (args.lokinet !== undefined) specs.push(["--lokinet", { kind: "lokinet", value: args.lokinet.trim(), plaintext }]);
  if (args.wallet !== undefined) specs.push(["--wallet", { kind: "wallet", value: args.wallet.trim(), plaintext }]);
  if (args.text !== undefined) {
    const eq = args.text.indexOf("=");
    if (eq <= 0) throw new TaskArgumentError("--text", `"${args.text}" is not key=value: write e.g. --text url=https://example.org`);
    specs.push(["--text", { kind: "text", key: args.text.slice(0, eq).trim(), value: args.text.slice(eq + 1), plaintext }]);
  }
  const inputs = specs.map(([argument, spec]) => {
    try {
      return encodeRecord(spec, ids.fullName, ids.node);
    } catch (error) {
      if (error instanceof RecordValueError) throw new TaskArgumentError(argument, error.message);
      throw error;
    }
  });
  return { specs: specs.map(([, spec]) => spec), inputs };
}

/** One line per record, e.g. `session 05ab… (encrypted)`. */
export function describeSpecs(specs: readonly RecordSpec[]): string {
  if (specs.length === 0) return "no records";
  return specs
    .map((s) => `${s.kind === "text" ? `text ${s.key}` : s.kind} ${s.value} (${s.plaintext === true ? "plaintext" : "encrypted"})`)
    .join("; ");
}

export type NameStatus = "available" | "live" | "grace" | "expired" | "reserved";

/** What the chain says about a name now. */
export interface NameState {
  readonly ids: NameIds;
  readonly owner: string | null;
  readonly expiry: bigint;
  readonly status: NameStatus;
  readonly graceEnd: bigint;
}

export async function nameState(hre: HardhatRuntimeEnvironment, n: NamesDeployment, ids: NameIds): Promise<NameState> {
  const [holder, expiry] = (await n.names.nameOf(ids.node)) as [string, bigint];
  const grace = (await n.names.GRACE_PERIOD()) as bigint;
  const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
  const owner = holder === "0x0000000000000000000000000000000000000000" ? null : holder;
  let status: NameStatus;
  if (await n.names.isReserved(ids.labelhash)) status = "reserved";
  else if (owner === null) status = "available";
  else if (now < expiry) status = "live";
  else if (now < expiry + grace) status = "grace";
  else status = "expired";
  return { ids, owner, expiry, status, graceEnd: expiry + grace };
}

export function formatTime(seconds: bigint): string {
  return `${new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z")}`;
}

/** Decrypted records of a name (null = unset); a record that does not decrypt is reported, not thrown. */
export async function readRecords(n: NamesDeployment, ids: NameIds, textKeys: readonly string[] = []): Promise<Record<string, string | null>> {
  const result: Record<string, string | null> = {};
  for (const [label, kind] of [["session", RecordKind.Session], ["lokinet", RecordKind.Lokinet], ["wallet", RecordKind.Wallet]] as const) {
    const [value, encrypted] = (await n.names.record(ids.node, kind)) as [Hex, boolean];
    result[label] = safeDecode(() => decodeTypedRecord(kind, value, encrypted, ids.fullName, ids.node));
  }
  for (const key of textKeys) {
    const envelope = (await n.names.textRecord(ids.node, key)) as Hex;
    result[`text ${key}`] = safeDecode(() => decodeTextRecord(key, envelope, ids.fullName, ids.node));
  }
  return result;
}

function safeDecode(read: () => string | null): string | null {
  try {
    return read();
  } catch (error) {
    return `<unreadable: ${(error as Error).message}>`;
  }
}

/** Prints a name's state and records. */
export function printState(state: NameState, records?: Record<string, string | null>): void {
  out(`  ${state.ids.fullName}  node ${state.ids.node}`);
  out(`    status  ${state.status}${state.owner === null ? "" : `, owner ${state.owner}`}`);
  if (state.owner !== null) out(`    expiry  ${formatTime(state.expiry)} (grace until ${formatTime(state.graceEnd)})`);
  for (const [key, value] of Object.entries(records ?? {})) out(`    ${key.padEnd(7)} ${value ?? "-"}`);
}

/**
 * Waits until the latest block is at least `readyAt`. On a devnet flavour (a local Hardhat chain) the
 * clock is moved with `evm_increaseTime`; anywhere else this really waits.
 */
export async function waitUntil(hre: HardhatRuntimeEnvironment, deployment: Deployment, readyAt: bigint): Promise<void> {
  const latest = async () => BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
  let now = await latest();
  if (now >= readyAt) return;
  if (deployment.flavour.kind === "devnet") {
    out(`  devnet: moving the clock ${readyAt - now} s forward (evm_increaseTime) for the commitment to mature`);
    await hre.network.provider.send("evm_increaseTime", [Number(readyAt - now)]);
    await hre.network.provider.send("evm_mine", []);
    return;
  }
  out(`  waiting ${readyAt - now} s for the commitment to mature (it must be ≥ 60 s old)…`);
  while (now < readyAt) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, Number(readyAt - now) * 1000)));
    now = await latest();
  }
}

/** Decodes a stored reverse name (bytes) to text; null when unset. */
export function reverseText(stored: Hex): string | null {
  return stored === "0x" ? null : hexToString(stored);
}

/**
 * Names this client has seen in plaintext (registered, set or resolved here), kept only on this machine: the chain
 * stores nothing but namehashes. One JSON file next to the address books, `{ "<chain id>": { "<node>": "<name>" } }`.
 * A name is a namehash preimage, so an entry can never be wrong for its node; it is only ever shown for that node.
 */
export function knownNamesFile(): string {
  return path.join(deploymentsDir(), "names.local.json");
}

type KnownNames = Record<string, Record<string, string>>;

function readKnownNames(file: string): KnownNames {
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
    return parsed as KnownNames;
  } catch (error) {
    throw new TaskError(`${file} (the names this client knows) is not readable: ${(error as Error).message}; fix or delete it`);
  }
}

/** Remembers `ids.fullName` for `ids.node` on `chainId` (no-op when already known). */
export function rememberName(chainId: number, ids: NameIds): void {
  const file = knownNamesFile();
  const all = readKnownNames(file);
  const chain = (all[String(chainId)] ??= {});
  if (chain[ids.node] === ids.fullName) return;
  chain[ids.node] = ids.fullName;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The plaintext name this client knows for `node` on `chainId`, checked against the node; null if unknown. */
export function knownName(chainId: number, node: Hex): string | null {
  const name = readKnownNames(knownNamesFile())[String(chainId)]?.[node.toLowerCase()];
  return typeof name === "string" && namehash(name) === node.toLowerCase() ? name : null;
}
