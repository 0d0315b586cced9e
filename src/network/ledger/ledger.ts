/**
 * The network's reward ledger in SQLite (better-sqlite3, WAL): one row per applied 2-minute network block
 * and the lifetime balance history of every address. Each block is applied in ONE transaction together
 * with the ledger's cursor (last height, last rate used, carry), so a crash leaves the ledger at a whole
 * block boundary; re-applying an applied height is a no-op (idempotent).
 */
import Database from "better-sqlite3";
import type { Address } from "../../bls";
import type { ViewNode } from "../view";
import { clampRate, isEligible, splitBlockReward, splitReturnedStake } from "./split";

export interface LedgerConfig {
  /** A node earns once registered this long (default 24 h; smaller on devnets). */
  readonly minActiveSeconds: bigint;
  /** Most a block's rate may move from the previous block's, in basis points (default 100 = 1 %). */
  readonly maxRateStepBps: bigint;
  /** The exit unlock: a stake is credited at the first block ≥ max(exit, exit request + unlock) (default 15 days). */
  readonly unlockSeconds: bigint;
}

export const DEFAULT_LEDGER_CONFIG: LedgerConfig = {
  minActiveSeconds: 24n * 3600n,
  maxRateStepBps: 100n,
  unlockSeconds: 15n * 24n * 3600n,
};

/** What one network block is computed from. */
export interface LedgerBlock {
  readonly height: bigint;
  readonly timestamp: bigint;
  /** `rewardRate()` as sampled for this block (before the clamp). */
  readonly rewardRate: bigint;
  /** All nodes known at (or after) this block; eligibility is decided from their timestamps. */
  readonly nodes: readonly ViewNode[];
  /**
   * Ids of the nodes the network refuses in this block (impostors at its timestamp, see impostors.ts): they
   * earn nothing in it. `applySnapshot` always computes it; absent: none refused.
   */
  readonly refused?: ReadonlySet<bigint>;
}

export interface AppliedBlock {
  readonly height: bigint;
  /** false when the height had already been applied (nothing changed). */
  readonly applied: boolean;
  readonly rateUsed: bigint;
  readonly eligible: number;
  /** Rewards credited in this block (excludes returned stakes). */
  readonly rewardsCredited: bigint;
  readonly stakesCredited: bigint;
  readonly carry: bigint;
}

export interface Ledger {
  readonly config: LedgerConfig;
  /** Last applied height, or null for an empty ledger. */
  lastHeight(): bigint | null;
  /** Applies `block` (must be `lastHeight() + 1`, or any height on an empty ledger) in one transaction. */
  applyBlock(block: LedgerBlock): AppliedBlock;
  /** Lifetime balance (rewards + returned stakes) of `address` after block `height`; null if `height` is not applied yet. */
  balanceAt(address: Address, height: bigint): bigint | null;
  /** Every address with a balance after `height`, and that balance. */
  balancesAt(height: bigint): Map<Address, bigint>;
  /** The rate used, eligible count and carry of an applied block. */
  blockInfo(height: bigint): { rateUsed: bigint; eligible: number; carry: bigint } | null;
  /** Sum of the rate used by applied blocks that had an eligible node (= all rewards credited + the carry held). */
  totalRewardsReleased(): bigint;
  close(): void;
}

