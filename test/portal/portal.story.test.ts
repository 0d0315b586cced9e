/**
 * The portal's browser story (issue 19), in headless Debian Chromium against the devnet `npm start` brings
 * up, with our own injected EIP-1193 wallet (test/helpers/testWallet.ts: announced by EIP-6963, signs with
 * a devnet account through viem, forwards the rest to the Hardhat node):
 *
 *   wrong chain → switch (the wallet adds the devnet) → a declined permit is a calm message → contribute to
 *   the open pool (reserved slot prefilled) → someone else's contribution lands first: the wallet's estimate
 *   refuses the top-up, then a top-up sent with a hand-set gas limit is mined and reverts, both shown with
 *   the contract's error in words → top up with Max: the pool fills and registers → a day of
 *   rewards → claim (SESH rises by exactly the signed amount) → another account (followed live) is refused
 *   an early exit with the contract's error in words → the wallet leaves the chain (followed live: the
 *   prompt returns, nothing is sent) and comes back → request exit → time passes → exit with the
 *   network's signature → register a solo node from the pasted registration → register a name through the commit–reveal countdown (surviving a reload) → set
 *   an encrypted record → resolve it from a second browser context → renew.
 *
 * Screenshots of every page (desktop and 360 px) go to portal/screenshots/ (not committed); every page
 * must fit 360 px without horizontal scrolling, and no Content-Security-Policy violation may occur.
 */
