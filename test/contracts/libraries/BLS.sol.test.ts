import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { bn254 } from "@noble/curves/bn254";
import { BLSHarness } from "../../../typechain-types";
import { loadBlsHashVectors } from "../../helpers/vectors";

const P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n;
const R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;
const G2 = bn254.G2.ProjectivePoint;
const G1 = bn254.G1.ProjectivePoint;
const Fp2 = bn254.fields.Fp2;

// The committed copy of shared/vectors/bls-hash.json (a lone clone has no ../shared; bls.ts.test.ts checks
// the copy against the original when it is there).
const vectors = loadBlsHashVectors();
const DST = ethers.keccak256(ethers.toUtf8Bytes("test dst"));

type G2Words = [bigint, bigint, bigint, bigint];
interface SigParams {
  sigs0: bigint;
  sigs1: bigint;
  sigs2: bigint;
  sigs3: bigint;
}

/** Contract order (X.re, X.im, Y.re, Y.im) → noble G2 point (Fp2 is {c0: real, c1: imag}). */
function toNobleG2(h: readonly bigint[]): InstanceType<typeof G2> {
  return G2.fromAffine({ x: Fp2.create({ c0: h[0], c1: h[1] }), y: Fp2.create({ c0: h[2], c1: h[3] }) });
}

function toSig(point: InstanceType<typeof G2>): SigParams {
  const a = point.toAffine();
  return { sigs0: a.x.c0, sigs1: a.x.c1, sigs2: a.y.c0, sigs3: a.y.c1 };
}

function toG1(point: InstanceType<typeof G1>): { X: bigint; Y: bigint } {
  const a = point.toAffine();
  return { X: a.x, Y: a.y };
}

function randomScalar(): bigint {
  return (BigInt(ethers.hexlify(ethers.randomBytes(48))) % (R - 1n)) + 1n;
}