/** Schema migrations, applied in order; never edit a released one, append a new one. */
export const LEDGER_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE cursor (id INTEGER PRIMARY KEY CHECK (id = 1), height INTEGER NOT NULL, rate INTEGER NOT NULL, carry INTEGER NOT NULL);
      CREATE TABLE blocks (height INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL, sampled_rate INTEGER NOT NULL, rate_used INTEGER NOT NULL,
                           eligible INTEGER NOT NULL, rewards INTEGER NOT NULL, stakes INTEGER NOT NULL, carry INTEGER NOT NULL);
      CREATE TABLE balances (address TEXT PRIMARY KEY, lifetime INTEGER NOT NULL);
      CREATE TABLE balance_history (address TEXT NOT NULL, height INTEGER NOT NULL, lifetime INTEGER NOT NULL, PRIMARY KEY (address, height)) WITHOUT ROWID;
      CREATE TABLE returned_stakes (node_id INTEGER PRIMARY KEY, height INTEGER NOT NULL, amount INTEGER NOT NULL);
    `,
  },
];

const INT64_MAX = (1n << 63n) - 1n;

function int(name: string, value: bigint): bigint {
  if (value < 0n || value > INT64_MAX) throw new Error(`ledger: ${name} ${value} is outside [0, 2^63)`);
  return value;
}

export interface OpenLedgerOptions {
  /** File path, or ":memory:". */
  readonly path: string;
  readonly config?: Partial<LedgerConfig>;
}

export function openLedger(options: OpenLedgerOptions): Ledger {
  const config: LedgerConfig = { ...DEFAULT_LEDGER_CONFIG, ...options.config };
  const db = new Database(options.path);
  db.defaultSafeIntegers(true);
  db.pragma("journal_mode = WAL");
  // NORMAL under WAL: a process crash never loses or tears a committed transaction (an OS crash may
  // lose the last few, which are then simply re-applied: blocks are idempotent and recomputable).
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY)");
  const applied = new Set((db.prepare("SELECT version FROM migrations").all() as { version: bigint }[]).map((r) => Number(r.version)));
  for (const m of LEDGER_MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO migrations (version) VALUES (?)").run(m.version);
    })();
  }

  const getCursor = db.prepare("SELECT height, rate, carry FROM cursor WHERE id = 1");
  const putCursor = db.prepare("INSERT INTO cursor (id, height, rate, carry) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET height = excluded.height, rate = excluded.rate, carry = excluded.carry");
  const putBlock = db.prepare("INSERT INTO blocks (height, timestamp, sampled_rate, rate_used, eligible, rewards, stakes, carry) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const getBlock = db.prepare("SELECT rate_used, eligible, rewards, stakes, carry FROM blocks WHERE height = ?");
  const getBalance = db.prepare("SELECT lifetime FROM balances WHERE address = ?");
  const putBalance = db.prepare("INSERT INTO balances (address, lifetime) VALUES (?, ?) ON CONFLICT (address) DO UPDATE SET lifetime = excluded.lifetime");
  const putHistory = db.prepare("INSERT INTO balance_history (address, height, lifetime) VALUES (?, ?, ?)");
  const historyAt = db.prepare("SELECT lifetime FROM balance_history WHERE address = ? AND height <= ? ORDER BY height DESC LIMIT 1");
  const allAt = db.prepare(
    "SELECT h.address AS address, h.lifetime AS lifetime FROM balance_history h WHERE h.height = (SELECT MAX(height) FROM balance_history WHERE address = h.address AND height <= ?) ORDER BY h.address",
  );
  const stakeReturned = db.prepare("SELECT 1 FROM returned_stakes WHERE node_id = ?");
  const putReturned = db.prepare("INSERT INTO returned_stakes (node_id, height, amount) VALUES (?, ?, ?)");
  const sumRates = db.prepare("SELECT COALESCE(SUM(rate_used), 0) AS total FROM blocks WHERE eligible > 0");

  const cursor = (): { height: bigint; rate: bigint; carry: bigint } | undefined =>
    getCursor.get() as { height: bigint; rate: bigint; carry: bigint } | undefined;

  const apply = db.transaction((block: LedgerBlock): AppliedBlock => {
    const current = cursor();
    if (current !== undefined && block.height <= current.height) {
      const row = getBlock.get(block.height) as { rate_used: bigint; eligible: bigint; rewards: bigint; stakes: bigint; carry: bigint } | undefined;
      return {
        height: block.height,
        applied: false,
        rateUsed: row?.rate_used ?? 0n,
        eligible: Number(row?.eligible ?? 0n),
        rewardsCredited: row?.rewards ?? 0n,
        stakesCredited: row?.stakes ?? 0n,
        carry: row?.carry ?? 0n,
      };
    }
    if (current !== undefined && block.height !== current.height + 1n) {
      throw new Error(`ledger: block ${block.height} does not follow the last applied block ${current.height} (blocks are applied one by one, in order)`);
    }
    const rateUsed = clampRate(block.rewardRate, current?.rate ?? null, config.maxRateStepBps);
    const eligible = block.nodes.filter((n) => !(block.refused?.has(n.id) ?? false) && isEligible(n, block.timestamp, config.minActiveSeconds));
    const rewardCredits = new Map<Address, bigint>();
    const carry = splitBlockReward(eligible, rateUsed, current?.carry ?? 0n, rewardCredits);
    const credits = new Map(rewardCredits);
    let rewardsCredited = 0n;
    for (const v of rewardCredits.values()) rewardsCredited += v;
    let stakesCredited = 0n;
    for (const node of block.nodes) {
      if (node.exitedAt === null || node.returnedAmount === null) continue;
      const creditAt =
        node.status === "liquidated" ? node.exitedAt : maxOf(node.exitedAt, (node.exitRequestedAt ?? node.exitedAt) + config.unlockSeconds);
      if (creditAt > block.timestamp || stakeReturned.get(node.id) !== undefined) continue;
      splitReturnedStake(node, node.returnedAmount, credits);
      putReturned.run(node.id, block.height, int("returned amount", node.returnedAmount));
      stakesCredited += node.returnedAmount;
    }
    for (const [address, amount] of credits) {
      const before = (getBalance.get(address) as { lifetime: bigint } | undefined)?.lifetime ?? 0n;
      const after = int("balance", before + amount);
      putBalance.run(address, after);
      putHistory.run(address, block.height, after);
    }
    putBlock.run(block.height, int("timestamp", block.timestamp), int("rewardRate", block.rewardRate), rateUsed, eligible.length, rewardsCredited, stakesCredited, carry);
    putCursor.run(block.height, rateUsed, carry);
    return { height: block.height, applied: true, rateUsed, eligible: eligible.length, rewardsCredited, stakesCredited, carry };
  });

  return {
    config,
    lastHeight: () => cursor()?.height ?? null,
    applyBlock: (block) => apply.immediate(block),
    balanceAt(address, height) {
      const last = cursor()?.height;
      if (last === undefined || height > last) return null;
      const row = historyAt.get(address.toLowerCase(), height) as { lifetime: bigint } | undefined;
      return row?.lifetime ?? 0n;
    },
    balancesAt(height) {
      const rows = allAt.all(height) as { address: string; lifetime: bigint }[];
      return new Map(rows.map((r) => [r.address as Address, r.lifetime]));
    },
    blockInfo(height) {
      const row = getBlock.get(height) as { rate_used: bigint; eligible: bigint; carry: bigint } | undefined;
      return row === undefined ? null : { rateUsed: row.rate_used, eligible: Number(row.eligible), carry: row.carry };
    },
    totalRewardsReleased: () => (sumRates.get() as { total: bigint }).total,
    close: () => db.close(),
  };
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
