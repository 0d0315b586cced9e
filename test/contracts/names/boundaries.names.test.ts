/**
 * Boundary tests of the Session Name Service (issue 21): the commitment age window (60 s to 24 h, both ends
 * inclusive), the re-commit lock, liveness (`now < expiry`) and the 90-day grace period, each to the second.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { prepareRegistration } from "../../../src/names";
import {
  FEE_PER_YEAR,
  GRACE,
  MAX_AGE,
  MIN_AGE,
  YEAR,
  commitAndRegister,
  deployNames,
  secretOf,
  type NamesFixture,
} from "../../helpers/sessionNameService";

const at = (t: bigint) => time.setNextBlockTimestamp(t);

/**
 * This file's own fixture function (loadFixture keys snapshots by function): SessionNameService.test.ts restores
 * a clock snapshot after its tests, which invalidates the snapshots of fixtures first loaded there.
 */
const namesFixture = () => deployNames();

function prepare(f: NamesFixture, name: string, owner: HardhatEthersSigner) {
  return prepareRegistration({ names: f.namesAddress, name, owner: owner.address as `0x${string}`, years: 1n, secret: secretOf(`bounds:${name}`), records: [] });
}

async function register(f: NamesFixture, payer: HardhatEthersSigner, p: ReturnType<typeof prepare>) {
  return f.names.connect(payer).register(p.ids.labelhash, p.owner, p.years, p.secret, [...p.records]);
}

async function expiryOf(f: NamesFixture, node: string): Promise<bigint> {
  return (await f.names.nameOf(node))[1];
}

