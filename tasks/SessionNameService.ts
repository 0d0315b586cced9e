/**
 * Name owner tasks: `names:register` (commit, wait out the commitment, register with a permit and records in
 * the same transaction), `names:renew`, `names:set` / `names:clear` records, `names:resolve`, `names:reverse`
 * (set or look up; shown only when the forward record matches) and `names:list`. Every task checks its
 * arguments and the name's state before it sends anything.
 */
import { existsSync, readFileSync } from "node:fs";
import { hexlify, toUtf8Bytes } from "ethers";
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Hex } from "viem";
import {
  DEFAULT_PARENT,
  RecordKind,
  RecordValueError,
  clearRecord,
  makeCommitment,
  namehash,
  parseSessionId,
  parseSessionSeed,
  randomSecret,
  sessionKeyPair,
  sessionReverseMessage,
  signSessionReverse,
  type NameIds,
  type SessionKeyPair,
  type RecordInput,
} from "../src/names";
import { formatSesh, parseAddress, parsePositiveInt } from "./lib/args";
import { TaskArgumentError, TaskError } from "../lib/errors";
import {
  describeSpecs,
  formatTime,
  knownName,
  knownNamesFile,
  loadNames,
  nameState,
  parseName,
  parseRecords,
  printState,
  readRecords,
  rememberName,
  reverseText,
  waitUntil,
  type NameState,
  type NamesDeployment,
  type RecordArgs,
} from "./lib/names";
import { out } from "../lib/output";
import { signPermit } from "./lib/permit";
import { send } from "../lib/send";

const MAX_YEARS = 100;

function parseYears(value: unknown): bigint {
  return BigInt(parsePositiveInt("--years", value ?? "1", { max: MAX_YEARS }));
}

/** Refuses when the sender cannot pay `fee`, naming the balance and the faucet. */
async function requireFunds(n: NamesDeployment, fee: bigint): Promise<void> {
  const balance = (await n.sesh.balanceOf(n.signer.address)) as bigint;
  if (balance < fee) {
    throw new TaskError(
      `the fee is ${formatSesh(fee)} but ${n.signer.address} holds ${formatSesh(balance)}: get SESH first ` +
        `(on a devnet or testnet: \`npx hardhat sesh:faucet --to ${n.signer.address} --network ${n.deployment.network}\`)`,
    );
  }
}

/** An ERC-2612 permit for the name service to take `value` SESH from the sender, valid for an hour. */
async function namePermit(hre: HardhatRuntimeEnvironment, n: NamesDeployment, value: bigint) {
  const deadline = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp) + 3600n;
  const sig = await signPermit(n.sesh, n.signer, await n.names.getAddress(), value, deadline);
  return { value, deadline, v: sig.v, r: sig.r, s: sig.s };
}

/** Refuses unless the sender owns the live name (what every record write requires). */
function requireOwnerLive(n: NamesDeployment, state: NameState, what: string): void {
  const name = state.ids.fullName;
  if (state.owner === null || state.status === "available" || state.status === "reserved") {
    throw new TaskError(`${name} is not registered, so nobody can ${what}: register it with \`npx hardhat names:register --name ${state.ids.label}\``);
  }
  if (state.owner.toLowerCase() !== n.signer.address.toLowerCase()) {
    throw new TaskError(`${name} belongs to ${state.owner}, not to ${n.signer.address}: only its owner can ${what}`);
  }
  if (state.status !== "live") {
    throw new TaskError(
      `${name} expired at ${formatTime(state.expiry)}; records cannot change until it is renewed` +
        (state.status === "grace" ? ` (you may renew until ${formatTime(state.graceEnd)} with \`npx hardhat names:renew --name ${state.ids.label}\`)` : ""),
    );
  }
}

