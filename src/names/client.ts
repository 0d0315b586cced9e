/** viem read/write helpers for the Session Name Service. Pass a PublicClient / WalletClient and addresses. */
import {
  Account,
  Address,
  Chain,
  Hex,
  PublicClient,
  Transport,
  WalletClient,
  hexToBytes,
  hexToString,
  stringToHex,
  toHex,
} from "viem";
import { sessionNameCommitmentsAbi, sessionNameReverseAbi, sessionNameServiceAbi } from "./abi";
import { makeCommitment } from "./commitment";
import { signPermit } from "../token/signPermit";
import { NameIds, nameIds } from "./hash";
import { DEFAULT_PARENT } from "./normalise";
import {
  RecordInput,
  RecordKind,
  RecordSpec,
  decodeTextRecord,
  decodeTypedRecord,
  encodeRecord,
} from "./records";
import { parseSessionId } from "./values";
import { type SessionKeyPair, sessionReverseMessage, signSessionReverse } from "./sessionKey";

export type NamesWallet = WalletClient<Transport, Chain, Account>;

/** A prepared registration: what to commit now and reveal later. */
export interface PreparedRegistration {
  readonly ids: NameIds;
  readonly owner: Address;
  readonly years: bigint;
  readonly secret: Hex;
  readonly records: readonly RecordInput[];
  readonly commitment: Hex;
}

/** Normalises the name, encodes (and by default encrypts) the records and computes the commitment. */
export function prepareRegistration(args: {
  readonly names: Address;
  readonly name: string;
  readonly owner: Address;
  readonly years: bigint;
  readonly secret: Hex;
  readonly records?: readonly RecordSpec[];
  readonly parent?: string;
}): PreparedRegistration {
  const ids = nameIds(args.name, args.parent ?? DEFAULT_PARENT);
  const records = (args.records ?? []).map((spec) => encodeRecord(spec, ids.fullName, ids.node));
  const commitment = makeCommitment({
    registry: args.names,
    labelhash: ids.labelhash,
    owner: args.owner,
    years: args.years,
    secret: args.secret,
    records,
  });
  return { ids, owner: args.owner, years: args.years, secret: args.secret, records, commitment };
}

/** Sends the commitment of `prepared` to the commitment book; returns the transaction hash. */
export async function commitName(
  wallet: NamesWallet,
  client: PublicClient,
  names: Address,
  prepared: PreparedRegistration,
): Promise<Hex> {
  const book = await client.readContract({ address: names, abi: sessionNameServiceAbi, functionName: "commitments" });
  return wallet.writeContract({
    address: book,
    abi: sessionNameCommitmentsAbi,
    functionName: "commit",
    args: [prepared.commitment],
  });
}

/** Signs an ERC-2612 permit of `value` SESH for spender `names`, valid until `deadline` (src/token/signPermit). */
export async function signFeePermit(
  wallet: NamesWallet,
  client: PublicClient,
  names: Address,
  value: bigint,
  deadline: bigint,
): Promise<{ value: bigint; deadline: bigint; v: number; r: Hex; s: Hex }> {
  const token = await client.readContract({ address: names, abi: sessionNameServiceAbi, functionName: "SESH" });
  const { v, r, s } = await signPermit({ wallet, client, token, owner: wallet.account.address, spender: names, value, deadline });
  return { value, deadline, v, r, s };
}

/** Reveals `prepared` (≥ 60 s after the commit). Pays by allowance, or by a fresh permit when `permitDeadline`. */
export async function registerName(
  wallet: NamesWallet,
  client: PublicClient,
  names: Address,
  prepared: PreparedRegistration,
  permitDeadline?: bigint,
): Promise<Hex> {
  const base = [prepared.ids.labelhash, prepared.owner, prepared.years, prepared.secret, prepared.records] as const;
  if (permitDeadline === undefined) {
    return wallet.writeContract({ address: names, abi: sessionNameServiceAbi, functionName: "register", args: base });
  }
  const fee = await client.readContract({
    address: names,
    abi: sessionNameServiceAbi,
    functionName: "price",
    args: [prepared.years],
  });
  const permit = await signFeePermit(wallet, client, names, fee, permitDeadline);
  return wallet.writeContract({
    address: names,
    abi: sessionNameServiceAbi,
    functionName: "registerWithPermit",
    args: [...base, permit],
  });
}

