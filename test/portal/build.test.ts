/**
 * The portal's build options, the static bundle's config for a real network (address book + tracker URL,
 * the CSP as a <meta>), and the server: strict CSP on every answer, config.json, same-origin proxies, no
 * file outside the bundle. No devnet needed (fake upstreams).
 */
import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { AddressBook } from "../../src/deployments/addressBook";
import { renderAbis } from "../../scripts/portal-abi";
import { parseArgs, writeNetworkConfig } from "../../scripts/portal-build";
import { portalCsp } from "../../scripts/portal-config";
import { startPortal, type PortalServer } from "../../scripts/portal-serve";
import { NAV, staticShellHtml } from "../../portal/src/shell";

const record = (address: string) => ({
  kind: "contract" as const,
  address,
  implementation: null,
  txHash: `0x${"11".repeat(32)}`,
  blockNumber: 1,
  deployer: `0x${"22".repeat(20)}`,
  chainId: 421614,
});
const BOOK: AddressBook = {
  network: "arbitrumSepolia",
  chainId: 421614,
  contracts: { SESH: record(`0x${"aa".repeat(20)}`), ServiceNodeRewards: record(`0x${"bb".repeat(20)}`), SessionNameService: record(`0x${"cc".repeat(20)}`) },
};
const INDEX = '<!doctype html>\n<html lang="en">\n  <head>\n    <meta charset="utf-8" />\n  </head>\n  <body><div id="root"></div></body>\n</html>\n';

describe("portal ABIs", () => {
  it("every function the portal names exists in the ABIs generated from the compiled artifacts", () => {
    const files = renderAbis();
    const generated = Object.values(files).join("\n");
    const called = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "generated") walk(file);
        } else if (/\.tsx?$/.test(entry.name)) {
          for (const m of readFileSync(file, "utf8").matchAll(/functionName: "(\w+)"|read<[^>]+>\("(\w+)"/g)) called.add(m[1] ?? m[2]);
        }
      }
    };
    walk(path.resolve(__dirname, "..", "..", "portal", "src"));
    expect(called.size).to.be.greaterThan(20);
    const missing = [...called].filter((name) => !generated.includes(`"name":"${name}","outputs"`) && !generated.includes(`"name":"${name}","stateMutability"`) && !new RegExp(`"name":"${name}"[^}]*"type":"function"`).test(generated));
    expect(missing, "functions the portal calls that no generated ABI has").to.deep.equal([]);
  });
});

describe("portal first paint", () => {
  it("index.html's frame is the page's own (every page link of NAV, the main region) and holds nothing the CSP refuses", () => {
    const html = staticShellHtml();
    expect([...html.matchAll(/<a href="(#\/[^"]*)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]])).to.deep.equal(NAV.map((item) => [item.to, item.label]));
    expect(html).to.contain('<main id="main" tabindex="-1">');
    expect(html).to.not.match(/<script|<style|\sstyle=|\son[a-z]+=/i);
  });
});