/** Sends record inputs with the cheapest call: one setRecord / setText, or setRecords for several. */
async function writeRecords(hre: HardhatRuntimeEnvironment, n: NamesDeployment, ids: NameIds, inputs: readonly RecordInput[], description: string) {
  if (inputs.length === 1 && inputs[0].kind === RecordKind.Text) {
    return send(hre, { description, contract: n.names, contractName: "SessionNameService", method: "setText", args: [ids.node, inputs[0].key, inputs[0].value] });
  }
  if (inputs.length === 1) {
    return send(hre, { description, contract: n.names, contractName: "SessionNameService", method: "setRecord", args: [ids.node, inputs[0].kind, inputs[0].value] });
  }
  return send(hre, { description, contract: n.names, contractName: "SessionNameService", method: "setRecords", args: [ids.node, inputs.map((r) => ({ kind: r.kind, key: r.key, value: r.value }))] });
}

function textKeysOf(args: { text?: string; textKey?: string }): string[] {
  const keys: string[] = [];
  if (args.textKey !== undefined) keys.push(args.textKey);
  if (args.text !== undefined && args.text.includes("=")) keys.push(args.text.slice(0, args.text.indexOf("=")).trim());
  return keys;
}

/**
 * Says what the written records mean for wallets and ENS libraries: encrypted records are readable only by who
 * knows the name (these tasks, src/names); plaintext ones are public and resolve in ethers, viem and wallets.
 */
function printResolvability(ids: NameIds, inputs: readonly RecordInput[]): void {
  const kinds = (encrypted: boolean) =>
    inputs
      .filter((r) => r.value !== "0x" && isEncrypted(r) === encrypted)
      .map((r) => (r.kind === RecordKind.Text ? `text ${r.key}` : ["text", "session", "lokinet", "wallet"][r.kind]));
  const sealed = kinds(true);
  const open = kinds(false);
  if (sealed.length !== 0) {
    out(`  encrypted (${sealed.join(", ")}): only clients that know the name "${ids.fullName}" can read these; wallets and ENS ` +
      `libraries (ethers resolveName, viem getEnsAddress) see them as unset. Pass --plaintext to publish them for resolution.`);
  }
  if (open.length !== 0) {
    out(`  plaintext (${open.join(", ")}): public; ethers, viem and wallets resolve ${ids.fullName} to them ` +
      "(README: \"Resolving names from ethers, viem and wallets\")");
  }
}

/** Whether an encoded record input is sealed (typed: longer than its plain size; text: envelope 0x01). */
function isEncrypted(r: RecordInput): boolean {
  const bytes = (r.value.length - 2) / 2;
  if (r.kind === RecordKind.Text) return r.value.startsWith("0x01");
  return bytes > (r.kind === RecordKind.Wallet ? 20 : 32);
}

interface RegisterArgs extends RecordArgs {
  name: string;
  owner?: string;
  years?: string;
  parent: string;
}

