/**
 * Mirrored state beyond PROTOCOL.md §2: seeded nodes, block timestamps, the pool lifecycle (minimum
 * contribution now), the name service (by namehash / token id), their API endpoints and the status page.
 * Events are emitted by the test emitter with the real contracts' ABIs (from the compiled artifacts).
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256, stringToHex, toHex, type Abi, type Address, type Hex } from "viem";
import { publicKey } from "../../src/bls";
import { silentLogger } from "../../src/tracker/log";
import type { NameEntry, NodeRecord, PoolRecord } from "../../src/tracker/state/model";
import { startTracker, type Tracker } from "../../src/tracker/tracker";
import { ROOT, cleanReplay, canonicalDump, deployEmitter, emitEventRaw, startHardhatNode, syncToHead, testConfig, type Emitter, type HardhatNode } from "../helpers/tracker";
import { launchChromium } from "../helpers/chromium";

const artifactAbi = (path: string): Abi => (JSON.parse(readFileSync(join(ROOT, "artifacts/contracts", path), "utf8")) as { abi: Abi }).abi;
const registryAbi = artifactAbi("interfaces/IServiceNodeRewards.sol/IServiceNodeRewards.json");
const poolAbi = artifactAbi("staking/ServiceNodeContribution.sol/ServiceNodeContribution.json");
const namesAbi = artifactAbi("names/SessionNameService.sol/SessionNameService.json");

const emitEvent = emitEventRaw;


const SESH = 1_000_000_000n;
const DAY = 86_400n;
const a = (n: number): Address => `0x${(0xabc000 + n).toString(16).padStart(40, "0")}` as Address;
const nh = (label: string): Hex => keccak256(stringToHex(`test:${label}`));

async function get(base: string, path: string): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(base + path);
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* HTML */
  }
  return { status: res.status, body, text };
}