describe("boundaries: SessionNameService", () => {
  describe("commitment age window", () => {
    it("refuses a reveal a second before 60 s and accepts it at exactly 60 s", async () => {
      const f = await loadFixture(namesFixture);
      const p = prepare(f, "minage", f.alice);
      await f.commitments.connect(f.alice).commit(p.commitment);
      const made = await f.commitments.committedAt(p.commitment);
      await f.sesh.connect(f.alice).approve(f.namesAddress, FEE_PER_YEAR);
      await at(made + BigInt(MIN_AGE) - 1n);
      await expect(register(f, f.alice, p)).to.be.revertedWithCustomError(f.commitments, "CommitmentTooNew").withArgs(p.commitment, made + BigInt(MIN_AGE));
      await at(made + BigInt(MIN_AGE));
      await expect(register(f, f.alice, p)).to.emit(f.names, "NameRegistered");
      expect(await f.commitments.committedAt(p.commitment)).to.equal(0n);
    });

    it("accepts a reveal at exactly 24 h and refuses it a second later", async () => {
      const f = await loadFixture(namesFixture);
      const late = prepare(f, "maxage-late", f.alice);
      const edge = prepare(f, "maxage-edge", f.alice);
      await f.commitments.connect(f.alice).commit(late.commitment);
      const madeLate = await f.commitments.committedAt(late.commitment);
      await at(madeLate + 2n);
      await f.commitments.connect(f.alice).commit(edge.commitment);
      await f.sesh.connect(f.alice).approve(f.namesAddress, 2n * FEE_PER_YEAR);
      await at(madeLate + BigInt(MAX_AGE) + 1n);
      await expect(register(f, f.alice, late)).to.be.revertedWithCustomError(f.commitments, "CommitmentTooOld").withArgs(late.commitment, madeLate + BigInt(MAX_AGE));
      // The second commitment was made two seconds after the first: this block is exactly 24 h after it.
      await at(madeLate + 2n + BigInt(MAX_AGE));
      await expect(register(f, f.alice, edge)).to.emit(f.names, "NameRegistered");
    });

    it("keeps a live commitment from being re-made until a second after it expires", async () => {
      const f = await loadFixture(namesFixture);
      const p = prepare(f, "recommit", f.alice);
      await f.commitments.connect(f.bob).commit(p.commitment);
      const made = await f.commitments.committedAt(p.commitment);
      await at(made + BigInt(MAX_AGE));
      await expect(f.commitments.connect(f.carol).commit(p.commitment)).to.be.revertedWithCustomError(f.commitments, "CommitmentExists").withArgs(p.commitment, made + BigInt(MAX_AGE));
      await at(made + BigInt(MAX_AGE) + 1n);
      await f.commitments.connect(f.carol).commit(p.commitment);
      expect(await f.commitments.committedAt(p.commitment)).to.equal(made + BigInt(MAX_AGE) + 1n);
    });
  });

  describe("liveness and the grace period", () => {
    it("is live until the second before expiry: anyone may renew, the owner transfer", async () => {
      const f = await loadFixture(namesFixture);
      const node = (await commitAndRegister(f, f.alice, "lastsecond", f.alice.address)).ids.node;
      const expiry = await expiryOf(f, node);
      await f.sesh.connect(f.bob).approve(f.namesAddress, FEE_PER_YEAR);
      await at(expiry - 2n);
      await expect(f.names.connect(f.alice).transferFrom(f.alice.address, f.carol.address, BigInt(node))).to.emit(f.names, "Transfer");
      await at(expiry - 1n);
      await expect(f.names.connect(f.bob).renew(node, 1n)).to.emit(f.names, "NameRenewed").withArgs(node, expiry + BigInt(YEAR));
    });

    it("from expiry to the last grace second only the owner renews and nothing transfers", async () => {
      const f = await loadFixture(namesFixture);
      const node = (await commitAndRegister(f, f.alice, "ingrace", f.alice.address)).ids.node;
      const expiry = await expiryOf(f, node);
      const graceEnd = expiry + BigInt(GRACE);
      for (const who of [f.alice, f.bob]) await f.sesh.connect(who).approve(f.namesAddress, FEE_PER_YEAR);
      await at(expiry);
      await expect(f.names.connect(f.bob).renew(node, 1n)).to.be.revertedWithCustomError(f.names, "NameInGracePeriod").withArgs(node, graceEnd);
      await at(expiry + 1n);
      await expect(f.names.connect(f.alice).transferFrom(f.alice.address, f.carol.address, BigInt(node)))
        .to.be.revertedWithCustomError(f.names, "NameInGracePeriod")
        .withArgs(node, graceEnd);
      await at(graceEnd - 1n);
      await expect(f.names.connect(f.alice).renew(node, 1n)).to.emit(f.names, "NameRenewed").withArgs(node, expiry + BigInt(YEAR));
    });

    it("the owner can no longer renew at exactly the end of grace", async () => {
      const f = await loadFixture(namesFixture);
      const node = (await commitAndRegister(f, f.alice, "graceend", f.alice.address)).ids.node;
      const graceEnd = (await expiryOf(f, node)) + BigInt(GRACE);
      await f.sesh.connect(f.alice).approve(f.namesAddress, FEE_PER_YEAR);
      await at(graceEnd - 1n);
      await expect(f.names.connect(f.alice).renew(node, 1n)).to.emit(f.names, "NameRenewed");
      const graceEnd2 = (await expiryOf(f, node)) + BigInt(GRACE);
      await at(graceEnd2);
      await expect(f.names.connect(f.alice).renew(node, 1n)).to.be.revertedWithCustomError(f.names, "NameExpired").withArgs(node, graceEnd2);
    });

    it("nothing transfers from the first second of grace (expiry itself)", async () => {
      const f = await loadFixture(namesFixture);
      const node = (await commitAndRegister(f, f.alice, "firstgrace", f.alice.address)).ids.node;
      const expiry = await expiryOf(f, node);
      await at(expiry);
      await expect(f.names.connect(f.alice).transferFrom(f.alice.address, f.carol.address, BigInt(node)))
        .to.be.revertedWithCustomError(f.names, "NameInGracePeriod")
        .withArgs(node, expiry + BigInt(GRACE));
    });

    it("anyone may register the name anew at exactly the end of grace, not a second earlier", async () => {
      const f = await loadFixture(namesFixture);
      const first = await commitAndRegister(f, f.alice, "aftergrace", f.alice.address);
      const node = first.ids.node;
      const expiry = await expiryOf(f, node);
      const graceEnd = expiry + BigInt(GRACE);
      const again = prepare(f, "aftergrace", f.bob);
      for (const who of [f.alice, f.bob]) await f.sesh.connect(who).approve(f.namesAddress, FEE_PER_YEAR);
      await at(graceEnd - 1_000n);
      await f.commitments.connect(f.bob).commit(again.commitment);
      expect(await f.names.available(first.ids.labelhash)).to.equal(false);
      await at(graceEnd - 1n);
      await expect(register(f, f.bob, again)).to.be.revertedWithCustomError(f.names, "NameNotAvailable").withArgs(node, graceEnd);
      await at(graceEnd);
      await expect(register(f, f.bob, again)).to.emit(f.names, "Transfer").withArgs(f.alice.address, "0x0000000000000000000000000000000000000000", BigInt(node));
      expect(await f.names.ownerOf(BigInt(node))).to.equal(f.bob.address);
    });
  });
});
