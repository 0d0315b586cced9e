/**
 * The TypeScript library (src/bls) and the Solidity libraries (contracts/libraries) must agree on
 * every hash and every signature: seeded random messages and keys, checked through BLSHarness.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { bytesToHex, type Address } from "viem";
import {
  P,
  aggregatePublicKeys,
  aggregateSignatures,
  hashToFieldDst,
  hashToG2,
  mapToTwist,
  publicKey,
  secretKeyFromSeed,
  sign,
  signatureToParams,
  type BLSSignatureParams,
  type G1Affine,
} from "../../../src/bls";
import { seededRandom } from "../../helpers/seededRandom";

const MESSAGES = 200;
const KEYS = 20;

describe("BLS cross-check: TypeScript signer vs Solidity verifier", () => {
  async function deploy() {
    const harness = await ethers.deployContract("BLSHarness");
    const { chainId } = await ethers.provider.getNetwork();
    const dst = hashToFieldDst({ chainId, contract: (await harness.getAddress()) as Address });
    return { harness, dst };
  }

  const toTuple = (key: G1Affine) => ({ X: key.X, Y: key.Y });

  it(`hash-to-G2 agrees point for point on ${MESSAGES} seeded random messages`, async () => {
    const { harness, dst } = await loadFixture(deploy);
    const random = seededRandom("hash-to-g2 cross-check");
    for (let i = 0; i < MESSAGES; i++) {
      const message = random.bytes(random.int(257));
      const expected = hashToG2(message, dst);
      const onChain = await harness.hashToG2(message, dst);
      expect(onChain.map((v) => v)).to.deep.equal([expected.X.re, expected.X.im, expected.Y.re, expected.Y.im], `message ${bytesToHex(message)}`);
    }
  });

  it(`signatures by ${KEYS} seeded keys verify on-chain; every tampered twin is a clean false`, async () => {
    const { harness, dst } = await loadFixture(deploy);
    const random = seededRandom("signature cross-check");
    const keys = Array.from({ length: KEYS }, (_, i) => secretKeyFromSeed(`cross-check key ${i}`));
    for (let i = 0; i < KEYS; i++) {
      const message = random.bytes(1 + random.int(120));
      const other = random.bytes(message.length);
      const sig = signatureToParams(sign(keys[i], message, dst));
      const pk = toTuple(publicKey(keys[i]));
      const otherPk = toTuple(publicKey(keys[(i + 1) % KEYS]));
      expect(await harness.verify(pk, sig, message, dst), `key ${i}`).to.equal(true);
      expect(await harness.verify(pk, sig, other, dst), "other message").to.equal(false);
      expect(await harness.verify(otherPk, sig, message, dst), "other key").to.equal(false);
      const otherDst = hashToFieldDst({ chainId: 1n, contract: (await harness.getAddress()) as Address });
      expect(await harness.verify(pk, sig, message, otherDst), "other domain").to.equal(false);
      for (const field of ["sigs0", "sigs1", "sigs2", "sigs3"] as const) {
        const plusP: BLSSignatureParams = { ...sig, [field]: sig[field] + P };
        expect(await harness.verify(pk, plusP, message, dst), `${field} + p`).to.equal(false);
        const flipped: BLSSignatureParams = { ...sig, [field]: sig[field] ^ 1n };
        expect(await harness.verify(pk, flipped, message, dst), `${field} bit flipped`).to.equal(false);
      }
      // On the twist but outside the order-r subgroup G2: the pairing precompile refuses it.
      const notInG2 = signatureToParams(mapToTwist(message, dst).point);
      expect(await harness.verify(pk, notInG2, message, dst), "twist point outside G2").to.equal(false);
    }
  });

  it("an aggregate of 100 keys verifies; minus 3 non-signers (subtracted on-chain) it verifies the other 97", async () => {
    const { harness, dst } = await loadFixture(deploy);
    const message = new TextEncoder().encode("aggregate of one hundred");
    const secretKeys = Array.from({ length: 100 }, (_, i) => secretKeyFromSeed(`aggregate ${i}`));
    const publicKeys = secretKeys.map(publicKey);
    const signatures = secretKeys.map((sk) => sign(sk, message, dst));

    // The aggregate key as the contract keeps it: summed with the Solidity G1 addition.
    let onChainAggregate = toTuple(publicKeys[0]);
    for (const key of publicKeys.slice(1)) onChainAggregate = toTuple(await harness.g1Add(onChainAggregate, toTuple(key)));
    expect(onChainAggregate).to.deep.equal(toTuple(aggregatePublicKeys(publicKeys)));

    const all = signatureToParams(aggregateSignatures(signatures));
    expect(await harness.verify(onChainAggregate, all, message, dst)).to.equal(true);

    const nonSigners = [7, 42, 99];
    const signed = signatureToParams(aggregateSignatures(signatures.filter((_, i) => !nonSigners.includes(i))));
    expect(await harness.verify(onChainAggregate, signed, message, dst), "non-signers not subtracted").to.equal(false);

    let reduced = onChainAggregate;
    for (const index of nonSigners) reduced = toTuple(await harness.g1Add(reduced, toTuple(await harness.g1Negate(toTuple(publicKeys[index])))));
    expect(await harness.verify(reduced, signed, message, dst)).to.equal(true);

    let missingOne = onChainAggregate;
    for (const index of nonSigners.slice(0, 2)) missingOne = toTuple(await harness.g1Add(missingOne, toTuple(await harness.g1Negate(toTuple(publicKeys[index])))));
    expect(await harness.verify(missingOne, signed, message, dst), "a non-signer left out of the subtraction").to.equal(false);

    await expect(harness.verifyTx(reduced, signed, message, dst)).to.emit(harness, "Verified");
    await expect(harness.verifyTx(missingOne, signed, message, dst)).to.be.revertedWithCustomError(harness, "InvalidSignature");
  });
});
