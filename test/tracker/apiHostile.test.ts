/**
 * The tracker's HTTP API under a hostile client (issue 22 items 1 and 5): memory and /metrics stay bounded
 * under 70,000 requests to random long paths, protocol edges answer 400 (never 500), 404s are logged at a
 * bounded rate, and /events caps its subscribers, drops a subscriber that does not read, and ends on HEAD.
 * The API runs over a real SQLite store; the follower and providers are stand-ins (no chain needed).
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import { NOT_FOUND_LOG_LIMIT, NOT_FOUND_LOG_WINDOW_MS, ROUTES, SSE_MAX_BUFFER_BYTES, startApi, type ApiServer } from "../../src/tracker/api/server";
import type { Logger } from "../../src/tracker/log";
import { createMetrics, type Metrics } from "../../src/tracker/metrics";
import { openSqliteStore } from "../../src/tracker/store/sqlite";
import type { TrackerStore } from "../../src/tracker/store/types";
import { stubFollower, stubProviders } from "../helpers/trackerApiStubs";
import { tmpDb } from "../helpers/tracker";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;


function collectingLogger(lines: { level: string; msg: string; fields: Record<string, unknown> }[]): Logger {
  const at = (level: string) => (msg: string, fields: Record<string, unknown> = {}) => void lines.push({ level, msg, fields });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** One raw HTTP/1.1 request line as written (for targets fetch would normalise). */
function rawRequest(port: number, target: string, method = "GET"): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let data = "";
    socket.on("data", (d) => (data += d.toString()));
    socket.on("end", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, text: data.slice(data.indexOf("\r\n\r\n") + 4) });
    });
    socket.on("error", reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${method} ${target}`)));
  });
}

describe("tracker HTTP API against a hostile client", function () {
  this.timeout(300_000);
  let store: TrackerStore;
  let metrics: Metrics;
  let api: ApiServer;
  let base: string;
  let port: number;
  const logLines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const changes = new EventEmitter();

  before(async () => {
    store = openSqliteStore(tmpDb("hostile"));
    metrics = createMetrics();
    api = await startApi({ host: "127.0.0.1", port: 0, store, follower: stubFollower(changes), providers: stubProviders, metrics, logger: collectingLogger(logLines), maxSseClients: 3 });
    port = api.address().port;
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await api?.close();
    await store?.close();
  });

  it("70,000 requests to random 8,000-character paths: RSS grows < 64 MB, /metrics stays < 16 KiB, every one a 404 counted under one label", async () => {
    const REQUESTS = 70_000;
    const CONCURRENCY = 16;
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const path = (): string => `/${randomBytes(4_000).toString("hex")}`;
    const started = Date.now();
    const one = (target: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: target, agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end();
      });
    for (let i = 0; i < 200; i++) await one(path()); // warm up (JIT, sockets) before the baseline
    gc();
    const rssBefore = process.memoryUsage().rss;
    let sent = 200;
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < REQUESTS) {
          sent++;
          const status = await one(path());
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    agent.destroy();
    gc();
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect([...statuses.keys()]).to.deep.equal([404]);
    const scrape = await fetch(`${base}/metrics`);
    const text = await scrape.text();
    expect(scrape.status).to.equal(200);
    expect(text.length, "/metrics size").to.be.below(16 * 1024);
    expect(text).to.include(`tracker_http_requests_total{route="unknown",status="404"} ${REQUESTS}`);
    expect(text).to.not.match(/route="\/[a-z0-9]{20}/);
    expect(rssGrowth, `RSS grew ${Math.round(rssGrowth / 1e6)} MB`).to.be.below(64 * 1024 * 1024);
    // 404s are logged, at a bounded rate.
    const logged = logLines.filter((l) => l.msg === "404 unknown path");
    const windows = Math.ceil((Date.now() - started) / NOT_FOUND_LOG_WINDOW_MS) + 1;
    expect(logged.length).to.be.at.least(NOT_FOUND_LOG_LIMIT).and.at.most(NOT_FOUND_LOG_LIMIT * windows);
    expect(String(logged[0].fields.path).length).to.be.below(300);
  });

  it("every metric keeps a bounded label set; label sets beyond the cap are counted under overflow", () => {
    const m = createMetrics(8);
    for (let i = 0; i < 100; i++) m.inc("x_total", "x", { path: `/p${i}` });
    const lines = m.render().split("\n").filter((l) => l.startsWith("x_total"));
    expect(lines).to.have.length(8);
    expect(m.get("x_total", { overflow: "true" })).to.equal(93);
    expect(m.get("x_total", { path: "/p3" })).to.equal(1);
  });

  it("protocol edges answer 400, never 500: malformed %-escapes, /blocks/N with N ≥ 2^63, the target http://[", async () => {
    for (const target of ["/names/%E0%A4%A", "/nodes/%zz", "/blocks/%", "/blocks/9223372036854775808", "/blocks/18446744073709551615", "/blocks/99999999999999999999", "http://["]) {
      const { status, text } = await rawRequest(port, target);
      expect(status, target).to.equal(400);
      expect((JSON.parse(text) as { error: string }).error, target).to.be.a("string").and.not.match(/internal/);
    }
    expect((await rawRequest(port, "/blocks/9223372036854775807")).status).to.equal(404);
  });

  it("HEAD /events ends; /events caps its subscribers (503 beyond) and drops a subscriber that does not read", async () => {
    const head = await rawRequest(port, "/events", "HEAD");
    expect(head.status).to.equal(200);
    expect(head.text).to.equal("");

    const controllers = Array.from({ length: 3 }, () => new AbortController());
    const open = await Promise.all(controllers.map((c) => fetch(`${base}/events`, { signal: c.signal })));
    expect(open.map((r) => r.status)).to.deep.equal([200, 200, 200]);
    const over = await fetch(`${base}/events`);
    expect(over.status).to.equal(503);
    expect(over.headers.get("retry-after")).to.equal("30");
    expect(((await over.json()) as { error: string }).error).to.match(/too many \/events subscribers \(3, the cap is 3\)/);
    for (const c of controllers) c.abort();
    await new Promise((r) => setTimeout(r, 200));
    expect(metrics.get("tracker_sse_clients")).to.equal(0);

    // A subscriber that never reads: its backlog passes the bound and it is dropped; memory does not follow it.
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    socket.pause();
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
    await new Promise((r) => setTimeout(r, 200));
    expect(metrics.get("tracker_sse_clients")).to.equal(1);
    const big = "x".repeat(16 * 1024);
    for (let i = 0; i < 4_000 && metrics.get("tracker_sse_dropped_total") === 0; i++) {
      changes.emit("change", { type: "checkpoint", number: String(i), hash: big });
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    expect(metrics.get("tracker_sse_dropped_total")).to.equal(1);
    expect(metrics.get("tracker_sse_clients")).to.equal(0);
    expect(changes.listenerCount("change")).to.equal(0);
    socket.resume();
    await closed;
    expect(SSE_MAX_BUFFER_BYTES).to.equal(256 * 1024);
  });

  it("every route is a fixed label", () => {
    expect(ROUTES).to.include.members(["/nodes/:id", "/names/:id", "/blocks/:number", "/events", "/metrics"]);
  });
});
