/**
 * The portal's web server: the built bundle (portal/dist) under a strict Content-Security-Policy, the
 * network's `config.json`, and same-origin proxies to the JSON-RPC node (/rpc), the tracker (/tracker/…)
 * and the aggregator (/aggregator), so the page calls nothing but its own origin.
 *
 * `npm start` calls {@link startPortal} after the devnet is up; alone:
 *   npm run portal:serve -- --rpc http://127.0.0.1:8545 --tracker http://127.0.0.1:8787 --aggregator http://127.0.0.1:8790 [--port 0]
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { AddressBook } from "../src/deployments/addressBook";
import { portalConfig, portalCsp, withConfigMeta, type PortalConfigJson } from "./portal-config";

export { CONFIG_META, withConfigMeta } from "./portal-config";

const ROOT = path.resolve(__dirname, "..");
export const DEFAULT_PORTAL_DIST = path.join(ROOT, "portal", "dist");
/** The devnet portal's port when free (else any free port). */
export const DEVNET_PORTAL_PORT = 8580;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

const SECURITY_HEADERS = {
  "content-security-policy": portalCsp(),
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
};

export interface PortalServerOptions {
  readonly book: AddressBook;
  /** Upstream services the page reaches through this server. */
  readonly rpcUrl: string;
  readonly trackerUrl: string;
  readonly aggregatorUrl: string | null;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly dist?: string;
}

export interface PortalServer {
  readonly url: string;
  readonly server: Server;
  readonly config: PortalConfigJson;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("request body over 1 MiB"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function proxy(req: IncomingMessage, res: ServerResponse, target: string): Promise<void> {
  const body = req.method === "POST" ? await readBody(req) : undefined;
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: req.method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    res.writeHead(502, { "content-type": "application/json; charset=utf-8", ...SECURITY_HEADERS });
    res.end(JSON.stringify({ error: `${new URL(target).origin} did not answer: ${(error as Error).message}` }));
    return;
  }
  const text = Buffer.from(await upstream.arrayBuffer());
  res.writeHead(upstream.status, {
    "content-type": upstream.headers.get("content-type") ?? "application/json",
    "cache-control": "no-store",
    ...SECURITY_HEADERS,
  });
  res.end(text);
}

export function startPortal(options: PortalServerOptions): Promise<PortalServer> {
  const dist = options.dist ?? DEFAULT_PORTAL_DIST;
  if (!existsSync(path.join(dist, "index.html"))) throw new Error(`${dist}/index.html is missing: run npm run portal:build first`);
  const trackerBase = options.trackerUrl.replace(/\/$/, "");
  const config = portalConfig({
    book: options.book,
    rpcUrl: "/rpc",
    walletRpcUrl: options.rpcUrl,
    trackerUrl: "/tracker",
    aggregatorUrl: options.aggregatorUrl === null ? null : "/aggregator",
  });
  const configText = JSON.stringify(config);
  // The config rides in index.html as a <meta> (no inline script under the CSP): the page renders without
  // waiting for a config.json round trip. config.json stays for tools and older bundles.
  const indexHtml = withConfigMeta(readFileSync(path.join(dist, "index.html"), "utf8"), configText);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://portal");
    const p = url.pathname;
    if (p === "/rpc" && req.method === "POST") return proxy(req, res, options.rpcUrl);
    if (p === "/aggregator" && req.method === "POST") {
      if (options.aggregatorUrl === null) {
        res.writeHead(404, SECURITY_HEADERS);
        return void res.end();
      }
      return proxy(req, res, options.aggregatorUrl);
    }
    if (p.startsWith("/tracker/") && req.method === "GET") return proxy(req, res, `${trackerBase}${p.slice("/tracker".length)}${url.search}`);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", ...SECURITY_HEADERS });
      return void res.end();
    }
    if (p === "/config.json") {
      res.writeHead(200, { "content-type": TYPES[".json"], "cache-control": "no-store", ...SECURITY_HEADERS });
      return void res.end(req.method === "HEAD" ? undefined : configText);
    }
    let relative: string | null;
    try {
      relative = p === "/" ? "index.html" : decodeURIComponent(p);
    } catch {
      relative = null; // a malformed %-escape names no file
    }
    const file = relative === null ? "" : path.normalize(path.join(dist, relative));
    if (relative === null || !file.startsWith(dist + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      return void res.end("not found");
    }
    const body = file === path.join(dist, "index.html") ? Buffer.from(indexHtml) : readFileSync(file);
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "content-length": body.length,
      // Hashed asset names never change content; index.html always revalidates.
      "cache-control": p.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
      ...SECURITY_HEADERS,
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      res.end(`portal server error: ${(error as Error).message}`);
    });
  });
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${port}/`,
        server,
        config,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? undefined : argv[i + 1];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { readAddressBook } = await import("../src/deployments/addressBook");
  const network = flag(argv, "network") ?? "localhost";
  const book = readAddressBook(network);
  if (book === undefined) throw new Error(`no address book for ${network}: deploy first (npm start does)`);
  const rpcUrl = flag(argv, "rpc") ?? "http://127.0.0.1:8545";
  const trackerUrl = flag(argv, "tracker") ?? "http://127.0.0.1:8787";
  const portal = await startPortal({ book, rpcUrl, trackerUrl, aggregatorUrl: flag(argv, "aggregator") ?? null, port: Number(flag(argv, "port") ?? 0) });
  console.log(`portal: ${portal.url}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`portal:serve failed: ${(error as Error).message}`);
    process.exit(1);
  });
}

/** What `npm start` passes: the devnet's address book and service URLs (scripts/devnet/steps.ts). */
export interface DevnetPortalContext {
  readonly rpcUrl: string;
  readonly book?: AddressBook;
  readonly devnet: { readonly trackerUrl?: string; readonly aggregatorUrl?: string };
  log(line: string): void;
}

/**
 * For `npm start`: builds the bundle if a source changed, then serves it for the devnet on a free port.
 * Resolves with null (and says why) instead of failing the devnet when the portal cannot start.
 */
export async function startDevnetPortal(ctx: DevnetPortalContext): Promise<PortalServer | null> {
  try {
    if (ctx.book === undefined || ctx.devnet.trackerUrl === undefined) throw new Error("the devnet has no address book or tracker yet");
    const { buildPortalBundle } = await import("./portal-build");
    await buildPortalBundle({ log: (line) => ctx.log(`   ${line}`) });
    const options = { book: ctx.book, rpcUrl: ctx.rpcUrl, trackerUrl: ctx.devnet.trackerUrl, aggregatorUrl: ctx.devnet.aggregatorUrl ?? null };
    // A stable URL when the port is free; any free port when another devnet holds it.
    return await startPortal({ ...options, port: DEVNET_PORTAL_PORT }).catch(() => startPortal({ ...options, port: 0 }));
  } catch (error) {
    ctx.log(`   the portal did not start: ${(error as Error).message}`);
    return null;
  }
}
