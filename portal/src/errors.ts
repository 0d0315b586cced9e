/**
 * Every failure a person can meet, in words: a rejected wallet prompt (calm, nothing happened), a contract's
 * custom error decoded from the revert data with its arguments, or anything else with its short message.
 */
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, type Hex } from "viem";
import { formatSesh } from "../../src/token/amounts";
import { allErrorsAbi } from "./generated/abis";

export type Problem =
  | { readonly kind: "rejected"; readonly message: string }
  | { readonly kind: "reverted"; readonly error: string; readonly message: string }
  | { readonly kind: "failed"; readonly message: string };

type Args = readonly unknown[];
const sesh = (v: unknown): string => `${formatSesh(BigInt(v as bigint))} SESH`;
const when = (v: unknown): string => new Date(Number(v as bigint) * 1000).toLocaleString();

/** Words for the errors people actually cause; anything else is shown by name with its arguments. */
const WORDS: Record<string, (a: Args) => string> = {
  ERC20InsufficientBalance: (a) => `your wallet holds ${sesh(a[1])} but this needs ${sesh(a[2])}`,
  ERC20InsufficientAllowance: (a) => `the contract may take ${sesh(a[1])} of your SESH but needs ${sesh(a[2])}: sign the permit again`,
  ERC2612ExpiredSignature: () => "the permit you signed has expired: try again",
  ERC2612InvalidSigner: () => "the permit was signed by another account than the one sending",
  ContributionBelowMinimum: (a) => `the pool's minimum contribution now is ${sesh(a[1])}; you offered ${sesh(a[0])}`,
  ContributionBelowReservation: (a) => `your reserved slot needs at least ${sesh(a[1])}; you offered ${sesh(a[0])}`,
  ContributionExceedsRequirement: (a) => `only ${sesh(a[1])} is still open in this pool; you offered ${sesh(a[0])}`,
  PoolEpochChanged: () => "the pool's terms (fee, reservations or key) changed since this page showed them: check them again",
  PoolTermsRecentlyChanged: (a) => `the pool's terms changed recently; contributions reopen ${when(a[1])}`,
  ContributorsFull: (a) => `the pool already has its ${String(a[0])} contributors`,
  InvalidStatus: () => "the pool is not open for this right now (it changed since the page loaded)",
  WaitingForOperatorContribution: () => "the operator has not put in their stake yet",
  WithdrawalTooEarly: (a) => `you can withdraw from ${when(a[0])} (one day after your last contribution)`,
  NotContributor: () => "this account has no contribution in the pool",
  NothingToClaim: () => "there are no unclaimed rewards to claim",
  ClaimLimitExceeded: (a) => `the network-wide claim limit is reached (${sesh(a[0])} of ${sesh(a[1])} in this period): try again later`,
  ClaimExceedsBalance: (a) => `you can claim at most ${sesh(a[1])}`,
  RewardsNotIncreased: () => "your signed balance is already recorded: nothing new to update",
  CallerNotContributor: () => "only a contributor of this node may request its exit",
  ExitRequestTooSoon: (a) => `this node's exit can be requested from ${when(a[1])}`,
  SmallContributorLeaveTooEarly: (a) => `small contributors can request an exit from ${when(a[2])}`,
  ExitWaitNotOver: (a) => `the 30-day wait ends ${when(a[1])}`,
  ServiceNodeDoesNotExist: (a) => `node ${String(a[0])} is not registered (it may have exited already)`,
  SignatureExpired: () => "the network's signature is too old: ask for a fresh one",
  SignatureFromFuture: () => "the network's signature is dated after the chain's time: wait a moment and retry",
  InvalidBLSSignature: () => "the network's signature does not verify (the node set changed): ask for a fresh one",
  NameNotAvailable: (a) => `the name is taken; it becomes available ${when(a[1])}`,
  NameReserved: () => "the name is reserved",
  NotNameOwner: () => "this account does not own the name",
  NameExpired: () => "the name has expired past its grace period",
  CommitmentTooNew: (a) => `the commitment is not ready yet: reveal after ${when(a[1])}`,
  CommitmentTooOld: () => "the commitment expired: start the registration again",
  CommitmentNotFound: () => "no commitment for these details on chain: start the registration again",
  CommitmentExists: () => "this commitment is already on chain",
  InvalidTerm: (a) => `${String(a[0])} years is not a term the registry sells`,
  InsufficientBalance: (a) => `the balance is ${sesh(a[0])} but ${sesh(a[1])} is needed`,
  EnforcedPause: () => "the contract is paused",
  ContractPaused: () => "the contract is paused",
  RegistrationPaused: () => "name registration is paused",
  Error: (a) => `it stopped with the message “${String(a[0])}”`,
  Panic: (a) => `it failed an internal check (panic code ${String(a[0])})`,
};

