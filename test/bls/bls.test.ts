import { expect } from "chai";
import { bytesToHex, hexToBytes, stringToBytes, type Address } from "viem";
import {
  DOMAIN_TAG_BASES,
  P,
  R,
  aggregatePublicKeys,
  aggregateSignatures,
  batchVerify,
  findInvalidSignatures,
  domainTag,
  expandMessageXmd,
  fp2Sqrt,
  hashToFieldDst,
  hashToFieldFp2,
  hashToG2,
  isValidPublicKey,
  paramsToSignature,
  proofOfPossessionMessage,
  publicKey,
  publicKeyFromHex,
  publicKeyToHex,
  rewardMessage,
  secretKeyFromSeed,
  sign,
  signatureToParams,
  verify,
} from "../../src/bls";
import { readFileSync } from "node:fs";
import { bn254 } from "@noble/curves/bn254";
import { pippenger } from "@noble/curves/abstract/curve";
import { Fp, Fp2Field, G1, G2, g1ToAffine as g1ToAffineKey, g2FromAffine, g2ToAffine } from "../../src/bls/curve";
import { msmShort, msmShortAffine, msmWindow } from "../../src/bls/msm";
import { isolateInvalid, parsePartial, randomWeights, screenPartials, type ParsedPartial } from "../../src/bls/batch";
import { HASH_CACHE_SIZE, messagePoint } from "../../src/bls/signature";
import { combinePartials } from "../../src/network/aggregator/combine";
import { COMMITTED_VECTORS_FILE, findSharedVectorsFile, loadBlsHashVectors } from "../helpers/vectors";

const vectors = loadBlsHashVectors();
const domain = { chainId: 421614n, contract: "0x1111111111111111111111111111111111111111" as Address };
const dst = hashToFieldDst(domain);