task("names:register", "Registers a name: commits, waits out the 60 s commitment, then registers with a permit (records encrypted unless --plaintext)")
  .addParam("name", "the name, e.g. alice or alice.session")
  .addOptionalParam("owner", "owner of the name (default: your account)")
  .addOptionalParam("years", "term in whole years, 1–100", "1")
  .addOptionalParam("session", "Session ID record (05 + 64 hex digits)")
  .addOptionalParam("lokinet", "Lokinet address record (<52 z-base-32 characters>.loki)")
  .addOptionalParam("wallet", "wallet address record (EIP-55 checksummed)")
  .addOptionalParam("text", "one text record, key=value (e.g. url=https://example.org)")
  .addFlag("plaintext", "store the records in plaintext (public; ENS clients can read them) instead of encrypted")
  .addOptionalParam("parent", "parent name the service was deployed with", DEFAULT_PARENT, types.string)
  .setAction(async (args: RegisterArgs, hre) => {
    const ids = parseName("--name", args.name, args.parent);
    const years = parseYears(args.years);
    const { specs, inputs } = parseRecords(args, ids);
    const n = await loadNames(hre, args.parent);
    const owner = args.owner === undefined ? n.signer.address : parseAddress("--owner", args.owner);

    const state = await nameState(hre, n, ids);
    if (state.status === "reserved") throw new TaskError(`${ids.fullName} is reserved by the service's owner and cannot be registered: pick another name`);
    if (state.status === "live" || state.status === "grace") {
      throw new TaskError(`${ids.fullName} is taken: owned by ${state.owner} until ${formatTime(state.expiry)}, free for anyone from ${formatTime(state.graceEnd)}; pick another name`);
    }
    if ((await n.names.paused()) as boolean) throw new TaskError("registration is paused by the service's owner: try again later");
    const fee = (await n.names.price(years)) as bigint;
    await requireFunds(n, fee);

    // The same commitment the portal makes (src/names, checked against the contract's makeCommitment view).
    const secret = randomSecret();
    const commitment = makeCommitment({ registry: (await n.names.getAddress()) as Hex, labelhash: ids.labelhash, owner: owner as Hex, years, secret, records: inputs });
    out(`register ${ids.fullName} for ${owner}, ${years} year(s), fee ${formatSesh(fee)} to the reward pool; ${describeSpecs(specs)}`);
    out(`  secret ${secret} (keep it until the registration is through)`);
    const commitReceipt = await send(hre, {
      description: `commit to ${ids.fullName} (reveals nothing)`,
      contract: n.commitments,
      contractName: "SessionNameCommitments",
      method: "commit",
      args: [commitment],
    });
    const committedAt = BigInt((await hre.ethers.provider.getBlock(commitReceipt.blockNumber))!.timestamp);
    const minAge = (await n.commitments.MIN_COMMITMENT_AGE()) as bigint;
    await waitUntil(hre, n.deployment, committedAt + minAge);

    const permit = await namePermit(hre, n, fee);
    const receipt = await send(hre, {
      description: `register ${ids.fullName} with the fee permitted in the same transaction`,
      contract: n.names,
      contractName: "SessionNameService",
      method: "registerWithPermit",
      args: [ids.labelhash, owner, years, secret, inputs.map((r) => ({ kind: r.kind, key: r.key, value: r.value })), permit],
    });
    rememberName(n.deployment.chainId, ids);
    const after = await nameState(hre, n, ids);
    const records = await readRecords(n, ids, textKeysOf(args));
    printState(after, records);
    printResolvability(ids, inputs);
    return { ids, owner: after.owner, expiry: after.expiry, commitTxHash: commitReceipt.hash, txHash: receipt.hash, gasUsed: receipt.gasUsed, records };
  });

task("names:renew", "Renews a name by whole years from its current expiry (anyone while live; the owner during grace)")
  .addParam("name", "the name, e.g. alice")
  .addOptionalParam("years", "years to add, 1–100", "1")
  .addOptionalParam("parent", "parent name the service was deployed with", DEFAULT_PARENT, types.string)
  .setAction(async (args: { name: string; years?: string; parent: string }, hre) => {
    const ids = parseName("--name", args.name, args.parent);
    const years = parseYears(args.years);
    const n = await loadNames(hre, args.parent);
    const state = await nameState(hre, n, ids);
    if (state.owner === null || state.status === "available" || state.status === "reserved") {
      throw new TaskError(`${ids.fullName} is not registered, so it cannot be renewed: register it with \`npx hardhat names:register --name ${ids.label}\``);
    }
    if (state.status === "expired") {
      throw new TaskError(`${ids.fullName}'s grace period ended at ${formatTime(state.graceEnd)}: register it anew with \`npx hardhat names:register --name ${ids.label}\``);
    }
    if (state.status === "grace" && state.owner.toLowerCase() !== n.signer.address.toLowerCase()) {
      throw new TaskError(`${ids.fullName} is in its grace period (until ${formatTime(state.graceEnd)}): only its owner ${state.owner} may renew it now`);
    }
    const fee = (await n.names.price(years)) as bigint;
    await requireFunds(n, fee);
    const permit = await namePermit(hre, n, fee);
    const receipt = await send(hre, {
      description: `renew ${ids.fullName} by ${years} year(s) from ${formatTime(state.expiry)} for ${formatSesh(fee)}`,
      contract: n.names,
      contractName: "SessionNameService",
      method: "renewWithPermit",
      args: [ids.node, years, permit],
    });
    const after = await nameState(hre, n, ids);
    printState(after);
    return { ids, expiry: after.expiry, txHash: receipt.hash, gasUsed: receipt.gasUsed };
  });

