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
} from "../src/bls";
import { readFileSync } from "node:fs";
import { COMMITTED_VECTORS_FILE, findSharedVectorsFile, loadBlsHashVectors } from "./helpers/vectors";

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
});