import { expect } from "chai";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { createPublicClient, createWalletClient, getAddress, http, parseAbi, type Address, type PublicClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { startDevnet, type RunningDevnet } from "../../scripts/devnet/harness";
import { SEED, TRACKER_CONFIRMATIONS, UNLOCK_SECONDS } from "../../scripts/devnet/steps";
import { deriveNodeKey, registrationParams, registrationToJson } from "../../src/network/keys";
import { nameIds } from "../../src/names/hash";
import { formatSesh } from "../../src/token/amounts";
import { assertChromiumInstalled, launchChromium } from "../helpers/chromium";
import { HARDHAT_MNEMONIC, TestWallet, TEST_WALLET_INFO, TEST_WALLET_INIT_SCRIPT } from "../helpers/testWallet";

/** The little of the DOM the page callbacks use. */
interface DomElement {
  readonly textContent: string | null;
  readonly value?: string;
  readonly disabled?: boolean;
}
interface Dom {
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

const SCREENSHOTS = path.resolve(__dirname, "..", "..", "portal", "screenshots");
const SESH = 10n ** 9n;

const abi = parseAbi([
  "function balanceOf(address) view returns (uint256)",
  "function recipients(address) view returns (uint256 rewards, uint256 claimed)",
  "function allServiceNodeIDs() view returns (uint64[] ids, (uint256 X, uint256 Y)[] keys)",
  "struct G1 { uint256 X; uint256 Y; }",
  "struct ServiceNode { G1 pubkey; address operator; uint256 addedTimestamp; uint256 exitRequestTimestamp; uint256 lastExitRequestTimestamp; uint256 deposit; bytes32 contributorsHash; }",
  "function serviceNodes(uint64) view returns (ServiceNode)",
  "function totalContribution() view returns (uint256)",
  "function status() view returns (uint8)",
  "function approve(address spender, uint256 value) returns (bool)",
  "function epoch() view returns (uint256)",
  "function minimumContributionFor(address who) view returns (uint256)",
  "function contributeFunds(uint256 amount, address beneficiary, uint256 expectedEpoch)",
  "function nameOf(bytes32) view returns (address holder, uint256 expiry)",
  "function record(bytes32, uint8) view returns (bytes value, bool encrypted)",
]);

describe("portal: browser story with an injected EIP-6963 test wallet (headless Chromium)", function () {
  this.timeout(900_000);
  let devnet: RunningDevnet | undefined;
  let browser: Browser | undefined;
  const problems: string[] = [];

  after(async () => {
    await browser?.close();
    if (devnet !== undefined) await devnet.stop();
  });

  // Skipped for now: since the last merges (the services branch's follower/stall commit is the prime suspect)
  // the exit step waits 240 s for the "Exit … with the network's signature" button and times out, in the
  // clean-clone CI run and locally; every step before it passes. Issue 19 stays open until it runs again.
  it("connect → contribute with permit → fill → claim → exit; names commit–reveal, encrypted record, resolve, renew; 360 px", async () => {
    assertChromiumInstalled();
    mkdirSync(SCREENSHOTS, { recursive: true });
    devnet = await startDevnet();
    const d = devnet;
    const portalUrl = /^\s+portal\s+(http:\/\/\S+)/m.exec(d.output())?.[1];
    expect(portalUrl, `npm start printed no portal URL:\n${d.output().slice(-3000)}`).to.be.a("string");
    const book = (await (await fetch(`${portalUrl}config.json`)).json()) as { contracts: Record<string, Address>; chainId: number };
    expect(book.chainId).to.equal(31337);
    const client = createPublicClient({ transport: http(d.rpcUrl) }) as PublicClient;
    const registry = book.contracts.ServiceNodeRewards;
    const token = book.contracts.SESH;
    const names = book.contracts.SessionNameService;
    const poolAddress = getAddress(d.openPools[0]);
    const rpc = (method: string, params: unknown[] = []) => client.request({ method, params } as never);
    const trackerCaughtUp = async () => {
      const head = Number(await client.getBlockNumber());
      for (let i = 0; i < TRACKER_CONFIRMATIONS; i++) await rpc("evm_mine");
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = (await (await fetch(`${d.trackerUrl}/status`)).json()) as { checkpoint: { number: string } | null };
        if (s.checkpoint !== null && Number(s.checkpoint.number) >= head) return;
        if (Date.now() > deadline) throw new Error(`the tracker did not reach block ${head}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const timeTravel = async (seconds: number) => {
      await rpc("evm_increaseTime", [seconds]);
      await rpc("evm_mine");
      await trackerCaughtUp();
    };

    browser = (await launchChromium()) as unknown as Browser;
    // Account #4 holds the open pool's 5000-SESH reservation; the wallet starts on Ethereum mainnet (1).
    const wallet = new TestWallet({ rpcUrl: d.rpcUrl, accountIndex: 4, startChainId: 1 });
    const me = wallet.account.address;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.exposeBinding("__testWalletRequest", (_source, json: string) => wallet.handle(json));
    await context.addInitScript({ content: TEST_WALLET_INIT_SCRIPT });
    const page = await context.newPage();
    const watch = (p: Page, name: string) => {
      p.on("pageerror", (error) => problems.push(`${name}: page error ${error.message}`));
      p.on("console", (message) => {
        if (message.type() === "error" && /Content.Security.Policy|Refused to/i.test(message.text())) problems.push(`${name}: ${message.text()}`);
      });
    };
    watch(page, "wallet page");
    // (Page callbacks name the DOM through `Dom`: this project compiles without the DOM library. A string
    // predicate would be eval'd in the page, which the portal's CSP forbids.)
    wallet.addEmitter((event, data) => page.evaluate(`window.__testWalletEmit(${JSON.stringify(event)}, ${JSON.stringify(data)})`));
    const shot = (name: string, p: Page = page) => p.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const done = async (text: RegExp | string) => {
      try {
        await page.locator(".tx .done").filter({ hasText: text }).waitFor({ timeout: 180_000 });
      } catch (error) {
        // Say what the page shows instead (a problem in words, a step still pending) and keep a screenshot.
        await shot("failure").catch(() => undefined);
        const shown = await page.locator(".tx").allInnerTexts().catch(() => []);
        throw new Error(`waiting for "${String(text)}": ${(error as Error).message.split("\n")[0]}; the page shows: ${JSON.stringify(shown)}`);
      }
    };
    const go = async (hash: string) => {
      await page.goto(`${portalUrl}${hash}`);
    };

    // 1. The first page: what the network sees.
    await go("");
    await page.locator('[data-stat="active"]').filter({ hasText: /^12$/ }).waitFor();
    expect(await page.title()).to.equal("Session Network portal");
    await shot("network");

    // 2. Connect: the wallet is on chain 1 → the prompt; one click switches (the wallet adds the devnet first).
    await page.getByRole("button", { name: `Connect ${TEST_WALLET_INFO.name}` }).click();
    await page.locator(".account").waitFor();
    expect(await page.locator(".account").getAttribute("data-address")).to.equal(me);
    const prompt = page.locator(".wrong-chain");
    await prompt.waitFor();
    expect(await prompt.innerText()).to.contain("Session devnet");
    await shot("wrong-chain");
    await prompt.getByRole("button", { name: "Switch to Session devnet" }).click();
    await prompt.waitFor({ state: "detached" });
    expect(wallet.chainId).to.equal(31337);
    expect(wallet.log).to.include.members(["wallet_switchEthereumChain", "wallet_addEthereumChain"]);

    // 3. Open pools → the pool page, read from the chain; my reserved slot is detected and prefilled.
    await go("#/pools");
    await page.locator(`tr[data-pool="${poolAddress.toLowerCase()}"]`).waitFor();
    await shot("pools");
    await page.locator(`tr[data-pool="${poolAddress.toLowerCase()}"] a`).first().click();
    await page.locator('[data-stat="status"]').filter({ hasText: "open for contribution" }).waitFor();
    const amount = page.getByLabel("Amount");
    await page.waitForFunction(() => (globalThis as unknown as { document: Dom }).document.querySelector('input[name="amount"]')?.value === "5000");
    await shot("pool");
    await page.setViewportSize({ width: 360, height: 800 });
    await shot("pool-open-360");
    await page.setViewportSize({ width: 1280, height: 900 });

    // 3a. Declining the permit is a calm message and sends nothing.
    const totalBefore = await client.readContract({ address: poolAddress, abi, functionName: "totalContribution" });
    wallet.rejectNext.add("eth_signTypedData_v4");
    await page.getByRole("button", { name: "Contribute", exact: true }).click();
    const declined = page.locator(".tx .problem-rejected");
    await declined.waitFor();
    expect(await declined.innerText()).to.equal("You declined in your wallet. Nothing was sent and nothing changed.");
    await shot("pool-declined");
    expect(await client.readContract({ address: poolAddress, abi, functionName: "totalContribution" })).to.equal(totalBefore);

    // 3b. Contribute the reserved 5000 SESH: permit + contributeFundsWithPermit, one transaction.
    const seshBefore = await client.readContract({ address: token, abi, functionName: "balanceOf", args: [me] });
    await page.getByRole("button", { name: "Contribute", exact: true }).click();
    await done("Contributed 5,000 SESH to the pool.");
    expect(await page.locator(".tx-step[data-status=confirmed] code").last().innerText()).to.match(/^0x[0-9a-f]{64}$/);
    expect(await client.readContract({ address: token, abi, functionName: "balanceOf", args: [me] })).to.equal(seshBefore - 5000n * SESH);
    expect(await client.readContract({ address: poolAddress, abi, functionName: "totalContribution" })).to.equal(totalBefore + 5000n * SESH);

    // 3c. Someone else's contribution lands between the page's check and the wallet's broadcast. First the
    //     wallet's own gas estimate reverts and it refuses; then, with a gas limit set by hand, the top-up is
    //     mined and reverts. Both times the page says why in the contract's words, and nothing changed.
    const topUp = page.getByRole("button", { name: "Top up", exact: true });
    await topUp.waitFor();
    const othersContribute = (index: number) => async () => {
      const other = createWalletClient({ account: mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index }), transport: http(d.rpcUrl) });
      const who = other.account.address;
      const minimum = await client.readContract({ address: poolAddress, abi, functionName: "minimumContributionFor", args: [who] });
      const epoch = await client.readContract({ address: poolAddress, abi, functionName: "epoch" });
      for (const hash of [
        await other.writeContract({ chain: null, address: token, abi, functionName: "approve", args: [poolAddress, minimum] }),
        await other.writeContract({ chain: null, address: poolAddress, abi, functionName: "contributeFunds", args: [minimum, who, epoch] }),
      ]) {
        expect((await client.waitForTransactionReceipt({ hash })).status).to.equal("success");
      }
    };
    const open = async () => 25_000n * SESH - (await client.readContract({ address: poolAddress, abi, functionName: "totalContribution" }));
    const problem = page.locator(".tx .problem-reverted");
    const myNonce = () => client.getTransactionCount({ address: me });
    const mySesh = () => client.readContract({ address: token, abi, functionName: "balanceOf", args: [me] });

    await page.getByRole("button", { name: "Max" }).click();
    const offered = await open();
    expect(await amount.inputValue()).to.equal(formatSesh(offered, { groups: false }));
    const [nonce0, sesh0] = [await myNonce(), await mySesh()];
    wallet.frontRunNext = othersContribute(16);
    await topUp.click();
    await problem.waitFor();
    const left = await open();
    expect(await problem.getAttribute("data-error")).to.equal("ContributionExceedsRequirement");
    expect(await problem.innerText()).to.equal(`Not possible: only ${formatSesh(left)} SESH is still open in this pool; you offered ${formatSesh(offered)} SESH.`);
    expect([await myNonce(), await mySesh()]).to.deep.equal([nonce0, sesh0]);
    await shot("pool-refused-by-wallet");

    // The page reads the pool again after a refusal: Max now offers what is left.
    const filled = (open: bigint) => page.locator('[data-stat="filled"]').filter({ hasText: `${formatSesh(25_000n * SESH - open)} SESH of` }).waitFor();
    await filled(left);
    await page.getByRole("button", { name: "Max" }).click();
    expect(await amount.inputValue()).to.equal(formatSesh(left, { groups: false }));
    wallet.frontRunNext = othersContribute(17);
    wallet.gasLimitNext = 1_000_000n;
    await topUp.click();
    await problem.filter({ hasText: /^Reverted on chain: / }).waitFor({ timeout: 60_000 });
    const revertedHash = (await page.locator(".tx-step[data-status=failed] code").last().innerText()) as `0x${string}`;
    const revertedReceipt = await client.getTransactionReceipt({ hash: revertedHash });
    expect(revertedReceipt.status).to.equal("reverted");
    expect(revertedReceipt.from).to.equal(me.toLowerCase());
    expect(await problem.getAttribute("data-error")).to.equal("ContributionExceedsRequirement");
    expect(await problem.innerText()).to.equal(
      `Reverted on chain: only ${formatSesh(await open())} SESH is still open in this pool; you offered ${formatSesh(left)} SESH. ` +
        `Nothing changed; only the transaction's fee was spent (transaction ${revertedHash}).`,
    );
    expect([await myNonce(), await mySesh()]).to.deep.equal([nonce0 + 1, sesh0]);
    await shot("pool-reverted");

    // 3d. Top up with Max: the pool fills and registers itself (auto-finalize).
    const idsBefore = (await client.readContract({ address: registry, abi, functionName: "allServiceNodeIDs" }))[0];
    const remaining = await open();
    await filled(remaining);
    await page.getByRole("button", { name: "Max" }).click();
    expect(await amount.inputValue()).to.equal(formatSesh(remaining, { groups: false }));
    await topUp.click();
    await done(`Contributed ${formatSesh(remaining)} SESH to the pool.`);
    expect(await client.readContract({ address: poolAddress, abi, functionName: "status" })).to.equal(3);
    const idsAfter = (await client.readContract({ address: registry, abi, functionName: "allServiceNodeIDs" }))[0];
    expect(idsAfter.length).to.equal(idsBefore.length + 1);
    const newNode = idsAfter.find((id) => !idsBefore.includes(id))!;

    // 4. A day passes: rewards accrue; claim in one flow; SESH rises by exactly the signed amount.
    await timeTravel(86_400);
    await go("#/stakes");
    await page.locator(`[data-node="${newNode}"]`).waitFor({ timeout: 60_000 });
    await page.locator('[data-stat="limit"]').waitFor();
    await shot("stakes");
    const [, claimedBefore] = await client.readContract({ address: registry, abi, functionName: "recipients", args: [me] });
    const beforeClaim = await client.readContract({ address: token, abi, functionName: "balanceOf", args: [me] });
    await page.getByRole("button", { name: "Claim rewards" }).click();
    await done(/^Claimed [\d,.]+ SESH\.$/);
    const [lifetime, claimed] = await client.readContract({ address: registry, abi, functionName: "recipients", args: [me] });
    const paid = (await client.readContract({ address: token, abi, functionName: "balanceOf", args: [me] })) - beforeClaim;
    expect(paid > 0n, "a day of rewards").to.equal(true);
    expect(claimed).to.equal(lifetime);
    expect(paid).to.equal(lifetime - claimedBefore);
    expect(await page.locator(".tx .done").innerText()).to.equal(`Claimed ${formatSesh(paid)} SESH.`);
    await shot("stakes-claimed");

    // 5. Another account in the wallet (followed live): #12 holds 20 % of a node, too little to request an
    //    exit before 30 days; the contract's refusal is shown in words before anything is sent.
    await wallet.useAccount(12);
    await page.locator(".account").filter({ hasText: wallet.account.address.slice(0, 6) }).waitFor();
    const smallNode = page.locator("[data-node][data-status=active]").first();
    await smallNode.waitFor({ timeout: 60_000 });
    const sent = wallet.log.filter((m) => m === "eth_sendTransaction").length;
    await smallNode.getByRole("button", { name: /^Request exit of node/ }).click();
    const refused = page.locator(".tx .problem-reverted");
    await refused.waitFor();
    expect(await refused.getAttribute("data-kind")).to.equal("reverted");
    expect(await refused.innerText()).to.match(/^Not possible: small contributors can request an exit from .+\.$/);
    expect(wallet.log.filter((m) => m === "eth_sendTransaction").length).to.equal(sent);
    await shot("stakes-refused");
    await wallet.useAccount(4);
    await page.locator(".account").filter({ hasText: me.slice(0, 6) }).waitFor();

    // 5b. The wallet moves to another chain by itself (followed live): the prompt is back, and the page sends
    //     nothing meanwhile; one click brings it back to the devnet.
    await wallet.switchTo(1);
    await prompt.waitFor();
    await page.getByRole("button", { name: "Claim rewards" }).click();
    await page.locator(".tx .problem").filter({ hasText: "Your wallet is on another network: switch it to Session devnet first." }).waitFor();
    expect(wallet.log.filter((m) => m === "eth_sendTransaction").length).to.equal(sent);
    await prompt.getByRole("button", { name: "Switch to Session devnet" }).click();
    await prompt.waitFor({ state: "detached" });
    expect(wallet.chainId).to.equal(31337);

    // 6. Request the new node's exit; time passes; exit with the network's signature.
    const mine = page.locator(`[data-node="${newNode}"]`);
    await mine.getByRole("button", { name: `Request exit of node ${newNode}` }).click();
    await done(`Exit of node ${newNode} requested.`);
    expect((await client.readContract({ address: registry, abi, functionName: "serviceNodes", args: [newNode] })).exitRequestTimestamp > 0n).to.equal(true);
    await timeTravel(UNLOCK_SECONDS + 60);
    await page.reload();
    const exitButton = page.locator(`[data-node="${newNode}"]`).getByRole("button", { name: `Exit node ${newNode} with the network's signature` });
    try {
      await page.waitForFunction(
        (id) => Array.from((globalThis as unknown as { document: Dom }).document.querySelectorAll(`[data-node="${id}"] button`)).some((b) => (b.textContent ?? "").includes("network's signature") && b.disabled !== true),
        String(newNode),
        // The aggregator lists the exit once its view of the chain has the request and the unlock time (slow on a loaded host).
        { timeout: 240_000 },
      );
    } catch (error) {
      await shot("failure").catch(() => undefined);
      const shown = await page.locator("main").innerText().catch(() => "");
      throw new Error(`${(error as Error).message.split("\n")[0]}; the page shows: ${JSON.stringify(shown)}`);
    }
    await shot("stakes-exit");
    await exitButton.click();
    await done(`Node ${newNode} exited; its stake is returned to its contributors.`);
    expect((await client.readContract({ address: registry, abi, functionName: "serviceNodes", args: [newNode] })).operator).to.equal("0x0000000000000000000000000000000000000000");

    // 6b. Register a solo node by pasting what the node software prints (the network's spare key 15).
    const [registration] = registrationParams([deriveNodeKey(SEED, 15)], { chainId: 31337n, contract: registry.toLowerCase() as Address }, [me]);
    await go("#/register");
    await page.getByLabel("Registration printed by the node software (JSON)").fill(JSON.stringify(registrationToJson(registration), null, 2));
    await shot("register");
    const before = (await client.readContract({ address: registry, abi, functionName: "allServiceNodeIDs" }))[0].length;
    await page.getByRole("button", { name: "Register the node" }).click();
    await done("Node registered with 25,000 SESH.");
    expect((await client.readContract({ address: registry, abi, functionName: "allServiceNodeIDs" }))[0].length).to.equal(before + 1);

    // 7. A name through the commit–reveal countdown, which survives a reload (the secret stays in the browser).
    const label = "portalstory";
    const { node } = nameIds(label);
    await go("#/names");
    await page.getByLabel("Name", { exact: true }).fill(label);
    await page.locator('[data-available="true"]').waitFor();
    await shot("names");
    await page.getByRole("button", { name: `Register ${label}.session` }).click();
    await done(/^Committed\./);
    await page.locator('[data-countdown="reveal"]').waitFor();
    await shot("names-countdown");
    await page.reload();
    await page.locator(`[data-pending="${label}"] [data-countdown="reveal"]`).waitFor();
    await timeTravel(61);
    const complete = page.getByRole("button", { name: `Complete the registration of ${label}.session` });
    await complete.waitFor({ timeout: 30_000 });
    await complete.click();
    await done(`${label}.session is yours.`);
    const [holder, expiry] = await client.readContract({ address: names, abi, functionName: "nameOf", args: [node] });
    expect(holder).to.equal(me);
    await page.locator(`[data-pending="${label}"]`).waitFor({ state: "detached" });

    // 8. An encrypted Session ID record, set from the name's page.
    const session = `05${"cd".repeat(32)}`;
    await go(`#/names/${label}`);
    await page.getByRole("heading", { name: "Set a record" }).waitFor();
    await page.getByLabel("Value").fill(session);
    await page.getByRole("button", { name: "Set record" }).click();
    await done(/Session ID record of portalstory\.session set \(encrypted/);
    const [stored, encrypted] = await client.readContract({ address: names, abi, functionName: "record", args: [node, 1] });
    expect(encrypted).to.equal(true);
    expect(stored.toLowerCase()).to.not.contain(session.slice(2));
    await shot("name-owner");

    // 9. Resolve from a second browser context (no wallet): decrypted in that browser from the name alone.
    const visitor = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const other = await visitor.newPage();
    watch(other, "visitor page");
    await other.goto(`${portalUrl}#/names/${label}`);
    await other.locator('[data-record="session"]').filter({ hasText: session }).waitFor();
    expect(await other.locator('[data-record="session"]').innerText()).to.equal(session);
    await shot("name-resolved", other);
    await visitor.close();

    // 10. Renew for a year.
    await page.getByRole("button", { name: `Renew ${label}.session` }).click();
    await done(`${label}.session renewed.`);
    const [, renewed] = await client.readContract({ address: names, abi, functionName: "nameOf", args: [node] });
    expect(renewed - expiry).to.equal(365n * 86_400n);

    // 11. Every page at 360 px: screenshots, and nothing wider than the screen.
    await page.setViewportSize({ width: 360, height: 800 });
    for (const [name, hash] of [
      ["network", ""],
      ["pools", "#/pools"],
      ["pool", `#/pools/${poolAddress}`],
      ["stakes", "#/stakes"],
      ["register", "#/register"],
      ["names", "#/names"],
      ["name", `#/names/${label}`],
    ] as const) {
      await go(hash);
      await page.locator("main h1").waitFor();
      await page.waitForLoadState("networkidle");
      const width = await page.evaluate<number>("document.documentElement.scrollWidth");
      expect(width, `${name} at 360 px is ${width} px wide`).to.be.at.most(360);
      await shot(`${name}-360`);
    }
    expect(problems).to.deep.equal([]);
    await context.close();
  });
});
