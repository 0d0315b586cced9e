/**
 * Shared pieces of the node-operator, contributor and liquidator tasks: the deployed contracts, BLS key
 * files, Ed25519/fee/reservation parsers, aggregator answers (from a file or a URL) and their checks
 * against the chain's clock, and ERC-2612 permits.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  hashToFieldDst,
  proofOfPossessionMessage,
  publicKey,
  publicKeyFromHex,
  publicKeyToHex,
  randomSecretKey,
  R,
  sign,
  signatureToParams,
  type BLSSignatureParams,
  type G1Affine,
  type SecretKey,
  type SigningDomain,
} from "../../src/bls";
import { ed25519 as ed25519Curve } from "@noble/curves/ed25519";
import { randomBytes } from "node:crypto";
import {
  AggregatorError,
  aggregatorClient,
  parseRemovalAnswer as parseRemoval,
  parseRewardsAnswer as parseRewards,
  type RemovalAnswer,
  type RewardsAnswer,
} from "../../src/network/aggregator/client";
import { formatSesh, parseAddress, parseSesh } from "./args";
import { contractAddress, loadDeployment, type Deployment } from "./deployment";
import { TaskArgumentError, TaskError } from "../../lib/errors";

export async function signerOf(hre: HardhatRuntimeEnvironment): Promise<HardhatEthersSigner> {
  const [signer] = await hre.ethers.getSigners();
  if (signer === undefined) throw new TaskError(`network ${hre.network.name} has no account to send from: set PRIVATE_KEY`);
  return signer;
}

/** The registry, factory and token of this network's deployment, connected to the first account. */
export async function serviceNodeContracts(hre: HardhatRuntimeEnvironment) {
  const deployment: Deployment = await loadDeployment(hre);
  const signer = await signerOf(hre);
  const registryAddress = contractAddress(deployment, "ServiceNodeRewards");
  const registry = await hre.ethers.getContractAt("ServiceNodeRewards", registryAddress, signer);
  const factory = await hre.ethers.getContractAt(
    "ServiceNodeContributionFactory",
    contractAddress(deployment, "ServiceNodeContributionFactory"),
    signer,
  );
  const token = await hre.ethers.getContractAt("SESH", contractAddress(deployment, "SESH"), signer);
  const domain: SigningDomain = { chainId: BigInt(deployment.chainId), contract: registryAddress as `0x${string}` };
  return { deployment, signer, registry, factory, token, domain };
}

/** The latest block's timestamp (what the contracts compare signatures and waits against). */
export async function chainTime(hre: HardhatRuntimeEnvironment): Promise<bigint> {
  const block = await hre.ethers.provider.getBlock("latest");
  if (block === null) throw new TaskError("the node returned no latest block");
  return BigInt(block.timestamp);
}

export function formatTime(seconds: bigint): string {
  return `${new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z")} (${seconds})`;
}

// ------------------------------------------------------------------------------------ BLS keys

const SECRET_HEX = /^(0x)?[0-9a-fA-F]{64}$/;


function secretFromHex(argument: string, raw: string, source: string): SecretKey {
  if (!SECRET_HEX.test(raw)) {
    throw new TaskArgumentError(argument, `${source} is not a BLS secret key: write 0x followed by 64 hexadecimal digits, or a file holding that`);
  }
  const sk = BigInt(raw.startsWith("0x") ? raw : `0x${raw}`);
  if (sk === 0n || sk >= R) throw new TaskArgumentError(argument, `${source} is not a BLS secret key: it must be between 1 and the group order − 1`);
  return sk;
}

export interface BlsKeyArgs {
  /** A secret key as hex, or a file holding one. */
  readonly blsKey?: string;
  /** Generate a key and save it to this file (must not exist). */
  readonly newBlsKey?: string;
}

export interface BlsKey {
  readonly sk: SecretKey;
  readonly pk: G1Affine;
  /** Where a generated key must be saved before anything is sent (undefined: nothing to save). */
  readonly saveTo?: string;
}