interface SetArgs extends RecordArgs {
  name: string;
  parent: string;
}

task("names:set", "Sets records of your name (encrypted unless --plaintext)")
  .addParam("name", "the name, e.g. alice")
  .addOptionalParam("session", "Session ID (05 + 64 hex digits)")
  .addOptionalParam("lokinet", "Lokinet address (<52 z-base-32 characters>.loki)")
  .addOptionalParam("wallet", "wallet address (EIP-55 checksummed)")
  .addOptionalParam("text", "one text record, key=value")
  .addFlag("plaintext", "store in plaintext (public) instead of encrypted")
  .addOptionalParam("parent", "parent name the service was deployed with", DEFAULT_PARENT, types.string)
  .setAction(async (args: SetArgs, hre) => {
    const ids = parseName("--name", args.name, args.parent);
    const { specs, inputs } = parseRecords(args, ids);
    if (inputs.length === 0) throw new TaskArgumentError("--session", "no record given: pass at least one of --session, --lokinet, --wallet, --text key=value");
    const n = await loadNames(hre, args.parent);
    requireOwnerLive(n, await nameState(hre, n, ids), "set its records");
    const receipt = await writeRecords(hre, n, ids, inputs, `set ${ids.fullName}: ${describeSpecs(specs)}`);
    rememberName(n.deployment.chainId, ids);
    const records = await readRecords(n, ids, textKeysOf(args));
    printState(await nameState(hre, n, ids), records);
    printResolvability(ids, inputs);
    return { ids, records, txHash: receipt.hash, gasUsed: receipt.gasUsed };
  });

task("names:clear", "Clears one record of your name")
  .addParam("name", "the name, e.g. alice")
  .addParam("record", "session, lokinet, wallet or text:<key>")
  .addOptionalParam("parent", "parent name the service was deployed with", DEFAULT_PARENT, types.string)
  .setAction(async (args: { name: string; record: string; parent: string }, hre) => {
    const ids = parseName("--name", args.name, args.parent);
    const which = args.record.trim();
    let input: RecordInput;
    if (which === "session") input = clearRecord(RecordKind.Session);
    else if (which === "lokinet") input = clearRecord(RecordKind.Lokinet);
    else if (which === "wallet") input = clearRecord(RecordKind.Wallet);
    else if (which.startsWith("text:") && which.length > 5) input = clearRecord(RecordKind.Text, which.slice(5));
    else throw new TaskArgumentError("--record", `"${which}" is not a record: write session, lokinet, wallet or text:<key>`);
    const n = await loadNames(hre, args.parent);
    requireOwnerLive(n, await nameState(hre, n, ids), "clear its records");
    const receipt = await writeRecords(hre, n, ids, [input], `clear the ${which} record of ${ids.fullName}`);
    const records = await readRecords(n, ids, input.kind === RecordKind.Text ? [input.key] : []);
    printState(await nameState(hre, n, ids), records);
    return { ids, records, txHash: receipt.hash, gasUsed: receipt.gasUsed };
  });

task("names:resolve", "Shows a name's owner, expiry and (decrypted) records")
  .addParam("name", "the name, e.g. alice")
  .addOptionalParam("textKey", "also read this text record, e.g. url")
  .addOptionalParam("parent", "parent name the service was deployed with", DEFAULT_PARENT, types.string)
  .setAction(async (args: { name: string; textKey?: string; parent: string }, hre) => {
    const ids = parseName("--name", args.name, args.parent);
    const n = await loadNames(hre, args.parent);
    const state = await nameState(hre, n, ids);
    if (state.owner !== null) rememberName(n.deployment.chainId, ids);
    const records = state.status === "live" ? await readRecords(n, ids, textKeysOf(args)) : {};
    printState(state, records);
    return { ...state, records };
  });