/** Validates, encodes (encrypting unless `spec.plaintext`) and writes one record of `name`. */
export async function writeRecord(
  wallet: NamesWallet,
  names: Address,
  name: string,
  spec: RecordSpec,
  parent: string = DEFAULT_PARENT,
): Promise<Hex> {
  const ids = nameIds(name, parent);
  const input = encodeRecord(spec, ids.fullName, ids.node);
  if (input.kind === RecordKind.Text) {
    return wallet.writeContract({
      address: names,
      abi: sessionNameServiceAbi,
      functionName: "setText",
      args: [ids.node, input.key, input.value],
    });
  }
  return wallet.writeContract({
    address: names,
    abi: sessionNameServiceAbi,
    functionName: "setRecord",
    args: [ids.node, input.kind, input.value],
  });
}

/** Reads and decrypts typed record `kind` of `name`; null when unset or the name is not live. */
export async function readRecord(
  client: PublicClient,
  names: Address,
  name: string,
  kind: "session" | "lokinet" | "wallet",
  parent: string = DEFAULT_PARENT,
): Promise<string | null> {
  const ids = nameIds(name, parent);
  const k = kind === "session" ? RecordKind.Session : kind === "lokinet" ? RecordKind.Lokinet : RecordKind.Wallet;
  const [value, encrypted] = await client.readContract({
    address: names,
    abi: sessionNameServiceAbi,
    functionName: "record",
    args: [ids.node, k],
  });
  return decodeTypedRecord(k, value, encrypted, ids.fullName, ids.node);
}

/** Reads and decrypts text record `key` of `name`; null when unset or the name is not live. */
export async function readText(
  client: PublicClient,
  names: Address,
  name: string,
  key: string,
  parent: string = DEFAULT_PARENT,
): Promise<string | null> {
  const ids = nameIds(name, parent);
  const envelope = await client.readContract({
    address: names,
    abi: sessionNameServiceAbi,
    functionName: "textRecord",
    args: [ids.node, key],
  });
  return decodeTextRecord(key, envelope, ids.fullName, ids.node);
}

/** Opts in to the caller's address reverse record (reveals `name`). */
export async function setReverseName(wallet: NamesWallet, reverse: Address, name: string): Promise<Hex> {
  const { fullName } = nameIds(name);
  return wallet.writeContract({
    address: reverse,
    abi: sessionNameReverseAbi,
    functionName: "setReverseName",
    args: [stringToHex(fullName)],
  });
}

/**
 * Publishes (or with `name` null clears) the reverse record of the Session ID of `key` → `name`, signed by the
 * Session key (the name's Session ID record must be that Session ID, in plaintext). Any wallet may send it.
 */
export async function setSessionReverseName(
  wallet: NamesWallet,
  client: PublicClient,
  reverse: Address,
  key: SessionKeyPair,
  name: string | null,
): Promise<Hex> {
  const fullName = name === null ? "" : nameIds(name).fullName;
  const nonce = await client.readContract({
    address: reverse,
    abi: sessionNameReverseAbi,
    functionName: "sessionReverseNonce",
    args: [key.sessionKey],
  });
  const message = sessionReverseMessage({ chainId: await client.getChainId(), reverse, sessionKey: key.sessionKey, fullName, nonce });
  const { ed25519Key, signature } = signSessionReverse(key, message);
  return wallet.writeContract({
    address: reverse,
    abi: sessionNameReverseAbi,
    functionName: "setSessionReverseName",
    args: [key.sessionKey, fullName === "" ? "0x" : stringToHex(fullName), ed25519Key, signature],
  });
}

/** Reverse name of `account`, only if that name's wallet record (decrypted) forward-resolves to `account`. */
export async function lookupReverseAddress(
  client: PublicClient,
  names: Address,
  reverse: Address,
  account: Address,
): Promise<string | null> {
  const stored = await client.readContract({
    address: reverse,
    abi: sessionNameReverseAbi,
    functionName: "reverseNameOf",
    args: [account],
  });
  if (stored === "0x") return null;
  const fullName = hexToString(stored);
  try {
    const forward = await readRecord(client, names, fullName, "wallet");
    return forward !== null && forward.toLowerCase() === account.toLowerCase() ? fullName : null;
  } catch {
    return null; // not a valid name, or its record does not decrypt under it
  }
}

/** Reverse name of `sessionId`, only if that name's Session ID record forward-resolves to it. */
export async function lookupReverseSession(
  client: PublicClient,
  names: Address,
  reverse: Address,
  sessionId: string,
): Promise<string | null> {
  const key = parseSessionId(sessionId);
  const stored = await client.readContract({
    address: reverse,
    abi: sessionNameReverseAbi,
    functionName: "sessionReverseNameOf",
    args: [toHex(key)],
  });
  if (stored === "0x") return null;
  const fullName = hexToString(stored);
  try {
    const forward = await readRecord(client, names, fullName, "session");
    return forward !== null && hexToBytes(`0x${forward.slice(2)}`).every((b, i) => b === key[i]) ? fullName : null;
  } catch {
    return null;
  }
}