/** Reads `--bls-key` (hex or file) or prepares a new key for `--new-bls-key <file>`; exactly one. */
export function parseBlsKey(args: BlsKeyArgs): BlsKey {
  if ((args.blsKey === undefined) === (args.newBlsKey === undefined)) {
    throw new TaskArgumentError(
      "--bls-key",
      "give exactly one of --bls-key <secret key hex or file> (an existing node key) or --new-bls-key <file> (generate and save one)",
    );
  }
  if (args.newBlsKey !== undefined) {
    const file = path.resolve(args.newBlsKey);
    if (existsSync(file)) {
      throw new TaskArgumentError("--new-bls-key", `${file} already exists: pass it as --bls-key ${args.newBlsKey}, or name a new file`);
    }
    if (!existsSync(path.dirname(file))) throw new TaskArgumentError("--new-bls-key", `directory ${path.dirname(file)} does not exist`);
    const sk = randomSecretKey();
    return { sk, pk: publicKey(sk), saveTo: file };
  }
  const raw = String(args.blsKey).trim();
  if (SECRET_HEX.test(raw)) {
    const sk = secretFromHex("--bls-key", raw, "the value");
    return { sk, pk: publicKey(sk) };
  }
  if (!existsSync(raw)) {
    throw new TaskArgumentError("--bls-key", `"${raw}" is neither a secret key (0x + 64 hex digits) nor an existing file`);
  }
  const sk = secretFromHex("--bls-key", readFileSync(raw, "utf8").trim(), `the file ${raw}`);
  return { sk, pk: publicKey(sk) };
}

/** Saves a generated key (mode 0600, never overwriting) — call once all checks passed, before sending. */
export function saveGeneratedKey(key: BlsKey, log: (line: string) => void): void {
  if (key.saveTo === undefined) return;
  writeFileSync(key.saveTo, `0x${key.sk.toString(16).padStart(64, "0")}\n`, { mode: 0o600, flag: "wx" });
  log(`  new BLS secret key saved to ${key.saveTo} (keep it: the node signs with it); public key ${publicKeyToHex(key.pk)}`);
}

/** The key's proof of possession for registration by `operator`. */
export function proofOfPossession(key: BlsKey, domain: SigningDomain, operator: string, ed25519: bigint): BLSSignatureParams {
  return signatureToParams(sign(key.sk, proofOfPossessionMessage(domain, key.pk, operator as `0x${string}`, ed25519), hashToFieldDst(domain)));
}

// ------------------------------------------------------------------------------ other parsers

/** A 32-byte value written as 0x + 64 hex digits (Ed25519 key); non-zero. */
export function parseBytes32(argument: string, value: unknown, what: string): bigint {
  const raw = String(value ?? "").trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(raw)) throw new TaskArgumentError(argument, `"${raw}" is not ${what}: write 0x followed by 64 hexadecimal digits`);
  const n = BigInt(raw);
  if (n === 0n) throw new TaskArgumentError(argument, `${what} cannot be zero`);
  return n;
}

/** What every task that registers or re-keys a node takes: its BLS key and its Ed25519 identity. */
export interface NodeKeyArgs extends BlsKeyArgs {
  /** The node's Ed25519 public key (with --ed25519-signature, when the secret stays on the node). */
  readonly ed25519?: string;
  readonly ed25519Signature?: string;
  /** The node's Ed25519 secret seed (0x + 64 hex digits, or a file holding it): the task signs. */
  readonly ed25519Key?: string;
  /** Generate an Ed25519 key, save its secret seed to this (new) file, and sign with it. */
  readonly newEd25519Key?: string;
}

/** The node's Ed25519 identity: its public key, and either its secret (the task signs) or a given signature. */
export interface Ed25519Identity {
  readonly pubkey: bigint;
  readonly secret?: Uint8Array;
  readonly signature?: readonly [bigint, bigint];
  /** Where a generated secret must be saved before anything is sent. */
  readonly saveTo?: string;
}