/** The reverse name of `account` if its forward wallet record (decrypted) is `account`, else null. */
async function verifiedAddressReverse(hre: HardhatRuntimeEnvironment, n: NamesDeployment, account: string) {
  const stored = reverseText((await n.reverse.reverseNameOf(account)) as Hex);
  if (stored === null) return { stored, verified: null };
  try {
    const ids = parseName("reverse record", stored, n.parent);
    const state = await nameState(hre, n, ids);
    if (state.status !== "live") return { stored, verified: null };
    const wallet = (await readRecords(n, ids)).wallet;
    return { stored, verified: wallet !== null && wallet.toLowerCase() === account.toLowerCase() ? ids.fullName : null };
  } catch {
    return { stored, verified: null };
  }
}

async function verifiedSessionReverse(hre: HardhatRuntimeEnvironment, n: NamesDeployment, sessionId: string) {
  const key = hexlify(parseSessionId(sessionId));
  const stored = reverseText((await n.reverse.sessionReverseNameOf(key)) as Hex);
  if (stored === null) return { stored, verified: null };
  try {
    const ids = parseName("reverse record", stored, n.parent);
    if ((await nameState(hre, n, ids)).status !== "live") return { stored, verified: null };
    const session = (await readRecords(n, ids)).session;
    return { stored, verified: session !== null && session.toLowerCase() === sessionId.toLowerCase() ? ids.fullName : null };
  } catch {
    return { stored, verified: null };
  }
}

function parseSessionArg(value: string): string {
  try {
    parseSessionId(value.trim());
    return value.trim();
  } catch (error) {
    if (error instanceof RecordValueError) throw new TaskArgumentError("--session-id", error.message);
    throw error;
  }
}

/** `--session-key`: an Ed25519 seed in hex, or a file holding one (e.g. written by a Session key export). */
function parseSessionKeyArg(value: string): SessionKeyPair {
  const text = existsSync(value.trim()) ? readFileSync(value.trim(), "utf8") : value;
  try {
    return sessionKeyPair(parseSessionSeed(text));
  } catch (error) {
    if (error instanceof RecordValueError) throw new TaskArgumentError("--session-key", error.message);
    throw error;
  }
}

/** Signs (with the Session key) and sends the Session reverse change of `key` to `fullName` ("" clears). */
async function sendSessionReverse(hre: HardhatRuntimeEnvironment, n: NamesDeployment, key: SessionKeyPair, fullName: string) {
  const reverse = (await n.reverse.getAddress()) as Hex;
  const nonce = (await n.reverse.sessionReverseNonce(key.sessionKey)) as bigint;
  const { chainId } = await hre.ethers.provider.getNetwork();
  const message = sessionReverseMessage({ chainId, reverse, sessionKey: key.sessionKey, fullName, nonce });
  const { ed25519Key, signature } = signSessionReverse(key, message);
  return send(hre, {
    description: fullName === ""
      ? `clear the reverse record of ${key.sessionId} (signed by its Session key, change #${nonce})`
      : `publish ${key.sessionId} → ${fullName} (reveals the name; signed by the Session key, change #${nonce})`,
    contract: n.reverse,
    contractName: "SessionNameReverse",
    method: "setSessionReverseName",
    args: [key.sessionKey, fullName === "" ? "0x" : hexlify(toUtf8Bytes(fullName)), ed25519Key, signature],
  });
}

interface ReverseArgs {
  set?: string;
  clear?: boolean;
  account?: string;
  sessionId?: string;
  sessionKey?: string;
  parent: string;
}

