/**
 * Who may ask for a node's exit, and when — the rules of `ServiceNodeRewards.initiateExitBLSPublicKey`
 * checked off chain so a refused request sends nothing:
 *
 * - a solo node: only its operator;
 * - a pooled node: any address in its registered contributor list (read from the `NewServiceNodeV2` or
 *   `NewSeededServiceNode` event and checked against the stored `contributorsHash`);
 * - a contributor of less than a quarter of the stake: the first request only 30 days after registration;
 * - any repeat: at least an hour after the previous request.
 *
 * The operator (at least a quarter by the registration rules) calls the one-argument overload; every other
 * contributor passes the list to the two-argument one.
 */
import { AbiCoder, keccak256 } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatSesh } from "./args";
import { formatDuration } from "./duration";
import { TaskError } from "../../lib/errors";
import { EXIT_REQUEST_INTERVAL_SECONDS, SMALL_CONTRIBUTOR_LEAVE_DELAY_SECONDS } from "../../src/protocol";
import { formatTime } from "./serviceNodes";

const ZERO_HASH = `0x${"0".repeat(64)}`;

/** One entry of a node's registered contributor list (the contract's `Contributor`). */
export interface ContributorEntry {
  readonly staker: { readonly addr: string; readonly beneficiary: string };
  readonly stakedAmount: bigint;
}

/** What the registry stores about a node that the exit rules read. */
export interface ExitRequestNode {
  readonly operator: string;
  readonly addedTimestamp: bigint;
  readonly exitRequestTimestamp: bigint;
  readonly lastExitRequestTimestamp: bigint;
  readonly contributorsHash: string;
}

/** The call that requests the exit: the operator's overload, or a contributor's with the list. */
export type ExitRequestCall =
  | { readonly method: "initiateExitBLSPublicKey(uint64)"; readonly args: readonly [bigint]; readonly role: "operator" }
  | {
      readonly method: "initiateExitBLSPublicKey(uint64,((address,address),uint256)[])";
      readonly args: readonly [bigint, readonly ContributorEntry[]];
      readonly role: "contributor";
      readonly stake: bigint;
      readonly total: bigint;
    };

const CONTRIBUTORS_TYPE = "tuple(tuple(address addr, address beneficiary) staker, uint256 stakedAmount)[]";

/** `keccak256(abi.encode(contributors))`, as the registry stores it for pooled nodes. */
export function contributorsHash(contributors: readonly ContributorEntry[]): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      [CONTRIBUTORS_TYPE],
      [contributors.map((c) => [[c.staker.addr, c.staker.beneficiary], c.stakedAmount])],
    ),
  );
}

export function isPooled(node: ExitRequestNode): boolean {
  return node.contributorsHash !== ZERO_HASH;
}

/** Refuses a repeat request sooner than an hour after the previous one. */
/** "in 59 min 30 s", plus the devnet command that skips the wait when the task gives one. */
export type WaitHint = (seconds: bigint) => string;
const plainWait: WaitHint = (seconds) => `in ${formatDuration(seconds)}`;

function assertIntervalOver(id: bigint, node: ExitRequestNode, now: bigint, hint: WaitHint): void {
  if (node.exitRequestTimestamp === 0n) return;
  const allowedAt = node.lastExitRequestTimestamp + EXIT_REQUEST_INTERVAL_SECONDS;
  if (now < allowedAt) {
    throw new TaskError(
      `node ${id} asked to exit at ${formatTime(node.lastExitRequestTimestamp)}; a repeat is allowed from ${formatTime(allowedAt)}, ` +
        `${hint(allowedAt - now)}: try again then (the 30-day wait runs from the first request, ${formatTime(node.exitRequestTimestamp)})`,
    );
  }
}

/**
 * Decides how `caller` requests node `id`'s exit at chain time `now`, or throws a {@link TaskError} saying
 * who may and from when. `contributors` is the registered list (needed only for a pooled node's
 * non-operator; pass undefined otherwise).
 */
