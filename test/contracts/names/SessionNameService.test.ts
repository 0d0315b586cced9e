import { expect } from "chai";
import hre from "hardhat";
import { SnapshotRestorer, loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Signature, ZeroAddress, ZeroHash } from "ethers";
import { Hex, bytesToHex, hexToBytes, hexToString, stringToHex } from "viem";
import {
  FEE_PER_YEAR,
  GRACE,
  MAX_AGE,
  MIN_AGE,
  NamesFixture,
  YEAR,
  commitAndRegister,
  deployNames,
  secretOf,
} from "../../helpers/sessionNameService";
import {
  RecordKind,
  decodeTextRecord,
  decodeTypedRecord,
  encodeRecord,
  labelhash,
  makeCommitment,
  nameIds,
  prepareRegistration,
  sessionKeyPair,
  sessionReverseMessage,
  signSessionReverse,
  type SessionKeyPair,
} from "../../../src/names";
import { permitTypes } from "../../../src/token/permit";

const SESSION_ID = "05" + "ab".repeat(32);
const OTHER_SESSION_ID = "05" + "cd".repeat(32);

async function permitFor(f: NamesFixture, signer: HardhatEthersSigner, value: bigint, deadline: bigint) {
  const { chainId } = await hre.ethers.provider.getNetwork();
  const signature = await signer.signTypedData(
    { name: "Session", version: "1", chainId, verifyingContract: await f.sesh.getAddress() },
    permitTypes(),
    { owner: signer.address, spender: f.namesAddress, value, nonce: await f.sesh.nonces(signer.address), deadline },
  );
  const { v, r, s } = Signature.from(signature);
  return { value, deadline, v, r, s };
}