task("names:reverse", "Sets (--set <name>), clears (--clear) or looks up a reverse record: your address, or a Session ID")
  .addOptionalParam("set", "publish this name as the reverse record (reveals the name)")
  .addFlag("clear", "remove the reverse record (of your address, or with --session-key of that Session ID)")
  .addOptionalParam("account", "look up this address (default: your account)")
  .addOptionalParam("sessionId", "the Session ID to look up instead of an address")
  .addOptionalParam(
    "sessionKey",
    "set or clear a Session ID's reverse record: the Session account's Ed25519 seed (64 hex digits, or a 16-byte " +
      "Session seed), or a file holding it; only a signature by this key can change what the Session ID resolves to",
  )
  .addOptionalParam("parent", "parent name the service was deployed with", DEFAULT_PARENT, types.string)
  .setAction(async (args: ReverseArgs, hre) => {
    let sessionId = args.sessionId === undefined ? undefined : parseSessionArg(args.sessionId);
    const key = args.sessionKey === undefined ? undefined : parseSessionKeyArg(args.sessionKey);
    if (key !== undefined) {
      if (sessionId !== undefined && sessionId.toLowerCase() !== key.sessionId) {
        throw new TaskArgumentError("--session-id", `${sessionId} is not the Session ID of --session-key (${key.sessionId}): drop one of them`);
      }
      sessionId = key.sessionId;
    }
    const changing = args.set !== undefined || args.clear === true;
    if (args.set !== undefined && args.clear === true) throw new TaskArgumentError("--clear", "pass either --set <name> or --clear, not both");
    if (changing && args.account !== undefined) {
      throw new TaskArgumentError("--account", "a reverse record can only be set for your own account: drop --account");
    }
    if (changing && sessionId !== undefined && key === undefined) {
      throw new TaskArgumentError(
        "--session-key",
        `only ${sessionId}'s own key can change what it reverse-resolves to: pass --session-key with that Session account's Ed25519 seed (or a file holding it)`,
      );
    }
    const ids = args.set === undefined ? undefined : parseName("--set", args.set, args.parent);
    const account = args.account === undefined ? undefined : parseAddress("--account", args.account);
    const n = await loadNames(hre, args.parent);

    if (args.clear === true) {
      const receipt = key !== undefined
        ? await sendSessionReverse(hre, n, key, "")
        : await send(hre, {
            description: `clear the reverse record of ${n.signer.address}`,
            contract: n.reverse,
            contractName: "SessionNameReverse",
            method: "setReverseName",
            args: ["0x"],
          });
      out(`  ${key?.sessionId ?? n.signer.address} has no reverse record`);
      return { stored: null, verified: null, txHash: receipt.hash, gasUsed: receipt.gasUsed };
    }

    if (ids !== undefined) {
      const state = await nameState(hre, n, ids);
      const records = await readRecords(n, ids);
      let receipt;
      if (key !== undefined) {
        if (state.status !== "live") {
          throw new TaskError(`${ids.fullName} is not a live name (${state.status}), so no Session ID can reverse-resolve to it`);
        }
        const [value, encrypted] = (await n.names.record(ids.node, RecordKind.Session)) as [Hex, boolean];
        if (encrypted || records.session === null || records.session.toLowerCase() !== key.sessionId) {
          const fix = state.owner !== null && state.owner.toLowerCase() === n.signer.address.toLowerCase()
            ? `first run \`npx hardhat names:set --name ${ids.label} --session ${key.sessionId} --plaintext\``
            : `its owner ${state.owner} must first set it with \`names:set --name ${ids.label} --session ${key.sessionId} --plaintext\``;
          throw new TaskError(
            `${ids.fullName}'s Session ID record is ${value === "0x" ? "unset" : encrypted ? "encrypted" : records.session}, but the reverse ` +
              `record needs it to be ${key.sessionId} in plaintext: ${fix}`,
          );
        }
        receipt = await sendSessionReverse(hre, n, key, ids.fullName);
        const result = await verifiedSessionReverse(hre, n, key.sessionId);
        out(`  ${key.sessionId} → ${result.verified ?? "-"}`);
        return { ...result, txHash: receipt.hash, gasUsed: receipt.gasUsed };
      }
      if (records.wallet === null || records.wallet.toLowerCase() !== n.signer.address.toLowerCase()) {
        throw new TaskError(
          `${ids.fullName}'s wallet record is ${records.wallet ?? "unset"}, not ${n.signer.address}, so clients would not show this reverse ` +
            `record: first run \`npx hardhat names:set --name ${ids.label} --wallet ${n.signer.address}\``,
        );
      }
      receipt = await send(hre, {
        description: `publish ${n.signer.address} → ${ids.fullName} (reveals the name)`,
        contract: n.reverse,
        contractName: "SessionNameReverse",
        method: "setReverseName",
        args: [hexlify(toUtf8Bytes(ids.fullName))],
      });
      const result = await verifiedAddressReverse(hre, n, n.signer.address);
      out(`  ${n.signer.address} → ${result.verified ?? "-"}`);
      if (result.verified !== null && ((await n.names.record(ids.node, RecordKind.Wallet)) as [Hex, boolean])[1]) {
        out(`  note: ${ids.fullName}'s wallet record is encrypted, so wallets and ENS libraries (ethers lookupAddress, viem getEnsName) ` +
          `will not show this name; \`names:set --name ${ids.label} --wallet ${n.signer.address} --plaintext\` makes it resolvable`);
      }
      return { ...result, txHash: receipt.hash, gasUsed: receipt.gasUsed };
    }

    const result = sessionId !== undefined
      ? await verifiedSessionReverse(hre, n, sessionId)
      : await verifiedAddressReverse(hre, n, account ?? n.signer.address);
    const subject = sessionId ?? account ?? n.signer.address;
    if (result.verified !== null) out(`  ${subject} → ${result.verified}`);
    else if (result.stored !== null) out(`  ${subject} has a reverse record (${result.stored}) that does not resolve back to it: not shown`);
    else out(`  ${subject} has no reverse record`);
    return result;
  });