describe("BLS (Solidity): BN254, hash-to-G2, verify", () => {
  async function deploy(): Promise<{ harness: BLSHarness }> {
    const harness = await ethers.deployContract("BLSHarness");
    return { harness };
  }

  describe("hash-to-G2 building blocks reproduce shared/vectors/bls-hash.json", () => {
    it("expand_message_xmd (Keccak-256, 128 bytes)", async () => {
      const { harness } = await loadFixture(deploy);
      for (const v of vectors.expand_message_xmd_keccak256) {
        expect(v.len_in_bytes).to.equal(128);
        const out = await harness.expandMessage(ethers.toUtf8Bytes(v.msg_utf8), v.dst);
        expect(out).to.equal("0x" + v.uniform_bytes.map((w) => w.slice(2)).join(""));
      }
    });

    it("hash_to_field into Fp2 and the sign bit", async () => {
      const { harness } = await loadFixture(deploy);
      for (const v of vectors.hash_to_field_fp2) {
        const [re, im, negateY] = await harness.hashToField(ethers.toUtf8Bytes(v.msg_utf8), v.dst);
        expect(re).to.equal(BigInt(v.u0_real));
        expect(im).to.equal(BigInt(v.u1_imag));
        expect(negateY).to.equal(v.negate_y);
      }
    });

    it("fp2_sqrt yields roots[0] (the network's root); roots[1] is its negation and also squares to a", async () => {
      const { harness } = await loadFixture(deploy);
      expect(vectors.fp2_sqrt.length).to.be.greaterThan(0);
      for (const v of vectors.fp2_sqrt) {
        const a = Fp2.create({ c0: BigInt(v.a.re), c1: BigInt(v.a.im) });
        const [exists, yRe, yIm] = await harness.fp2Sqrt(a.c0, a.c1);
        expect(exists).to.equal(true);
        expect([yRe, yIm]).to.deep.equal([BigInt(v.roots[0].re), BigInt(v.roots[0].im)]);
        const other = Fp2.create({ c0: BigInt(v.roots[1].re), c1: BigInt(v.roots[1].im) });
        expect(Fp2.eql(other, Fp2.neg(Fp2.create({ c0: yRe, c1: yIm })))).to.equal(true);
        for (const root of v.roots) {
          const y = Fp2.create({ c0: BigInt(root.re), c1: BigInt(root.im) });
          expect(Fp2.eql(Fp2.sqr(y), a)).to.equal(true);
        }
      }
    });

    it("fp2Sqrt reports non-squares and handles the purely real case", async () => {
      const { harness } = await loadFixture(deploy);
      // ξ = 9 + i is not a square in Fp2 (it defines the Fp12 tower).
      expect((await harness.fp2Sqrt(9n, 1n))[0]).to.equal(false);
      // 4 = 2² is real and a square in Fp: root (2, 0).
      expect(await harness.fp2Sqrt(4n, 0n)).to.deep.equal([true, 2n, 0n]);
      // -4 = (2i)²: root (0, 2) as PROTOCOL.md's d == 0 branch gives.
      const [ok, re, im] = await harness.fp2Sqrt(P - 4n, 0n);
      expect(ok).to.equal(true);
      expect(re).to.equal(0n);
      expect(Fp2.eql(Fp2.sqr(Fp2.create({ c0: re, c1: im })), Fp2.create({ c0: P - 4n, c1: 0n }))).to.equal(true);
      // Random squares: the root squares back.
      for (let k = 0; k < 5; k++) {
        const y = Fp2.create({ c0: randomScalar() % P, c1: randomScalar() % P });
        const a = Fp2.sqr(y);
        const [exists, r0, r1] = await harness.fp2Sqrt(a.c0, a.c1);
        expect(exists).to.equal(true);
        expect(Fp2.eql(Fp2.sqr(Fp2.create({ c0: r0, c1: r1 })), a)).to.equal(true);
      }
    });

    it("hash_to_g2: all full vectors, each a point of G2", async () => {
      const { harness } = await loadFixture(deploy);
      expect(vectors.hash_to_g2.length).to.equal(6);
      for (const v of vectors.hash_to_g2) {
        const h = await harness.hashToG2(v.msg, v.dst);
        expect([...h]).to.deep.equal([BigInt(v.H.x.re), BigInt(v.H.x.im), BigInt(v.H.y.re), BigInt(v.H.y.im)]);
        const point = toNobleG2(h);
        point.assertValidity(); // on the twist and in the r-torsion subgroup
      }
    });

    it("mapToCurve returns a twist point whose cleared cofactor is the hash", async () => {
      const { harness } = await loadFixture(deploy);
      const b = Fp2.div(Fp2.create({ c0: 3n, c1: 0n }), Fp2.create({ c0: 9n, c1: 1n }));
      for (const v of vectors.hash_to_g2) {
        const [pt] = await harness.mapToCurve(v.msg, v.dst);
        const x = Fp2.create({ c0: pt[0], c1: pt[1] });
        const y = Fp2.create({ c0: pt[2], c1: pt[3] });
        expect(Fp2.eql(Fp2.sqr(y), Fp2.add(Fp2.mul(Fp2.sqr(x), x), b))).to.equal(true);
        expect([...(await harness.clearCofactor([...pt] as G2Words))]).to.deep.equal([
          ...(await harness.hashToG2(v.msg, v.dst)),
        ]);
      }
    });
  });

  describe("verify", () => {
    async function signed(): Promise<{
      harness: BLSHarness;
      sk: bigint;
      pk: { X: bigint; Y: bigint };
      message: Uint8Array;
      sig: SigParams;
    }> {
      const { harness } = await loadFixture(deploy);
      const sk = randomScalar();
      const pk = toG1(G1.BASE.multiply(sk));
      const message = ethers.toUtf8Bytes("exit node 42 at 1700000000");
      const h = await harness.hashToG2(message, DST);
      const sig = toSig(toNobleG2(h).multiply(sk));
      return { harness, sk, pk, message, sig };
    }

    it("accepts a real signature (made with @noble/curves) and verifyTx emits Verified", async () => {
      const { harness, pk, message, sig } = await signed();
      expect(await harness.verify(pk, sig, message, DST)).to.equal(true);
      await expect(harness.verifyTx(pk, sig, message, DST))
        .to.emit(harness, "Verified")
        .withArgs(ethers.keccak256(message));
    });

    it("accepts an aggregate signature under the aggregate key", async () => {
      const { harness, message } = await signed();
      const sks = [randomScalar(), randomScalar(), randomScalar()];
      const h = toNobleG2(await harness.hashToG2(message, DST));
      const apk = sks.map((k) => G1.BASE.multiply(k)).reduce((a, b) => a.add(b));
      const agg = sks.map((k) => h.multiply(k)).reduce((a, b) => a.add(b));
      expect(await harness.verify(toG1(apk), toSig(agg), message, DST)).to.equal(true);
      // Leaving one signer's key out of the aggregate key breaks it.
      const partial = G1.BASE.multiply(sks[0]).add(G1.BASE.multiply(sks[1]));
      expect(await harness.verify(toG1(partial), toSig(agg), message, DST)).to.equal(false);
    });

    it("rejects another message, another dst and another key with false", async () => {
      const { harness, pk, message, sig } = await signed();
      expect(await harness.verify(pk, sig, ethers.toUtf8Bytes("exit node 43 at 1700000000"), DST)).to.equal(false);
      expect(await harness.verify(pk, sig, message, ethers.ZeroHash)).to.equal(false);
      expect(await harness.verify(toG1(G1.BASE.multiply(randomScalar())), sig, message, DST)).to.equal(false);
      await expect(harness.verifyTx(pk, sig, ethers.toUtf8Bytes("other"), DST)).to.be.revertedWithCustomError(
        harness,
        "InvalidSignature",
      );
    });

    it("rejects corrupted, out-of-range, off-twist and non-G2 signatures with false (no revert)", async () => {
      const { harness, pk, message, sig } = await signed();
      const keys = ["sigs0", "sigs1", "sigs2", "sigs3"] as const;
      for (const k of keys) {
        // corrupted coordinate: the point leaves the twist
        expect(await harness.verify(pk, { ...sig, [k]: (sig[k] + 1n) % P }, message, DST)).to.equal(false);
        // coordinate + P (same residue, but not canonical)
        expect(await harness.verify(pk, { ...sig, [k]: sig[k] + P }, message, DST)).to.equal(false);
        expect(await harness.verify(pk, { ...sig, [k]: ethers.MaxUint256 }, message, DST)).to.equal(false);
      }
      // The negated signature is a valid G2 point but the wrong one.
      const neg = toSig(toNobleG2([sig.sigs0, sig.sigs1, sig.sigs2, sig.sigs3]).negate());
      expect(await harness.verify(pk, neg, message, DST)).to.equal(false);
      // A twist point outside G2: the try-and-increment point before cofactor clearing.
      const [raw] = await harness.mapToCurve(message, DST);
      const offG2 = { sigs0: raw[0], sigs1: raw[1], sigs2: raw[2], sigs3: raw[3] };
      expect(await harness.verify(pk, offG2, message, DST)).to.equal(false);
      // The infinity encoding as signature.
      expect(await harness.verify(pk, { sigs0: 0n, sigs1: 0n, sigs2: 0n, sigs3: 0n }, message, DST)).to.equal(false);
      // verifyTx turns false into a custom error, and a failing pairing does not burn the caller's gas.
      const tx = harness.verifyTx(pk, offG2, message, DST, { gasLimit: 1_000_000 });
      await expect(tx).to.be.revertedWithCustomError(harness, "InvalidSignature");
    });

    it("rejects bad aggregate keys with false: infinity, off-curve, out of range", async () => {
      const { harness, pk, message, sig } = await signed();
      const zeroSig = { sigs0: 0n, sigs1: 0n, sigs2: 0n, sigs3: 0n };
      // apk = infinity with sig = infinity would pass a bare pairing check: must be refused.
      expect(await harness.verify({ X: 0n, Y: 0n }, zeroSig, message, DST)).to.equal(false);
      expect(await harness.verify({ X: 0n, Y: 0n }, sig, message, DST)).to.equal(false);
      expect(await harness.verify({ X: pk.X, Y: pk.Y + 1n }, sig, message, DST)).to.equal(false);
      expect(await harness.verify({ X: pk.X + P, Y: pk.Y }, sig, message, DST)).to.equal(false);
      expect(await harness.verify({ X: pk.X, Y: pk.Y + P }, sig, message, DST)).to.equal(false);
    });
  });

  describe("BN254 G1 and public-key validation", () => {
    it("add, negate and mul agree with @noble/curves", async () => {
      const { harness } = await loadFixture(deploy);
      const a = G1.BASE.multiply(randomScalar());
      const b = G1.BASE.multiply(randomScalar());
      const k = randomScalar();
      expect(await harness.g1Add(toG1(a), toG1(b))).to.deep.equal(Object.values(toG1(a.add(b))));
      expect(await harness.g1Mul(toG1(a), k)).to.deep.equal(Object.values(toG1(a.multiply(k))));
      expect(await harness.g1Negate(toG1(a))).to.deep.equal(Object.values(toG1(a.negate())));
      expect(await harness.g1Negate({ X: 0n, Y: 0n })).to.deep.equal([0n, 0n]);
      // a + (-a) = infinity (0, 0)
      expect(await harness.g1Add(toG1(a), toG1(a.negate()))).to.deep.equal([0n, 0n]);
    });

    it("add and mul revert with PrecompileFailed for points off the curve", async () => {
      const { harness } = await loadFixture(deploy);
      await expect(harness.g1Add({ X: 1n, Y: 3n }, { X: 1n, Y: 2n }))
        .to.be.revertedWithCustomError(harness, "PrecompileFailed")
        .withArgs(6);
      await expect(harness.g1Mul({ X: 1n, Y: 3n }, 5n))
        .to.be.revertedWithCustomError(harness, "PrecompileFailed")
        .withArgs(7);
    });

    it("isOnCurve / validatePublicKey: accept real keys, reject infinity, off-curve and out-of-range", async () => {
      const { harness } = await loadFixture(deploy);
      const pk = toG1(G1.BASE.multiply(randomScalar()));
      expect(await harness.g1IsOnCurve(pk)).to.equal(true);
      expect(await harness.g1IsOnCurve({ X: 1n, Y: 2n })).to.equal(true);
      await harness.validatePublicKey(pk);
      const bad: [bigint, bigint][] = [
        [0n, 0n], // infinity
        [pk.X, pk.Y + 1n], // off the curve
        [pk.X + P, pk.Y], // x out of range (same residue)
        [pk.X, pk.Y + P], // y out of range (same residue)
        [pk.X, P - pk.Y + P], // -y + P
        [1n, 2n + P],
        [P, 0n],
        [ethers.MaxUint256, ethers.MaxUint256],
        [0n, 1n],
      ];
      for (const [x, y] of bad) {
        expect(await harness.g1IsOnCurve({ X: x, Y: y })).to.equal(false);
        await expect(harness.validatePublicKey({ X: x, Y: y }))
          .to.be.revertedWithCustomError(harness, "InvalidPublicKey")
          .withArgs(x, y);
      }
      // The negated key is a valid key too.
      await harness.validatePublicKey({ X: pk.X, Y: P - pk.Y });
    });
  });

  describe("domain tags", () => {
    it("tag = keccak256(abi.encodePacked(base, chainid, rewardsContract)) for the five PROTOCOL.md bases", async () => {
      const { harness } = await loadFixture(deploy);
      const bases = await harness.tagBases();
      expect([...bases]).to.deep.equal([
        "BLS_SIG_TRYANDINCREMENT_POP",
        "BLS_SIG_TRYANDINCREMENT_REWARD",
        "BLS_SIG_TRYANDINCREMENT_EXIT",
        "BLS_SIG_TRYANDINCREMENT_LIQUIDATE",
        "BLS_SIG_HASH_TO_FIELD_TAG",
      ]);
      const { chainId } = await ethers.provider.getNetwork();
      const rewards = ethers.Wallet.createRandom().address;
      for (const base of bases) {
        expect(await harness.tag(base, rewards)).to.equal(
          ethers.solidityPackedKeccak256(["string", "uint256", "address"], [base, chainId, rewards]),
        );
      }
    });
  });
});
