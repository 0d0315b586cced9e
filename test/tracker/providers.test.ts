import { expect } from "chai";
import { numberToHex, pad, toEventSelector, type Hex } from "viem";
import { silentLogger } from "../../src/tracker/log";
import { encodeReceipt, headerHash, orderedTrieRoot, type RawHeader, type RpcReceipt } from "../../src/tracker/rpc/proof";
import { startTracker } from "../../src/tracker/tracker";
import {
  canonicalDump,
  cleanReplay,
  deployEmitter,
  newScenarioState,
  prng,
  runScenario,
  startHardhatNode,
  startProxy,
  syncToHead,
  testConfig,
  type Emitter,
  type HardhatNode,
  type ProxyHook,
  type RpcProxy,
} from "../helpers/tracker";

interface RpcLogJson {
  blockNumber: Hex;
  logIndex: Hex;
  data: Hex;
  topics: Hex[];
}
type Answer = { jsonrpc: string; id: unknown; result?: unknown; error?: unknown };

const mapLogs =
  (f: (logs: RpcLogJson[]) => RpcLogJson[]): ProxyHook =>
  async (call, upstream) => {
    if (call.method !== "eth_getLogs") return undefined;
    const answer = (await upstream()) as Answer;
    if (!Array.isArray(answer.result)) return answer;
    return { ...answer, result: f(answer.result as RpcLogJson[]) };
  };

const LIES: Record<string, ProxyHook> = {
  "alters log data": mapLogs((logs) => logs.map((l) => ({ ...l, data: (l.data.length > 2 ? l.data.slice(0, -1) + (l.data.endsWith("1") ? "2" : "1") : l.data) as Hex }))),
  "drops logs": mapLogs((logs) => logs.filter((l) => BigInt(l.blockNumber) % 3n !== 0n)),
  "invents logs": mapLogs((logs) =>
    logs.length === 0
      ? logs
      : [
          ...logs,
          {
            ...logs[0],
            logIndex: numberToHex(999),
            topics: [toEventSelector("RewardsClaimed(address,uint256)"), pad("0x00000000000000000000000000000000000bad00")],
            data: pad(numberToHex(10n ** 15n)),
          },
        ],
  ),
};

