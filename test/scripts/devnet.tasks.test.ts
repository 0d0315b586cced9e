/**
 * The newcomer's walls, one by one, on the in-process chain: time travel without zero-parent-hash blocks
 * and wait messages that name the skip command; a task run without --network asks "did you mean
 * --network localhost?"; tasks generate and sign real Ed25519 keys over the proof-of-possession bytes;
 * contribution:reset keeps the reservations; reservations and manual finalize have tasks; a saved
 * aggregator answer is accepted as it came; one address book per devnet port; errors in one paragraph.
 */
import { expect } from "chai";
import hre from "hardhat";
import { ed25519 } from "@noble/curves/ed25519";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { addressBookName } from "../../deploy/addressBook";
import { SESH_UNIT } from "../../deploy/flavours";
import { runDeploy } from "../../deploy/run";
import { proofOfPossessionMessage, publicKeyToHex } from "../../src/bls";
import { oneParagraph } from "../../tasks/lib/cliErrors";
import { inProcessNetworkError } from "../../tasks/lib/deployment";
import { durationArgument, formatDuration, parseDuration, waitHint } from "../../tasks/lib/duration";
import { unwrapSavedAnswer } from "../../tasks/lib/serviceNodes";
import { nodeKey } from "../helpers/network";
import { useTemporaryDeployments } from "../helpers/deployments";

const { ethers } = hre;
const hex32 = (n: bigint) => `0x${n.toString(16).padStart(64, "0")}`;

