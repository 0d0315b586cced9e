/**
 * SQLite implementation of {@link TrackerStore} (better-sqlite3, WAL, synchronous=NORMAL).
 * Every multi-statement write runs inside one SQLite transaction, so a kill at any instant leaves
 * either the state before or after a whole range — never half of one.
 *
 * Durability: with WAL, synchronous=NORMAL syncs the WAL at checkpoints rather than at every commit.
 * A killed process (SIGKILL, OOM, crash) loses nothing committed — the WAL content is in the
 * operating system's cache and is replayed on open. Only an OS crash or power loss can drop the last
 * few commits; the database then still opens consistent, at an older checkpoint, and the tracker
 * re-processes those (safe, final) blocks to the same state. Atomicity is unaffected.
 */
import Database from "better-sqlite3";
import type { Hex } from "viem";
import type { BlockRef, EntityRow, MirrorContents, RangeCommit, RollbackResult, StoredBlock, TrackerStore } from "./types";

/** Schema migrations, applied in order; never edit a released one, append a new one. */
export const SQLITE_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), number TEXT NOT NULL, hash TEXT NOT NULL);
      CREATE TABLE blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL, parent_hash TEXT NOT NULL);
      CREATE TABLE entities (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key));
      CREATE TABLE undo_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        block INTEGER NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        before TEXT
      );
      CREATE INDEX undo_log_block ON undo_log (block);
    `,
  },
  {
    version: 2,
    sql: `ALTER TABLE blocks ADD COLUMN timestamp INTEGER;`,
  },
  {
    // Speed: entities clustered on their key (one B-tree lookup, not index + rowid); the undo log without
    // AUTOINCREMENT (no sqlite_sequence write per row). New undo rows still get seq = max + 1, so seq
    // order stays chronological: rows are only ever removed from the top (rollback) or the bottom (prune).
    version: 3,
    sql: `
      CREATE TABLE entities_v3 (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
      INSERT INTO entities_v3 (kind, key, value) SELECT kind, key, value FROM entities;
      DROP TABLE entities;
      ALTER TABLE entities_v3 RENAME TO entities;
      CREATE TABLE undo_log_v3 (seq INTEGER PRIMARY KEY, block INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, before TEXT);
      INSERT INTO undo_log_v3 (seq, block, kind, key, before) SELECT seq, block, kind, key, before FROM undo_log;
      DROP TABLE undo_log;
      ALTER TABLE undo_log_v3 RENAME TO undo_log;
      CREATE INDEX undo_log_block ON undo_log (block);
    `,
  },
  {
    // Speed: one undo row per block instead of one per change (a dense range writes 10,000s of changes,
    // each a row plus an index entry). `entries` is a JSON array of kind, key, before (null = absent),
    // three elements per change in the order they were applied; a rollback replays them backwards.
    version: 4,
    sql: `
      CREATE TABLE block_undo (block INTEGER PRIMARY KEY, entries TEXT NOT NULL);
      INSERT INTO block_undo (block, entries)
        SELECT block, '[' || group_concat(json_quote(kind) || ',' || json_quote(key) || ',' || json_quote(before), ',' ORDER BY seq) || ']'
        FROM undo_log GROUP BY block;
      DROP TABLE undo_log;
    `,
  },
];

interface BlockRow {
  number: number | bigint;
  hash: string;
  parent_hash: string;
  timestamp: number | bigint | null;
}

const toBlock = (row: BlockRow): StoredBlock => ({
  number: BigInt(row.number),
  hash: row.hash as Hex,
  parentHash: row.parent_hash as Hex,
  timestamp: row.timestamp === null ? null : BigInt(row.timestamp),
});

/** Block numbers are stored as SQLite integers (safe: L2 heights stay far below 2^63). */
const dbInt = (n: bigint): bigint => n;

export function openSqliteStore(path: string): TrackerStore {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL"); // see the durability note at the top
  db.pragma("foreign_keys = ON");
  // A dense range writes megabytes: checkpoint the WAL every 64 MiB instead of every 4 MiB (fewer fsyncs;
  // reads stay in the WAL). Durability and atomicity are unchanged: the WAL is replayed on open.
  db.pragma("wal_autocheckpoint = 16384");
  // An 8 MiB page cache (default 2 MiB): a range's commit touches more pages than the default holds.
  db.pragma("cache_size = -8192");
  db.defaultSafeIntegers(true);
  applyMigrations(db);

  const stmt = {
    getCheckpoint: db.prepare("SELECT number, hash FROM checkpoint WHERE id = 1"),
    setCheckpoint: db.prepare(
      "INSERT INTO checkpoint (id, number, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET number = excluded.number, hash = excluded.hash",
    ),
    getMeta: db.prepare("SELECT value FROM meta WHERE key = ?"),
    setMeta: db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
    getEntity: db.prepare("SELECT value FROM entities WHERE kind = ? AND key = ?"),
    listEntities: db.prepare("SELECT key, value FROM entities WHERE kind = ? ORDER BY key"),
    listKinds: db.prepare("SELECT DISTINCT kind FROM entities ORDER BY kind"),
    putEntity: db.prepare(
      "INSERT INTO entities (kind, key, value) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value",
    ),
    delEntity: db.prepare("DELETE FROM entities WHERE kind = ? AND key = ?"),
    putBlock: db.prepare(
      "INSERT INTO blocks (number, hash, parent_hash, timestamp) VALUES (?, ?, ?, ?) ON CONFLICT (number) DO UPDATE SET hash = excluded.hash, parent_hash = excluded.parent_hash, timestamp = excluded.timestamp",
    ),
    getBlock: db.prepare("SELECT number, hash, parent_hash, timestamp FROM blocks WHERE number = ?"),
    blocksDesc: db.prepare("SELECT number, hash, parent_hash, timestamp FROM blocks WHERE number <= ? ORDER BY number DESC LIMIT ?"),
    addBlockUndo: db.prepare("INSERT INTO block_undo (block, entries) VALUES (?, ?)"),
    undoAbove: db.prepare("SELECT entries FROM block_undo WHERE block > ? ORDER BY block DESC"),
    deleteUndoAbove: db.prepare("DELETE FROM block_undo WHERE block > ?"),
    deleteBlocksAbove: db.prepare("DELETE FROM blocks WHERE number > ?"),
    undoFloor: db.prepare("SELECT MIN(number) AS n FROM blocks"),
    pruneUndo: db.prepare("DELETE FROM block_undo WHERE block < ?"),
    pruneBlocks: db.prepare("DELETE FROM blocks WHERE number < ?"),
  };

  // A dense range carries 10,000s of changes: rows go CHUNK_ROWS at a time (one statement run per chunk
  // instead of per row), the rest in chunks of CHUNK_ROWS_SMALL, the last few one by one. Parameters per
  // statement stay far below SQLite's limit (32,766).
  const CHUNK_ROWS = 512;
  const CHUNK_ROWS_SMALL = 32;
  const putInsert = (rows: number): Database.Statement =>
    db.prepare(
      `INSERT INTO entities (kind, key, value) VALUES ${Array(rows).fill("(?, ?, ?)").join(", ")} ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value`,
    );
  const putChunks: ChunkStatements = [[CHUNK_ROWS, putInsert(CHUNK_ROWS)], [CHUNK_ROWS_SMALL, putInsert(CHUNK_ROWS_SMALL)], [1, stmt.putEntity]];

  // Batched reads likewise (the kind, then the keys).
  const keySelect = (keys: number): Database.Statement =>
    db.prepare(`SELECT key, value FROM entities WHERE kind = ? AND key IN (${Array(keys).fill("?").join(", ")})`);
  const getChunks: ChunkStatements = [[CHUNK_ROWS, keySelect(CHUNK_ROWS)], [CHUNK_ROWS_SMALL, keySelect(CHUNK_ROWS_SMALL)], [1, keySelect(1)]];

  const commitTx = db.transaction((commit: RangeCommit) => {
    for (const block of commit.blocks) stmt.putBlock.run(dbInt(block.number), block.hash, block.parentHash, block.timestamp ?? null);
    const changes = commit.changes;
    // Undo: per block, every change's kind, key and before, in the order applied.
    const undoByBlock = new Map<bigint, (string | null)[]>();
    for (const c of changes) {
      let entries = undoByBlock.get(c.block);
      if (entries === undefined) {
        entries = [];
        undoByBlock.set(c.block, entries);
      }
      entries.push(c.kind, c.key, c.before);
    }
    for (const [block, entries] of undoByBlock) stmt.addBlockUndo.run(dbInt(block), JSON.stringify(entries));
    // Entities: only each key's last value matters inside one atomic commit, so order no longer does.
    // One map per kind (no concatenated key per change: a dense range has 10,000s of them).
    const lastByKind = new Map<string, Map<string, string | null>>();
    for (const c of changes) {
      let last = lastByKind.get(c.kind);
      if (last === undefined) {
        last = new Map();
        lastByKind.set(c.kind, last);
      }
      last.set(c.key, c.after);
    }
    const puts: unknown[] = [];
    for (const [kind, last] of lastByKind) {
      for (const [key, after] of last) {
        if (after === null) stmt.delEntity.run(kind, key);
        else puts.push(kind, key, after);
      }
    }
    runChunked(puts, 3, putChunks);
    stmt.setCheckpoint.run(commit.checkpoint.number.toString(), commit.checkpoint.hash);
  });

  const rollbackTx = db.transaction((target: BlockRef): RollbackResult => {
    const above = dbInt(target.number);
    let undone = 0;
    for (const row of stmt.undoAbove.all(above) as { entries: string }[]) {
      const entries = JSON.parse(row.entries) as (string | null)[];
      for (let i = entries.length - 3; i >= 0; i -= 3) {
        const before = entries[i + 2];
        if (before === null) stmt.delEntity.run(entries[i], entries[i + 1]);
        else stmt.putEntity.run(entries[i], entries[i + 1], before);
      }
      undone += entries.length / 3;
    }
    stmt.deleteUndoAbove.run(above);
    const dropped = stmt.deleteBlocksAbove.run(above).changes;
    stmt.setCheckpoint.run(target.number.toString(), target.hash);
    return { undone, droppedBlocks: dropped };
  });

  const readAllTx = db.transaction((kinds: readonly string[] | undefined): MirrorContents => {
    const row = stmt.getCheckpoint.get() as { number: string; hash: string } | undefined;
    const all = kinds ?? (stmt.listKinds.all() as { kind: string }[]).map((r) => r.kind);
    const entities: Record<string, EntityRow[]> = {};
    for (const kind of [...all].sort()) entities[kind] = stmt.listEntities.all(kind) as EntityRow[];
    return { checkpoint: row ? { number: BigInt(row.number), hash: row.hash as Hex } : null, entities };
  });

  const resetTx = db.transaction(() => {
    db.exec("DELETE FROM entities; DELETE FROM block_undo; DELETE FROM blocks; DELETE FROM checkpoint;");
  });

  const pruneTx = db.transaction((below: bigint) => {
    stmt.pruneUndo.run(dbInt(below));
    stmt.pruneBlocks.run(dbInt(below));
  });

  let closed = false;
  return {
    backend: "sqlite",
    async migrations() {
      return (db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as { version: bigint }[]).map(
        (r) => Number(r.version),
      );
    },
    async getCheckpoint() {
      const row = stmt.getCheckpoint.get() as { number: string; hash: string } | undefined;
      return row ? { number: BigInt(row.number), hash: row.hash as Hex } : null;
    },
    async getMeta(key) {
      const row = stmt.getMeta.get(key) as { value: string } | undefined;
      return row?.value ?? null;
    },
    async setMeta(key, value) {
      stmt.setMeta.run(key, value);
    },
    async getEntity(kind, key) {
      const row = stmt.getEntity.get(kind, key) as { value: string } | undefined;
      return row?.value ?? null;
    },
    async getEntities(kind, keys) {
      const found = new Map<string, string>();
      if (keys.length === 0) return found;
      let i = 0;
      for (const [size, statement] of getChunks) {
        for (; i + size <= keys.length; i += size) {
          for (const row of statement.all(kind, ...keys.slice(i, i + size)) as EntityRow[]) found.set(row.key, row.value);
        }
      }
      return found;
    },
    async listEntities(kind) {
      return stmt.listEntities.all(kind) as EntityRow[];
    },
    async readAll(kinds) {
      return readAllTx(kinds);
    },
    async listKinds() {
      return (stmt.listKinds.all() as { kind: string }[]).map((r) => r.kind);
    },
    async commitRange(commit) {
      commitTx(commit);
    },
    async getBlock(number) {
      const row = stmt.getBlock.get(dbInt(number)) as BlockRow | undefined;
      return row ? toBlock(row) : null;
    },
    async blocksDescending(atOrBelow, limit) {
      return (stmt.blocksDesc.all(dbInt(atOrBelow), limit) as BlockRow[]).map(toBlock);
    },
    async undoFloor() {
      const row = stmt.undoFloor.get() as { n: bigint | null };
      return row.n === null ? null : BigInt(row.n);
    },
    async rollbackTo(target) {
      return rollbackTx(target);
    },
    async resetMirror() {
      resetTx();
    },
    async prune(blockNumber) {
      pruneTx(blockNumber);
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/** Statements taking `rows` rows (or keys) at once, largest first, the last one a single row. */
type ChunkStatements = readonly (readonly [rows: number, statement: Database.Statement])[];

/** Runs `flat` (rows of `width` parameters, back to back) through the largest chunk statements that fit. */
function runChunked(flat: readonly unknown[], width: number, statements: ChunkStatements): void {
  const rows = flat.length / width;
  let row = 0;
  for (const [size, statement] of statements) {
    for (; row + size <= rows; row += size) statement.run(flat.slice(row * width, (row + size) * width));
  }
}

function applyMigrations(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: bigint }[]).map((r) => Number(r.version)),
  );
  const latestKnown = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1].version;
  for (const version of applied) {
    if (version > latestKnown) {
      throw new Error(`tracker store: database schema version ${version} is newer than this tracker (knows up to ${latestKnown})`);
    }
  }
  const insert = db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
  for (const migration of SQLITE_MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      insert.run(migration.version, new Date().toISOString());
    })();
  }
}
