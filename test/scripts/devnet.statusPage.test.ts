/**
 * The tracker's status page of the devnet `npm start` brings up, in headless Chromium (Debian chromium
 * driven by playwright-core): the 12 registered nodes, the pool left open with its minimum contribution,
 * and the names are on the page, matching the chain.
 */
import { expect } from "chai";
import { Contract, JsonRpcProvider } from "ethers";
import hre from "hardhat";
import { readFileSync } from "node:fs";
import { startDevnet, type RunningDevnet } from "../../scripts/devnet/harness";
import { assertChromiumInstalled, launchChromium } from "../helpers/chromium";


/** 1718.75 → "1,718.75" as the page writes SESH. */
function grouped(sesh: bigint): string {
  const whole = (sesh / 10n ** 9n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = (sesh % 10n ** 9n).toString().padStart(9, "0").replace(/0+$/, "");
  return frac === "" ? whole : `${whole}.${frac}`;
}

describe("devnet status page (npm start's tracker in headless Chromium)", function () {
  this.timeout(600_000);
  let devnet: RunningDevnet | undefined;

  after(async () => {
    if (devnet !== undefined) {
      const { code } = await devnet.stop();
      expect(code).to.equal(0);
    }
  });

  it("shows the registered nodes, the open pool with its minimum contribution now, and the names", async () => {
    assertChromiumInstalled(); // before the minute the devnet takes to start
    devnet = await startDevnet();
    const d = devnet;
    const provider = new JsonRpcProvider(d.rpcUrl, undefined, { staticNetwork: true, polling: false });
    const book = JSON.parse(readFileSync(d.bookFile, "utf8")) as { contracts: Record<string, { address: string }> };
    const registry = new Contract(book.contracts.ServiceNodeRewards.address, (await hre.artifacts.readArtifact("ServiceNodeRewards")).abi, provider);
    const chainIds = ((await registry.allServiceNodeIDs())[0] as bigint[]).map(String);
    expect(chainIds).to.have.length(12);
    expect(d.openPools).to.have.length(1);
    const pool = new Contract(d.openPools[0], (await hre.artifacts.readArtifact("ServiceNodeContribution")).abi, provider);
    const accounts = (await provider.send("eth_accounts", [])) as string[];
    // Anyone without a reservation (account #1 holds none) may join with at least this much now.
    const minimum = (await pool.minimumContributionFor(accounts[1])) as bigint;
    provider.destroy();

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${d.trackerUrl}/?refresh=0`);
      expect(await page.title()).to.equal("Session Network tracker");
      const nodeRows = await page.$$eval("#nodes tbody tr", (rows) => rows.map((r) => Array.from(r.querySelectorAll("td")).map((c) => c.textContent ?? "")));
      expect(nodeRows.map((r) => r[0])).to.deep.equal(chainIds);
      expect(nodeRows.every((r) => r[3] === "active")).to.equal(true);
      expect(nodeRows.every((r) => r[4] === "25,000")).to.equal(true);

      const poolRows = await page.$$eval("#pools tbody tr", (rows) =>
        rows.map((r) => ({ title: r.querySelector("td")?.getAttribute("title") ?? "", cells: Array.from(r.querySelectorAll("td")).map((c) => c.textContent ?? "") })),
      );
      expect(poolRows.map((r) => r.title)).to.deep.equal([d.openPools[0].toLowerCase()]);
      expect(poolRows[0].cells[2]).to.equal("open for contribution");
      expect(poolRows[0].cells[7]).to.equal(`${grouped(minimum)} SESH`);

      const visible = await page.$eval("body", (b) => b.innerText ?? "");
      expect(visible).to.contain("Pools open for contribution (1)");
      expect(await page.$$eval("#names tbody tr", (rows) => rows.length)).to.equal(3);
    } finally {
      await browser.close();
    }
  });
});