const hexOf = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString("hex")}`;
const bigOf = (bytes: Uint8Array): bigint => BigInt(hexOf(bytes));

function ed25519Secret(argument: string, raw: string, source: string): Uint8Array {
  if (!SECRET_HEX.test(raw)) {
    throw new TaskArgumentError(argument, `${source} is not an Ed25519 secret key: write 0x followed by 64 hexadecimal digits (the 32-byte seed), or a file holding that`);
  }
  return Uint8Array.from(Buffer.from(raw.replace(/^0x/, ""), "hex"));
}

const ED25519_CHOICES =
  "give --ed25519-key <secret seed hex or file> (the task signs), --new-ed25519-key <file> (generate, save and sign), " +
  "or --ed25519 <public key> with --ed25519-signature <the node's signature of its registration>";

/** Reads the node's Ed25519 identity from {@link NodeKeyArgs}: exactly one of key, new key, or public key + signature. */
export function parseEd25519(args: NodeKeyArgs): Ed25519Identity {
  const given = [args.ed25519Key, args.newEd25519Key].filter((v) => v !== undefined).length;
  if (given > 1) throw new TaskArgumentError("--ed25519-key", `give only one of --ed25519-key and --new-ed25519-key`);
  if (args.newEd25519Key !== undefined) {
    if (args.ed25519 !== undefined || args.ed25519Signature !== undefined) {
      throw new TaskArgumentError("--new-ed25519-key", "generates the key and its signature: drop --ed25519 and --ed25519-signature");
    }
    const file = path.resolve(args.newEd25519Key);
    if (existsSync(file)) throw new TaskArgumentError("--new-ed25519-key", `${file} already exists: pass it as --ed25519-key ${args.newEd25519Key}, or name a new file`);
    if (!existsSync(path.dirname(file))) throw new TaskArgumentError("--new-ed25519-key", `directory ${path.dirname(file)} does not exist`);
    const secret = new Uint8Array(randomBytes(32));
    return { pubkey: bigOf(ed25519Curve.getPublicKey(secret)), secret, saveTo: file };
  }
  if (args.ed25519Key !== undefined) {
    const raw = String(args.ed25519Key).trim();
    let secret: Uint8Array;
    if (SECRET_HEX.test(raw)) secret = ed25519Secret("--ed25519-key", raw, "the value");
    else if (existsSync(raw)) secret = ed25519Secret("--ed25519-key", readFileSync(raw, "utf8").trim(), `the file ${raw}`);
    else throw new TaskArgumentError("--ed25519-key", `"${raw}" is neither an Ed25519 secret key (0x + 64 hex digits) nor an existing file`);
    const pubkey = bigOf(ed25519Curve.getPublicKey(secret));
    if (args.ed25519 !== undefined && parseBytes32("--ed25519", args.ed25519, "an Ed25519 public key") !== pubkey) {
      throw new TaskArgumentError("--ed25519", `is not the public key of --ed25519-key (${hex32(pubkey)}): drop --ed25519, or give the matching key`);
    }
    if (args.ed25519Signature !== undefined) throw new TaskArgumentError("--ed25519-signature", "goes with --ed25519 only: with --ed25519-key the task signs");
    return { pubkey, secret };
  }
  if (args.ed25519 === undefined) throw new TaskArgumentError("--ed25519", `the node's Ed25519 identity is required: ${ED25519_CHOICES}`);
  const pubkey = parseBytes32("--ed25519", args.ed25519, "an Ed25519 public key");
  if (args.ed25519Signature === undefined) {
    throw new TaskArgumentError(
      "--ed25519-signature",
      `is required with --ed25519: the node's Ed25519 signature of its registration proves it owns the key (${ED25519_CHOICES})`,
    );
  }
  return { pubkey, signature: parseEd25519Signature("--ed25519-signature", args.ed25519Signature) };
}

const hex32 = (v: bigint): string => `0x${v.toString(16).padStart(64, "0")}`;

/**
 * The two words of the node's Ed25519 signature over the exact proof-of-possession bytes
 * (popTag ‖ X ‖ Y ‖ operator ‖ ed25519Pubkey, as src/network/keys.ts signs them): signed here with the
 * secret, or a given signature checked first, so a wrong one is refused before anything is sent.
 */
