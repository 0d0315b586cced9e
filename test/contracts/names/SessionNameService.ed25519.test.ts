import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ed25519, edwardsToMontgomeryPub } from "@noble/curves/ed25519";
import { bytesToHex, hexToBytes, keccak256, toHex, type Hex } from "viem";

/** Deterministic test keys: seed i = keccak("ed25519 test key" ‖ i). */
function key(i: number) {
  const seed = hexToBytes(keccak256(toHex(`ed25519 test key ${i}`)));
  return { seed, pub: ed25519.getPublicKey(seed) };
}
const h = (b: Uint8Array) => bytesToHex(b) as Hex;

async function deploy() {
  return hre.ethers.deployContract("Ed25519Harness");
}

describe("Ed25519 (on-chain verification used for Session ID reverse records)", () => {
  it("accepts signatures made by @noble/curves over 32-byte messages, for many keys and messages", async () => {
    const lib = await loadFixture(deploy);
    for (let i = 0; i < 12; i++) {
      const { seed, pub } = key(i);
      const msg = hexToBytes(keccak256(toHex(`message ${i}`)));
      const sig = ed25519.sign(msg, seed);
      expect(ed25519.verify(sig, msg, pub)).to.equal(true);
      expect(await lib.verify(h(pub), h(sig.slice(0, 32)), h(sig.slice(32)), h(msg)), `key ${i}`).to.equal(true);
    }
  });

  it("refuses another message, another key, a flipped bit in R or S, S ≥ L, and keys that are not points", async () => {
    const lib = await loadFixture(deploy);
    const { seed, pub } = key(100);
    const other = key(101);
    const msg = hexToBytes(keccak256(toHex("m")));
    const sig = ed25519.sign(msg, seed);
    const R = h(sig.slice(0, 32));
    const S = h(sig.slice(32));
    expect(await lib.verify(h(pub), R, S, h(msg))).to.equal(true);
    expect(await lib.verify(h(pub), R, S, keccak256(toHex("n")))).to.equal(false);
    expect(await lib.verify(h(other.pub), R, S, h(msg))).to.equal(false);
    const flip = (b: Uint8Array, i: number) => { const c = b.slice(); c[i] ^= 1; return h(c); };
    expect(await lib.verify(h(pub), flip(sig.slice(0, 32), 3), S, h(msg))).to.equal(false);
    expect(await lib.verify(h(pub), R, flip(sig.slice(32), 3), h(msg))).to.equal(false);
    // S + L: same point equation, but not canonical (malleability) → refused.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const sLE = BigInt("0x" + Buffer.from(sig.slice(32)).reverse().toString("hex"));
    const sPlusL = Buffer.from((sLE + L).toString(16).padStart(64, "0"), "hex").reverse();
    expect(await lib.verify(h(pub), R, h(sPlusL), h(msg))).to.equal(false);
    // The other sign of x (same X25519 key) is a different Ed25519 key: the signature does not verify under it.
    const negated = pub.slice();
    negated[31] ^= 0x80;
    expect(await lib.verify(h(negated), R, S, h(msg))).to.equal(false);
    // y = 2 is not on the curve (x² is not a square); y ≥ p is not canonical.
    const notOnCurve = new Uint8Array(32);
    notOnCurve[0] = 2;
    expect(await lib.verify(h(notOnCurve), R, S, h(msg))).to.equal(false);
    expect(await lib.verify(("0x" + "ff".repeat(31) + "7f") as Hex, R, S, h(msg))).to.equal(false);
  });

  it("relates an Ed25519 key to its X25519 key (the Session ID) exactly as Session derives it", async () => {
    const lib = await loadFixture(deploy);
    for (let i = 0; i < 6; i++) {
      const { pub } = key(i);
      const x = edwardsToMontgomeryPub(pub);
      expect(await lib.isX25519Of(h(pub), h(x))).to.equal(true);
      const negated = pub.slice();
      negated[31] ^= 0x80; // same y, other x: same Montgomery u
      expect(await lib.isX25519Of(h(negated), h(x))).to.equal(true);
      expect(await lib.isX25519Of(h(key(i + 1).pub), h(x))).to.equal(false);
    }
  });

  it("costs under 300k gas for one verification inside a transaction", async () => {
    const lib = await loadFixture(deploy);
    const { seed, pub } = key(7);
    const msg = hexToBytes(keccak256(toHex("gas")));
    const sig = ed25519.sign(msg, seed);
    const tx = await lib.verifyTx(h(pub), h(sig.slice(0, 32)), h(sig.slice(32)), h(msg));
    const gas = (await tx.wait())!.gasUsed;
    console.log(`      Ed25519 verify transaction: ${gas} gas`);
    expect(gas).to.be.lessThan(300_000n);
  });
});