function describeRevert(name: string, args: Args): string {
  const words = WORDS[name];
  if (words !== undefined) {
    try {
      return words(args);
    } catch {
      // Fall back to the raw form below.
    }
  }
  if (name.startsWith("0x")) return `the contract refused it with an error this portal does not know (selector ${name})`;
  return `the contract refused it with ${name}(${args.map(String).join(", ")})`;
}

const REVERT_HEX = /^0x[0-9a-fA-F]{8}(?:[0-9a-fA-F]{2})*$/;

/**
 * The revert data (0x-hex, selector first) anywhere in an error: viem's decoded or raw revert, a node's
 * `data` string, or a wallet's nested answer (MetaMask puts the node's error in `data`, the hex in `data.data`).
 */
export function findRevertHex(error: unknown, depth = 0): Hex | undefined {
  if (depth > 8 || error === null || typeof error !== "object") return undefined;
  const e = error as { raw?: unknown; data?: unknown; cause?: unknown; error?: unknown };
  for (const candidate of [e.raw, e.data]) if (typeof candidate === "string" && REVERT_HEX.test(candidate)) return candidate as Hex;
  for (const inner of [e.data, e.error, e.cause]) {
    const found = findRevertHex(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function revertData(error: unknown): { name: string; args: Args } | null {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    if (reverted?.data?.errorName !== undefined) return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  }
  const raw = findRevertHex(error);
  if (raw === undefined) return null;
  try {
    const decoded = decodeErrorResult({ abi: allErrorsAbi, data: raw });
    return { name: decoded.errorName, args: (decoded.args ?? []) as Args };
  } catch {
    return { name: raw.slice(0, 10), args: [] };
  }
}

/**
 * A transaction that was mined but reverted: why, in words, from `replayed` (the error of the same call
 * replayed on the state it met; null when the replay did not revert) — and that it cost only its fee.
 */
export function describeMinedRevert(hash: Hex, replayed: unknown, outOfGas: boolean): Problem {
  const tail = `Nothing changed; only the transaction's fee was spent (transaction ${hash}).`;
  const revert = replayed === null ? null : revertData(replayed);
  if (revert !== null) return { kind: "reverted", error: revert.name, message: `Reverted on chain: ${describeRevert(revert.name, revert.args)}. ${tail}` };
  if (outOfGas) return { kind: "reverted", error: "OutOfGas", message: `Reverted on chain: it ran out of gas (the wallet's gas limit was too low). ${tail}` };
  const said = replayed instanceof BaseError ? replayed.shortMessage : replayed instanceof Error ? replayed.message : null;
  return { kind: "reverted", error: "unknown", message: `Reverted on chain${said === null ? " (the state it met has changed since, so the reason cannot be read again)" : `: ${said}`}. ${tail}` };
}

export function describeProblem(error: unknown): Problem {
  if (error instanceof BaseError) {
    const rejected = error.walk((e) => (e as { code?: number }).code === 4001);
    if (rejected !== null) return { kind: "rejected", message: "You declined in your wallet. Nothing was sent and nothing changed." };
    const revert = revertData(error);
    if (revert !== null) return { kind: "reverted", error: revert.name, message: `Not possible: ${describeRevert(revert.name, revert.args)}.` };
    return { kind: "failed", message: error.shortMessage };
  }
  if ((error as { code?: number })?.code === 4001) return { kind: "rejected", message: "You declined in your wallet. Nothing was sent and nothing changed." };
  const revert = revertData(error);
  if (revert !== null) return { kind: "reverted", error: revert.name, message: `Not possible: ${describeRevert(revert.name, revert.args)}.` };
  return { kind: "failed", message: error instanceof Error ? error.message : String(error) };
}
