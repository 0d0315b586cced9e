import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { hexlify, toUtf8Bytes } from "ethers";
import { SESH_UNIT } from "../../deploy/flavours";
import { runDeploy } from "../../deploy/run";
import { RecordKind, nameIds, sessionKeyPair } from "../../src/names";
import { hexToBytes } from "viem";
import { sendsNothing, useTemporaryDeployments } from "../helpers/deployments";

const { ethers } = hre;
const SID = "05" + "ab".repeat(32);
const OTHER_SID = "05" + "cd".repeat(32);
const YEAR = 365n * 86_400n;
const FEE = 10n * SESH_UNIT;

/** Runs `action` with task output on, returning what it printed (one entry per line) and its result. */
async function captureOutput<T>(action: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const original = console.log;
  const quiet = process.env.TASKS_QUIET;
  process.env.TASKS_QUIET = "0";
  console.log = (...parts: unknown[]) => lines.push(...parts.map(String).join(" ").split("\n"));
  try {
    return { result: await action(), lines };
  } finally {
    console.log = original;
    process.env.TASKS_QUIET = quiet;
  }
}

describe("names tasks", () => {
  const deployments = useTemporaryDeployments("deployments-", { perTest: false });

  async function deployed() {
    const result = await runDeploy(hre, { log: () => undefined, fresh: true });
    const [deployer, alice] = await ethers.getSigners();
    const c = result.book.contracts;
    return {
      deployer,
      alice,
      book: result.book,
      names: await ethers.getContractAt("SessionNameService", c.SessionNameService!.address),
      resolver: await ethers.getContractAt("SessionNameResolver", c.SessionNameResolver!.address),
      reverse: await ethers.getContractAt("SessionNameReverse", c.SessionNameReverse!.address),
      token: await ethers.getContractAt("SESH", c.SESH!.address),
      pool: c.RewardRatePool!.address,
    };
  }

  describe("names:register", () => {
    it("commits, moves the devnet clock past 60 s, registers with a permit and encrypted records in one tx", async () => {
      const f = await loadFixture(deployed);
      const poolBefore = await f.token.balanceOf(f.pool);
      const r = await hre.run("names:register", { name: "Alice", session: SID, text: "url=https://alice.example" });
      const ids = nameIds("alice");
      expect(r.ids.fullName).to.equal("alice.session");
      expect(r.owner).to.equal(f.deployer.address);
      expect(await f.names.ownerOf(BigInt(ids.node))).to.equal(f.deployer.address);
      expect(r.records.session).to.equal(SID);
      expect(r.records["text url"]).to.equal("https://alice.example");
      expect((await f.names.record(ids.node, RecordKind.Session))[1]).to.equal(true);
      expect(await f.resolver.text(ids.node, "session")).to.equal(""); // encrypted: ENS readers see nothing
      expect(await f.token.balanceOf(f.pool)).to.equal(poolBefore + FEE);
      const commitBlock = (await ethers.provider.getTransactionReceipt(r.commitTxHash))!.blockNumber;
      const registerReceipt = (await ethers.provider.getTransactionReceipt(r.txHash))!;
      const commitTime = (await ethers.provider.getBlock(commitBlock))!.timestamp;
      const registerTime = (await ethers.provider.getBlock(registerReceipt.blockNumber))!.timestamp;
      expect(registerTime - commitTime).to.be.gte(60);
      expect(r.expiry).to.equal(BigInt(registerTime) + YEAR);
      // One transaction for the whole registration (permit, fee, records).
      const tx = (await ethers.provider.getTransaction(r.txHash))!;
      expect(f.names.interface.parseTransaction(tx)!.name).to.equal("registerWithPermit");
    });

    it("--plaintext stores public records that ENS readers see; --owner and --years are honoured", async () => {
      const f = await loadFixture(deployed);
      const r = await hre.run("names:register", { name: "bob.session", session: SID, plaintext: true, owner: f.alice.address, years: "3" });
      expect(await f.resolver.text(r.ids.node, "session")).to.equal(SID);
      expect(await f.names.ownerOf(BigInt(r.ids.node))).to.equal(f.alice.address);
      const [, expiry] = await f.names.nameOf(r.ids.node);
      expect(expiry - BigInt(await time.latest())).to.equal(3n * YEAR);
    });

    it("refuses bad names, bad records, bad terms and taken names before sending anything", async () => {
      const f = await loadFixture(deployed);
      await hre.run("names:register", { name: "taken" });
      await sendsNothing(f.deployer.address, async () => {
        await expect(hre.run("names:register", { name: "-bad" })).to.be.rejectedWith(/--name: name "-bad" must not start with "-"/);
        await expect(hre.run("names:register", { name: "al ice" })).to.be.rejectedWith(/--name: name "al ice" has invalid character " " at position 3/);
        await expect(hre.run("names:register", { name: "a".repeat(65) })).to.be.rejectedWith(/--name: .* 65 characters long: at most 64/);
        await expect(hre.run("names:register", { name: "alice.eth" })).to.be.rejectedWith(/--name:/);
        await expect(hre.run("names:register", { name: "ok", session: "06" + "ab".repeat(32) })).to.be.rejectedWith(/--session: Session ID must start with "05"/);
        await expect(hre.run("names:register", { name: "ok", session: "05abc" })).to.be.rejectedWith(/--session: Session ID must be 66 hex characters/);
        await expect(hre.run("names:register", { name: "ok", wallet: f.alice.address.toLowerCase().replace("0x", "0X") })).to.be.rejectedWith(/--wallet:/);
        await expect(hre.run("names:register", { name: "ok", wallet: f.alice.address.toLowerCase() })).to.be.rejectedWith(/--wallet: .* not EIP-55 checksummed/);
        await expect(hre.run("names:register", { name: "ok", lokinet: "abc.loki" })).to.be.rejectedWith(/--lokinet: Lokinet address must have 52/);
        await expect(hre.run("names:register", { name: "ok", text: "novalue" })).to.be.rejectedWith(/--text: "novalue" is not key=value/);
        await expect(hre.run("names:register", { name: "ok", text: "session=x" })).to.be.rejectedWith(/--text: text key "session" is reserved/);
        await expect(hre.run("names:register", { name: "ok", years: "0" })).to.be.rejectedWith(/--years: "0" is not a positive whole number/);
        await expect(hre.run("names:register", { name: "ok", years: "101" })).to.be.rejectedWith(/--years: 101 is more than the maximum 100/);
        await expect(hre.run("names:register", { name: "ok", owner: "0x1234" })).to.be.rejectedWith(/--owner: "0x1234" is not an address/);
        await expect(hre.run("names:register", { name: "Taken" })).to.be.rejectedWith(
          new RegExp(`taken.session is taken: owned by ${f.deployer.address} until .*; pick another name`),
        );
        await expect(hre.run("names:register", { name: "ok", parent: "loki" })).to.be.rejectedWith(/--parent: the name service on hardhat serves parent node 0x[0-9a-f]+, not "loki"/);
      });
    });

    it("refuses reserved names, paused registration and a payer without SESH before sending anything", async () => {
      const f = await loadFixture(deployed);
      await f.names.setReserved([nameIds("held").labelhash], true);
      await f.token.transfer(f.alice.address, await f.token.balanceOf(f.deployer.address));
      await f.names.pause();
      await sendsNothing(f.deployer.address, async () => {
        await expect(hre.run("names:register", { name: "held" })).to.be.rejectedWith(/held.session is reserved by the service's owner/);
        await expect(hre.run("names:register", { name: "free" })).to.be.rejectedWith(/registration is paused/);
      });
      await f.names.unpause();
      await sendsNothing(f.deployer.address, async () => {
        await expect(hre.run("names:register", { name: "free" })).to.be.rejectedWith(/the fee is 10 SESH but 0x[0-9a-fA-F]{40} holds 0 SESH: get SESH first .*sesh:faucet/);
      });
    });

    it("decodes a revert to the custom error when the name is taken while the commitment matures", async () => {
      const f = await loadFixture(deployed);
      const provider = hre.network.provider;
      const original = provider.send.bind(provider);
      // While the task moves the clock, the devnet registrar (the deployer) takes the name without commitment.
      provider.send = async (method: string, params?: unknown[]) => {
        if (method === "evm_increaseTime") await f.names.registerFor(nameIds("raced").labelhash, f.alice.address, 1n, []);
        return original(method, params);
      };
      try {
        await expect(hre.run("names:register", { name: "raced" })).to.be.rejectedWith(
          /registerWithPermit\(.*\) would revert \(nothing was sent\): NameNotAvailable\(node=0x[0-9a-f]{64}, availableAt=\d+\) — the name is taken/,
        );
      } finally {
        provider.send = original;
      }
      expect(await f.names.ownerOf(BigInt(nameIds("raced").node))).to.equal(f.alice.address);
    });

    it("says the in-process chain has no deployment (and never advises deploying to it)", async () => {
      const [deployer] = await ethers.getSigners();
      const empty = mkdtempSync(path.join(os.tmpdir(), "deployments-empty-"));
      process.env.DEPLOYMENTS_DIR = empty;
      try {
        await sendsNothing(deployer.address, async () => {
          await expect(hre.run("names:register", { name: "alice" })).to.be.rejectedWith(/throw-away in-process chain .*nothing is deployed on it/);
          await expect(hre.run("names:resolve", { name: "alice" })).to.be.rejectedWith(/throw-away in-process chain/);
        });
      } finally {
        process.env.DEPLOYMENTS_DIR = deployments.dir;
        rmSync(empty, { recursive: true, force: true });
      }
    });
  });

  describe("names:renew", () => {
    it("extends from the current expiry with a permit; refuses unknown names and bad terms without sending", async () => {
      const f = await loadFixture(deployed);
      const r = await hre.run("names:register", { name: "renewme" });
      const poolBefore = await f.token.balanceOf(f.pool);
      const renewed = await hre.run("names:renew", { name: "renewme", years: "2" });
      expect(renewed.expiry).to.equal(r.expiry + 2n * YEAR);
      expect((await f.names.nameOf(r.ids.node))[1]).to.equal(r.expiry + 2n * YEAR);
      expect(await f.token.balanceOf(f.pool)).to.equal(poolBefore + 2n * FEE);
      await sendsNothing(f.deployer.address, async () => {
        await expect(hre.run("names:renew", { name: "nobody" })).to.be.rejectedWith(/nobody.session is not registered, so it cannot be renewed/);
        await expect(hre.run("names:renew", { name: "renewme", years: "x" })).to.be.rejectedWith(/--years: "x" is not a positive whole number/);
      });
    });

    it("during grace only the owner may renew; after grace it says to register anew", async () => {
      const f = await loadFixture(deployed);
      const r = await hre.run("names:register", { name: "graceful", owner: f.alice.address });
      await time.increaseTo(r.expiry + 10n);
      await sendsNothing(f.deployer.address, async () => {
        await expect(hre.run("names:renew", { name: "graceful" })).to.be.rejectedWith(/in its grace period .* only its owner 0x[0-9a-fA-F]{40} may renew it now/);
      });
      await time.increaseTo(r.expiry + 91n * 86_400n);
      await sendsNothing(f.deployer.address, async () => {
        await expect(hre.run("names:renew", { name: "graceful" })).to.be.rejectedWith(/grace period ended at .*register it anew/);
      });
    });
  });

  describe("records", () => {
    it("names:set writes one or several records, names:clear removes one, names:resolve shows them", async () => {
      const f = await loadFixture(deployed);
      await hre.run("names:register", { name: "rec" });
      const one = await hre.run("names:set", { name: "rec", wallet: f.deployer.address, plaintext: true });
      expect(one.records.wallet).to.equal(f.deployer.address);
      expect(await f.resolver["addr(bytes32)"](one.ids.node)).to.equal(f.deployer.address);
      const several = await hre.run("names:set", { name: "rec", session: SID, text: "url=https://rec.example" });
      expect(several.records).to.include({ session: SID, wallet: f.deployer.address, "text url": "https://rec.example" });
      expect(f.names.interface.parseTransaction((await ethers.provider.getTransaction(several.txHash))!)!.name).to.equal("setRecords");
      const cleared = await hre.run("names:clear", { name: "rec", record: "wallet" });
      expect(cleared.records.wallet).to.equal(null);
      const clearedText = await hre.run("names:clear", { name: "rec", record: "text:url" });
      expect(clearedText.records["text url"]).to.equal(null);
      const resolved = await hre.run("names:resolve", { name: "REC.session" });
      expect(resolved.status).to.equal("live");
      expect(resolved.owner).to.equal(f.deployer.address);
      expect(resolved.records).to.include({ session: SID, wallet: null, lokinet: null });
      expect((await hre.run("names:resolve", { name: "unknown" })).status).to.equal("available");
    });

    it("refuses to write records of someone else's name, of an expired name, or without a record, sending nothing", async () => {
      const f = await loadFixture(deployed);
      const theirs = await hre.run("names:register", { name: "theirs", owner: f.alice.address });
      const mine = await hre.run("names:register", { name: "mine" });
      await sendsNothing(f.deployer.address, async () => {
        await expect(hre.run("names:set", { name: "theirs", session: SID })).to.be.rejectedWith(
          new RegExp(`theirs.session belongs to ${f.alice.address}, not to ${f.deployer.address}: only its owner can set its records`),
        );
        await expect(hre.run("names:set", { name: "mine" })).to.be.rejectedWith(/no record given: pass at least one of --session/);
        await expect(hre.run("names:set", { name: "mine", session: "nope" })).to.be.rejectedWith(/--session: Session ID must be 66 hex characters/);
        await expect(hre.run("names:clear", { name: "mine", record: "email" })).to.be.rejectedWith(/--record: "email" is not a record: write session, lokinet, wallet or text:<key>/);
        await expect(hre.run("names:set", { name: "ghost", session: SID })).to.be.rejectedWith(/ghost.session is not registered/);
      });
      await time.increaseTo(mine.expiry);
      await sendsNothing(f.deployer.address, async () => {
        await expect(hre.run("names:set", { name: "mine", session: SID })).to.be.rejectedWith(/mine.session expired at .*names:renew --name mine/);
      });
      expect(theirs.owner).to.equal(f.alice.address);
    });
  });

  describe("names:reverse", () => {
    it("sets an address reverse once the wallet record matches, and shows a reverse only when the forward matches", async () => {
      const f = await loadFixture(deployed);
      await hre.run("names:register", { name: "me" });
      await sendsNothing(f.deployer.address, async () => {
        await expect(hre.run("names:reverse", { set: "me" })).to.be.rejectedWith(/me.session's wallet record is unset, not 0x[0-9a-fA-F]{40}.*names:set --name me --wallet/);
        await expect(hre.run("names:reverse", { set: "me", account: f.alice.address })).to.be.rejectedWith(/--account: a reverse record can only be set for your own account/);
        await expect(hre.run("names:reverse", { sessionId: "05zz" })).to.be.rejectedWith(/--session-id: Session ID must be 66 hex characters/);
      });
      await hre.run("names:set", { name: "me", wallet: f.deployer.address }); // encrypted: verified client-side
      const set = await hre.run("names:reverse", { set: "me" });
      expect(set.verified).to.equal("me.session");
      expect((await hre.run("names:reverse", {})).verified).to.equal("me.session");
      // Alice claims the same name for her address: stored, but not shown (its wallet record is not hers).
      await f.reverse.connect(f.alice).setReverseName(hexlify(toUtf8Bytes("me.session")));
      const claim = await hre.run("names:reverse", { account: f.alice.address });
      expect(claim).to.deep.equal({ stored: "me.session", verified: null });
      expect(await hre.run("names:reverse", { account: (await ethers.getSigners())[3].address })).to.deep.equal({ stored: null, verified: null });
    });

    it("sets and clears a Session ID reverse with the Session key, only over a plaintext matching record", async () => {
      const f = await loadFixture(deployed);
      const seed = ethers.id("task session seed");
      const key = sessionKeyPair(hexToBytes(seed as `0x${string}`));
      const keyFile = path.join(deployments.dir, "session.key");
      writeFileSync(keyFile, seed.slice(2) + "\n");
      await hre.run("names:register", { name: "sess", session: key.sessionId });
      await sendsNothing(f.deployer.address, async () => {
        await expect(hre.run("names:reverse", { set: "sess", sessionId: key.sessionId })).to.be.rejectedWith(
          /--session-key: only 05[0-9a-f]{64}'s own key can change what it reverse-resolves to/,
        );
        await expect(hre.run("names:reverse", { set: "sess", sessionKey: "0x1234" })).to.be.rejectedWith(/--session-key: Session key seed must be 32 bytes/);
        await expect(hre.run("names:reverse", { set: "sess", sessionKey: seed, sessionId: OTHER_SID })).to.be.rejectedWith(
          /--session-id: 05cd.* is not the Session ID of --session-key/,
        );
        await expect(hre.run("names:reverse", { set: "sess", sessionKey: seed })).to.be.rejectedWith(
          /Session ID record is encrypted, but the reverse record needs it to be 05[0-9a-f]{64} in plaintext: first run `npx hardhat names:set --name sess --session 05[0-9a-f]{64} --plaintext`/,
        );
      });
      await hre.run("names:set", { name: "sess", session: key.sessionId, plaintext: true });
      const set = await hre.run("names:reverse", { set: "sess", sessionKey: keyFile });
      expect(set.verified).to.equal("sess.session");
      expect((await hre.run("names:reverse", { sessionId: key.sessionId })).verified).to.equal("sess.session");
      expect((await hre.run("names:reverse", { sessionId: OTHER_SID })).stored).to.equal(null);
      // Any account can relay it: the authority is the key's signature, not the sender.
      expect(await f.reverse.sessionReverseNonce(key.sessionKey)).to.equal(1n);
      await hre.run("names:reverse", { clear: true, sessionKey: seed });
      expect((await hre.run("names:reverse", { sessionId: key.sessionId })).stored).to.equal(null);
      expect(await f.reverse.sessionReverseNonce(key.sessionKey)).to.equal(2n);
    });
  });

  describe("names:list", () => {
    it("lists the names an account holds now, by the plaintext name this client registered, kept locally", async () => {
      const f = await loadFixture(deployed);
      const a = await hre.run("names:register", { name: "first", wallet: f.deployer.address });
      const b = await hre.run("names:register", { name: "second" });
      const c = await hre.run("names:register", { name: "third" });
      await f.names.transferFrom(f.deployer.address, f.alice.address, BigInt(c.ids.node));
      // A name registered by another client (the devnet registrar, without these tasks): only its hash is known.
      const other = nameIds("elsewhere");
      await f.names.registerFor(other.labelhash, f.deployer.address, 1n, []);
      const { chainId } = await ethers.provider.getNetwork();
      const file = path.join(deployments.dir, "names.local.json");
      const known = JSON.parse(readFileSync(file, "utf8"));
      expect(known[String(chainId)]).to.include({ [a.ids.node]: "first.session", [b.ids.node]: "second.session", [c.ids.node]: "third.session" });
      expect(known[String(chainId)][other.node]).to.equal(undefined);
      const printed = await captureOutput(() => hre.run("names:list", {}));
      const mine = printed.result as { node: string; name: string | null; status: string }[];
      expect(mine.map((h) => h.node).sort()).to.deep.equal([a.ids.node, b.ids.node, other.node].sort());
      expect(Object.fromEntries(mine.map((h) => [h.node, h.name]))).to.deep.equal({
        [a.ids.node]: "first.session",
        [b.ids.node]: "second.session",
        [other.node]: null,
      });
      expect(mine.every((h) => h.status === "live")).to.equal(true);
      expect(printed.lines.some((l) => /^\s+first\.session\s+live\s+until .* node 0x[0-9a-f]{64}$/.test(l))).to.equal(true);
      expect(printed.lines.some((l) => /\(name not known here\)/.test(l))).to.equal(true);
      expect(printed.lines.join("\n")).to.include("names:resolve --name <name>");
      // Resolving a name teaches it; the other account's list names the transferred name too.
      await hre.run("names:resolve", { name: "elsewhere" });
      expect((await hre.run("names:list", {})).find((h: { node: string }) => h.node === other.node).name).to.equal("elsewhere.session");
      const hers = await hre.run("names:list", { owner: f.alice.address });
      expect(hers).to.deep.equal([{ node: c.ids.node, name: "third.session", expiry: c.expiry, status: "live" }]);
      await expect(hre.run("names:list", { owner: "alice" })).to.be.rejectedWith(/--owner: "alice" is not an address/);
    });

    it("falls back to the account's verified reverse record, and refuses an unreadable local file", async () => {
      const f = await loadFixture(deployed);
      const a = await hre.run("names:register", { name: "mine", wallet: f.deployer.address });
      await hre.run("names:reverse", { set: "mine" });
      const file = path.join(deployments.dir, "names.local.json");
      rmSync(file);
      expect((await hre.run("names:list", {}))[0]).to.include({ node: a.ids.node, name: "mine.session" });
      writeFileSync(file, "{ not json");
      await expect(hre.run("names:list", {})).to.be.rejectedWith(/names\.local\.json \(the names this client knows\) is not readable: .*fix or delete it/);
      rmSync(file);
    });
  });

  describe("resolution hints", () => {
    it("register and set say what encrypted and plaintext records mean for wallets and ENS libraries", async () => {
      const f = await loadFixture(deployed);
      const sealed = await captureOutput(() => hre.run("names:register", { name: "hinted", wallet: f.deployer.address }));
      expect(sealed.lines.join("\n")).to.match(/encrypted \(wallet\): only clients that know the name "hinted\.session" can read these; wallets and ENS libraries .* see them as unset\. Pass --plaintext/);
      const open = await captureOutput(() => hre.run("names:set", { name: "hinted", wallet: f.deployer.address, plaintext: true }));
      expect(open.lines.join("\n")).to.match(/plaintext \(wallet\): public; ethers, viem and wallets resolve hinted\.session/);
      // The address reverse over an encrypted wallet record: set, verified by this client, but said to be invisible to wallets.
      await hre.run("names:set", { name: "hinted", wallet: f.deployer.address });
      const reverse = await captureOutput(() => hre.run("names:reverse", { set: "hinted" }));
      expect(reverse.lines.join("\n")).to.match(/wallet record is encrypted, so wallets and ENS libraries .* will not show this name/);
    });
  });
});
