/**
 * The reward and stake arithmetic of one network block, as pure functions over bigints (atomic SESH).
 * Every division is a floor; where each remainder goes is stated so the credits of a block add up to
 * exactly what it distributes.
 */
import type { Address } from "../../bls";
import type { ViewNode } from "../view";

export const FEE_DENOMINATOR = 10_000n;

/**
 * The rate the ledger uses for a block: the sampled `rewardRate()` clamped to within `maxStepBps` basis
 * points of the rate used for the previous block (`previous ± previous·maxStepBps/10,000`, floor). The
 * pool releases 15.1 %/year of a slowly changing balance, so honest samples move by far less than 1 %
 * per block; a jump (a bad RPC answer, a pool refill) is followed gradually, at most `maxStepBps` per
 * block. The first block, or a previous rate of 0, takes the sample as it is.
 */
export function clampRate(sampled: bigint, previous: bigint | null, maxStepBps: bigint): bigint {
  if (sampled < 0n) throw new Error(`rewardRate sample must be ≥ 0, got ${sampled}`);
  if (previous === null || previous === 0n) return sampled;
  const step = (previous * maxStepBps) / FEE_DENOMINATOR;
  if (sampled > previous + step) return previous + step;
  if (sampled < previous - step) return previous - step;
  return sampled;
}

/** Whether a node earns in the block at `timestamp`: registered ≥ `minActiveSeconds` before it and not yet gone. */
export function isEligible(node: ViewNode, timestamp: bigint, minActiveSeconds: bigint): boolean {
  if (node.registeredAt + minActiveSeconds > timestamp) return false;
  if (node.exitedAt !== null && node.exitedAt <= timestamp) return false;
  return node.status === "active" || node.status === "exit-requested" || node.exitedAt !== null;
}

/** Adds `amount` to `address` in a credit map (addresses lower-case). */
export function addCredit(credits: Map<Address, bigint>, address: Address, amount: bigint): void {
  if (amount === 0n) return;
  const key = address.toLowerCase() as Address;
  credits.set(key, (credits.get(key) ?? 0n) + amount);
}

/**
 * Splits one node's share: `share·fee/10,000` (floor) to the operator's beneficiary; the rest pro rata by
 * stake to every contributor's beneficiary (floor each); the rounding remainder of the pro rata part also
 * goes to the operator's beneficiary. Exactly `share` is credited.
 */
export function splitNodeShare(node: ViewNode, share: bigint, credits: Map<Address, bigint>): void {
  const operatorBeneficiary = node.contributors[0].beneficiary;
  const fee = (share * BigInt(node.fee)) / FEE_DENOMINATOR;
  const rest = share - fee;
  const totalStake = node.contributors.reduce((sum, c) => sum + c.stakedAmount, 0n);
  let paid = fee;
  if (totalStake > 0n) {
    for (const c of node.contributors) {
      const part = (rest * c.stakedAmount) / totalStake;
      addCredit(credits, c.beneficiary, part);
      paid += part;
    }
  }
  addCredit(credits, operatorBeneficiary, share - paid + fee);
}

/**
 * Splits a block's pot equally among the eligible nodes: each gets `floor(pot / n)`; the remainder
 * (`pot mod n`, fewer than n atomic units) is carried into the next block's pot. With no eligible node
 * the block's reward is not minted (the pool keeps it) and only the carry is kept.
 * Returns the carry out.
 */
export function splitBlockReward(eligible: readonly ViewNode[], reward: bigint, carryIn: bigint, credits: Map<Address, bigint>): bigint {
  if (eligible.length === 0) return carryIn;
  const pot = reward + carryIn;
  const n = BigInt(eligible.length);
  const share = pot / n;
  for (const node of eligible) splitNodeShare(node, share, credits);
  return pot - share * n;
}

/**
 * Returns an exited node's stake to its owners (`staker.addr`, not the beneficiary): the registry's
 * `returnedAmount` is the deposit less any liquidation penalty; the penalty comes off the operator's
 * stake first and, only if it exceeds that, off the other contributors in list order. Exactly
 * `returnedAmount` is credited (any excess over the listed stakes goes to the operator).
 */
export function splitReturnedStake(node: ViewNode, returnedAmount: bigint, credits: Map<Address, bigint>): void {
  const totalStake = node.contributors.reduce((sum, c) => sum + c.stakedAmount, 0n);
  let penalty = totalStake > returnedAmount ? totalStake - returnedAmount : 0n;
  let paid = 0n;
  node.contributors.forEach((c) => {
    const cut = penalty < c.stakedAmount ? penalty : c.stakedAmount;
    penalty -= cut;
    addCredit(credits, c.addr, c.stakedAmount - cut);
    paid += c.stakedAmount - cut;
  });
  addCredit(credits, node.contributors[0].addr, returnedAmount - paid);
}
