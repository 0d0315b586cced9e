import { expect } from "chai";
import { openSqliteStore } from "../../src/tracker/store/sqlite";
import {
  canonicalDump,
  cleanReplay,
  deployEmitter,
  newScenarioState,
  runScenario,
  spawnTracked,
  startHardhatNode,
  startProxy,
  stopChild,
  tmpDb,
  waitForOutput,
  type Emitter,
  type HardhatNode,
  type RpcProxy,
} from "../helpers/tracker";

const KILLS = Number(process.env.TRACKER_CRASH_KILLS ?? 20);

describe("tracker crash safety (SIGKILL of the CLI process)", function () {
  this.timeout(600_000);
  let node: HardhatNode;
  let emitter: Emitter;
  let slow: RpcProxy;

  before(async () => {
    node = await startHardhatNode();
    emitter = await deployEmitter(node);
    await runScenario(emitter, newScenarioState(1n), 7, 300);
    // A proxy adding a little latency so the sync spans many kill points.
    slow = await startProxy(node.url, async () => {
      await new Promise((r) => setTimeout(r, 6));
      return undefined;
    });
  });
  after(async () => {
    await slow?.close();
    await node?.stop();
  });

  const cliArgs = (db: string): string[] => [
    "-r",
    "ts-node/register/transpile-only",
    "src/tracker/cli.ts",
    "--rpc",
    slow.url,
    "--chain-id",
    "31337",
    "--rewards",
    emitter.address,
    "--factory",
    emitter.address,
    "--reward-rate-pool",
    emitter.address,
    "--name-service",
    emitter.address,
    "--start-block",
    emitter.deployBlock.toString(),
    "--db",
    db,
    "--safe-head",
    "depth",
    "--confirmations",
    "0",
    "--batch-initial",
    "2",
    "--batch-max",
    "3",
    "--poll-ms",
    "50",
    "--reward-rate-interval",
    "5",
    "--reconcile-ms",
    "0",
    "--no-api",
  ];

  it(`killed with SIGKILL at ${KILLS} random points and restarted, ends byte-for-byte equal to a clean replay`, async () => {
    const db = tmpDb("crash");
    const head = await node.client.getBlockNumber({ cacheTime: 0 });
    const checkpoints: bigint[] = [];
    const delays: number[] = [];
    let midSyncKills = 0;
    for (let i = 0; i < KILLS; i++) {
      const child = spawnTracked(process.execPath, cliArgs(db));
      await waitForOutput(child, /"msg":"tracker starting"/, 60_000);
      const delay = Math.floor(Math.random() * 500);
      delays.push(delay);
      await new Promise((r) => setTimeout(r, delay));
      await stopChild(child, "SIGKILL");
      const store = openSqliteStore(db);
      const cp = (await store.getCheckpoint())?.number ?? 0n;
      await canonicalDump(store); // readable after every kill
      await store.close();
      if (checkpoints.length > 0) expect(cp >= checkpoints[checkpoints.length - 1], "checkpoint never goes back").to.equal(true);
      checkpoints.push(cp);
      if (cp < head) midSyncKills++;
    }
    // Final run to completion, then a clean SIGTERM shutdown.
    const child = spawnTracked(process.execPath, cliArgs(db));
    await waitForOutput(child, /"msg":"caught up"/, 120_000);
    const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await stopChild(child, "SIGTERM");
    expect(await exit).to.equal(0);

    const store = openSqliteStore(db);
    const dump = await canonicalDump(store);
    await store.close();
    expect(midSyncKills, `checkpoints after kills: ${checkpoints.join(",")}; delays ${delays.join(",")}`).to.be.at.least(Math.ceil(KILLS / 2));
    expect(JSON.parse(dump).checkpoint.number).to.equal(head.toString());
    expect(dump).to.equal(await cleanReplay(node.url, emitter));
  });
});