export function ed25519Words(identity: Ed25519Identity, key: BlsKey, domain: SigningDomain, operator: string): [bigint, bigint] {
  const message = proofOfPossessionMessage(domain, key.pk, operator as `0x${string}`, identity.pubkey);
  if (identity.secret !== undefined) {
    const sig = ed25519Curve.sign(message, identity.secret);
    return [bigOf(sig.slice(0, 32)), bigOf(sig.slice(32))];
  }
  const [w0, w1] = identity.signature!;
  const sig = Uint8Array.from(Buffer.from(`${w0.toString(16).padStart(64, "0")}${w1.toString(16).padStart(64, "0")}`, "hex"));
  const pub = Uint8Array.from(Buffer.from(identity.pubkey.toString(16).padStart(64, "0"), "hex"));
  let ok = false;
  try {
    ok = ed25519Curve.verify(sig, message, pub);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new TaskArgumentError(
      "--ed25519-signature",
      `does not verify: it must be the Ed25519 signature by ${hex32(identity.pubkey)} of the registration bytes for BLS key ${publicKeyToHex(key.pk)}, operator ${operator}, ` +
        `chain ${domain.chainId} and registry ${domain.contract} (or pass --ed25519-key and let the task sign)`,
    );
  }
  return [w0, w1];
}

/** Saves a generated Ed25519 secret (mode 0600, never overwriting) — once all checks passed, before sending. */
export function saveGeneratedEd25519Key(identity: Ed25519Identity, log: (line: string) => void): void {
  if (identity.saveTo === undefined || identity.secret === undefined) return;
  writeFileSync(identity.saveTo, `${hexOf(identity.secret)}\n`, { mode: 0o600, flag: "wx" });
  log(`  new Ed25519 secret key saved to ${identity.saveTo} (keep it: it is the node's identity); public key ${hex32(identity.pubkey)}`);
}

/** Parses {@link NodeKeyArgs}: the BLS key and the Ed25519 identity (signed later, once the operator is known). */
export function parseNodeKeys(args: NodeKeyArgs): { key: BlsKey; ed25519: bigint; edIdentity: Ed25519Identity } {
  const key = parseBlsKey(args);
  const edIdentity = parseEd25519(args);
  return { key, ed25519: edIdentity.pubkey, edIdentity };
}

/** An Ed25519 signature, 0x + 128 hex digits, split into the two words the contracts take. */
export function parseEd25519Signature(argument: string, value: unknown): [bigint, bigint] {
  const raw = String(value ?? "").trim();
  if (!/^0x[0-9a-fA-F]{128}$/.test(raw)) {
    throw new TaskArgumentError(argument, `"${raw.slice(0, 20)}…" is not an Ed25519 signature: write 0x followed by 128 hexadecimal digits`);
  }
  return [BigInt(`0x${raw.slice(2, 66)}`), BigInt(`0x${raw.slice(66)}`)];
}

/** The operator fee in basis points (0–10000). */
export function parseFee(argument: string, value: unknown): number {
  const raw = String(value ?? "").trim();
  if (!/^\d+$/.test(raw) || Number(raw) > 10_000) {
    throw new TaskArgumentError(argument, `"${raw}" is not a fee: write basis points from 0 to 10000 (e.g. 500 for 5 %)`);
  }
  return Number(raw);
}

export interface ReservationInput {
  readonly addr: string;
  readonly amount: bigint;
}

/** "0xabc…:5000,0xdef…:2500" → reservations; addresses distinct. */
export function parseReservations(argument: string, value: string | undefined): ReservationInput[] {
  if (value === undefined || value.trim() === "") return [];
  const seen = new Set<string>();
  return value.split(",").map((part, i) => {
    const [addr, amount, extra] = part.trim().split(":");
    if (amount === undefined || extra !== undefined) {
      throw new TaskArgumentError(argument, `entry ${i + 1} "${part}" must be address:SESH, e.g. 0x70997970C51812dc3A010C7d01b50e0d17dc79C8:5000`);
    }
    const r = { addr: parseAddress(`${argument} entry ${i + 1}`, addr), amount: parseSesh(`${argument} entry ${i + 1}`, amount) };
    if (seen.has(r.addr)) throw new TaskArgumentError(argument, `${r.addr} is reserved twice: give each address once`);
    seen.add(r.addr);
    return r;
  });
}

