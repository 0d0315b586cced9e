/** The network's BLS on BN254: keys in G1, signatures and message hashes in G2 (PROTOCOL.md §1). */
export type { Address, BLSSignatureParams, Fp2, G1Affine, G2Affine, Hex, SecretKey } from "./types";
export { P, R } from "./curve";
export { BN_Z, clearCofactor, expandMessageXmd, fp2Sqrt, hashToFieldFp2, hashToG2, mapToTwist } from "./hashToG2";
export { aggregatePublicKeys, assertSecretKey, isValidPublicKey, publicKey, randomSecretKey, secretKeyFromSeed } from "./keys";
export { aggregateSignatures, sign, verify } from "./signature";
export {
  DOMAIN_TAG_BASES,
  domainTag,
  exitMessage,
  hashToFieldDst,
  liquidationMessage,
  proofOfPossessionMessage,
  rewardMessage,
} from "./messages";
export type { DomainTagBase, SigningDomain } from "./messages";
export { paramsToSignature, publicKeyFromHex, publicKeyToHex, publicKeyToParams, signatureToParams } from "./encoding";
export { batchVerify, findInvalidSignatures, randomWeights } from "./batch";
export type { PartialSignature, WeightSource } from "./batch";
