/**
 * RewardRatePool's arithmetic in bigints, to the unit (contracts/staking/RewardRatePool.sol): the payout
 * formula and `rewardRate()`, the reference's 120 s of 15.1 %/year on the balance less what accrued since
 * the last payout. That rate falls a little every second, so the ledger evaluates it at each network
 * block's own timestamp (height · 120 s) instead of at whatever moment a sample was taken: every node then
 * credits the same amount for the same block, and exactly what the contract returns at that time.
 */

/** Annual simple payout rate, per mille (the contract's `ANNUAL_SIMPLE_PAYOUT_RATE`): 15.1 %. */
export const ANNUAL_SIMPLE_PAYOUT_RATE = 151n;
/** Its denominator (the contract's `BASIS_POINTS`, per mille as in the reference). */
export const BASIS_POINTS = 1000n;
export const YEAR_SECONDS = 365n * 86_400n;
/** The block the node network samples `rewardRate()` for (the contract's `BLOCK_TIME`). */
export const REWARD_BLOCK_SECONDS = 120n;
/** From this elapsed time on, a payout is the whole balance (the contract's `FULL_RELEASE_SECONDS`). */
export const FULL_RELEASE_SECONDS = (BASIS_POINTS * YEAR_SECONDS + ANNUAL_SIMPLE_PAYOUT_RATE - 1n) / ANNUAL_SIMPLE_PAYOUT_RATE;

/** What the pool's rate depends on: its token balance and the time of its last payout. */
export interface RewardPoolState {
  readonly balance: bigint;
  readonly lastPaidOutTime: bigint;
}

/** `calculatePayoutAmount(balance, elapsed)`: min(balance, floor(balance · 151 · elapsed / (1,000 · year))). */
export function calculatePayoutAmount(balance: bigint, elapsed: bigint): bigint {
  if (balance < 0n || elapsed < 0n) throw new Error(`calculatePayoutAmount: balance ${balance} and elapsed ${elapsed} must be ≥ 0`);
  if (elapsed >= FULL_RELEASE_SECONDS) return balance;
  return (balance * ANNUAL_SIMPLE_PAYOUT_RATE * elapsed) / (BASIS_POINTS * YEAR_SECONDS);
}

/**
 * `rewardRate()` as the contract returns it at `timestamp` for a pool in `state` (no payout or deposit
 * between the state and `timestamp`). Throws for a time before the last payout, which the state cannot
 * describe.
 */
export function rewardRateAt(state: RewardPoolState, timestamp: bigint): bigint {
  if (timestamp < state.lastPaidOutTime) {
    throw new Error(`rewardRateAt: timestamp ${timestamp} is before the pool's last payout at ${state.lastPaidOutTime}`);
  }
  const accrued = calculatePayoutAmount(state.balance, timestamp - state.lastPaidOutTime);
  return calculatePayoutAmount(state.balance - accrued, REWARD_BLOCK_SECONDS);
}