export function parseNodeId(argument: string, value: unknown): bigint {
  const raw = String(value ?? "").trim();
  if (!/^\d+$/.test(raw) || BigInt(raw) === 0n || BigInt(raw) >= 1n << 64n) {
    throw new TaskArgumentError(argument, `"${raw}" is not a node id: write the id shown by \`npx hardhat node:list\` (1, 2, …)`);
  }
  return BigInt(raw);
}

// --------------------------------------------------------------------------- aggregator answers
// Decoded by the aggregator's client (src/network/aggregator/client.ts), the one place that knows the
// answers' shape; a task only turns its complaints into task errors.

export type { RemovalAnswer, RewardsAnswer } from "../../src/network/aggregator/client";

/** Runs a shared-client decode, saying what was wrong as a task error. */
function checked<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof AggregatorError) throw new TaskError(`${error.message}; pass the aggregator's answer unchanged`);
    throw error;
  }
}

/** Checks a `bls_exit_liquidation_request` answer (the aggregator's JSON, as saved or fetched) from `source`. */
export function parseRemovalAnswer(source: string, value: unknown): RemovalAnswer {
  return checked(() => parseRemoval(value, source));
}

/** Checks a `bls_rewards_request` answer from `source`. */
export function parseRewardsAnswer(source: string, value: unknown): RewardsAnswer {
  return checked(() => parseRewards(value, source));
}

/** The node key an exit or liquidation answer signs, as a point (the answer carries it as 64-byte hex). */
export function answerPubkey(source: string, answer: RemovalAnswer): G1Affine {
  try {
    return publicKeyFromHex(answer.pubkey);
  } catch (error) {
    throw new TaskError(`${source}: pubkey: ${(error as Error).message}`);
  }
}

export interface AnswerSource {
  /** A file holding the aggregator's JSON answer. */
  readonly signature?: string;
  /** The aggregator's JSON-RPC URL. */
  readonly aggregator?: string;
}

/**
 * The `--signature` file's answer: either the `result` object alone, or the aggregator's whole JSON-RPC
 * response as saved by e.g. `curl -d '{"jsonrpc":"2.0","id":1,"method":"bls_rewards_request","params":{…}}' $AGGREGATOR > answer.json`
 * (`{"jsonrpc": "2.0", "id": 1, "result": {…}}`); an `error` response is refused with its message.
 */
export function unwrapSavedAnswer(file: string, method: string, parsed: unknown): unknown {
  if (typeof parsed !== "object" || parsed === null || !("jsonrpc" in parsed)) return parsed;
  const envelope = parsed as { result?: unknown; error?: { message?: string } };
  if (envelope.error !== undefined) {
    throw new TaskArgumentError("--signature", `${file} is the aggregator's refusal, not an answer: "${envelope.error.message ?? JSON.stringify(envelope.error)}" — ask again (${method})`);
  }
  if (envelope.result === undefined) throw new TaskArgumentError("--signature", `${file} is a JSON-RPC response without a result: save the aggregator's ${method} answer`);
  return envelope.result;
}