export function planExitRequest(
  id: bigint,
  node: ExitRequestNode,
  caller: string,
  now: bigint,
  contributors: readonly ContributorEntry[] | undefined,
  hint: WaitHint = plainWait,
): ExitRequestCall {
  const me = caller.toLowerCase();
  if (node.operator.toLowerCase() === me) {
    assertIntervalOver(id, node, now, hint);
    return { method: "initiateExitBLSPublicKey(uint64)", args: [id], role: "operator" };
  }
  if (!isPooled(node)) {
    throw new TaskError(`node ${id} is a solo node operated by ${node.operator}; only its operator may request its exit, not ${caller}: run the task with the operator's key`);
  }
  if (contributors === undefined) throw new TaskError(`node ${id}: its contributor list is needed to check ${caller}`);
  const total = contributors.reduce((sum, c) => sum + c.stakedAmount, 0n);
  const mine = contributors.find((c) => c.staker.addr.toLowerCase() === me);
  if (mine === undefined) {
    throw new TaskError(
      `${caller} is not a contributor of node ${id}; its contributors are ${contributors.map((c) => c.staker.addr).join(", ")}: ` +
        `run the task with one of their keys`,
    );
  }
  const stake = mine.stakedAmount;
  if (node.exitRequestTimestamp === 0n && stake * 4n < total) {
    const allowedAt = node.addedTimestamp + SMALL_CONTRIBUTOR_LEAVE_DELAY_SECONDS;
    if (now < allowedAt) {
      throw new TaskError(
        `you staked ${formatSesh(stake)} of node ${id}'s ${formatSesh(total)}, less than a quarter: such contributors may request ` +
          `an exit 30 days after registration, from ${formatTime(allowedAt)}, ${hint(allowedAt - now)} — try again then, ` +
          `or ask the operator ${node.operator} or a contributor of at least a quarter`,
      );
    }
  }
  assertIntervalOver(id, node, now, hint);
  return { method: "initiateExitBLSPublicKey(uint64,((address,address),uint256)[])", args: [id, contributors], role: "contributor", stake, total };
}

/** Minimal view of the registry this module reads (typechain's `ServiceNodeRewards` satisfies it). */
interface RegistryEvents {
  readonly filters: {
    NewServiceNodeV2(id: bigint): unknown;
    NewSeededServiceNode(id: bigint): unknown;
  };
  queryFilter(filter: never, fromBlock: number, toBlock: number): Promise<readonly unknown[]>;
}

const LOG_CHUNK = 10_000;

function toEntries(raw: unknown): ContributorEntry[] {
  return (raw as { staker: { addr: string; beneficiary: string }; stakedAmount: bigint }[]).map((c) => ({
    staker: { addr: c.staker.addr, beneficiary: c.staker.beneficiary },
    stakedAmount: c.stakedAmount,
  }));
}

/**
 * Node `id`'s registered contributor list, from its registration event (newest blocks first, in chunks
 * of 10,000 down to the registry's deployment block), checked against the stored `expectedHash`.
 */
export async function registeredContributors(
  hre: HardhatRuntimeEnvironment,
  registry: RegistryEvents,
  id: bigint,
  expectedHash: string,
  deployBlock: number,
): Promise<ContributorEntry[]> {
  const latest = await hre.ethers.provider.getBlockNumber();
  for (let to = latest; to >= deployBlock; to -= LOG_CHUNK) {
    const from = Math.max(deployBlock, to - LOG_CHUNK + 1);
    for (const filter of [registry.filters.NewServiceNodeV2(id), registry.filters.NewSeededServiceNode(id)]) {
      const logs = await registry.queryFilter(filter as never, from, to);
      for (const log of logs) {
        const list = toEntries((log as { args: { contributors: unknown } }).args.contributors);
        if (contributorsHash(list) === expectedHash) return list;
      }
    }
  }
  throw new TaskError(
    `node ${id}: no registration event between blocks ${deployBlock} and ${latest} carries the contributor list whose hash the registry ` +
      `stores (${expectedHash}): check that your RPC node serves logs back to the registry's deployment block`,
  );
}