describe("devnet tasks and the newcomer's walls", () => {
  describe("durations and wait hints", () => {
    it("parses 2h, 90m, 1d12h, 45s and seconds; refuses junk", () => {
      expect(parseDuration("--advance", "2h")).to.equal(7200n);
      expect(parseDuration("--advance", "90m")).to.equal(5400n);
      expect(parseDuration("--advance", "1d12h")).to.equal(129_600n);
      expect(parseDuration("--advance", "30min")).to.equal(1800n);
      expect(parseDuration("--advance", "3600")).to.equal(3600n);
      expect(() => parseDuration("--advance", "2 hours")).to.throw(/--advance: "2 hours" is not a duration: write e\.g\. 2h/);
      expect(() => parseDuration("--advance", "0h")).to.throw(/--advance: is zero/);
    });

    it("formats human durations and the --advance argument that covers them", () => {
      expect(formatDuration(93_784n)).to.equal("1 d 2 h 3 min 4 s");
      expect(formatDuration(0n)).to.equal("0 s");
      expect(durationArgument(93_784n)).to.equal("1d2h3m4s");
      const devnet = { network: { name: "localhost", config: { url: "http://127.0.0.1:8545" } } } as never;
      expect(waitHint(devnet, 3_601n)).to.equal("in 1 h 1 s (on this devnet skip the wait: npx hardhat --network localhost devnet:time --advance 1h1s)");
      const arbitrum = { network: { name: "arbitrumOne", config: { url: "https://arb1.example", chainId: 42161 } } } as never;
      expect(waitHint(arbitrum, 60n)).to.equal("in 1 min");
    });
  });

  describe("address books and the in-process network", () => {
    it("each devnet port has its own address book", () => {
      expect(addressBookName("localhost", {})).to.equal("localhost");
      expect(addressBookName("localhost", { LOCALHOST_URL: "http://127.0.0.1:8545" })).to.equal("localhost");
      expect(addressBookName("localhost", { LOCALHOST_URL: "http://127.0.0.1:8546" })).to.equal("localhost-8546");
      expect(addressBookName("localhost", { LOCALHOST_URL: "http://10.0.0.5:8545" })).to.equal("localhost-10_0_0_5-8545");
      expect(addressBookName("arbitrumOne", { LOCALHOST_URL: "http://127.0.0.1:8546" })).to.equal("arbitrumOne");
    });

    it("without --network: says the chain is throw-away and, with a devnet running, asks for --network localhost", async () => {
      const saved = process.env.LOCALHOST_URL;
      const dir = mkdtempSync(path.join(os.tmpdir(), "deployments-inprocess-"));
      const savedDir = process.env.DEPLOYMENTS_DIR;
      process.env.DEPLOYMENTS_DIR = dir;
      // A stand-in devnet: answers eth_chainId with Hardhat's 31337 on a free port.
      const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => res.end(JSON.stringify({ jsonrpc: "2.0", id: JSON.parse(body).id, result: "0x7a69" })));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
      const { port } = server.address() as { port: number };
      try {
        process.env.LOCALHOST_URL = `http://127.0.0.1:${port}`;
        const running = await inProcessNetworkError();
        expect(running.message).to.include("throw-away in-process chain");
        expect(running.message).to.include(`A devnet is running at http://127.0.0.1:${port}: did you mean --network localhost? Run the same command as LOCALHOST_URL=http://127.0.0.1:${port} npx hardhat --network localhost <task>`);
        // Through a task: node:list on the in-process chain, no address book for it.
        await expect(hre.run("node:list")).to.be.rejectedWith(/did you mean --network localhost\?/);
        await new Promise<void>((resolve) => server.close(() => resolve()));
        const none = await inProcessNetworkError();
        expect(none.message).to.include("Start a devnet with `npm start`");
        for (const message of [running.message, none.message]) {
          expect(message).to.not.match(/deploy --network hardhat|delete .*hardhat\.json/);
        }
      } finally {
        if (server.listening) server.close();
        if (saved === undefined) delete process.env.LOCALHOST_URL;
        else process.env.LOCALHOST_URL = saved;
        if (savedDir === undefined) delete process.env.DEPLOYMENTS_DIR;
        else process.env.DEPLOYMENTS_DIR = savedDir;
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("saved answers and errors", () => {
    it("--signature takes the aggregator's whole JSON-RPC response or its result; an error response is refused with its message", () => {
      const result = { address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", amount: "5" };
      expect(unwrapSavedAnswer("a.json", "bls_rewards_request", result)).to.equal(result);
      expect(unwrapSavedAnswer("a.json", "bls_rewards_request", { jsonrpc: "2.0", id: 1, result })).to.deep.equal(result);
      expect(() => unwrapSavedAnswer("a.json", "bls_rewards_request", { jsonrpc: "2.0", id: 1, error: { code: -32000, message: "service node 9 is in good standing" } })).to.throw(
        /--signature: a\.json is the aggregator's refusal, not an answer: "service node 9 is in good standing"/,
      );
    });

    it("an unexpected error is shown as its first paragraph (ethers' short message), never a stack", () => {
      const e = Object.assign(new Error("execution reverted (long dump…)\n\n  at x (y.js:1:2)"), { shortMessage: "execution reverted" });
      expect(oneParagraph(e)).to.equal("execution reverted");
      expect(oneParagraph(new Error("first paragraph\n\nsecond"))).to.equal("first paragraph");
    });
  });

  describe("on a deployment", () => {
    const deployments = useTemporaryDeployments("deployments-newcomer-", { perTest: false });
    let files: string;

    before(async () => {
      await runDeploy(hre, { log: () => undefined, fresh: true });
      files = mkdtempSync(path.join(os.tmpdir(), "newcomer-keys-"));
      const [, alice] = await ethers.getSigners();
      const book = JSON.parse(readFileSync(path.join(deployments.dir, "hardhat.json"), "utf8"));
      const token = await ethers.getContractAt("SESH", book.contracts.SESH.address);
      await token.transfer(alice.address, 100_000n * SESH_UNIT);
    });
    after(() => rmSync(files, { recursive: true, force: true }));

    it("devnet:time --advance 2h moves the clock with one ordinary block (its parent hash is the previous block's)", async () => {
      const before = await ethers.provider.getBlock("latest");
      const r = (await hre.run("devnet:time", { advance: "2h" })) as { block: bigint; timestamp: bigint };
      const after = await ethers.provider.getBlock("latest");
      expect(after!.number).to.equal(before!.number + 1);
      expect(after!.parentHash).to.equal(before!.hash);
      expect(after!.timestamp - before!.timestamp).to.be.within(7200, 7210);
      expect(r.timestamp).to.equal(BigInt(after!.timestamp));
      await expect(hre.run("devnet:time", { advance: "soon" })).to.be.rejectedWith(/--advance: "soon" is not a duration/);
    });

    it("node:register --new-bls-key --new-ed25519-key: saves both secrets (0600) and registers a real Ed25519 signature of the PoP bytes", async () => {
      const [deployer] = await ethers.getSigners();
      const blsFile = path.join(files, "node.key");
      const edFile = path.join(files, "node.ed25519");
      const r = (await hre.run("node:register", { newBlsKey: blsFile, newEd25519Key: edFile })) as { id: bigint };
      expect(statSync(edFile).mode & 0o777).to.equal(0o600);
      const secret = Uint8Array.from(Buffer.from(readFileSync(edFile, "utf8").trim().slice(2), "hex"));
      const pub = ed25519.getPublicKey(secret);
      const book = JSON.parse(readFileSync(path.join(deployments.dir, "hardhat.json"), "utf8"));
      const registry = await ethers.getContractAt("ServiceNodeRewards", book.contracts.ServiceNodeRewards.address);
      // The registration event carries the generated key and its signature, which verifies over
      // popTag ‖ X ‖ Y ‖ operator ‖ ed25519Pubkey.
      const events = await registry.queryFilter(registry.filters.NewServiceNodeV2(r.id));
      const params = events[0].args.serviceNode;
      expect(params.ed25519Pubkey).to.equal(BigInt(`0x${Buffer.from(pub).toString("hex")}`));
      const sig = Buffer.from(`${params.ed25519Signature0.toString(16).padStart(64, "0")}${params.ed25519Signature1.toString(16).padStart(64, "0")}`, "hex");
      const node = await registry.serviceNodes(r.id);
      const domain = { chainId: 31337n, contract: book.contracts.ServiceNodeRewards.address as `0x${string}` };
      const message = proofOfPossessionMessage(domain, { X: node.pubkey.X, Y: node.pubkey.Y }, deployer.address as `0x${string}`, params.ed25519Pubkey);
      expect(ed25519.verify(sig, message, pub)).to.equal(true);
      expect(params.ed25519Signature0 | params.ed25519Signature1).to.not.equal(0n);
      // Running it again with the saved files is refused before anything is sent.
      await expect(hre.run("node:register", { blsKey: blsFile, ed25519Key: edFile })).to.be.rejectedWith(/--bls-key: this key is node \d+ already/);
      await expect(hre.run("node:register", { newBlsKey: blsFile, newEd25519Key: path.join(files, "x") })).to.be.rejectedWith(/already exists: pass it as --bls-key/);
      expect(existsSync(path.join(files, "x"))).to.equal(false);
    });

    it("--ed25519 needs a signature, and a wrong one is refused before anything is sent; no zero signatures", async () => {
      const key = nodeKey("newcomer-ed-1");
      const pub = hex32(BigInt(`0x${Buffer.from(ed25519.getPublicKey(Buffer.from(hex32(key.ed25519).slice(2), "hex"))).toString("hex")}`));
      const [deployer] = await ethers.getSigners();
      const nonce = await ethers.provider.getTransactionCount(deployer.address);
      await expect(hre.run("node:register", { blsKey: hex32(key.sk), ed25519: pub })).to.be.rejectedWith(/--ed25519-signature: is required with --ed25519/);
      await expect(hre.run("node:register", { blsKey: hex32(key.sk), ed25519: pub, ed25519Signature: `0x${"00".repeat(64)}` })).to.be.rejectedWith(/--ed25519-signature: does not verify/);
      await expect(hre.run("node:register", { blsKey: hex32(key.sk) })).to.be.rejectedWith(/--ed25519: the node's Ed25519 identity is required: give --ed25519-key/);
      await expect(hre.run("node:register", { blsKey: hex32(key.sk), ed25519Key: hex32(key.ed25519), ed25519: hex32(5n) })).to.be.rejectedWith(/--ed25519: is not the public key of --ed25519-key/);
      expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
    });

    it("contribution:reset keeps the reservations; update-reservations and update-manual-finalize change them before the first contribution", async () => {
      const [, alice, bob] = await ethers.getSigners();
      const key = nodeKey("newcomer-pool-1");
      const opened = (await hre.run("contribution:open", {
        blsKey: hex32(key.sk),
        ed25519Key: hex32(key.ed25519),
        fee: "500",
        reserve: `${alice.address}:5000`,
        manualFinalize: false,
      })) as { pool: string };
      const pool = await ethers.getContractAt("ServiceNodeContribution", opened.pool);
      const changed = (await hre.run("contribution:update-reservations", { pool: opened.pool, reserve: `${alice.address}:6000,${bob.address}:2000` })) as { reservations: { addr: string; amount: bigint }[] };
      expect(changed.reservations.map((r) => [r.addr, r.amount])).to.deep.equal([[alice.address, 6000n * SESH_UNIT], [bob.address, 2000n * SESH_UNIT]]);
      expect(((await hre.run("contribution:update-manual-finalize", { pool: opened.pool, manualFinalize: "true" })) as { manualFinalize: boolean }).manualFinalize).to.equal(true);
      expect(await pool.manualFinalize()).to.equal(true);
      await expect(hre.run("contribution:update-manual-finalize", { pool: opened.pool, manualFinalize: "yes" })).to.be.rejectedWith(/--manual-finalize: "yes" must be true or false/);
      await hre.run("contribution:contribute", { pool: opened.pool, amount: "6250" });
      await expect(hre.run("contribution:update-fee", { pool: opened.pool, fee: "300" })).to.be.rejectedWith(/the fee can change only before your first contribution — run contribution:reset first/);
      await expect(hre.run("contribution:update-reservations", { pool: opened.pool, reserve: `${alice.address}:5000` })).to.be.rejectedWith(/the reservations can change only before your first contribution/);
      const reset = (await hre.run("contribution:reset", { pool: opened.pool })) as { txHashes: string[] };
      expect(reset.txHashes).to.have.length(2);
      expect((await pool.getReservations()).map((r) => [r.addr, r.amount])).to.deep.equal([[alice.address, 6000n * SESH_UNIT], [bob.address, 2000n * SESH_UNIT]]);
      await hre.run("contribution:reset", { pool: opened.pool, dropReservations: true });
      expect(await pool.getReservations()).to.deep.equal([]);
    });

    it("wait messages give the human duration (and, on a JSON-RPC devnet, the devnet:time command)", async () => {
      const [deployer] = await ethers.getSigners();
      const key = nodeKey("newcomer-wait-1");
      const r = (await hre.run("node:register", { blsKey: hex32(key.sk), ed25519Key: hex32(key.ed25519) })) as { id: bigint };
      await hre.run("node:request-exit", { id: String(r.id) });
      await expect(hre.run("node:exit-after-wait", { id: String(r.id) })).to.be.rejectedWith(new RegExp(`node ${r.id} may be removed from .*, in (30 d|29 d 23 h 59 min 5\\d s): wait`));
      expect(deployer.address).to.match(/^0x/);
      expect(publicKeyToHex(key.pk)).to.match(/^0x/);
    });
  });
});