/** Reads the answer from `--signature <file>` or asks `--aggregator <url>` (exactly one). */
export async function fetchAnswer(
  args: AnswerSource,
  method: string,
  params: Record<string, unknown>,
  waitHint?: (seconds: bigint) => string,
): Promise<{ source: string; value: unknown }> {
  if ((args.signature === undefined) === (args.aggregator === undefined)) {
    throw new TaskArgumentError(
      "--signature",
      `give exactly one of --signature <file with the aggregator's ${method} answer> or --aggregator <aggregator URL, e.g. http://127.0.0.1:8600/>`,
    );
  }
  if (args.signature !== undefined) {
    const file = args.signature;
    if (!existsSync(file)) throw new TaskArgumentError("--signature", `file ${file} does not exist`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new TaskArgumentError("--signature", `${file} is not JSON (${(error as Error).message}): save the aggregator's answer as it came`);
    }
    return { source: `--signature ${file}`, value: unwrapSavedAnswer(file, method, parsed) };
  }
  let url: URL;
  try {
    url = new URL(String(args.aggregator));
  } catch {
    throw new TaskArgumentError("--aggregator", `"${args.aggregator}" is not a URL: write e.g. http://127.0.0.1:8600/`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TaskArgumentError("--aggregator", `"${args.aggregator}" must be http(s)`);
  try {
    return { source: `the aggregator at ${url.href}`, value: await aggregatorClient(url.href).call(method, params) };
  } catch (error) {
    if (!(error instanceof AggregatorError)) throw error;
    // Not answered at all: the client's message says so and why.
    if (error.reason === undefined) throw new TaskError(error.message);
    // "… may be signed from <unix time> (now <unix time>)": say how long that is, and how to skip it on a devnet.
    const from = /signed from (\d+) \(now (\d+)\)/.exec(error.reason);
    const wait = from !== null && waitHint !== undefined ? `; that is ${waitHint(BigInt(from[1]) - BigInt(from[2]))}` : "";
    throw new TaskError(`the aggregator at ${url.href} refused ${method}: ${error.reason}${wait}`);
  }
}

/**
 * The timestamp the block carrying a transaction sent now will have, at least: the chain's pending block
 * (Hardhat dates it from its own clock, time travel included), never below the latest block + 1. On a
 * chain with no block for a while the latest block's time alone would be far in the past.
 */
export async function nextBlockTime(hre: HardhatRuntimeEnvironment): Promise<bigint> {
  const latest = await chainTime(hre);
  // Raw: ethers cannot parse Hardhat's pending block (its number is null).
  const pending = (await hre.ethers.provider.send("eth_getBlockByNumber", ["pending", false]).catch(() => null)) as { timestamp?: string } | null;
  const pendingTime = typeof pending?.timestamp === "string" ? BigInt(pending.timestamp) : 0n;
  return pendingTime > latest ? pendingTime : latest + 1n;
}

/** Seconds of life a signature must still have when it is sent (the transaction must be mined in that time). */
export const SIGNATURE_SEND_MARGIN_SECONDS = 30n;

/**
 * Refuses a signature the contract would reject for its time at `now` (the next block's time), before anything
 * is sent. The contract accepts a timestamp up to the expiry ahead of the block (the network's clock may run
 * ahead of the chain's) and up to the expiry behind it.
 */
export function assertSignatureFresh(timestamp: bigint, now: bigint, expiry: bigint, margin = 0n): void {
  if (timestamp > now + expiry) {
    throw new TaskError(
      `the network's signature is dated ${formatTime(timestamp)}, ${timestamp - now} s after the chain's time ${formatTime(now)}; ` +
        `the contract accepts at most ${expiry} s ahead: wait ${timestamp - now - expiry} s and retry`,
    );
  }
  if (timestamp > now) return;
  if (now - timestamp + margin > expiry) {
    throw new TaskError(
      `the network's signature is ${now - timestamp} s old at the next block (signed ${formatTime(timestamp)}), but the contract accepts ` +
        `signatures up to ${expiry} s old${margin > 0n ? ` and a transaction needs ${margin} s to be mined` : ""}: request a fresh one (run again with --aggregator <URL>)`,
    );
  }
}

/** Refuses when `account` holds less than `amount` SESH. */
export async function assertBalance(
  token: Awaited<ReturnType<typeof serviceNodeContracts>>["token"],
  account: string,
  amount: bigint,
  what: string,
): Promise<void> {
  const balance = await token.balanceOf(account);
  if (balance < amount) {
    throw new TaskError(`${what} needs ${formatSesh(amount)}, but ${account} holds ${formatSesh(balance)}: get SESH first (devnets: npx hardhat devnet:faucet --to ${account})`);
  }
}