describe("portal build and server", () => {
  let tmp: string;
  let savedDir: string | undefined;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "portal-build-"));
    savedDir = process.env.DEPLOYMENTS_DIR;
    process.env.DEPLOYMENTS_DIR = tmp;
  });
  afterEach(() => {
    if (savedDir === undefined) delete process.env.DEPLOYMENTS_DIR;
    else process.env.DEPLOYMENTS_DIR = savedDir;
    rmSync(tmp, { recursive: true, force: true });
  });

  it("parses --network/--tracker/--aggregator and refuses unknown or valueless options", () => {
    expect(parseArgs(["--network", "arbitrumSepolia", "--tracker=https://t.example", "--force"])).to.include({ network: "arbitrumSepolia", tracker: "https://t.example", force: true });
    expect(() => parseArgs(["--netwrok", "x"])).to.throw("unknown option --netwrok");
    expect(() => parseArgs(["--tracker"])).to.throw("--tracker needs a value");
  });

  it("writes config.json from the address book and puts the CSP, with exactly the given origins, in index.html", () => {
    writeFileSync(path.join(tmp, "arbitrumSepolia.json"), JSON.stringify(BOOK));
    writeFileSync(path.join(tmp, "index.html"), INDEX);
    writeNetworkConfig({ network: "arbitrumSepolia", tracker: "https://tracker.example.org/", aggregator: "https://agg.example.org", force: false, help: false }, tmp);
    const config = JSON.parse(readFileSync(path.join(tmp, "config.json"), "utf8"));
    expect(config).to.deep.include({
      network: "arbitrumSepolia",
      chainId: 421614,
      chainName: "Arbitrum Sepolia",
      rpcUrl: "https://sepolia-rollup.arbitrum.io/rpc",
      trackerUrl: "https://tracker.example.org",
      aggregatorUrl: "https://agg.example.org",
      explorerUrl: "https://sepolia.arbiscan.io",
    });
    expect(config.contracts).to.deep.equal({ SESH: BOOK.contracts.SESH!.address, ServiceNodeRewards: BOOK.contracts.ServiceNodeRewards!.address, SessionNameService: BOOK.contracts.SessionNameService!.address });
    const html = readFileSync(path.join(tmp, "index.html"), "utf8");
    expect(html).to.contain(`<meta http-equiv="Content-Security-Policy" content="${portalCsp(["https://sepolia-rollup.arbitrum.io/rpc", "https://tracker.example.org", "https://agg.example.org"])}" />`);
    expect(html).to.contain("connect-src 'self' https://sepolia-rollup.arbitrum.io https://tracker.example.org https://agg.example.org;");
    expect(html).to.contain('<meta name="session-portal-config" content="{&quot;network&quot;:&quot;arbitrumSepolia&quot;');
    // Rewriting replaces the <meta>, never stacks a second one.
    writeNetworkConfig({ network: "arbitrumSepolia", tracker: "https://tracker.example.org", force: false, help: false }, tmp);
    expect(readFileSync(path.join(tmp, "index.html"), "utf8").match(/Content-Security-Policy/g)).to.have.length(1);
    expect(readFileSync(path.join(tmp, "index.html"), "utf8").match(/session-portal-config/g)).to.have.length(1);
  });

  it("refuses a network without an address book or a tracker URL, saying what to do", () => {
    expect(() => writeNetworkConfig({ network: "arbitrumOne", tracker: "https://t.example", force: false, help: false }, tmp)).to.throw("deploy to arbitrumOne first");
    writeFileSync(path.join(tmp, "arbitrumSepolia.json"), JSON.stringify(BOOK));
    expect(() => writeNetworkConfig({ network: "arbitrumSepolia", force: false, help: false }, tmp)).to.throw("--network needs --tracker");
    expect(() => writeNetworkConfig({ network: "arbitrumSepolia", tracker: "ftp://x", force: false, help: false }, tmp)).to.throw("must be http(s)");
  });

  describe("server", () => {
    let upstream: Server;
    let upstreamUrl: string;
    let portal: PortalServer;
    const seen: string[] = [];
    before(async () => {
      upstream = createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
          seen.push(`${req.method} ${req.url} ${body}`);
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ from: "upstream", url: req.url }));
        });
      });
      await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
      upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((r) => upstream.close(() => r())));
    beforeEach(async () => {
      writeFileSync(path.join(tmp, "index.html"), INDEX);
      portal = await startPortal({ book: { ...BOOK, network: "localhost", chainId: 31337 }, rpcUrl: `${upstreamUrl}/node`, trackerUrl: `${upstreamUrl}/t`, aggregatorUrl: `${upstreamUrl}/agg`, dist: tmp });
    });
    afterEach(() => portal.close());

    it("serves the bundle and config.json under the strict CSP, and proxies the node, tracker and aggregator", async () => {
      const index = await fetch(portal.url);
      expect(index.status).to.equal(200);
      expect(index.headers.get("content-security-policy")).to.equal(portalCsp());
      expect(portalCsp()).to.contain("default-src 'none'; script-src 'self'; style-src 'self'");
      expect(index.headers.get("x-content-type-options")).to.equal("nosniff");
      // The config rides in index.html (no round trip before the first render), attribute-escaped.
      expect(await index.text()).to.contain('<meta name="session-portal-config" content="{&quot;network&quot;:&quot;localhost&quot;,&quot;chainId&quot;:31337,');
      const config = (await (await fetch(`${portal.url}config.json`)).json()) as Record<string, unknown>;
      expect(config).to.deep.include({ chainId: 31337, rpcUrl: "/rpc", trackerUrl: "/tracker", aggregatorUrl: "/aggregator", walletRpcUrl: `${upstreamUrl}/node` });
      expect(await (await fetch(`${portal.url}tracker/pools?open=true`)).json()).to.deep.equal({ from: "upstream", url: "/t/pools?open=true" });
      const rpc = await fetch(`${portal.url}rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"id":1}' });
      expect(rpc.headers.get("content-security-policy")).to.equal(portalCsp());
      expect(await rpc.json()).to.deep.equal({ from: "upstream", url: "/node" });
      await fetch(`${portal.url}aggregator`, { method: "POST", body: '{"id":2}' });
      expect(seen.slice(-3)).to.deep.equal(["GET /t/pools?open=true ", 'POST /node {"id":1}', 'POST /agg {"id":2}']);
    });

    it("answers 404 outside the bundle and 405 for writes to static files", async () => {
      expect((await fetch(`${portal.url}..%2F..%2Fetc%2Fpasswd`)).status).to.equal(404);
      expect((await fetch(`${portal.url}missing.js`)).status).to.equal(404);
      expect((await fetch(`${portal.url}%E0%A4%A.js`)).status).to.equal(404);
      expect((await fetch(`${portal.url}index.html`, { method: "PUT" })).status).to.equal(405);
    });
  });
});
