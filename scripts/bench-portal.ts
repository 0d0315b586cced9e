/**
 * `npm run bench:portal`: the portal's two budgets, written to bench-snapshots/portal.json.
 *
 *   firstPageJsGzip  gzipped bytes of the JavaScript the first page loads (index.html's module script and
 *                    its modulepreloads; later pages are separate chunks) — budget 250 kB;
 *   firstRenderMs    time from navigation to React's first commit of the page, in headless Chromium against a
 *                    devnet — budget 1 s (median of several loads). It waits for no chain or tracker read:
 *                    those start after it. Recorded beside it: the first paint (the page's frame is plain HTML
 *                    in index.html, painted before any script runs), the first data (the tracker's node
 *                    count shown), and the host's load (`uptime`) before and after.
 *
 * Options: --portal URL uses a running `npm start`'s portal; otherwise a devnet is started for the run.
 * --runs N (default 7). --no-write prints without updating the snapshot.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { buildPortalBundle, PORTAL_DIST } from "./portal-build";

const ROOT = path.resolve(__dirname, "..");
const SNAPSHOT = path.join(ROOT, "bench-snapshots", "portal.json");
export const FIRST_PAGE_JS_BUDGET = 250_000;
export const FIRST_RENDER_BUDGET_MS = 1_000;

/** The JS files index.html loads before anything else runs. */
export function firstPageScripts(dist: string = PORTAL_DIST): string[] {
  const html = readFileSync(path.join(dist, "index.html"), "utf8");
  const files = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
  return [...new Set(files)].map((f) => path.join(dist, f.replace(/^\.?\//, "")));
}

export function firstPageJsGzip(dist: string = PORTAL_DIST): { bytes: number; files: Record<string, number> } {
  const files: Record<string, number> = {};
  for (const file of firstPageScripts(dist)) files[path.relative(dist, file)] = gzipSync(readFileSync(file), { level: 9 }).length;
  return { bytes: Object.values(files).reduce((a, b) => a + b, 0), files };
}

interface Page {
  goto(url: string, options?: { waitUntil?: string }): Promise<unknown>;
  waitForFunction(fn: () => boolean, arg?: unknown, options?: { timeout?: number }): Promise<unknown>;
  evaluate<R>(fn: string): Promise<R>;
  close(): Promise<void>;
}
interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface RenderTimes {
  /** Navigation start → the first paint: the page's frame, plain HTML in index.html, before any script ran. */
  readonly firstPaint: number;
  /** Navigation start → React's first commit of the page (the mark App sets). */
  readonly firstRender: number;
  /** Navigation start → the network page shows the node count read from the tracker. */
  readonly firstData: number;
}

/** Loads the first page `runs` times, each in a fresh context (a first visit), after one warm-up load. */
export async function measureFirstRender(newContext: () => Promise<BrowserContext>, url: string, runs: number): Promise<RenderTimes[]> {
  const times: RenderTimes[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    // A function, not a string: a string predicate is eval'd in the page, which the portal's CSP forbids.
    await page.waitForFunction(
      () => /^\d+$/.test((globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('[data-stat="active"]')?.textContent ?? ""),
      undefined,
      { timeout: 30_000 },
    );
    const firstData = await page.evaluate<number>("performance.now()");
    const firstRender = await page.evaluate<number>('performance.getEntriesByName("portal:first-render")[0]?.startTime ?? -1');
    const firstPaint = await page.evaluate<number>('performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1');
    await context.close();
    // The first load warms the devnet's services.
    if (i > 0) times.push({ firstPaint: Math.round(firstPaint), firstRender: Math.round(firstRender), firstData: Math.round(firstData) });
  }
  return times;
}

/** `uptime`'s line (the load the numbers were measured under), or null where there is no such command. */
function uptime(): string | null {
  try {
    return execFileSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const runs = Number(arg("runs") ?? 7);
  await buildPortalBundle({ force: true });
  const js = firstPageJsGzip();
  console.log(`first page JS: ${js.bytes} bytes gzipped (budget ${FIRST_PAGE_JS_BUDGET})`);

  let portalUrl = arg("portal");
  let stop: (() => Promise<unknown>) | undefined;
  if (portalUrl === undefined) {
    const { startDevnet } = await import("./devnet/harness");
    console.log("starting a devnet…");
    const devnet = await startDevnet();
    stop = () => devnet.stop();
    const m = /^\s+portal\s+(http:\/\/\S+)/m.exec(devnet.output());
    if (m === null) throw new Error(`npm start printed no portal URL:\n${devnet.output().slice(-2000)}`);
    portalUrl = m[1];
  }
  const loadBefore = os.loadavg().map((l) => Number(l.toFixed(2)));
  const { launchChromium } = await import("../test/helpers/chromium");
  const browser = (await launchChromium()) as unknown as { newContext(): Promise<BrowserContext>; close(): Promise<void> };
  let times: RenderTimes[];
  try {
    times = await measureFirstRender(() => browser.newContext(), portalUrl, runs);
  } finally {
    await browser.close();
    await stop?.();
  }
  const paint = times.map((t) => t.firstPaint);
  const render = times.map((t) => t.firstRender);
  const data = times.map((t) => t.firstData);
  const snapshot = {
    firstPageJsGzipBytes: js.bytes,
    firstPageJsBudgetBytes: FIRST_PAGE_JS_BUDGET,
    firstPageFiles: js.files,
    firstPaintMedianMs: median(paint),
    firstPaintMaxMs: Math.max(...paint),
    firstRenderMedianMs: median(render),
    firstRenderMaxMs: Math.max(...render),
    firstRenderBudgetMs: FIRST_RENDER_BUDGET_MS,
    firstDataMedianMs: median(data),
    firstDataMaxMs: Math.max(...data),
    runs: times,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    loadAverageBefore: loadBefore,
    uptime: uptime(),
    cores: os.cpus().length,
    measuredOn:
      "headless Debian Chromium, devnet of npm start, fresh browser context per load (first visit); firstPaint: the page's frame (plain HTML, " +
      "before any script), firstRender: React's first commit (the budget), firstData: node count from the tracker shown",
  };
  console.log(JSON.stringify(snapshot, null, 2));
  if (!argv.includes("--no-write")) {
    mkdirSync(path.dirname(SNAPSHOT), { recursive: true });
    writeFileSync(SNAPSHOT, `${JSON.stringify(snapshot, null, 2)}\n`);
    console.log(`wrote ${path.relative(ROOT, SNAPSHOT)}`);
  }
  if (js.bytes > FIRST_PAGE_JS_BUDGET || snapshot.firstRenderMedianMs > FIRST_RENDER_BUDGET_MS) {
    console.error("over budget");
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`bench:portal failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
