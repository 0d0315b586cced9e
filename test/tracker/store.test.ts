import { expect } from "chai";
import Database from "better-sqlite3";
import type { Hex } from "viem";
import { SQLITE_MIGRATIONS, openSqliteStore } from "../../src/tracker/store/sqlite";
import { canonicalDump } from "../../src/tracker/state/dump";
import { createOverlay } from "../../src/tracker/state/context";
import { tmpDb } from "../helpers/tracker";

const h = (n: number): Hex => `0x${n.toString(16).padStart(64, "0")}` as Hex;

describe("tracker store (SQLite)", () => {
  it("applies the schema migrations once and records them", async () => {
    const path = tmpDb("migrations");
    const store = openSqliteStore(path);
    expect(await store.migrations()).to.deep.equal(SQLITE_MIGRATIONS.map((m) => m.version));
    await store.close();
    const again = openSqliteStore(path);
    expect(await again.migrations()).to.deep.equal(SQLITE_MIGRATIONS.map((m) => m.version));
    await again.close();
    const db = new Database(path);
    expect(db.pragma("journal_mode", { simple: true })).to.equal("wal");
    db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'x')").run();
    db.close();
    expect(() => openSqliteStore(path)).to.throw(`database schema version 99 is newer than this tracker (knows up to ${SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1].version})`);
  });

  it("upgrades a version-1 database in place: entities, undo log and blocks survive (timestamps unknown)", async () => {
    const path = tmpDb("upgrade");
    const db = new Database(path);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    db.exec(SQLITE_MIGRATIONS[0].sql);
    db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (1, 'then')").run();
    db.prepare("INSERT INTO entities (kind, key, value) VALUES ('node', 'a', '{\"v\":2}')").run();
    db.prepare("INSERT INTO undo_log (block, kind, key, before) VALUES (7, 'node', 'a', '{\"v\":1}')").run();
    db.prepare("INSERT INTO blocks (number, hash, parent_hash) VALUES (7, ?, ?)").run(h(7), h(6));
    db.prepare("INSERT INTO checkpoint (id, number, hash) VALUES (1, '7', ?)").run(h(7));
    db.close();
    const store = openSqliteStore(path);
    expect(await store.migrations()).to.deep.equal(SQLITE_MIGRATIONS.map((m) => m.version));
    expect(await store.getEntity("node", "a")).to.equal('{"v":2}');
    expect(await store.getEntities("node", ["a", "missing", "a"])).to.deep.equal(new Map([["a", '{"v":2}']]));
    expect(await store.getBlock(7n)).to.deep.equal({ number: 7n, hash: h(7), parentHash: h(6), timestamp: null });
    await store.commitRange({ blocks: [{ number: 8n, hash: h(8), parentHash: h(7), timestamp: 1_700_000_000n }], changes: [{ block: 8n, kind: "node", key: "a", before: '{"v":2}', after: '{"v":3}' }], checkpoint: { number: 8n, hash: h(8) } });
    expect((await store.getBlock(8n))!.timestamp).to.equal(1_700_000_000n);
    await store.rollbackTo({ number: 6n, hash: h(6) });
    expect(await store.getEntity("node", "a")).to.equal('{"v":1}');
    await store.close();
  });

  it("upgrades a version-3 undo log (a row per change) into a record per block that rolls back the same way", async () => {
    const path = tmpDb("upgrade-undo");
    const db = new Database(path);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version <= 3)) {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, 'then')").run(migration.version);
    }
    // Rows inserted out of seq order: the conversion must keep the order the changes were applied in.
    const undo = db.prepare("INSERT INTO undo_log (seq, block, kind, key, before) VALUES (?, ?, ?, ?, ?)");
    undo.run(4, 8, "node", "b", null);
    undo.run(2, 7, "node", "a", "A1");
    undo.run(3, 8, "node", "a", "A2");
    undo.run(1, 7, "node", "a", null);
    db.prepare("INSERT INTO entities (kind, key, value) VALUES ('node', 'a', 'A3'), ('node', 'b', 'B \"quoted\"')").run();
    for (const n of [6, 7, 8]) db.prepare("INSERT INTO blocks (number, hash, parent_hash) VALUES (?, ?, ?)").run(n, h(n), h(n - 1));
    db.prepare("INSERT INTO checkpoint (id, number, hash) VALUES (1, '8', ?)").run(h(8));
    db.close();
    const store = openSqliteStore(path);
    expect(await store.migrations()).to.deep.equal(SQLITE_MIGRATIONS.map((m) => m.version));
    expect(await store.getEntity("node", "b")).to.equal('B "quoted"');
    expect(await store.rollbackTo({ number: 7n, hash: h(7) })).to.deep.equal({ undone: 2, droppedBlocks: 1 });
    expect(await store.getEntity("node", "a")).to.equal("A2");
    expect(await store.getEntity("node", "b")).to.equal(null);
    expect(await store.rollbackTo({ number: 6n, hash: h(6) })).to.deep.equal({ undone: 2, droppedBlocks: 1 });
    expect(await store.getEntity("node", "a")).to.equal(null);
    await store.close();
  });

  it("commits a range (blocks, changes, checkpoint) atomically: all or nothing", async () => {
    const store = openSqliteStore(tmpDb("atomic"));
    await store.commitRange({
      blocks: [{ number: 10n, hash: h(10), parentHash: h(9) }],
      changes: [{ block: 10n, kind: "node", key: "a", before: null, after: '{"v":1}' }],
      checkpoint: { number: 10n, hash: h(10) },
    });
    const before = await canonicalDump(store);
    // The second change violates NOT NULL (kind) inside the same transaction: nothing of it may stick.
    let failed = false;
    try {
      await store.commitRange({
        blocks: [{ number: 11n, hash: h(11), parentHash: h(10) }],
        changes: [
          { block: 11n, kind: "node", key: "b", before: null, after: '{"v":2}' },
          { block: 11n, kind: null as unknown as string, key: "c", before: null, after: '{"v":3}' },
        ],
        checkpoint: { number: 11n, hash: h(11) },
      });
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    expect(await canonicalDump(store)).to.equal(before);
    expect(await store.getCheckpoint()).to.deep.equal({ number: 10n, hash: h(10) });
    expect(await store.getBlock(11n)).to.equal(null);
    await store.close();
  });

  it("rolls back to an ancestor through the undo log, restoring every overwritten value", async () => {
    const store = openSqliteStore(tmpDb("undo"));
    await store.commitRange({
      blocks: [{ number: 5n, hash: h(5), parentHash: h(4) }],
      changes: [{ block: 5n, kind: "node", key: "a", before: null, after: "A1" }],
      checkpoint: { number: 5n, hash: h(5) },
    });
    const atFive = await canonicalDump(store);
    await store.commitRange({
      blocks: [
        { number: 6n, hash: h(6), parentHash: h(5) },
        { number: 8n, hash: h(8), parentHash: h(7) },
      ],
      changes: [
        { block: 6n, kind: "node", key: "a", before: "A1", after: "A2" },
        { block: 6n, kind: "balance", key: "x", before: null, after: "X1" },
        { block: 8n, kind: "node", key: "a", before: "A2", after: null },
      ],
      checkpoint: { number: 8n, hash: h(8) },
    });
    expect((await store.listEntities("node")).length).to.equal(0);
    expect((await store.blocksDescending(8n, 10)).map((b) => b.number)).to.deep.equal([8n, 6n, 5n]);
    const result = await store.rollbackTo({ number: 5n, hash: h(5) });
    expect(result).to.deep.equal({ undone: 3, droppedBlocks: 2 });
    expect(await canonicalDump(store)).to.equal(atFive);
    expect(await store.getEntity("node", "a")).to.equal("A1");
    expect(await store.getEntity("balance", "x")).to.equal(null);
    await store.prune(6n);
    expect(await store.undoFloor()).to.equal(null);
    await store.close();
  });

  it("writes a dense range in chunks with the same result as row by row: last value per key, every undo row", async () => {
    const store = openSqliteStore(tmpDb("dense"));
    await store.commitRange({ blocks: [], changes: [{ block: 1n, kind: "balance", key: "k0", before: null, after: "old" }], checkpoint: { number: 1n, hash: h(1) } });
    const atOne = await canonicalDump(store);
    // 3 blocks × 150 keys (more than one insert chunk), a key rewritten in every block, one put then deleted.
    const changes: { block: bigint; kind: string; key: string; before: string | null; after: string | null }[] = [];
    const value = new Map<string, string | null>([["k0", "old"]]);
    for (const block of [2n, 3n, 4n]) {
      for (let i = 0; i < 150; i++) {
        const key = `k${i}`;
        const after = `${key}@${block}`;
        changes.push({ block, kind: "balance", key, before: value.get(key) ?? null, after });
        value.set(key, after);
      }
    }
    changes.push({ block: 4n, kind: "node", key: "gone", before: null, after: "N" });
    changes.push({ block: 4n, kind: "node", key: "gone", before: "N", after: null });
    await store.commitRange({ blocks: [{ number: 4n, hash: h(4), parentHash: h(3) }], changes, checkpoint: { number: 4n, hash: h(4) } });
    const balances = await store.listEntities("balance");
    expect(balances.length).to.equal(150);
    expect(balances.every((r) => r.value === `${r.key}@4`)).to.equal(true);
    expect(await store.listEntities("node")).to.deep.equal([]);
    expect(await store.rollbackTo({ number: 3n, hash: h(3) })).to.deep.equal({ undone: 152, droppedBlocks: 1 });
    expect((await store.listEntities("balance")).every((r) => r.value === `${r.key}@3`)).to.equal(true);
    expect(await store.rollbackTo({ number: 1n, hash: h(1) })).to.deep.equal({ undone: 300, droppedBlocks: 0 });
    expect(await canonicalDump(store)).to.equal(atOne);
    await store.close();
  });

  it("range overlay: peek answers only what needs no store read; set writes only what it knows; both record undo rows", async () => {
    const store = openSqliteStore(tmpDb("overlay"));
    await store.commitRange({
      blocks: [],
      changes: [
        { block: 1n, kind: "balance", key: "stored", before: null, after: "S" },
        { block: 1n, kind: "balance", key: "preloaded", before: null, after: "P" },
      ],
      checkpoint: { number: 1n, hash: h(1) },
    });
    const overlay = createOverlay(store);
    overlay.block = 2n;
    await overlay.preload("balance", ["preloaded", "absent"]);
    expect(overlay.peek("balance", "preloaded")).to.equal("P");
    expect(overlay.peek("balance", "absent")).to.equal(null); // known to be absent: no read needed
    expect(overlay.peek("balance", "stored")).to.equal(undefined); // in the store, not read yet
    expect(overlay.peek("node", "x")).to.equal(undefined);
    expect(() => overlay.set("balance", "stored", "S2")).to.throw("overlay.set: balance stored was not read first");
    expect(overlay.changes).to.deep.equal([]);
    overlay.set("balance", "preloaded", "P2");
    overlay.set("balance", "absent", "A");
    overlay.set("balance", "absent", "A"); // unchanged: no second undo row
    expect(await overlay.get("balance", "stored")).to.equal("S");
    expect(overlay.peek("balance", "stored")).to.equal("S");
    overlay.set("balance", "stored", "S2");
    expect(overlay.peek("balance", "preloaded")).to.equal("P2");
    expect(overlay.changes).to.deep.equal([
      { block: 2n, kind: "balance", key: "preloaded", before: "P", after: "P2" },
      { block: 2n, kind: "balance", key: "absent", before: null, after: "A" },
      { block: 2n, kind: "balance", key: "stored", before: "S", after: "S2" },
    ]);
    await store.close();
  });
});
