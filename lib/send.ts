/**
 * `send`: the one way tasks and deploy modules send a transaction. It prints what it is about to do,
 * simulates the call (so a revert costs nothing and sends nothing), sends, waits for the receipt and
 * prints hash, block and gas. Reverts are decoded to the custom error's name and arguments with the ABIs
 * of every compiled contract, so an error raised by a contract called indirectly is named too.
 */
import { ErrorFragment, Interface, isHexString, type BaseContract, type ContractTransactionReceipt, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { TaskError } from "./errors";
import { out } from "./output";

/** What to change when a contract reverts with a given custom error. Modules add their own entries. */
export const REVERT_HINTS: Record<string, string> = {
  BeneficiaryNotSet:
    "the reward pool has no beneficiary yet: deploy ServiceNodeRewards with `npx hardhat deploy`, which wires it",
  ERC20InsufficientBalance: "the sender does not hold enough SESH: check `npx hardhat sesh:balance` and send less",
  ERC20InsufficientAllowance: "approve the spender first, or use the task's permit variant",
  OwnableUnauthorizedAccount: "only the contract's owner may do this: run the task with the owner's key",
  ERC2612ExpiredSignature: "the permit signature expired: sign a new one with a later deadline",
};

export interface DecodedRevert {
  readonly name: string;
  readonly signature: string;
  /** Arguments by name (or position when unnamed), values as strings. */
  readonly args: Readonly<Record<string, string>>;
}

/** A call reverted (in simulation or on chain); `errorName` is the decoded custom error, if any. */
export class RevertError extends TaskError {
  readonly errorName: string | undefined;
  readonly errorArgs: Readonly<Record<string, string>>;
  readonly txHash: string | undefined;
  constructor(message: string, decoded: DecodedRevert | undefined, txHash?: string) {
    super(message);
    this.errorName = decoded?.name;
    this.errorArgs = decoded?.args ?? {};
    this.txHash = txHash;
  }
}

const errorInterfaces = new WeakMap<HardhatRuntimeEnvironment, Interface>();

/** One Interface holding every custom error of every compiled contract (deduplicated by selector). */
export async function allErrors(hre: HardhatRuntimeEnvironment): Promise<Interface> {
  const cached = errorInterfaces.get(hre);
  if (cached !== undefined) return cached;
  const bySignature = new Map<string, ErrorFragment>();
  for (const name of await hre.artifacts.getAllFullyQualifiedNames()) {
    const { abi } = await hre.artifacts.readArtifact(name);
    for (const item of abi as { type: string }[]) {
      if (item.type !== "error") continue;
      const fragment = ErrorFragment.from(item);
      bySignature.set(fragment.format("sighash"), fragment);
    }
  }
  const iface = new Interface([...bySignature.values()]);
  errorInterfaces.set(hre, iface);
  return iface;
}

/** Finds revert data (hex starting with a 4-byte selector) anywhere in a thrown error. */
export function findRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || typeof error !== "object" || error === null) return undefined;
  const e = error as Record<string, unknown>;
  for (const key of ["data", "revertData"]) {
    const value = e[key];
    if (typeof value === "string" && isHexString(value) && value.length >= 10) return value;
    if (typeof value === "object" && value !== null) {
      const nested = (value as Record<string, unknown>).data;
      if (typeof nested === "string" && isHexString(nested) && nested.length >= 10) return nested;
    }
  }
  for (const key of ["error", "info", "cause", "parent"]) {
    const found = findRevertData(e[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Decodes a revert (custom error, Error(string) or Panic(uint256)) from a thrown error. */
export async function decodeRevert(hre: HardhatRuntimeEnvironment, error: unknown): Promise<DecodedRevert | undefined> {
  const data = findRevertData(error);
  if (data === undefined) return undefined;
  const iface = await allErrors(hre);
  let parsed: ReturnType<Interface["parseError"]> = null;
  try {
    parsed = iface.parseError(data);
  } catch {
    parsed = null;
  }
  if (parsed === null) return { name: `unknown error ${data.slice(0, 10)}`, signature: data.slice(0, 10), args: {} };
  const args: Record<string, string> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    args[input.name === "" ? String(i) : input.name] = String(parsed.args[i]);
  });
  return { name: parsed.name, signature: parsed.signature, args };
}

export function describeRevert(decoded: DecodedRevert): string {
  const args = Object.entries(decoded.args)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const hint = REVERT_HINTS[decoded.name];
  return `${decoded.name}(${args})${hint === undefined ? "" : ` — ${hint}`}`;
}

export interface SendRequest {
  /** One line saying what this does for the user, e.g. "transfer 10 SESH to 0x…". */
  readonly description: string;
  readonly contract: BaseContract;
  /** Contract name for messages, e.g. "RewardRatePool". */
  readonly contractName: string;
  readonly method: string;
  readonly args: readonly unknown[];
  /** Who sends; default the contract's runner. */
  readonly signer?: Signer;
  /** Block confirmations to wait for (default 1). */
  readonly confirmations?: number;
}

/** A call argument for messages: numbers and strings as they are, lists in [ ], structs as {key: value}. */
export function formatArg(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatArg).join(", ")}]`;
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${formatArg(v)}`).join(", ")}}`;
  }
  return String(value);
}

/** Simulates, sends and confirms one contract call; throws {@link RevertError} on a revert. */
export async function send(hre: HardhatRuntimeEnvironment, request: SendRequest): Promise<ContractTransactionReceipt> {
  const contract = request.signer === undefined ? request.contract : request.contract.connect(request.signer);
  const runner = contract.runner as Signer | null;
  if (runner === null || typeof runner.getAddress !== "function") {
    throw new TaskError(`${request.contractName}.${request.method}: no account to send from (is PRIVATE_KEY set?)`);
  }
  const from = await runner.getAddress();
  const target = await contract.getAddress();
  const call = `${request.contractName}.${request.method}(${request.args.map(formatArg).join(", ")})`;
  out(`→ ${request.description}`);
  out(`  ${call} on ${target} from ${from}`);
  const fn = contract.getFunction(request.method);

  const fail = async (error: unknown, stage: string, txHash?: string): Promise<never> => {
    const decoded = await decodeRevert(hre, error);
    if (decoded === undefined && findRevertData(error) === undefined && !/revert/i.test(String(error))) throw error;
    const reason = decoded === undefined ? "no reason given" : describeRevert(decoded);
    throw new RevertError(`${call} ${stage} ${reason}${txHash === undefined ? "" : ` (tx ${txHash})`}`, decoded, txHash);
  };

  try {
    await fn.staticCall(...request.args);
  } catch (error) {
    return fail(error, "would revert (nothing was sent):");
  }
  let response;
  try {
    response = await fn.send(...request.args);
  } catch (error) {
    return fail(error, "was rejected (nothing was sent):");
  }
  let receipt: ContractTransactionReceipt | null;
  try {
    receipt = (await response.wait(request.confirmations ?? 1)) as ContractTransactionReceipt | null;
  } catch (error) {
    return fail(error, "was mined but reverted:", response.hash);
  }
  if (receipt === null) throw new TaskError(`${call}: transaction ${response.hash} has no receipt`);
  out(`  tx ${receipt.hash}  block ${receipt.blockNumber}  gas used ${receipt.gasUsed}`);
  return receipt;
}