describe("SessionNameService", () => {
  // These tests move the chain clock by years; put it back so later test files see a normal clock.
  let clock: SnapshotRestorer;
  before(async () => {
    clock = await takeSnapshot();
  });
  after(async () => {
    await clock.restore();
  });

  describe("commit–reveal registration", () => {
    it("registers after 60 s: mints the token, sets expiry and sends the fee to the recipient", async () => {
      const f = await loadFixture(deployNames);
      const p = prepareRegistration({
        names: f.namesAddress,
        name: "Alice",
        owner: f.alice.address as Hex,
        years: 2n,
        secret: secretOf("a"),
        records: [{ kind: "session", value: SESSION_ID }],
      });
      expect(await f.names.makeCommitment(p.ids.labelhash, p.owner, 2n, p.secret, [...p.records])).to.equal(
        p.commitment,
      );
      await f.sesh.connect(f.alice).approve(f.namesAddress, 2n * FEE_PER_YEAR);
      await f.commitments.connect(f.alice).commit(p.commitment);
      const committedAt = await time.latest();
      expect(await f.commitments.committedAt(p.commitment)).to.equal(committedAt);
      await time.setNextBlockTimestamp(committedAt + MIN_AGE);
      const poolBefore = await f.sesh.balanceOf(f.pool.address);
      const aliceBefore = await f.sesh.balanceOf(f.alice.address);
      const expiry = BigInt(committedAt + MIN_AGE + 2 * YEAR);
      await expect(f.names.connect(f.alice).register(p.ids.labelhash, p.owner, 2n, p.secret, [...p.records]))
        .to.emit(f.names, "Transfer")
        .withArgs(ZeroAddress, f.alice.address, BigInt(p.ids.node))
        .and.to.emit(f.names, "NameRegistered")
        .withArgs(p.ids.node, f.alice.address, f.alice.address, expiry, 2n * FEE_PER_YEAR)
        .and.to.emit(f.names, "RecordChanged")
        .withArgs(p.ids.node, RecordKind.Session, p.records[0].value);
      expect(p.ids.node).to.equal(await f.names.nodeOf(labelhash("alice")));
      expect(await f.names.ownerOf(p.ids.node)).to.equal(f.alice.address);
      expect(await f.names.balanceOf(f.alice.address)).to.equal(1n);
      expect(await f.names.nameOf(p.ids.node)).to.deep.equal([f.alice.address, expiry]);
      expect(await f.sesh.balanceOf(f.pool.address)).to.equal(poolBefore + 2n * FEE_PER_YEAR);
      expect(await f.sesh.balanceOf(f.alice.address)).to.equal(aliceBefore - 2n * FEE_PER_YEAR);
      expect(await f.commitments.committedAt(p.commitment)).to.equal(0n);
      const [stored, encrypted] = await f.names.record(p.ids.node, RecordKind.Session);
      expect(encrypted).to.equal(true);
      expect(decodeTypedRecord(RecordKind.Session, stored as Hex, encrypted, "alice.session", p.ids.node)).to.equal(
        SESSION_ID,
      );
    });

    it("rejects a reveal 59 s after the commit and accepts it at 60 s", async () => {
      const f = await loadFixture(deployNames);
      const p = prepareRegistration({ names: f.namesAddress, name: "bob", owner: f.bob.address as Hex, years: 1n, secret: secretOf("b") });
      await f.sesh.connect(f.bob).approve(f.namesAddress, FEE_PER_YEAR);
      await f.commitments.connect(f.bob).commit(p.commitment);
      const t = await time.latest();
      await time.setNextBlockTimestamp(t + MIN_AGE - 1);
      await expect(f.names.connect(f.bob).register(p.ids.labelhash, p.owner, 1n, p.secret, []))
        .to.be.revertedWithCustomError(f.commitments, "CommitmentTooNew")
        .withArgs(p.commitment, t + MIN_AGE);
      await time.setNextBlockTimestamp(t + MIN_AGE);
      await f.names.connect(f.bob).register(p.ids.labelhash, p.owner, 1n, p.secret, []);
      expect(await f.names.ownerOf(p.ids.node)).to.equal(f.bob.address);
    });

    it("accepts a reveal at exactly 24 h and rejects one at 24 h + 1 s", async () => {
      const f = await loadFixture(deployNames);
      const p1 = prepareRegistration({ names: f.namesAddress, name: "late", owner: f.bob.address as Hex, years: 1n, secret: secretOf("l1") });
      const p2 = prepareRegistration({ names: f.namesAddress, name: "ontime", owner: f.bob.address as Hex, years: 1n, secret: secretOf("l2") });
      await f.sesh.connect(f.bob).approve(f.namesAddress, 2n * FEE_PER_YEAR);
      await f.commitments.connect(f.bob).commit(p2.commitment);
      const t2 = await time.latest();
      await f.commitments.connect(f.bob).commit(p1.commitment);
      const t1 = await time.latest();
      await time.setNextBlockTimestamp(t2 + MAX_AGE);
      await f.names.connect(f.bob).register(p2.ids.labelhash, p2.owner, 1n, p2.secret, []);
      await time.setNextBlockTimestamp(t1 + MAX_AGE + 1);
      await expect(f.names.connect(f.bob).register(p1.ids.labelhash, p1.owner, 1n, p1.secret, []))
        .to.be.revertedWithCustomError(f.commitments, "CommitmentTooOld")
        .withArgs(p1.commitment, t1 + MAX_AGE);
    });

    it("rejects a used commitment, an unknown one, and re-commits of a live one", async () => {
      const f = await loadFixture(deployNames);
      const p = await commitAndRegister(f, f.alice, "reuse", f.alice.address);
      await f.names.connect(f.alice).burn(p.ids.node);
      await f.sesh.connect(f.alice).approve(f.namesAddress, FEE_PER_YEAR);
      await expect(f.names.connect(f.alice).register(p.ids.labelhash, p.owner, 1n, p.secret, []))
        .to.be.revertedWithCustomError(f.commitments, "CommitmentNotFound")
        .withArgs(p.commitment);
      // A live commitment cannot be re-made (a watcher could otherwise reset its timer).
      const q = prepareRegistration({ names: f.namesAddress, name: "timer", owner: f.alice.address as Hex, years: 1n, secret: secretOf("t") });
      await f.commitments.connect(f.alice).commit(q.commitment);
      const t = await time.latest();
      await expect(f.commitments.connect(f.bob).commit(q.commitment))
        .to.be.revertedWithCustomError(f.commitments, "CommitmentExists")
        .withArgs(q.commitment, t + MAX_AGE);
      await time.setNextBlockTimestamp(t + MAX_AGE + 1);
      await f.commitments.connect(f.bob).commit(q.commitment);
      expect(await f.commitments.committedAt(q.commitment)).to.equal(t + MAX_AGE + 1);
    });

    it("only the registry consumes commitments", async () => {
      const f = await loadFixture(deployNames);
      await expect(f.commitments.connect(f.bob).consume(ZeroHash))
        .to.be.revertedWithCustomError(f.commitments, "NotRegistry")
        .withArgs(f.bob.address);
      expect(await f.commitments.REGISTRY()).to.equal(f.namesAddress);
    });

    it("a watcher copying the reveal cannot take the name, change its records or term", async () => {
      const f = await loadFixture(deployNames);
      const p = prepareRegistration({
        names: f.namesAddress,
        name: "victim",
        owner: f.alice.address as Hex,
        years: 1n,
        secret: secretOf("v"),
        records: [{ kind: "session", value: SESSION_ID, plaintext: true }],
      });
      await f.commitments.connect(f.alice).commit(p.commitment);
      await time.increase(MIN_AGE);
      const attacker = f.carol;
      await f.sesh.connect(attacker).approve(f.namesAddress, 10n * FEE_PER_YEAR);
      const mine = f.names.connect(attacker);
      // Own address as owner.
      const asCarol = makeCommitment({ registry: f.namesAddress, labelhash: p.ids.labelhash, owner: f.carol.address as Hex, years: 1n, secret: p.secret, records: p.records });
      await expect(mine.register(p.ids.labelhash, f.carol.address, 1n, p.secret, [...p.records]))
        .to.be.revertedWithCustomError(f.commitments, "CommitmentNotFound")
        .withArgs(asCarol);
      // Other records.
      const evil = encodeRecord({ kind: "session", value: OTHER_SESSION_ID, plaintext: true }, p.ids.fullName, p.ids.node);
      await expect(mine.register(p.ids.labelhash, p.owner, 1n, p.secret, [evil])).to.be.revertedWithCustomError(
        f.commitments,
        "CommitmentNotFound",
      );
      // Other term.
      await expect(mine.register(p.ids.labelhash, p.owner, 2n, p.secret, [...p.records])).to.be.revertedWithCustomError(
        f.commitments,
        "CommitmentNotFound",
      );
      // An exact copy only registers the name to Alice with her records, at the watcher's expense.
      const poolBefore = await f.sesh.balanceOf(f.pool.address);
      await mine.register(p.ids.labelhash, p.owner, 1n, p.secret, [...p.records]);
      expect(await f.names.ownerOf(p.ids.node)).to.equal(f.alice.address);
      expect(await f.names.balanceOf(f.carol.address)).to.equal(0n);
      expect((await f.names.record(p.ids.node, RecordKind.Session))[0]).to.equal(p.records[0].value);
      expect(await f.sesh.balanceOf(f.pool.address)).to.equal(poolBefore + FEE_PER_YEAR);
    });

    it("rejects terms of 0 or more than 100 years, taken names, and missing allowance", async () => {
      const f = await loadFixture(deployNames);
      for (const years of [0n, 101n]) {
        const p = prepareRegistration({ names: f.namesAddress, name: "term", owner: f.alice.address as Hex, years, secret: secretOf("y") });
        await f.commitments.connect(f.alice).commit(p.commitment);
        await time.increase(MIN_AGE);
        await expect(f.names.connect(f.alice).register(p.ids.labelhash, p.owner, years, p.secret, []))
          .to.be.revertedWithCustomError(f.names, "InvalidTerm")
          .withArgs(years);
      }
      const taken = await commitAndRegister(f, f.alice, "taken", f.alice.address);
      const q = prepareRegistration({ names: f.namesAddress, name: "taken", owner: f.bob.address as Hex, years: 1n, secret: secretOf("q") });
      await f.commitments.connect(f.bob).commit(q.commitment);
      await time.increase(MIN_AGE);
      const [, expiry] = await f.names.nameOf(taken.ids.node);
      await expect(f.names.connect(f.bob).register(q.ids.labelhash, q.owner, 1n, q.secret, []))
        .to.be.revertedWithCustomError(f.names, "NameNotAvailable")
        .withArgs(taken.ids.node, expiry + BigInt(GRACE));
      const r = prepareRegistration({ names: f.namesAddress, name: "broke", owner: f.bob.address as Hex, years: 1n, secret: secretOf("r") });
      await f.commitments.connect(f.bob).commit(r.commitment);
      await time.increase(MIN_AGE);
      await expect(f.names.connect(f.bob).register(r.ids.labelhash, r.owner, 1n, r.secret, []))
        .to.be.revertedWithCustomError(f.sesh, "ERC20InsufficientAllowance")
        .withArgs(f.namesAddress, 0n, FEE_PER_YEAR);
    });
  });

  describe("fees", () => {
    it("takes the fee with a permit (no prior allowance) and sends it to the recipient", async () => {
      const f = await loadFixture(deployNames);
      const p = prepareRegistration({ names: f.namesAddress, name: "permit", owner: f.bob.address as Hex, years: 3n, secret: secretOf("p") });
      await f.commitments.connect(f.bob).commit(p.commitment);
      await time.increase(MIN_AGE);
      expect(await f.sesh.allowance(f.bob.address, f.namesAddress)).to.equal(0n);
      const permit = await permitFor(f, f.bob, 3n * FEE_PER_YEAR, BigInt((await time.latest()) + 3600));
      const poolBefore = await f.sesh.balanceOf(f.pool.address);
      await f.names.connect(f.bob).registerWithPermit(p.ids.labelhash, p.owner, 3n, p.secret, [], permit);
      expect(await f.sesh.balanceOf(f.pool.address)).to.equal(poolBefore + 3n * FEE_PER_YEAR);
      expect(await f.sesh.allowance(f.bob.address, f.namesAddress)).to.equal(0n);
      expect(await f.names.ownerOf(p.ids.node)).to.equal(f.bob.address);
      // renewWithPermit; a replayed (front-run) permit is ignored and the allowance decides.
      const permit2 = await permitFor(f, f.bob, FEE_PER_YEAR, BigInt((await time.latest()) + 3600));
      await f.sesh.permit(f.bob.address, f.namesAddress, permit2.value, permit2.deadline, permit2.v, permit2.r, permit2.s);
      await f.names.connect(f.bob).renewWithPermit(p.ids.node, 1n, permit2);
      expect(await f.sesh.balanceOf(f.pool.address)).to.equal(poolBefore + 4n * FEE_PER_YEAR);
      await expect(f.names.connect(f.bob).renewWithPermit(p.ids.node, 1n, permit2))
        .to.be.revertedWithCustomError(f.sesh, "ERC20InsufficientAllowance")
        .withArgs(f.namesAddress, 0n, FEE_PER_YEAR);
    });

    it("owner sets fee and recipient; others cannot; zero recipient and oversized fee rejected", async () => {
      const f = await loadFixture(deployNames);
      await expect(f.names.connect(f.admin).setFeePerYear(5n)).to.emit(f.names, "FeePerYearChanged").withArgs(FEE_PER_YEAR, 5n);
      await expect(f.names.connect(f.admin).setFeeRecipient(f.carol.address))
        .to.emit(f.names, "FeeRecipientChanged")
        .withArgs(f.pool.address, f.carol.address);
      expect(await f.names.price(4n)).to.equal(20n);
      const carolBefore = await f.sesh.balanceOf(f.carol.address);
      await commitAndRegister(f, f.bob, "cheap", f.bob.address, 2n);
      expect(await f.sesh.balanceOf(f.carol.address)).to.equal(carolBefore + 10n);
      await expect(f.names.connect(f.admin).setFeeRecipient(ZeroAddress))
        .to.be.revertedWithCustomError(f.names, "InvalidFeeRecipient")
        .withArgs(ZeroAddress);
      await expect(f.names.connect(f.admin).setFeePerYear(2n ** 88n))
        .to.be.revertedWithCustomError(f.names, "FeeTooLarge")
        .withArgs(2n ** 88n);
      const asBob = f.names.connect(f.bob);
      for (const call of [
        () => asBob.setFeePerYear(1n),
        () => asBob.setFeeRecipient(f.bob.address),
        () => asBob.setRegistrar(f.bob.address, true),
        () => asBob.setReserved([ZeroHash], true),
        () => asBob.releaseReserved(ZeroHash, f.bob.address, 1n),
        () => asBob.pause(),
        () => asBob.unpause(),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(f.names, "OwnableUnauthorizedAccount").withArgs(f.bob.address);
      }
    });
  });

  describe("lifetime", () => {
    it("anyone renews a live name from its current expiry and pays the recipient", async () => {
      const f = await loadFixture(deployNames);
      const p = await commitAndRegister(f, f.alice, "renewme", f.alice.address);
      const [, expiry] = await f.names.nameOf(p.ids.node);
      await f.sesh.connect(f.bob).approve(f.namesAddress, 2n * FEE_PER_YEAR);
      const poolBefore = await f.sesh.balanceOf(f.pool.address);
      await expect(f.names.connect(f.bob).renew(p.ids.node, 2n))
        .to.emit(f.names, "NameRenewed")
        .withArgs(p.ids.node, expiry + BigInt(2 * YEAR))
        .and.to.emit(f.sesh, "Transfer")
        .withArgs(f.bob.address, f.pool.address, 2n * FEE_PER_YEAR);
      expect((await f.names.nameOf(p.ids.node))[1]).to.equal(expiry + BigInt(2 * YEAR));
      expect(await f.sesh.balanceOf(f.pool.address)).to.equal(poolBefore + 2n * FEE_PER_YEAR);
      await expect(f.names.connect(f.bob).renew(ZeroHash, 1n))
        .to.be.revertedWithCustomError(f.names, "ERC721NonexistentToken")
        .withArgs(0n);
      await expect(f.names.connect(f.bob).renew(p.ids.node, 0n)).to.be.revertedWithCustomError(f.names, "InvalidTerm");
    });

    it("grace period edges to the second: transfers, changes and others' renewals blocked; owner renews", async () => {
      const f = await loadFixture(deployNames);
      const p = await commitAndRegister(f, f.alice, "edge", f.alice.address);
      const [, expiryBig] = await f.names.nameOf(p.ids.node);
      const expiry = Number(expiryBig);
      const graceEnd = expiry + GRACE;
      const tokenId = BigInt(p.ids.node);
      // Last live second: transfer to Bob and back works.
      await time.setNextBlockTimestamp(expiry - 2);
      await f.names.connect(f.alice).transferFrom(f.alice.address, f.bob.address, tokenId);
      await time.setNextBlockTimestamp(expiry - 1);
      await f.names.connect(f.bob).transferFrom(f.bob.address, f.alice.address, tokenId);
      // First grace second: nothing moves or changes.
      await time.setNextBlockTimestamp(expiry);
      await expect(f.names.connect(f.alice).transferFrom(f.alice.address, f.bob.address, tokenId))
        .to.be.revertedWithCustomError(f.names, "NameInGracePeriod")
        .withArgs(p.ids.node, graceEnd);
      await time.setNextBlockTimestamp(expiry + 1);
      await expect(f.names.connect(f.alice).setRecord(p.ids.node, RecordKind.Wallet, f.alice.address))
        .to.be.revertedWithCustomError(f.names, "NameInGracePeriod")
        .withArgs(p.ids.node, graceEnd);
      await expect(f.names.connect(f.alice).approve(f.bob.address, tokenId)).to.be.revertedWithCustomError(
        f.names,
        "NameInGracePeriod",
      );
      await f.sesh.connect(f.bob).approve(f.namesAddress, FEE_PER_YEAR);
      await expect(f.names.connect(f.bob).renew(p.ids.node, 1n))
        .to.be.revertedWithCustomError(f.names, "NameInGracePeriod")
        .withArgs(p.ids.node, graceEnd);
      // Last grace second: Bob cannot register it, Alice can still renew (from the old expiry).
      const q = prepareRegistration({ names: f.namesAddress, name: "edge", owner: f.bob.address as Hex, years: 1n, secret: secretOf("edge-bob") });
      await f.sesh.connect(f.alice).approve(f.namesAddress, FEE_PER_YEAR);
      await time.setNextBlockTimestamp(graceEnd - MIN_AGE - 2);
      await f.commitments.connect(f.bob).commit(q.commitment);
      await time.setNextBlockTimestamp(graceEnd - 2);
      await expect(f.names.connect(f.bob).register(q.ids.labelhash, q.owner, 1n, q.secret, []))
        .to.be.revertedWithCustomError(f.names, "NameNotAvailable")
        .withArgs(p.ids.node, graceEnd);
      await time.setNextBlockTimestamp(graceEnd - 1);
      await f.names.connect(f.alice).renew(p.ids.node, 1n);
      expect((await f.names.nameOf(p.ids.node))[1]).to.equal(BigInt(expiry + YEAR));
    });

    it("after grace the owner cannot renew and anyone re-registers; old records are wiped", async () => {
      const f = await loadFixture(deployNames);
      const p = await commitAndRegister(f, f.alice, "wipe", f.alice.address, 1n, [
        { kind: "session", value: SESSION_ID, plaintext: true },
        { kind: "text", key: "url", value: "https://alice.example", plaintext: true },
      ]);
      await f.names.connect(f.alice).approve(f.carol.address, BigInt(p.ids.node));
      const [, expiry] = await f.names.nameOf(p.ids.node);
      const graceEnd = Number(expiry) + GRACE;
      await f.sesh.connect(f.alice).approve(f.namesAddress, FEE_PER_YEAR);
      await time.setNextBlockTimestamp(graceEnd);
      await expect(f.names.connect(f.alice).renew(p.ids.node, 1n))
        .to.be.revertedWithCustomError(f.names, "NameExpired")
        .withArgs(p.ids.node, graceEnd);
      expect(await f.names.available(p.ids.labelhash)).to.equal(true);
      // The holder of an expired name still shows in ownerOf / balanceOf until someone re-registers it.
      expect(await f.names.ownerOf(p.ids.node)).to.equal(f.alice.address);
      const q = prepareRegistration({ names: f.namesAddress, name: "wipe", owner: f.bob.address as Hex, years: 1n, secret: secretOf("wipe-bob") });
      await f.commitments.connect(f.bob).commit(q.commitment);
      await time.increase(MIN_AGE);
      await f.sesh.connect(f.bob).approve(f.namesAddress, FEE_PER_YEAR);
      await expect(f.names.connect(f.bob).register(q.ids.labelhash, q.owner, 1n, q.secret, []))
        .to.emit(f.names, "Transfer")
        .withArgs(f.alice.address, ZeroAddress, BigInt(p.ids.node))
        .and.to.emit(f.names, "Transfer")
        .withArgs(ZeroAddress, f.bob.address, BigInt(p.ids.node));
      expect(await f.names.ownerOf(p.ids.node)).to.equal(f.bob.address);
      expect(await f.names.balanceOf(f.alice.address)).to.equal(0n);
      expect(await f.names.balanceOf(f.bob.address)).to.equal(1n);
      expect(await f.names.getApproved(BigInt(p.ids.node))).to.equal(ZeroAddress);
      expect(await f.names.record(p.ids.node, RecordKind.Session)).to.deep.equal(["0x", false]);
      expect(await f.names.textRecord(p.ids.node, "url")).to.equal("0x");
    });

    it("burn: only the holder; the name is free at once and its records gone", async () => {
      const f = await loadFixture(deployNames);
      const p = await commitAndRegister(f, f.alice, "burnme", f.alice.address, 1n, [
        { kind: "text", key: "bio", value: "hi", plaintext: true },
      ]);
      await expect(f.names.connect(f.bob).burn(p.ids.node))
        .to.be.revertedWithCustomError(f.names, "NotNameOwner")
        .withArgs(p.ids.node, f.bob.address);
      await expect(f.names.connect(f.alice).burn(p.ids.node))
        .to.emit(f.names, "NameBurned")
        .withArgs(p.ids.node, f.alice.address)
        .and.to.emit(f.names, "Transfer")
        .withArgs(f.alice.address, ZeroAddress, BigInt(p.ids.node));
      await expect(f.names.ownerOf(p.ids.node))
        .to.be.revertedWithCustomError(f.names, "ERC721NonexistentToken")
        .withArgs(BigInt(p.ids.node));
      expect(await f.names.balanceOf(f.alice.address)).to.equal(0n);
      expect(await f.names.available(p.ids.labelhash)).to.equal(true);
      await expect(f.names.connect(f.alice).burn(p.ids.node)).to.be.revertedWithCustomError(f.names, "NotNameOwner");
      await commitAndRegister(f, f.bob, "burnme", f.bob.address);
      expect(await f.names.ownerOf(p.ids.node)).to.equal(f.bob.address);
      expect(await f.names.textRecord(p.ids.node, "bio")).to.equal("0x");
    });
  });

  describe("registrar, reserved names, pause", () => {
    it("registrar registers without commitment or fee; others cannot", async () => {
      const f = await loadFixture(deployNames);
      const ids = nameIds("backend");
      await expect(f.names.connect(f.registrar).registerFor(ids.labelhash, f.bob.address, 1n, []))
        .to.be.revertedWithCustomError(f.names, "NotRegistrar")
        .withArgs(f.registrar.address);
      await expect(f.names.connect(f.admin).setRegistrar(f.registrar.address, true))
        .to.emit(f.names, "RegistrarChanged")
        .withArgs(f.registrar.address, true);
      const poolBefore = await f.sesh.balanceOf(f.pool.address);
      const rec = encodeRecord({ kind: "session", value: SESSION_ID }, ids.fullName, ids.node);
      await expect(f.names.connect(f.registrar).registerFor(ids.labelhash, f.bob.address, 1n, [rec]))
        .to.emit(f.names, "NameRegistered")
        .withArgs(ids.node, f.bob.address, f.registrar.address, BigInt((await time.latest()) + 1 + YEAR), 0n);
      expect(await f.names.ownerOf(ids.node)).to.equal(f.bob.address);
      expect(await f.sesh.balanceOf(f.pool.address)).to.equal(poolBefore);
      await f.names.connect(f.admin).setRegistrar(f.registrar.address, false);
      await expect(
        f.names.connect(f.registrar).registerFor(nameIds("again").labelhash, f.bob.address, 1n, []),
      ).to.be.revertedWithCustomError(f.names, "NotRegistrar");
    });

    it("reserved labels are held back from everyone and released by the owner to a given address", async () => {
      const f = await loadFixture(deployNames);
      const ids = nameIds("oxen-holder");
      await f.names.connect(f.admin).setRegistrar(f.registrar.address, true);
      await expect(f.names.connect(f.admin).setReserved([ids.labelhash], true))
        .to.emit(f.names, "LabelReservationChanged")
        .withArgs(ids.labelhash, true);
      expect(await f.names.available(ids.labelhash)).to.equal(false);
      const p = prepareRegistration({ names: f.namesAddress, name: "oxen-holder", owner: f.bob.address as Hex, years: 1n, secret: secretOf("ox") });
      await f.commitments.connect(f.bob).commit(p.commitment);
      await time.increase(MIN_AGE);
      await expect(f.names.connect(f.bob).register(p.ids.labelhash, p.owner, 1n, p.secret, []))
        .to.be.revertedWithCustomError(f.names, "NameReserved")
        .withArgs(ids.labelhash);
      await expect(f.names.connect(f.registrar).registerFor(ids.labelhash, f.bob.address, 1n, []))
        .to.be.revertedWithCustomError(f.names, "NameReserved")
        .withArgs(ids.labelhash);
      await expect(f.names.connect(f.admin).releaseReserved(ids.labelhash, f.carol.address, 2n))
        .to.emit(f.names, "NameRegistered")
        .withArgs(ids.node, f.carol.address, f.admin.address, BigInt((await time.latest()) + 1 + 2 * YEAR), 0n);
      expect(await f.names.ownerOf(ids.node)).to.equal(f.carol.address);
      expect(await f.names.isReserved(ids.labelhash)).to.equal(false);
      await expect(f.names.connect(f.admin).releaseReserved(ids.labelhash, f.carol.address, 1n))
        .to.be.revertedWithCustomError(f.names, "NameNotReserved")
        .withArgs(ids.labelhash);
    });

    it("pause stops both registration paths but not renewals", async () => {
      const f = await loadFixture(deployNames);
      const live = await commitAndRegister(f, f.alice, "live", f.alice.address);
      await f.names.connect(f.admin).setRegistrar(f.registrar.address, true);
      const p = prepareRegistration({ names: f.namesAddress, name: "paused", owner: f.bob.address as Hex, years: 1n, secret: secretOf("pz") });
      await f.commitments.connect(f.bob).commit(p.commitment);
      await time.increase(MIN_AGE);
      await expect(f.names.connect(f.admin).pause()).to.emit(f.names, "Paused").withArgs(f.admin.address);
      expect(await f.names.paused()).to.equal(true);
      await f.sesh.connect(f.bob).approve(f.namesAddress, 2n * FEE_PER_YEAR);
      await expect(f.names.connect(f.bob).register(p.ids.labelhash, p.owner, 1n, p.secret, [])).to.be.revertedWithCustomError(
        f.names,
        "RegistrationPaused",
      );
      await expect(f.names.connect(f.registrar).registerFor(p.ids.labelhash, f.bob.address, 1n, [])).to.be.revertedWithCustomError(
        f.names,
        "RegistrationPaused",
      );
      await f.names.connect(f.bob).renew(live.ids.node, 1n);
      await expect(f.names.connect(f.admin).unpause()).to.emit(f.names, "Unpaused").withArgs(f.admin.address);
      await f.names.connect(f.bob).register(p.ids.labelhash, p.owner, 1n, p.secret, []);
      expect(await f.names.ownerOf(p.ids.node)).to.equal(f.bob.address);
    });
  });

  describe("records", () => {
    it("owner sets plaintext and encrypted typed records and text; values round-trip through the client", async () => {
      const f = await loadFixture(deployNames);
      const p = await commitAndRegister(f, f.alice, "rec", f.alice.address);
      const { node, fullName } = p.ids;
      const plain = encodeRecord({ kind: "wallet", value: f.alice.address, plaintext: true }, fullName, node);
      await expect(f.names.connect(f.alice).setRecord(node, plain.kind, plain.value))
        .to.emit(f.names, "RecordChanged")
        .withArgs(node, RecordKind.Wallet, plain.value);
      expect(await f.names.record(node, RecordKind.Wallet)).to.deep.equal([plain.value.toLowerCase(), false]);
      const sealed = encodeRecord({ kind: "lokinet", value: "dw68y1xhptqbhcm5s8aaaip6dbopykagig5q5u1za4c7pzxto77y.loki" }, fullName, node);
      await f.names.connect(f.alice).setRecord(node, sealed.kind, sealed.value);
      const [lv, le] = await f.names.record(node, RecordKind.Lokinet);
      expect(decodeTypedRecord(RecordKind.Lokinet, lv as Hex, le, fullName, node)).to.equal("dw68y1xhptqbhcm5s8aaaip6dbopykagig5q5u1za4c7pzxto77y.loki");
      const text = encodeRecord({ kind: "text", key: "email", value: "a@b.c" }, fullName, node);
      await expect(f.names.connect(f.alice).setText(node, "email", text.value))
        .to.emit(f.names, "TextChanged")
        .withArgs(node, "email", "email", text.value);
      expect(decodeTextRecord("email", (await f.names.textRecord(node, "email")) as Hex, fullName, node)).to.equal("a@b.c");
      // setRecords writes several; an empty value clears.
      await f.names.connect(f.alice).setRecords(node, [
        { kind: RecordKind.Wallet, key: "", value: "0x" },
        { kind: RecordKind.Text, key: "email", value: "0x" },
      ]);
      expect(await f.names.record(node, RecordKind.Wallet)).to.deep.equal(["0x", false]);
      expect(await f.names.textRecord(node, "email")).to.equal("0x");
    });

    it("rejects bad kinds, lengths, keys and envelopes, and callers who are not the owner", async () => {
      const f = await loadFixture(deployNames);
      const p = await commitAndRegister(f, f.alice, "strict", f.alice.address);
      const n = f.names.connect(f.alice);
      const node = p.ids.node;
      await expect(n.setRecord(node, 4, "0x" + "11".repeat(32))).to.be.revertedWithCustomError(f.names, "InvalidRecordKind").withArgs(4);
      await expect(n.setRecord(node, 0, "0x" + "11".repeat(32))).to.be.revertedWithCustomError(f.names, "InvalidRecordKind").withArgs(0);
      await expect(n.setRecord(node, RecordKind.Session, "0x" + "11".repeat(33)))
        .to.be.revertedWithCustomError(f.names, "InvalidRecordLength")
        .withArgs(RecordKind.Session, 33);
      await expect(n.setRecord(node, RecordKind.Wallet, "0x" + "11".repeat(32)))
        .to.be.revertedWithCustomError(f.names, "InvalidRecordLength")
        .withArgs(RecordKind.Wallet, 32);
      await expect(n.setText(node, "", "0x00")).to.be.revertedWithCustomError(f.names, "InvalidRecordKey").withArgs(0, "");
      await expect(n.setText(node, "session", "0x0061")).to.be.revertedWithCustomError(f.names, "ReservedTextKey").withArgs("session");
      await expect(n.setText(node, "url", "0x0261")).to.be.revertedWithCustomError(f.names, "InvalidTextEnvelope").withArgs(2);
      await expect(n.setText(node, "url", "0x01" + "00".repeat(31)))
        .to.be.revertedWithCustomError(f.names, "InvalidRecordLength")
        .withArgs(0, 32);
      await expect(n.setRecords(node, [{ kind: RecordKind.Session, key: "x", value: "0x" }]))
        .to.be.revertedWithCustomError(f.names, "InvalidRecordKey")
        .withArgs(RecordKind.Session, "x");
      for (const call of [
        () => f.names.connect(f.bob).setRecord(node, RecordKind.Session, "0x" + "11".repeat(32)),
        () => f.names.connect(f.bob).setText(node, "url", "0x0061"),
        () => f.names.connect(f.bob).setRecords(node, []),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(f.names, "NotNameOwner").withArgs(node, f.bob.address);
      }
      // Even an approved operator cannot change records.
      await f.names.connect(f.alice).setApprovalForAll(f.bob.address, true);
      await expect(f.names.connect(f.bob).setText(node, "url", "0x0061")).to.be.revertedWithCustomError(f.names, "NotNameOwner");
      await expect(f.names.connect(f.bob).setRecord(ZeroHash, 1, "0x")).to.be.revertedWithCustomError(f.names, "NotNameOwner");
    });
  });

  describe("ERC-721", () => {
    it("transfers by owner, approved account and operator; records stay with the name", async () => {
      const f = await loadFixture(deployNames);
      const p = await commitAndRegister(f, f.alice, "nft", f.alice.address, 1n, [{ kind: "session", value: SESSION_ID, plaintext: true }]);
      const id = BigInt(p.ids.node);
      await expect(f.names.connect(f.alice).approve(f.bob.address, id)).to.emit(f.names, "Approval").withArgs(f.alice.address, f.bob.address, id);
      expect(await f.names.getApproved(id)).to.equal(f.bob.address);
      await expect(f.names.connect(f.bob).transferFrom(f.alice.address, f.carol.address, id))
        .to.emit(f.names, "Transfer")
        .withArgs(f.alice.address, f.carol.address, id);
      expect(await f.names.getApproved(id)).to.equal(ZeroAddress);
      expect(await f.names.balanceOf(f.alice.address)).to.equal(0n);
      expect(await f.names.balanceOf(f.carol.address)).to.equal(1n);
      await expect(f.names.connect(f.bob).transferFrom(f.carol.address, f.bob.address, id))
        .to.be.revertedWithCustomError(f.names, "ERC721InsufficientApproval")
        .withArgs(f.bob.address, id);
      await f.names.connect(f.carol).setApprovalForAll(f.bob.address, true);
      expect(await f.names.isApprovedForAll(f.carol.address, f.bob.address)).to.equal(true);
      await f.names.connect(f.bob)["safeTransferFrom(address,address,uint256)"](f.carol.address, f.bob.address, id);
      expect(await f.names.ownerOf(id)).to.equal(f.bob.address);
      expect((await f.names.record(p.ids.node, RecordKind.Session))[0]).to.equal("0x" + "ab".repeat(32));
    });

    it("transferFrom runs in the proxy: same rules, ProxyAdmin denied, ether refused, balances exact", async () => {
      const f = await loadFixture(deployNames);
      const p = await commitAndRegister(f, f.alice, "proxied", f.alice.address);
      const id = BigInt(p.ids.node);
      const adminSlot = "0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103";
      const proxyAdmin = "0x" + (await hre.ethers.provider.getStorage(f.namesAddress, adminSlot)).slice(26);
      await hre.network.provider.send("hardhat_impersonateAccount", [proxyAdmin]);
      await hre.network.provider.send("hardhat_setBalance", [proxyAdmin, "0xde0b6b3a7640000"]);
      const adminSigner = await hre.ethers.getSigner(proxyAdmin);
      // Resolved before the transaction starts: awaited inside the matcher's arguments, a revert could arrive
      // first and surface as an uncaught rejection (issue 21).
      const proxy = await hre.ethers.getContractAt("SessionNameServiceProxy", f.namesAddress);
      await expect(f.names.connect(adminSigner).transferFrom(f.alice.address, f.bob.address, id))
        .to.be.revertedWithCustomError(proxy, "ProxyDeniedAdminAccess");
      await hre.network.provider.send("hardhat_stopImpersonatingAccount", [proxyAdmin]);
      // With ether attached the call is delegated, and the non-payable implementation refuses it.
      const data = f.names.interface.encodeFunctionData("transferFrom", [f.alice.address, f.bob.address, id]);
      await expect(f.alice.sendTransaction({ to: f.namesAddress, data, value: 1n })).to.be.reverted;
      await expect(f.names.connect(f.alice).transferFrom(f.alice.address, f.bob.address, id))
        .to.emit(f.names, "Transfer")
        .withArgs(f.alice.address, f.bob.address, id);
      expect(await f.names.ownerOf(id)).to.equal(f.bob.address);
      expect(await f.names.balanceOf(f.alice.address)).to.equal(0n);
      expect(await f.names.balanceOf(f.bob.address)).to.equal(1n);
      expect((await f.names.nameOf(p.ids.node))[1]).to.be.greaterThan(0n);
      // Dirty high bits in an address argument are rejected by the decoder, as in the implementation.
      const dirty = data.slice(0, 10) + "ff" + data.slice(12);
      await expect(f.bob.sendTransaction({ to: f.namesAddress, data: dirty })).to.be.reverted;
      expect(await f.names.ownerOf(id)).to.equal(f.bob.address);
    });

    it("renew of a burnt or reserved-only name is ERC721NonexistentToken", async () => {
      const f = await loadFixture(deployNames);
      const p = await commitAndRegister(f, f.alice, "gone", f.alice.address);
      await f.names.connect(f.alice).burn(p.ids.node);
      await expect(f.names.connect(f.alice).renew(p.ids.node, 1n))
        .to.be.revertedWithCustomError(f.names, "ERC721NonexistentToken")
        .withArgs(BigInt(p.ids.node));
      const held = prepareRegistration({ names: f.namesAddress, name: "heldback", owner: f.alice.address as Hex, years: 1n, secret: secretOf("h"), records: [] });
      await f.names.connect(f.admin).setReserved([held.ids.labelhash], true);
      await expect(f.names.connect(f.alice).renew(held.ids.node, 1n))
        .to.be.revertedWithCustomError(f.names, "ERC721NonexistentToken")
        .withArgs(BigInt(held.ids.node));
    });

    it("rejects bad transfers and approvals", async () => {
      const f = await loadFixture(deployNames);
      const p = await commitAndRegister(f, f.alice, "bad", f.alice.address);
      const id = BigInt(p.ids.node);
      const n = f.names.connect(f.alice);
      await expect(n.transferFrom(f.bob.address, f.carol.address, id))
        .to.be.revertedWithCustomError(f.names, "ERC721IncorrectOwner")
        .withArgs(f.bob.address, id, f.alice.address);
      await expect(n.transferFrom(f.alice.address, ZeroAddress, id)).to.be.revertedWithCustomError(f.names, "ERC721InvalidReceiver").withArgs(ZeroAddress);
      await expect(n.transferFrom(f.alice.address, f.bob.address, 1n)).to.be.revertedWithCustomError(f.names, "ERC721NonexistentToken").withArgs(1n);
      await expect(f.names.connect(f.bob).approve(f.bob.address, id)).to.be.revertedWithCustomError(f.names, "ERC721InvalidApprover").withArgs(f.bob.address);
      await expect(n.setApprovalForAll(ZeroAddress, true)).to.be.revertedWithCustomError(f.names, "ERC721InvalidOperator").withArgs(ZeroAddress);
      await expect(n["safeTransferFrom(address,address,uint256)"](f.alice.address, await f.sesh.getAddress(), id))
        .to.be.revertedWithCustomError(f.names, "ERC721InvalidReceiver")
        .withArgs(await f.sesh.getAddress());
      await expect(f.names.balanceOf(ZeroAddress)).to.be.revertedWithCustomError(f.names, "ERC721InvalidOwner");
      await expect(f.names.getApproved(5n)).to.be.revertedWithCustomError(f.names, "ERC721NonexistentToken");
      await expect(f.names.tokenURI(5n)).to.be.revertedWithCustomError(f.names, "ERC721NonexistentToken");
      expect(await f.names.tokenURI(id)).to.equal("");
      expect(await f.names.name()).to.equal("Session Names");
      expect(await f.names.symbol()).to.equal("SNS");
      for (const iface of ["0x01ffc9a7", "0x80ac58cd", "0x5b5e139f"]) expect(await f.names.supportsInterface(iface)).to.equal(true);
      expect(await f.names.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("reverse records", () => {
    it("address reverse is shown only when the (encrypted) forward wallet record matches", async () => {
      const f = await loadFixture(deployNames);
      await commitAndRegister(f, f.alice, "rev", f.alice.address, 1n, [{ kind: "wallet", value: f.alice.address }]);
      const { lookupReverseAddress } = await import("../../../src/names");
      const client = await hre.viem.getPublicClient();
      const reverseAddress = (await f.reverse.getAddress()) as Hex;
      await expect(f.reverse.connect(f.alice).setReverseName(stringToHex("rev.session")))
        .to.emit(f.reverse, "ReverseNameChanged")
        .withArgs(f.alice.address, stringToHex("rev.session"));
      expect(await lookupReverseAddress(client, f.namesAddress, reverseAddress, f.alice.address as Hex)).to.equal("rev.session");
      // Bob claims Alice's name: stored, but not shown since the forward record is Alice's.
      await f.reverse.connect(f.bob).setReverseName(stringToHex("rev.session"));
      expect(await lookupReverseAddress(client, f.namesAddress, reverseAddress, f.bob.address as Hex)).to.equal(null);
      await expect(f.reverse.connect(f.bob).setReverseName(stringToHex("bad..session")))
        .to.be.revertedWithCustomError(f.names, "MalformedName");
      await f.reverse.connect(f.alice).setReverseName("0x");
      expect(await f.reverse.reverseNameOf(f.alice.address)).to.equal("0x");
    });

    /** Signs the reverse change of `key` to `fullName` ("" clears) for the fixture's reverse contract. */
    async function signedReverse(f: NamesFixture, key: SessionKeyPair, fullName: string, nonce?: bigint) {
      const reverse = (await f.reverse.getAddress()) as Hex;
      const { chainId } = await hre.ethers.provider.getNetwork();
      const n = nonce ?? (await f.reverse.sessionReverseNonce(key.sessionKey));
      const message = sessionReverseMessage({ chainId, reverse, sessionKey: key.sessionKey, fullName, nonce: n });
      expect(await f.reverse.sessionReverseMessage(key.sessionKey, fullName === "" ? "0x" : stringToHex(fullName), n)).to.equal(message);
      const { ed25519Key, signature } = signSessionReverse(key, message);
      return [key.sessionKey, fullName === "" ? "0x" : stringToHex(fullName), ed25519Key, signature] as const;
    }

    it("Session ID reverse is set and cleared only by the Session key's signature, over a matching plaintext record", async () => {
      const f = await loadFixture(deployNames);
      const victim = sessionKeyPair(hexToBytes(hre.ethers.id("victim session seed") as Hex));
      const p = await commitAndRegister(f, f.alice, "sid", f.alice.address, 1n, [{ kind: "session", value: victim.sessionId, plaintext: true }]);
      const { lookupReverseSession } = await import("../../../src/names");
      const client = await hre.viem.getPublicClient();
      const reverseAddress = (await f.reverse.getAddress()) as Hex;
      // The name's record must be this Session ID in plaintext (the name owner's consent).
      const other = sessionKeyPair(hexToBytes(hre.ethers.id("other session seed") as Hex));
      await expect(f.reverse.setSessionReverseName(...(await signedReverse(f, other, "sid.session"))))
        .to.be.revertedWithCustomError(f.reverse, "SessionRecordMismatch")
        .withArgs(p.ids.node, other.sessionKey);
      // Anyone may relay the signed change (here Bob, who owns nothing).
      const args = await signedReverse(f, victim, "sid.session");
      await expect(f.reverse.connect(f.bob).setSessionReverseName(...args))
        .to.emit(f.reverse, "SessionReverseNameChanged")
        .withArgs(victim.sessionKey, f.bob.address, stringToHex("sid.session"));
      expect(await f.reverse.sessionReverseNonce(victim.sessionKey)).to.equal(1n);
      expect(await lookupReverseSession(client, f.namesAddress, reverseAddress, victim.sessionId)).to.equal("sid.session");
      // The same signed change cannot be sent twice (nonce).
      await expect(f.reverse.setSessionReverseName(...args))
        .to.be.revertedWithCustomError(f.reverse, "InvalidSessionSignature")
        .withArgs(victim.sessionKey, 1n);
      // Forward changes: the reverse record is no longer shown.
      await f.names.connect(f.alice).setRecord(p.ids.node, RecordKind.Session, OTHER_SESSION_ID.replace(/^05/, "0x"));
      expect(await lookupReverseSession(client, f.namesAddress, reverseAddress, victim.sessionId)).to.equal(null);
      // The name's owner cannot clear it; the key can, relayed by anyone.
      await expect(f.reverse.connect(f.alice).setSessionReverseName(victim.sessionKey, "0x", victim.ed25519Key, "0x" + "00".repeat(64)))
        .to.be.revertedWithCustomError(f.reverse, "InvalidSessionSignature");
      await expect(f.reverse.connect(f.alice).setSessionReverseName(...(await signedReverse(f, victim, ""))))
        .to.emit(f.reverse, "SessionReverseNameChanged")
        .withArgs(victim.sessionKey, f.alice.address, "0x");
      expect(await f.reverse.sessionReverseNameOf(victim.sessionKey)).to.equal("0x");
      // Malformed inputs: a bad name, a 63-byte signature.
      await expect(f.reverse.setSessionReverseName(...(await signedReverse(f, victim, "bad..session"))))
        .to.be.revertedWithCustomError(f.reverse, "MalformedName");
      const [k, name, ed] = await signedReverse(f, victim, "");
      await expect(f.reverse.setSessionReverseName(k, name, ed, "0x" + "11".repeat(63)))
        .to.be.revertedWithCustomError(f.reverse, "InvalidSessionSignature")
        .withArgs(victim.sessionKey, 2n);
    });

    it("the viem client signs and sends a Session reverse change from any wallet, and clears it", async () => {
      const f = await loadFixture(deployNames);
      const { setSessionReverseName, lookupReverseSession } = await import("../../../src/names");
      const key = sessionKeyPair(hexToBytes(hre.ethers.id("client session seed") as Hex));
      await commitAndRegister(f, f.alice, "viemsid", f.alice.address, 1n, [{ kind: "session", value: key.sessionId, plaintext: true }]);
      const client = await hre.viem.getPublicClient();
      const [, , , , relayer] = await hre.viem.getWalletClients(); // carol's account relays; she owns nothing here
      const reverse = (await f.reverse.getAddress()) as Hex;
      await client.waitForTransactionReceipt({ hash: await setSessionReverseName(relayer, client, reverse, key, "viemsid") });
      expect(await lookupReverseSession(client, f.namesAddress, reverse, key.sessionId)).to.equal("viemsid.session");
      await client.waitForTransactionReceipt({ hash: await setSessionReverseName(relayer, client, reverse, key, null) });
      expect(await f.reverse.sessionReverseNameOf(key.sessionKey)).to.equal("0x");
      expect(await f.reverse.sessionReverseNonce(key.sessionKey)).to.equal(2n);
    });

    it("attack (issue 16 hole 5): nobody can point, re-point or clear another user's Session ID reverse record", async () => {
      const f = await loadFixture(deployNames);
      const victim = sessionKeyPair(hexToBytes(hre.ethers.id("victim session seed") as Hex));
      const attacker = sessionKeyPair(hexToBytes(hre.ethers.id("attacker session seed") as Hex));
      await commitAndRegister(f, f.alice, "victim", f.alice.address, 1n, [{ kind: "session", value: victim.sessionId, plaintext: true }]);
      // The attacker owns scam-support.session and points its own plaintext Session ID record at the victim's key.
      const scam = await commitAndRegister(f, f.bob, "scam-support", f.bob.address, 1n, [{ kind: "session", value: victim.sessionId, plaintext: true }]);
      const asAttacker = f.reverse.connect(f.bob);
      const scamName = stringToHex("scam-support.session");
      // 1. The pre-fix call (being the name's owner with a matching plaintext record was enough) is refused.
      const legacy = new hre.ethers.Contract(await f.reverse.getAddress(), ["function setSessionReverseName(bytes32,bytes)", "function clearSessionReverseName(bytes32)"], f.bob);
      await expect(legacy.setSessionReverseName(victim.sessionKey, scamName)).to.be.reverted;
      await expect(legacy.clearSessionReverseName(victim.sessionKey)).to.be.reverted;
      expect(await f.reverse.sessionReverseNameOf(victim.sessionKey)).to.equal("0x");
      // The victim publishes its own record with its key.
      await f.reverse.connect(f.alice).setSessionReverseName(...(await signedReverse(f, victim, "victim.session")));
      // 2. The attacker's own Ed25519 key does not map to the victim's Session ID.
      const own = signSessionReverse(attacker, await f.reverse.sessionReverseMessage(victim.sessionKey, scamName, 1n) as Hex);
      await expect(asAttacker.setSessionReverseName(victim.sessionKey, scamName, own.ed25519Key, own.signature))
        .to.be.revertedWithCustomError(f.reverse, "SessionKeyMismatch")
        .withArgs(victim.sessionKey, attacker.ed25519Key);
      // 3. The victim's Ed25519 key (or its other sign) with a signature made by another key.
      const forged = signSessionReverse({ ...attacker, ed25519Key: victim.ed25519Key }, await f.reverse.sessionReverseMessage(victim.sessionKey, scamName, 1n) as Hex);
      await expect(asAttacker.setSessionReverseName(victim.sessionKey, scamName, victim.ed25519Key, forged.signature))
        .to.be.revertedWithCustomError(f.reverse, "InvalidSessionSignature")
        .withArgs(victim.sessionKey, 1n);
      const flipped = hexToBytes(victim.ed25519Key);
      flipped[31] ^= 0x80;
      await expect(asAttacker.setSessionReverseName(victim.sessionKey, scamName, bytesToHex(flipped), forged.signature))
        .to.be.revertedWithCustomError(f.reverse, "InvalidSessionSignature");
      // 4. A real signature of the victim, but for another name or an older change, replayed.
      const old = await signedReverse(f, victim, "victim.session", 0n);
      await expect(asAttacker.setSessionReverseName(...old)).to.be.revertedWithCustomError(f.reverse, "InvalidSessionSignature");
      await expect(asAttacker.setSessionReverseName(victim.sessionKey, scamName, old[2], old[3])).to.be.revertedWithCustomError(f.reverse, "InvalidSessionSignature");
      // 5. Clearing without the key.
      await expect(asAttacker.setSessionReverseName(victim.sessionKey, "0x", victim.ed25519Key, old[3])).to.be.revertedWithCustomError(f.reverse, "InvalidSessionSignature");
      expect(hexToString((await f.reverse.sessionReverseNameOf(victim.sessionKey)) as Hex)).to.equal("victim.session");
      expect(await f.reverse.sessionReverseNonce(victim.sessionKey)).to.equal(1n);
      // The attacker's name keeps its forged forward record, but nothing reverse-resolves to it.
      expect((await f.names.record(scam.ids.node, RecordKind.Session))[0]).to.equal(victim.sessionKey);
    });
  });

  describe("upgradeability", () => {
    it("implementation and proxy cannot be (re-)initialised; ProxyAdmin owner upgrades; ownership is two-step", async () => {
      const f = await loadFixture(deployNames);
      const slot = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
      const impl = "0x" + (await hre.ethers.provider.getStorage(f.namesAddress, slot)).slice(26);
      const implementation = await hre.ethers.getContractAt("SessionNameService", impl);
      await expect(implementation.initialize(f.bob.address, ZeroHash, f.bob.address, 1n, f.bob.address)).to.be.revertedWithCustomError(
        f.names,
        "InvalidInitialization",
      );
      await expect(f.names.initialize(f.bob.address, ZeroHash, f.bob.address, 1n, f.bob.address)).to.be.revertedWithCustomError(
        f.names,
        "InvalidInitialization",
      );
      expect(await f.names.parentNode()).to.equal(await f.names.SESSION_NODE());
      const adminSlot = "0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103";
      const proxyAdmin = await hre.ethers.getContractAt(
        "ProxyAdmin",
        "0x" + (await hre.ethers.provider.getStorage(f.namesAddress, adminSlot)).slice(26),
      );
      const next = await hre.ethers.deployContract("SessionNameService", [await f.sesh.getAddress()]);
      await expect(proxyAdmin.connect(f.bob).upgradeAndCall(f.namesAddress, await next.getAddress(), "0x"))
        .to.be.revertedWithCustomError(proxyAdmin, "OwnableUnauthorizedAccount")
        .withArgs(f.bob.address);
      const p = await commitAndRegister(f, f.alice, "keep", f.alice.address);
      await proxyAdmin.connect(f.admin).upgradeAndCall(f.namesAddress, await next.getAddress(), "0x");
      expect(await f.names.ownerOf(p.ids.node)).to.equal(f.alice.address);
      await f.names.connect(f.admin).transferOwnership(f.bob.address);
      expect(await f.names.owner()).to.equal(f.admin.address);
      await f.names.connect(f.bob).acceptOwnership();
      expect(await f.names.owner()).to.equal(f.bob.address);
    });

    it("ownership cannot be renounced (the owner gets RenounceOwnershipDisabled, others OwnableUnauthorizedAccount)", async () => {
      const f = await loadFixture(deployNames);
      await expect(f.names.connect(f.admin).renounceOwnership()).to.be.revertedWithCustomError(f.names, "RenounceOwnershipDisabled");
      await expect(f.names.connect(f.bob).renounceOwnership())
        .to.be.revertedWithCustomError(f.names, "OwnableUnauthorizedAccount")
        .withArgs(f.bob.address);
      expect(await f.names.owner()).to.equal(f.admin.address);
      // A pending two-step transfer is not cancelled either.
      await f.names.connect(f.admin).transferOwnership(f.bob.address);
      await expect(f.names.connect(f.admin).renounceOwnership()).to.be.revertedWithCustomError(f.names, "RenounceOwnershipDisabled");
      expect(await f.names.pendingOwner()).to.equal(f.bob.address);
    });
  });
});