describe("src/bls (TypeScript BLS)", () => {
  describe("shared vectors", () => {
    it("the committed copy equals shared/vectors/bls-hash.json", function () {
      const shared = findSharedVectorsFile();
      if (shared === undefined) this.skip();
      expect(readFileSync(COMMITTED_VECTORS_FILE, "utf8")).to.equal(readFileSync(shared!, "utf8"));
    });

    it("expand_message_xmd with Keccak-256", () => {
      for (const v of vectors.expand_message_xmd_keccak256) {
        const uniform = expandMessageXmd(stringToBytes(v.msg_utf8), v.dst, v.len_in_bytes);
        expect(bytesToHex(uniform)).to.equal(`0x${v.uniform_bytes.map((h) => h.slice(2)).join("")}`);
      }
    });

    it("hash_to_field to Fp2 with the sign bit", () => {
      for (const v of vectors.hash_to_field_fp2) {
        const { x, negateY } = hashToFieldFp2(stringToBytes(v.msg_utf8), v.dst);
        expect(x.re).to.equal(BigInt(v.u0_real));
        expect(x.im).to.equal(BigInt(v.u1_imag));
        expect(negateY).to.equal(v.negate_y);
      }
    });

    it("Fp2 square root yields one of the two listed roots, and it squares back", () => {
      for (const v of vectors.fp2_sqrt) {
        const root = fp2Sqrt({ re: BigInt(v.a.re), im: BigInt(v.a.im) });
        expect(root).to.not.equal(undefined);
        const listed = v.roots.map((r) => `${r.re}:${r.im}`);
        expect(listed).to.include(`${root!.re}:${root!.im}`);
        const re = (root!.re * root!.re - root!.im * root!.im) % P;
        const im = (2n * root!.re * root!.im) % P;
        expect((re + P) % P).to.equal(BigInt(v.a.re));
        expect(im).to.equal(BigInt(v.a.im));
      }
    });

    it("hash to G2 reproduces every full vector", () => {
      expect(vectors.hash_to_g2.length).to.equal(6);
      for (const v of vectors.hash_to_g2) {
        const h = hashToG2(hexToBytes(v.msg), v.dst);
        expect({ xr: h.X.re, xi: h.X.im, yr: h.Y.re, yi: h.Y.im }).to.deep.equal({
          xr: BigInt(v.H.x.re),
          xi: BigInt(v.H.x.im),
          yr: BigInt(v.H.y.re),
          yi: BigInt(v.H.y.im),
        });
      }
    });

    it("rejects a domain tag that is not 32 bytes", () => {
      expect(() => hashToG2(new Uint8Array(1), "0x1234")).to.throw(/32 bytes/);
    });
  });

  describe("keys, signatures, aggregation", () => {
    const message = stringToBytes("exit me");
    const keys = Array.from({ length: 5 }, (_, i) => secretKeyFromSeed(`node-${i}`));

    it("derives deterministic keys in [1, r) and valid public keys", () => {
      expect(secretKeyFromSeed("node-0")).to.equal(keys[0]);
      for (const sk of keys) {
        expect(sk > 0n && sk < R).to.equal(true);
        expect(isValidPublicKey(publicKey(sk))).to.equal(true);
      }
      expect(() => publicKey(0n)).to.throw(/secret key/);
      expect(() => publicKey(R)).to.throw(/secret key/);
    });

    it("a signature verifies for its key and message only", () => {
      const sig = sign(keys[0], message, dst);
      expect(verify(publicKey(keys[0]), message, sig, dst)).to.equal(true);
      expect(verify(publicKey(keys[1]), message, sig, dst)).to.equal(false);
      expect(verify(publicKey(keys[0]), stringToBytes("exit you"), sig, dst)).to.equal(false);
      const otherDst = hashToFieldDst({ ...domain, chainId: 42161n });
      expect(verify(publicKey(keys[0]), message, sig, otherDst)).to.equal(false);
    });

    it("malformed inputs verify as false, never throw", () => {
      const sig = sign(keys[0], message, dst);
      expect(verify({ X: 0n, Y: 0n }, message, sig, dst)).to.equal(false);
      expect(verify({ X: 1n, Y: 3n }, message, sig, dst)).to.equal(false);
      expect(verify(publicKey(keys[0]), message, { ...sig, X: { ...sig.X, re: sig.X.re + P } }, dst)).to.equal(false);
      expect(verify(publicKey(keys[0]), message, { X: { re: 0n, im: 0n }, Y: { re: 0n, im: 0n } }, dst)).to.equal(false);
    });

    it("an aggregate signature verifies against the aggregate key, not without a signer", () => {
      const sigs = keys.map((sk) => sign(sk, message, dst));
      const pks = keys.map(publicKey);
      expect(verify(aggregatePublicKeys(pks), message, aggregateSignatures(sigs), dst)).to.equal(true);
      expect(verify(aggregatePublicKeys(pks.slice(1)), message, aggregateSignatures(sigs), dst)).to.equal(false);
      expect(verify(aggregatePublicKeys(pks.slice(1)), message, aggregateSignatures(sigs.slice(1)), dst)).to.equal(true);
      expect(aggregatePublicKeys([])).to.deep.equal({ X: 0n, Y: 0n });
    });
  });

  describe("messages and encodings", () => {
    it("domain tags are keccak256(base ‖ chainId ‖ contract)", () => {
      const tag = domainTag(DOMAIN_TAG_BASES.reward, domain);
      expect(tag).to.match(/^0x[0-9a-f]{64}$/);
      expect(tag).to.not.equal(domainTag(DOMAIN_TAG_BASES.exit, domain));
      expect(() => domainTag(DOMAIN_TAG_BASES.reward, { ...domain, contract: "0x12" as Address })).to.throw(/contract is not an address/);
    });

    it("message layouts have the PROTOCOL.md lengths and tag first", () => {
      const pk = publicKey(secretKeyFromSeed("a"));
      const pop = proofOfPossessionMessage(domain, pk, "0x2222222222222222222222222222222222222222", 7n);
      expect(pop.length).to.equal(32 + 64 + 20 + 32);
      expect(bytesToHex(pop.subarray(0, 32))).to.equal(domainTag(DOMAIN_TAG_BASES.proofOfPossession, domain));
      const reward = rewardMessage(domain, "0x2222222222222222222222222222222222222222", 10n);
      expect(reward.length).to.equal(32 + 20 + 32);
      expect(() => rewardMessage(domain, "0x2222222222222222222222222222222222222222", -1n)).to.throw(/lifetime rewards must be a uint256/);
    });

    it("round-trips signatures and keys through the calldata encodings", () => {
      const sig = sign(secretKeyFromSeed("b"), stringToBytes("m"), dst);
      expect(paramsToSignature(signatureToParams(sig))).to.deep.equal(sig);
      expect(() => paramsToSignature({ ...signatureToParams(sig), sigs2: P })).to.throw(/sigs2/);
      const pk = publicKey(secretKeyFromSeed("c"));
      expect(publicKeyFromHex(publicKeyToHex(pk))).to.deep.equal(pk);
      expect(() => publicKeyFromHex("0x1234")).to.throw(/64 bytes/);
    });
  });

  describe("batch verification of partial signatures over one message", () => {
    const message = stringToBytes("reward 0x22 1000");
    const partials = Array.from({ length: 24 }, (_, i) => {
      const sk = secretKeyFromSeed(`batch-${i}`);
      return { publicKey: publicKey(sk), signature: sign(sk, message, dst) };
    });

    it("accepts a batch of valid partials and reports none invalid", () => {
      expect(batchVerify(partials, message, dst)).to.equal(true);
      expect(findInvalidSignatures(partials, message, dst)).to.deep.equal([]);
      expect(batchVerify([], message, dst)).to.equal(true);
    });

    it("rejects a batch with a swapped signature and isolates exactly the bad signers", () => {
      const bad = [...partials];
      bad[3] = { ...bad[3], signature: partials[4].signature };
      bad[20] = { ...bad[20], signature: sign(secretKeyFromSeed("batch-20"), stringToBytes("other"), dst) };
      expect(batchVerify(bad, message, dst)).to.equal(false);
      expect(findInvalidSignatures(bad, message, dst)).to.deep.equal([3, 20]);
    });

    it("rejects malformed points: off-twist, out-of-range, infinity key", () => {
      const offTwist = [...partials];
      offTwist[0] = { ...offTwist[0], signature: { ...offTwist[0].signature, Y: { re: 1n, im: 1n } } };
      expect(batchVerify(offTwist, message, dst)).to.equal(false);
      expect(findInvalidSignatures(offTwist, message, dst)).to.deep.equal([0]);
      const infinityKey = [...partials];
      infinityKey[5] = { ...infinityKey[5], publicKey: { X: 0n, Y: 0n } };
      expect(findInvalidSignatures(infinityKey, message, dst)).to.deep.equal([5]);
      const outOfRange = [...partials];
      outOfRange[7] = { ...outOfRange[7], publicKey: { X: outOfRange[7].publicKey.X + P, Y: outOfRange[7].publicKey.Y } };
      expect(batchVerify(outOfRange, message, dst)).to.equal(false);
    });
  });

  describe("short-scalar MSM and the screen behind combinePartials", () => {
    const message = stringToBytes("reward 0x33 77");
    const hash = messagePoint(message, dst);
    const keys = Array.from({ length: 40 }, (_, i) => secretKeyFromSeed(`msm-${i}`));
    const partials = keys.map((sk) => ({ publicKey: publicKey(sk), signature: sign(sk, message, dst) }));
    const parsed = partials.map((p) => parsePartial(p)!) as ParsedPartial[];

    it("equals noble's pippenger for random 64-bit weights, every window width, equal and opposite points", () => {
      const sigs = parsed.map((p) => p.sig);
      sigs[7] = sigs[3];
      sigs[9] = sigs[3].negate();
      const r = randomWeights(sigs.length);
      r[5] = (1n << 64n) - 1n;
      r[6] = 1n;
      const expected = pippenger(G2, bn254.fields.Fr, sigs, r);
      const affine = sigs.map((p) => p.toAffine());
      const snapshot = affine.map(({ x, y }) => ({ x: { ...x }, y: { ...y } }));
      for (const c of [2, 5, 8, 11]) {
        expect(msmShort(G2.ZERO, sigs, r, 64, c).equals(expected), `window ${c}`).to.equal(true);
        expect(msmShortAffine(G2, Fp2Field, affine, r, 64, c).equals(expected), `affine, window ${c}`).to.equal(true);
      }
      // The inputs are noble's memoised affine objects (shared with the points): they must stay untouched.
      expect(affine).to.deep.equal(snapshot);
      expect(sigs.map((p) => p.toAffine())).to.deep.equal(snapshot);
      // All points equal: every affine pair has equal x and takes the projective side path.
      const same = Array.from({ length: 9 }, () => sigs[0]);
      const ones = same.map(() => 3n);
      expect(msmShortAffine(G2, Fp2Field, same.map((p) => p.toAffine()), ones, 64, 3).equals(sigs[0].multiply(27n))).to.equal(true);
      const opposite = [sigs[0], sigs[0].negate()].map((p) => p.toAffine());
      expect(msmShortAffine(G2, Fp2Field, opposite, [5n, 5n], 64).is0()).to.equal(true);
      const g1 = parsed.map((p) => p.key);
      const expectedG1 = pippenger(G1, bn254.fields.Fr, g1, r);
      expect(msmShort(G1.ZERO, g1, r, 64).equals(expectedG1)).to.equal(true);
      expect(msmShortAffine(G1, Fp, g1.map((p) => p.toAffine()), r, 64).equals(expectedG1)).to.equal(true);
      expect(() => msmShortAffine(G1, Fp, [g1[0].toAffine()], [1n << 64n], 64)).to.throw(/outside \[0, 2\^64\)/);
      expect(msmShort(G2.ZERO, [], [], 64).is0()).to.equal(true);
      expect(() => msmShort(G2.ZERO, sigs, r.slice(1), 64)).to.throw(/40 points but 39 scalars/);
      expect(() => msmShort(G2.ZERO, [sigs[0]], [1n << 64n], 64)).to.throw(/outside \[0, 2\^64\)/);
      expect(msmWindow(2_000, 64)).to.equal(8);
    });

    it("screens all-valid partials with one check and returns the plain sums of the parsed points", () => {
      const screened = screenPartials(partials, hash);
      expect(screened.batchPassed).to.equal(true);
      expect(screened.invalid).to.deep.equal([]);
      expect(g2ToAffine(screened.signatureSum)).to.deep.equal(aggregateSignatures(partials.map((p) => p.signature)));
      expect(g1ToAffineKey(screened.keySum)).to.deep.equal(aggregatePublicKeys(partials.map((p) => p.publicKey)));
      // `hash` was taken when mocha loaded this file; the bounded cache may have evicted it since (other
      // test files hash many messages), so compare by value and check memoisation on back-to-back calls.
      const memoised = messagePoint(message, dst);
      expect(memoised.equals(hash)).to.equal(true);
      expect(messagePoint(message, dst)).to.equal(memoised); // memoised: the very same point
      expect(hash.equals(g2FromAffine(hashToG2(message, dst)))).to.equal(true);
    });

    it("bisection isolates bad signers whether or not the root is known to fail, and the sums leave them out", () => {
      const bad = [...partials];
      bad[0] = { ...bad[0], signature: partials[1].signature };
      bad[21] = { ...bad[21], signature: sign(keys[21], stringToBytes("other"), dst) };
      bad[39] = { ...bad[39], signature: { ...bad[39].signature, Y: { re: 1n, im: 1n } } }; // off the twist
      const parsedBad = bad.slice(0, 39).map((p) => parsePartial(p)!);
      expect(isolateInvalid(parsedBad, hash, true)).to.deep.equal([0, 21]);
      expect(isolateInvalid(parsedBad, hash, false)).to.deep.equal([0, 21]);
      expect(isolateInvalid(parsed, hash, false)).to.deep.equal([]);
      const screened = screenPartials(bad, hash);
      expect(screened.batchPassed).to.equal(false);
      expect(screened.invalid).to.deep.equal([0, 21, 39]);
      const good = partials.filter((_, i) => ![0, 21, 39].includes(i));
      expect(g2ToAffine(screened.signatureSum)).to.deep.equal(aggregateSignatures(good.map((p) => p.signature)));
      const combined = combinePartials(bad, message, dst);
      expect(combined.invalid).to.deep.equal([0, 21, 39]);
      expect(verify(combined.aggregateKey, message, combined.signature, dst)).to.equal(true);
      expect(combined.aggregateKey).to.deep.equal(aggregatePublicKeys(good.map((p) => p.publicKey)));
    });

    it("keeps the hash of a message in use cached while more than HASH_CACHE_SIZE others are hashed (LRU, not FIFO)", () => {
      const hot = stringToBytes("lru hot message");
      const cold = stringToBytes("lru cold message");
      const coldPoint = messagePoint(cold, dst);
      const hotPoint = messagePoint(hot, dst);
      for (let i = 0; i < HASH_CACHE_SIZE + 4; i++) {
        expect(messagePoint(hot, dst), `after ${i} other messages`).to.equal(hotPoint);
        messagePoint(stringToBytes(`lru filler ${i}`), dst);
      }
      expect(messagePoint(hot, dst)).to.equal(hotPoint);
      // The untouched entry was evicted: recomputed as a new object, equal in value.
      const recomputed = messagePoint(cold, dst);
      expect(recomputed).to.not.equal(coldPoint);
      expect(recomputed.equals(coldPoint)).to.equal(true);
    });

    it("rejects zero or mismatched weights from an injected weight source", () => {
      expect(() => screenPartials(partials, hash, (n) => Array.from({ length: n }, () => 0n))).to.throw(/positive/);
      expect(() => screenPartials(partials, hash, () => [1n])).to.throw(/1 weights for 40 partials/);
    });
  });
});
