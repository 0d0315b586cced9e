/**
 * `npm run portal:build [-- options]`: the portal's static bundle in portal/dist.
 *
 *   1. ABIs from the compiled artifacts → portal/src/generated/abis.ts (compile first: npm run build);
 *   2. `vite build` of portal/ (skipped when the bundle is newer than every input, unless --force);
 *   3. with --network <name>: config.json from deployments/<name>.json plus the tracker (and aggregator)
 *      URL, and the Content-Security-Policy as a <meta> in index.html — a bundle any static host serves.
 *
 * Without --network the bundle has no config.json: `npm start` serves one for the devnet
 * (scripts/portal-serve.ts).
 *
 * Run with: ts-node --transpile-only scripts/portal-build.ts [--network arbitrumSepolia --tracker https://…]
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { writeAbis } from "./portal-abi";
import { PORTAL_NETWORKS, portalConfig, portalCsp, withConfigMeta, type PortalConfigJson } from "./portal-config";

const ROOT = path.resolve(__dirname, "..");
export const PORTAL_DIR = path.join(ROOT, "portal");
export const PORTAL_DIST = path.join(PORTAL_DIR, "dist");

const HELP = `npm run portal:build [-- options]: the portal's static bundle (portal/dist)

  --network NAME     write config.json for deployments/NAME.json (localhost, arbitrumSepolia, arbitrumOne)
  --tracker URL      the tracker's HTTP API the page reads lists from (required with --network)
  --aggregator URL   the aggregator's JSON-RPC (claims and exits need it)
  --rpc URL          JSON-RPC for reads and for wallets to add [default: the network's public RPC]
  --explorer URL     block explorer base URL [default: Arbiscan for Arbitrum]
  --force            rebuild even when the bundle is newer than its sources
  --help             this text`;

export class PortalBuildError extends Error {}

export interface BuildOptions {
  readonly network?: string;
  readonly tracker?: string;
  readonly aggregator?: string;
  readonly rpc?: string;
  readonly explorer?: string;
  readonly force: boolean;
  readonly help: boolean;
}

export function parseArgs(argv: readonly string[]): BuildOptions {
  const out: Record<string, string | boolean> = { force: false, help: false };
  const valued = ["network", "tracker", "aggregator", "rpc", "explorer"];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    const key = flag.replace(/^--/, "");
    if (arg === "--force" || arg === "--help" || arg === "-h") out[arg === "-h" ? "help" : key] = true;
    else if (flag.startsWith("--") && valued.includes(key)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--")) throw new PortalBuildError(`${flag} needs a value (see --help)`);
      out[key] = value;
    } else throw new PortalBuildError(`unknown option ${arg} (see --help)`);
  }
  return out as unknown as BuildOptions;
}

function url(flag: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new PortalBuildError(`${flag} "${value}" is not a URL: write e.g. https://tracker.example.org`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new PortalBuildError(`${flag} "${value}" must be http(s)`);
  return parsed.href.replace(/\/$/, "");
}

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === "node_modules" || entry === "dist") continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** The bundle is older than something it is built from. */
export function portalBundleStale(): boolean {
  const built = newestMtime(path.join(PORTAL_DIST, "index.html"));
  if (built === 0) return true;
  const inputs = [path.join(PORTAL_DIR, "src"), path.join(PORTAL_DIR, "index.html"), path.join(PORTAL_DIR, "vite.config.mts"), path.join(ROOT, "src"), path.join(ROOT, "package-lock.json")];
  return inputs.some((input) => newestMtime(input) > built);
}

/** Runs `vite build` without blocking the event loop (a blocked loop breaks the caller's keep-alive sockets). */
function viteBuild(): Promise<void> {
  const vite = path.join(path.dirname(require.resolve("vite/package.json", { paths: [ROOT] })), "bin", "vite.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, "build", "--config", path.join(PORTAL_DIR, "vite.config.mts")], { cwd: PORTAL_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new PortalBuildError(`vite build failed (exit ${code}):\n${output}`))));
  });
}

/** Steps 1 and 2: ABIs and the Vite build. Resolves with whether Vite ran. */
export async function buildPortalBundle(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<boolean> {
  const log = options.log ?? ((line: string) => console.log(line));
  writeAbis();
  // A bundle built for a real network (config.json, CSP <meta>) is rebuilt before serving the devnet.
  const forNetwork = existsSync(path.join(PORTAL_DIST, "config.json"));
  if (options.force !== true && !forNetwork && !portalBundleStale()) {
    log("portal bundle is up to date (portal/dist)");
    return false;
  }
  const started = performance.now();
  await viteBuild();
  log(`built the portal in ${((performance.now() - started) / 1000).toFixed(1)} s (portal/dist)`);
  return true;
}

/** Step 3's inputs, checked (address book, URLs) before anything is built. */
export function networkConfig(options: BuildOptions): { config: PortalConfigJson; csp: string } {
  const network = options.network!;
  if (options.tracker === undefined) throw new PortalBuildError("--network needs --tracker <URL of the tracker's HTTP API>: the page reads its lists there");
  const { readAddressBook, addressBookPath } = require("../src/deployments/addressBook") as typeof import("../src/deployments/addressBook");
  const book = readAddressBook(network);
  if (book === undefined) throw new PortalBuildError(`${addressBookPath(network)} does not exist: deploy to ${network} first (npx hardhat --network ${network} deploy)`);
  const rpc = options.rpc === undefined ? PORTAL_NETWORKS[network]?.rpcUrl : url("--rpc", options.rpc);
  if (rpc == null) throw new PortalBuildError(`give --rpc <JSON-RPC URL> for ${network}`);
  const tracker = url("--tracker", options.tracker);
  const aggregator = options.aggregator === undefined ? null : url("--aggregator", options.aggregator);
  const config = portalConfig({
    book,
    rpcUrl: rpc,
    walletRpcUrl: rpc,
    trackerUrl: tracker,
    aggregatorUrl: aggregator,
    explorerUrl: options.explorer === undefined ? undefined : url("--explorer", options.explorer),
  });
  return { config, csp: portalCsp([rpc, tracker, ...(aggregator === null ? [] : [aggregator])]) };
}

/** Step 3: config.json and the CSP <meta> for a real network's static bundle. */
export function writeNetworkConfig(options: BuildOptions, dist: string = PORTAL_DIST): string {
  const { config, csp } = networkConfig(options);
  writeFileSync(path.join(dist, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  const indexFile = path.join(dist, "index.html");
  const html = readFileSync(indexFile, "utf8").replace(/\s*<meta http-equiv="Content-Security-Policy"[^>]*>/, "");
  const withCsp = html.replace("<meta charset=\"utf-8\" />", `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${csp}" />`);
  writeFileSync(indexFile, withConfigMeta(withCsp, JSON.stringify(config)));
  return path.join(dist, "config.json");
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) return void console.log(HELP);
  if (options.network !== undefined) networkConfig(options); // refuses bad options before the build
  await buildPortalBundle({ force: options.force || options.network !== undefined });
  if (options.network !== undefined) console.log(`wrote ${path.relative(ROOT, writeNetworkConfig(options))} for ${options.network}: serve portal/dist from any static host`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`portal:build failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