task("names:list", "Lists the names an account holds, by name where this client knows it (the chain stores only hashes)")
  .addOptionalParam("owner", "whose names (default: your account)")
  .addOptionalParam("parent", "parent name the service was deployed with", DEFAULT_PARENT, types.string)
  .setAction(async (args: { owner?: string; parent: string }, hre) => {
    const n = await loadNames(hre, args.parent);
    const owner = args.owner === undefined ? n.signer.address : parseAddress("--owner", args.owner);
    const record = n.deployment.book.contracts.SessionNameService!;
    const latest = await hre.ethers.provider.getBlockNumber();
    const candidates = new Set<string>();
    const CHUNK = 10_000;
    for (let from = record.blockNumber; from <= latest; from += CHUNK) {
      const logs = await n.names.queryFilter(n.names.filters.Transfer(undefined, owner), from, Math.min(latest, from + CHUNK - 1));
      for (const log of logs) candidates.add(((log as unknown as { args: [string, string, bigint] }).args[2]).toString());
    }
    // A name known by its text: the account's own reverse record, if it points at one of these nodes.
    const reverse = reverseText((await n.reverse.reverseNameOf(owner)) as Hex);
    const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    const grace = (await n.names.GRACE_PERIOD()) as bigint;
    const held: { node: Hex; name: string | null; expiry: bigint; status: string }[] = [];
    for (const id of candidates) {
      const node = `0x${BigInt(id).toString(16).padStart(64, "0")}` as Hex;
      const [holder, expiry] = (await n.names.nameOf(node)) as [string, bigint];
      if (holder.toLowerCase() !== owner.toLowerCase()) continue;
      const status = now < expiry ? "live" : now < expiry + grace ? "grace" : "expired";
      const name = knownName(n.deployment.chainId, node) ?? (reverse !== null && namehash(reverse) === node ? reverse : null);
      held.push({ node, name, expiry, status });
    }
    out(`${owner} holds ${held.length} name(s)`);
    for (const h of held) {
      out(`  ${(h.name ?? "(name not known here)").padEnd(24)} ${h.status.padEnd(7)} until ${formatTime(h.expiry)}  node ${h.node}`);
    }
    if (held.some((h) => h.name === null)) {
      out(`  the chain stores only namehashes: names registered, set or resolved with these tasks are remembered in ${knownNamesFile()}; ` +
        "`npx hardhat names:resolve --name <name>` adds one");
    }
    return held;
  });