describe("tracker mirror: seeded nodes, timestamps, pool lifecycle, names, status page", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let registry: Emitter; // registry + factory + name service
  let pool: Emitter; // stands in for one pool (ends open)
  let filledPool: Emitter; // a second pool that fills and finalizes
  let portalPool: Emitter; // a third pool opened as the reference's portal does (operator as reservation 0)
  let tracker: Tracker;
  let base: string;
  let now: bigint;
  const blockTime = async (hash: Hex): Promise<bigint> => {
    const receipt = await node.client.waitForTransactionReceipt({ hash });
    return (await node.client.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
  };
  const times: Record<string, bigint> = {};

  before(async () => {
    node = await startHardhatNode();
    registry = await deployEmitter(node);
    pool = await deployEmitter(node);
    filledPool = await deployEmitter(node);
    portalPool = await deployEmitter(node);
    const operator = a(1);
    const pk = (k: bigint): { X: bigint; Y: bigint } => ({ X: publicKey(k).X, Y: publicKey(k).Y });

    // Registry: requirement, a seeded node, a registered node that then asks to exit.
    await registry.call("emitStakingRequirementUpdated", [25_000n * SESH]);
    times.seeded = await blockTime(
      await emitEvent(registry, registryAbi, "NewSeededServiceNode", {
        serviceNodeID: 1n,
        pubkey: pk(11n),
        ed25519Pubkey: 111n,
        contributors: [{ staker: { addr: operator, beneficiary: a(9) }, stakedAmount: 25_000n * SESH }],
      }),
    );
    times.added = await blockTime(
      await registry.call("emitNewServiceNode", [
        2n,
        operator,
        pk(22n),
        { ed25519Pubkey: 222n, ed25519Signature0: 1n, ed25519Signature1: 2n, fee: 450 },
        [{ staker: { addr: operator, beneficiary: operator }, stakedAmount: 25_000n * SESH }],
      ]),
    );
    await registry.call("emitNewServiceNode", [3n, a(2), pk(33n), { ed25519Pubkey: 333n, ed25519Signature0: 1n, ed25519Signature1: 2n, fee: 0 }, []]);
    times.exitRequested = await blockTime(await registry.call("emitExitRequest", [2n, operator]));
    await emitEvent(registry, registryAbi, "MaxContributorsUpdated", { newMax: 8n });

    // Pool 1: reservation, operator opens, a contributor joins and withdraws, reset, re-open, a contributor joins.
    await registry.call("emitNewContributionContract", [pool.address, 4444n, operator]);
    await emitEvent(pool, poolAbi, "ReservedContributorsUpdated", { reserved: [{ addr: a(5), amount: 5_000n * SESH }] });
    await pool.call("emitNewContribution", [operator, operator, 6_250n * SESH]);
    await emitEvent(pool, poolAbi, "OpenForPublicContribution", { serviceNodePubkey: 4444n, operator, fee: 500 });
    await pool.call("emitNewContribution", [a(6), a(7), 2_000n * SESH]);
    await emitEvent(pool, poolAbi, "WithdrawContribution", { contributor: a(6), amount: 2_000n * SESH });
    await emitEvent(pool, poolAbi, "PoolReset", { stakingRequirement: 25_000n * SESH, maxContributors: 8n });
    await emitEvent(pool, poolAbi, "WithdrawContribution", { contributor: operator, amount: 6_250n * SESH }); // the reset's refund
    await emitEvent(pool, poolAbi, "FeeUpdated", { fee: 700 });
    await pool.call("emitNewContribution", [operator, operator, 7_000n * SESH]);
    await emitEvent(pool, poolAbi, "OpenForPublicContribution", { serviceNodePubkey: 4444n, operator, fee: 700 });
    await pool.call("emitNewContribution", [a(8), a(8), 3_000n * SESH]);
    await emitEvent(pool, poolAbi, "BeneficiaryUpdated", { contributor: a(8), beneficiary: a(10) });

    // Pool 2: fills and finalizes.
    await registry.call("emitNewContributionContract", [filledPool.address, 5555n, a(3)]);
    await filledPool.call("emitNewContribution", [a(3), a(3), 25_000n * SESH]);
    await emitEvent(filledPool, poolAbi, "OpenForPublicContribution", { serviceNodePubkey: 5555n, operator: a(3), fee: 0 });
    await emitEvent(filledPool, poolAbi, "Filled", { serviceNodePubkey: 5555n, operator: a(3) });
    await emitEvent(filledPool, poolAbi, "Finalized", { serviceNodePubkey: 5555n });

    // Pool 3: the factory event carries the Ed25519 key; the operator reserves its own 10,000 first; a
    // reserved contributor pays above its reservation and withdraws: the slot is its reservation again.
    await registry.call("emitNewContributionContract", [portalPool.address, 7777n, a(60)]);
    await emitEvent(portalPool, poolAbi, "ReservedContributorsUpdated", {
      reserved: [{ addr: a(60), amount: 10_000n * SESH }, { addr: a(61), amount: 5_000n * SESH }],
    });
    await portalPool.call("emitNewContribution", [a(60), a(60), 10_000n * SESH]);
    await emitEvent(portalPool, poolAbi, "OpenForPublicContribution", { serviceNodePubkey: 1n, operator: a(60), fee: 0 });
    await portalPool.call("emitNewContribution", [a(61), a(61), 6_000n * SESH]);
    await portalPool.call("emitNewContribution", [a(62), a(62), 2_000n * SESH]);
    await emitEvent(portalPool, poolAbi, "WithdrawContribution", { contributor: a(61), amount: 6_000n * SESH });

    // Names.
    now = (await node.client.getBlock()).timestamp;
    times.alice = await blockTime(await emitEvent(registry, namesAbi, "Transfer", { from: "0x0000000000000000000000000000000000000000", to: a(20), tokenId: BigInt(nh("alice")) }));
    await emitEvent(registry, namesAbi, "RecordChanged", { node: nh("alice"), kind: 1, value: toHex(new Uint8Array(32).fill(5)) });
    await emitEvent(registry, namesAbi, "TextChanged", { node: nh("alice"), indexedKey: "bio", key: "bio", value: "0x0068656c6c6f" });
    await emitEvent(registry, namesAbi, "TextChanged", { node: nh("alice"), indexedKey: "<img src=x>", key: "<img src=x>", value: "0x01aabbcc" });
    await emitEvent(registry, namesAbi, "NameRegistered", { node: nh("alice"), owner: a(20), payer: a(21), expiry: now + 365n * DAY, fee: 10n * SESH });
    await emitEvent(registry, namesAbi, "RecordChanged", { node: nh("alice"), kind: 3, value: toHex(new Uint8Array(52).fill(1)) });
    await emitEvent(registry, namesAbi, "NameRenewed", { node: nh("alice"), expiry: now + 730n * DAY });
    await emitEvent(registry, namesAbi, "Transfer", { from: a(20), to: a(23), tokenId: BigInt(nh("alice")) });
    await emitEvent(registry, namesAbi, "TextChanged", { node: nh("alice"), indexedKey: "bio", key: "bio", value: "0x" });

    // bob: registered long ago (expired past grace), then re-registered by someone else: fresh records.
    await emitEvent(registry, namesAbi, "Transfer", { from: "0x0000000000000000000000000000000000000000", to: a(30), tokenId: BigInt(nh("bob")) });
    await emitEvent(registry, namesAbi, "RecordChanged", { node: nh("bob"), kind: 2, value: toHex(new Uint8Array(32).fill(2)) });
    await emitEvent(registry, namesAbi, "NameRegistered", { node: nh("bob"), owner: a(30), payer: a(30), expiry: now - 200n * DAY, fee: 0n });
    await emitEvent(registry, namesAbi, "Transfer", { from: a(30), to: "0x0000000000000000000000000000000000000000", tokenId: BigInt(nh("bob")) });
    await emitEvent(registry, namesAbi, "Transfer", { from: "0x0000000000000000000000000000000000000000", to: a(31), tokenId: BigInt(nh("bob")) });
    await emitEvent(registry, namesAbi, "NameRegistered", { node: nh("bob"), owner: a(31), payer: a(31), expiry: now + 365n * DAY, fee: 10n * SESH });

    // carol: in its grace period; dave: burnt.
    await emitEvent(registry, namesAbi, "Transfer", { from: "0x0000000000000000000000000000000000000000", to: a(40), tokenId: BigInt(nh("carol")) });
    await emitEvent(registry, namesAbi, "NameRegistered", { node: nh("carol"), owner: a(40), payer: a(40), expiry: now - 10n * DAY, fee: 10n * SESH });
    await emitEvent(registry, namesAbi, "Transfer", { from: "0x0000000000000000000000000000000000000000", to: a(50), tokenId: BigInt(nh("dave")) });
    await emitEvent(registry, namesAbi, "NameRegistered", { node: nh("dave"), owner: a(50), payer: a(50), expiry: now + 365n * DAY, fee: 10n * SESH });
    await emitEvent(registry, namesAbi, "Transfer", { from: a(50), to: "0x0000000000000000000000000000000000000000", tokenId: BigInt(nh("dave")) });
    await emitEvent(registry, namesAbi, "NameBurned", { node: nh("dave"), owner: a(50) });
    await node.client.request({ method: "evm_mine" } as never);

    tracker = await startTracker(
      testConfig([node.url], registry, {
        contracts: { serviceNodeRewards: registry.address, contributionFactory: registry.address, rewardRatePool: registry.address, nameService: registry.address },
        api: { host: "127.0.0.1", port: 0 },
      }),
      silentLogger,
    );
    await syncToHead(tracker);
    const { host, port } = tracker.api!.address();
    base = `http://${host}:${port}`;
  });
  after(async () => {
    await tracker?.close();
    await node?.stop();
  });

  it("mirrors seeded nodes and stores block timestamps for registrations and exit requests", async () => {
    const seeded = (await get(base, "/nodes/1")).body as NodeRecord;
    expect(seeded).to.deep.include({
      id: "1",
      status: "active",
      seeded: true,
      operator: a(1),
      initiator: "0x0000000000000000000000000000000000000000",
      ed25519Pubkey: "111",
      fee: 0,
      addedTimestamp: times.seeded.toString(),
    });
    expect(seeded.contributors).to.deep.equal([{ addr: a(1), beneficiary: a(9), stakedAmount: (25_000n * SESH).toString() }]);
    const two = (await get(base, "/nodes/2")).body as NodeRecord;
    expect(two).to.deep.include({ seeded: false, status: "exit-requested", fee: 450, addedTimestamp: times.added.toString(), exitRequestedTimestamp: times.exitRequested.toString() });
    const block = await get(base, `/blocks/${two.addedBlock}`);
    expect(block.status).to.equal(200);
    expect(block.body).to.include({ number: two.addedBlock, timestamp: times.added.toString() });
    const status = await get(base, "/status");
    const head = await node.client.getBlock({ blockNumber: BigInt(status.body.checkpoint.number) });
    expect(status.body.checkpointTimestamp).to.equal(head.timestamp.toString());
    expect((await get(base, "/blocks/abc")).status).to.equal(400);
  });

  it("follows the pool lifecycle and computes the minimum contribution now", async () => {
    const res = await get(base, "/pools");
    expect(res.status).to.equal(200);
    const pools = res.body.pools as (PoolRecord & { open: boolean; minimumContribution: { who: string; amount: string } | null })[];
    const open = pools.find((p) => p.address === pool.address.toLowerCase())!;
    expect(open).to.deep.include({ status: "open", open: true, fee: 700, stakingRequirement: (25_000n * SESH).toString(), maxContributors: 8, resets: 1 });
    expect(open.slots).to.deep.equal([
      { addr: a(1), beneficiary: a(1), amount: (7_000n * SESH).toString(), paid: true },
      { addr: a(8), beneficiary: a(10), amount: (3_000n * SESH).toString(), paid: true },
    ]);
    expect(open.totalContributed).to.equal((10_000n * SESH).toString());
    expect(open.totalReserved).to.equal("0");
    // ceil((25,000 − 10,000) / (8 − 2)) SESH
    expect(open.minimumContribution).to.deep.equal({ who: "anyone", amount: ((15_000n * SESH + 5n) / 6n).toString() });
    expect(open.contributions).to.have.length(4);

    const done = pools.find((p) => p.address === filledPool.address.toLowerCase())!;
    expect(done).to.deep.include({ status: "finalized", open: false, minimumContribution: null, maxContributors: 8 });
    expect((await get(base, "/pools?open=true")).body.pools.map((p: PoolRecord) => p.address).sort()).to.deep.equal([pool.address.toLowerCase(), portalPool.address.toLowerCase()].sort());
    expect((await get(base, "/pools?status=finalized")).body.pools).to.have.length(1);
    expect((await get(base, "/pools?status=closed")).status).to.equal(400);
  });

  it("pools opened the reference's way: Ed25519 key from the factory event, the operator's own reservation, a withdrawn reservation kept", async () => {
    const res = await get(base, "/pools");
    const p = (res.body.pools as (PoolRecord & { minimumContribution: { who: string; amount: string } | null })[]).find((x) => x.address === portalPool.address.toLowerCase())!;
    expect(p.serviceNodePubkey).to.equal("7777");
    expect(p.slots).to.deep.equal([
      { addr: a(60), beneficiary: a(60), amount: (10_000n * SESH).toString(), paid: true },
      { addr: a(61), beneficiary: a(61), amount: (5_000n * SESH).toString(), paid: false },
      { addr: a(62), beneficiary: a(62), amount: (2_000n * SESH).toString(), paid: true },
    ]);
    expect(p.totalReserved).to.equal((5_000n * SESH).toString());
    expect(p.totalContributed).to.equal((12_000n * SESH).toString());
    // ceil((25,000 − 12,000 − 5,000) / (8 − 3)) SESH
    expect(p.minimumContribution).to.deep.equal({ who: "anyone", amount: ((8_000n * SESH + 4n) / 5n).toString() });
  });

  it("reports the minimum contribution at each step of a pool's life (reservations count as stake and slots)", async () => {
    const { poolMinimumContribution } = await import("../../src/tracker/state/model");
    const base: PoolRecord = {
      address: a(1), serviceNodePubkey: "1", operator: a(1), createdBlock: "1", totalContributed: "0", contributions: [], createdTimestamp: null,
      status: "awaiting-operator", stakingRequirement: (25_000n * SESH).toString(), maxContributors: 10, fee: null, manualFinalize: null,
      totalReserved: (5_000n * SESH).toString(), slots: [
        { addr: a(1), beneficiary: a(1), amount: "0", paid: false },
        { addr: a(5), beneficiary: a(5), amount: (5_000n * SESH).toString(), paid: false },
      ], finalizedBlock: null, resets: 0,
    };
    expect(poolMinimumContribution(base)).to.deep.equal({ who: "operator", amount: (6_250n * SESH).toString() });
    // The operator's own reservation (the reference portal's form) raises its minimum.
    const ownReserved = { ...base, slots: [{ ...base.slots[0], amount: (9_000n * SESH).toString() }, base.slots[1]] };
    expect(poolMinimumContribution(ownReserved)).to.deep.equal({ who: "operator", amount: (9_000n * SESH).toString() });
    const opened = { ...base, status: "open" as const, totalContributed: (6_250n * SESH).toString(), slots: [{ ...base.slots[0], amount: (6_250n * SESH).toString(), paid: true }, base.slots[1]] };
    // (25,000 − 6,250 − 5,000) / (10 − 2) = 1,718.75 SESH
    expect(poolMinimumContribution(opened)).to.deep.equal({ who: "anyone", amount: (1_718_750_000_000n).toString() });
    expect(poolMinimumContribution({ ...opened, maxContributors: 2 })).to.equal(null);
    expect(poolMinimumContribution({ ...opened, status: "filled" })).to.equal(null);
  });

  it("mirrors names by namehash: owner, expiry, state and record presence; lookup by namehash or token id", async () => {
    const all = await get(base, "/names");
    expect(all.status).to.equal(200);
    expect(all.body.count).to.equal(4);
    const alice = (await get(base, `/names/${nh("alice")}`)).body as NameEntry & { state: string };
    expect(alice).to.deep.include({
      namehash: nh("alice"),
      tokenId: BigInt(nh("alice")).toString(),
      owner: a(23),
      expiry: (now + 730n * DAY).toString(),
      payer: a(21),
      fee: (10n * SESH).toString(),
      renewals: 1,
      registrations: 1,
      registeredTimestamp: times.alice.toString(),
      state: "live",
    });
    expect(alice.records).to.deep.equal({
      session: { encrypted: false, bytes: 32, value: toHex(new Uint8Array(32).fill(5)) },
      lokinet: null,
      wallet: { encrypted: true, bytes: 52, value: null },
      text: { "<img src=x>": { encrypted: true, bytes: 4 } },
    });
    expect((await get(base, `/names/${BigInt(nh("alice"))}`)).body).to.deep.equal(alice);
    expect((await get(base, `/names/${nh("alice").toUpperCase().replace("0X", "0x")}`)).body).to.deep.equal(alice);

    const bob = (await get(base, `/names/${nh("bob")}`)).body as NameEntry & { state: string };
    expect(bob).to.deep.include({ owner: a(31), registrations: 2, state: "live" });
    expect(bob.records).to.deep.equal({ session: null, lokinet: null, wallet: null, text: {} });
    expect((await get(base, `/names/${nh("carol")}`)).body.state).to.equal("grace");
    expect((await get(base, `/names/${nh("dave")}`)).body).to.deep.include({ owner: null, state: "burnt" });

    expect((await get(base, `/names?owner=${a(23)}`)).body.names.map((n: NameEntry) => n.namehash)).to.deep.equal([nh("alice")]);
    expect((await get(base, "/names?state=grace")).body.count).to.equal(1);
    const bad = await get(base, "/names/alice.session");
    expect(bad.status).to.equal(400);
    expect(bad.body.error).to.contain("namehash (0x + 64 hex digits) or a decimal token id");
    const unknown = await get(base, `/names/${nh("nobody")}`);
    expect(unknown.status).to.equal(404);
    expect((await get(base, "/names?state=sleeping")).status).to.equal(400);
    expect((await get(base, "/snapshot")).body.names).to.have.length(4);
  });

  it("serves a self-contained, escaped status page at / with nodes, open pools, exits, names and providers", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.contain('<meta http-equiv="refresh" content="10">');
    expect(html).to.not.match(/<script|<link|src="http|href="http/);
    for (const id of ["1", "2", "3"]) expect(html).to.match(new RegExp(`<tr><td class="num">${id}</td>`));
    expect(html).to.contain(`title="${pool.address.toLowerCase()}"`);
    expect(html).to.not.contain(`title="${filledPool.address.toLowerCase()}"`); // finalized: not open
    expect(html).to.contain("2,500 SESH"); // ceil(15,000 / 6) = 2,500
    expect(html).to.contain("Pending exits (1)");
    expect(html).to.contain("Names (4: ");
    expect(html).to.contain("text:&lt;img src=x&gt;");
    expect(html).to.not.contain("<img");
    expect(html).to.contain("seeded");
    expect(html).to.contain("healthy");
    expect((await fetch(`${base}/?refresh=0`).then((r) => r.text()))).to.not.contain("http-equiv");
    expect((await get(base, "/?refresh=soon")).status).to.equal(400);
  });

  it("renders in headless Chromium (Debian chromium via playwright-core): nodes and open pools are visible", async function () {
    this.timeout(120_000);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/?refresh=0`);
      expect(await page.title()).to.equal("Session Network tracker");
      const nodeRows = await page.$$eval("#nodes tbody tr", (rows) => rows.map((r) => Array.from(r.querySelectorAll("td")).map((c) => c.textContent ?? "")));
      expect(nodeRows.map((r) => r[0])).to.deep.equal(["1", "2", "3"]);
      expect(nodeRows[1][3]).to.equal("exit-requested");
      expect(nodeRows[0][4]).to.equal("25,000");
      const poolRows = await page.$$eval("#pools tbody tr", (rows) => rows.map((r) => ({
        title: r.querySelector("td")?.getAttribute("title") ?? "",
        cells: Array.from(r.querySelectorAll("td")).map((c) => c.textContent ?? ""),
      })));
      expect(poolRows.map((r) => r.title).sort()).to.deep.equal([pool.address.toLowerCase(), portalPool.address.toLowerCase()].sort());
      const row = poolRows.find((r) => r.title === pool.address.toLowerCase())!;
      expect(row.cells[2]).to.equal("open for contribution");
      expect(row.cells[7]).to.equal("2,500 SESH");
      const visible = await page.$eval("body", (b) => b.innerText ?? "");
      expect(visible).to.contain("Pools open for contribution (2)");
      expect(visible).to.contain("text:<img src=x>"); // shown as text, not markup
      expect(await page.$$eval("img, script", (els) => els.length)).to.equal(0);
    } finally {
      await browser.close();
    }
  });

  it("a clean replay from scratch yields the same mirror byte for byte", async () => {
    const contracts = { serviceNodeRewards: registry.address, contributionFactory: registry.address, rewardRatePool: registry.address, nameService: registry.address };
    const replay = await cleanReplay(node.url, registry, { contracts });
    expect(replay).to.equal(await canonicalDump(tracker.store));
  });
});