describe("tracker RPC providers: lying, failing and slow providers", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let emitter: Emitter;
  let reference: string;
  const proxies: RpcProxy[] = [];
  const proxy = async (hook: ProxyHook): Promise<RpcProxy> => {
    const p = await startProxy(node.url, hook);
    proxies.push(p);
    return p;
  };

  before(async () => {
    node = await startHardhatNode();
    emitter = await deployEmitter(node);
    await runScenario(emitter, newScenarioState(1n), 11, 40);
    reference = await cleanReplay(node.url, emitter);
  });
  after(async () => {
    for (const p of proxies) await p.close();
    await node?.stop();
  });

  it("hashes headers and rebuilds receipts roots exactly as the node does (the proof the arbiter relies on)", async () => {
    const head = await node.client.getBlockNumber({ cacheTime: 0 });
    for (const n of [head, head - 1n, emitter.deployBlock]) {
      const block = (await node.client.request({ method: "eth_getBlockByNumber", params: [numberToHex(n), false] } as never)) as RawHeader & {
        hash: Hex;
        transactions: Hex[];
        receiptsRoot: Hex;
      };
      expect(headerHash(block)).to.equal(block.hash);
      const receipts = await Promise.all(
        block.transactions.map((hash) => node.client.request({ method: "eth_getTransactionReceipt", params: [hash] } as never) as Promise<RpcReceipt>),
      );
      expect(orderedTrieRoot(receipts.map(encodeReceipt))).to.equal(block.receiptsRoot);
    }
  });

  it("refuses a provider serving another chain, naming the URL and both chain ids", async () => {
    const other = await proxy(async (call) => (call.method === "eth_chainId" ? { jsonrpc: "2.0", id: call.id, result: "0x1" } : undefined));
    let message = "";
    try {
      await startTracker(testConfig([other.url], emitter), silentLogger);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.equal(`RPC provider ${other.url} serves chain id 1, but the tracker is configured for chain id 31337`);

    const tracker = await startTracker(testConfig([other.url, node.url], emitter), silentLogger);
    try {
      const status = tracker.providers.status();
      expect(status[0]).to.include({ url: other.url, state: "quarantined" });
      expect(status[0].quarantineReason).to.contain("serves chain id 1");
      await syncToHead(tracker);
      expect(await canonicalDump(tracker.store)).to.equal(reference);
      expect(tracker.providers.status()[0].requests).to.equal(1); // asked for its chain id, never followed
    } finally {
      await tracker.close();
    }
  });

  for (const [lie, hook] of Object.entries(LIES)) {
    it(`quarantines a provider that ${lie}, proven against the receipts root, with one honest second provider`, async () => {
      const liar = await proxy(hook);
      const tracker = await startTracker(testConfig([liar.url, node.url], emitter), silentLogger);
      try {
        await syncToHead(tracker);
        const status = tracker.providers.status();
        expect(status[0]).to.include({ state: "quarantined" });
        expect(status[0].quarantineReason).to.contain("proven wrong against the block's receipts root");
        expect(status[1].state).to.not.equal("quarantined");
        expect(await canonicalDump(tracker.store)).to.equal(reference);
      } finally {
        await tracker.close();
      }
    });
  }

  it("without a proof, holds still on a two-provider dispute and follows the majority of three", async () => {
    const liar = await proxy(LIES["alters log data"]);
    const honest2 = await proxy(async () => undefined);
    const two = await startTracker(testConfig([liar.url, node.url], emitter), silentLogger, { logsArbiter: null });
    try {
      for (let i = 0; i < 3; i++) expect(await two.follower.step()).to.equal("retry");
      expect(two.follower.status().checkpoint).to.equal(null);
      expect(two.follower.status().dispute).to.contain("providers disagree");
      expect(two.metrics.get("tracker_disputes_total")).to.equal(3);
      expect(await two.store.listKinds()).to.deep.equal([]);
    } finally {
      await two.close();
    }
    const three = await startTracker(testConfig([liar.url, node.url, honest2.url], emitter), silentLogger, { logsArbiter: null });
    try {
      await syncToHead(three);
      const status = three.providers.status();
      expect(status.map((s) => s.state)).to.deep.equal(["quarantined", "healthy", "healthy"]);
      expect(status[0].quarantineReason).to.contain("differs from the majority");
      expect(await canonicalDump(three.store)).to.equal(reference);
    } finally {
      await three.close();
    }
  });

  it("keeps applying ranges while a slow mid-sync head refresh is outstanding, and ends equal to a clean replay", async () => {
    let slowFromNow = false;
    let slowOutstanding = 0;
    const slowHeads = await proxy(async (call, upstreamResult) => {
      if (call.method !== "eth_blockNumber" || !slowFromNow) return undefined;
      slowOutstanding++;
      await new Promise((r) => setTimeout(r, 1_000));
      slowOutstanding--;
      return upstreamResult();
    });
    // Small fixed ranges and no poll interval: every step of the sync is due a head refresh.
    const tracker = await startTracker(testConfig([slowHeads.url], emitter, { batch: { initial: 4n, min: 1n, max: 4n }, pollIntervalMs: 0 }), silentLogger);
    try {
      let advancedWhileSlow = 0;
      for (let steps = 0; ; steps++) {
        expect(steps, "steps to catch up").to.be.lessThan(1_000);
        const outcome = await tracker.follower.step();
        if (outcome === "advanced" && slowOutstanding > 0) advancedWhileSlow++;
        if (outcome === "advanced") slowFromNow = true;
        if (outcome === "caught-up") break;
      }
      // Awaiting each refresh would have applied no range while one was outstanding.
      expect(advancedWhileSlow).to.be.greaterThan(2);
      expect(await canonicalDump(tracker.store)).to.equal(reference);
    } finally {
      await tracker.close();
    }
  });

  it("starts a sync of several ranges with a quarter range (applying begins sooner), then asks full ranges", async () => {
    const asked: [bigint, bigint][] = [];
    const recording = await proxy(async (call) => {
      if (call.method !== "eth_getLogs") return undefined;
      const { fromBlock, toBlock } = call.params[0] as { fromBlock?: Hex; toBlock?: Hex };
      if (fromBlock !== undefined && toBlock !== undefined) asked.push([BigInt(fromBlock), BigInt(toBlock)]);
      return undefined;
    });
    const tracker = await startTracker(testConfig([recording.url], emitter, { batch: { initial: 8n, min: 1n, max: 8n } }), silentLogger);
    try {
      await syncToHead(tracker);
      const safe = BigInt(tracker.follower.status().safeHead!);
      const synced = asked.filter(([, to]) => to <= safe); // not the pending view's queries above the safe head
      const sizes = synced.map(([from, to]) => to - from + 1n);
      expect(synced[0][0]).to.equal(emitter.deployBlock);
      expect(sizes.length).to.be.greaterThan(3);
      expect(sizes[0]).to.equal(2n);
      // Every later range is full size, except the one ending at the safe head (asked again when re-planned).
      const middle = synced.slice(1).filter(([, to]) => to < safe);
      expect(middle.length).to.be.greaterThan(1);
      expect(middle.every(([from, to]) => to - from + 1n === 8n), sizes.join(",")).to.equal(true);
      expect(await canonicalDump(tracker.store)).to.equal(reference);
    } finally {
      await tracker.close();
    }
  });

  it("survives 5xx answers and timeouts, alone and with a failover provider, without loss", async () => {
    const rnd = prng(42);
    const flaky = await proxy(async () => {
      const r = rnd();
      if (r < 0.15) return "503";
      if (r < 0.2) return "hang";
      return undefined;
    });
    const alone = await startTracker(testConfig([flaky.url], emitter, { timeoutMs: 300 }), silentLogger);
    try {
      await syncToHead(alone);
      expect(await canonicalDump(alone.store)).to.equal(reference);
      expect(alone.providers.status()[0].failures).to.be.greaterThan(0);
    } finally {
      await alone.close();
    }
    const pair = await startTracker(testConfig([flaky.url, node.url], emitter, { timeoutMs: 300 }), silentLogger);
    try {
      await syncToHead(pair);
      expect(await canonicalDump(pair.store)).to.equal(reference);
      expect(pair.providers.status()[0].failures).to.be.greaterThan(0);
    } finally {
      await pair.close();
    }
  });

  it("honours removed: true — never applies a removed log, re-fetches the range", async () => {
    let marked = 0;
    const reorging = await proxy(
      mapLogs((logs) => {
        if (marked > 0 || logs.length === 0) return logs;
        marked++;
        return logs.map((l, i) => (i === 0 ? { ...l, removed: true } : l)) as RpcLogJson[];
      }),
    );
    const tracker = await startTracker(testConfig([reorging.url], emitter), silentLogger);
    try {
      const outcomes = await syncToHead(tracker);
      expect(marked).to.equal(1);
      expect(outcomes).to.include("retry");
      expect(await canonicalDump(tracker.store)).to.equal(reference);
    } finally {
      await tracker.close();
    }
  });

  it("auto safe-head policy uses the chain's `safe` tag when it has one", async () => {
    const tracker = await startTracker(testConfig([node.url], emitter, { safeHead: { mode: "auto", confirmations: 280n } }), silentLogger);
    try {
      expect(tracker.follower.status().safeHeadPolicy).to.equal("tag:safe");
      await syncToHead(tracker);
      const safe = await node.client.getBlock({ blockTag: "safe" });
      expect(tracker.follower.status().checkpoint!.number).to.equal(safe.number.toString());
    } finally {
      await tracker.close();
    }
  });

  it("shrinks the eth_getLogs range when the provider reports too many results", async () => {
    const strict = await proxy(async (call) => {
      if (call.method !== "eth_getLogs") return undefined;
      const { fromBlock, toBlock } = call.params[0] as { fromBlock?: Hex; toBlock?: Hex; blockHash?: Hex };
      if (fromBlock === undefined || toBlock === undefined) return undefined; // by blockHash: one block
      if (BigInt(toBlock) - BigInt(fromBlock) + 1n > 3n) {
        return { jsonrpc: "2.0", id: call.id, error: { code: -32005, message: "query returned more than 10000 results" } };
      }
      return undefined;
    });
    const tracker = await startTracker(testConfig([strict.url], emitter, { batch: { initial: 64n, min: 1n, max: 64n } }), silentLogger);
    try {
      await syncToHead(tracker);
      expect(tracker.metrics.get("tracker_getlogs_shrinks_total")).to.be.greaterThan(0);
      expect(await canonicalDump(tracker.store)).to.equal(reference);
    } finally {
      await tracker.close();
    }
  });
});
