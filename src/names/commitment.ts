/** Commitment hashing for commit–reveal registration (mirrors `SessionNameService.makeCommitment`). */
import { Address, Hex, encodeAbiParameters, keccak256, toHex } from "viem";
import { randomBytes } from "@noble/hashes/utils";
import { RecordInput } from "./records";

const RECORDS_PARAM = [
  {
    type: "tuple[]",
    components: [
      { name: "kind", type: "uint8" },
      { name: "key", type: "string" },
      { name: "value", type: "bytes" },
    ],
  },
] as const;

/** What a commitment binds. */
export interface CommitmentParams {
  /** The SessionNameService proxy. */
  readonly registry: Address;
  readonly labelhash: Hex;
  readonly owner: Address;
  readonly years: bigint;
  readonly secret: Hex;
  readonly records: readonly RecordInput[];
}

/** keccak256(abi.encode(records)) as the contract computes it. */
export function recordsHash(records: readonly RecordInput[]): Hex {
  return keccak256(encodeAbiParameters(RECORDS_PARAM, [records.map((r) => ({ ...r }))]));
}

/** The commitment to `commit` before `register`. */
export function makeCommitment(p: CommitmentParams): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "address" }, { type: "bytes32" }, { type: "address" }, { type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }],
      [p.registry, p.labelhash, p.owner, p.years, p.secret, recordsHash(p.records)],
    ),
  );
}

/** A fresh random 32-byte secret. */
export function randomSecret(): Hex {
  return toHex(randomBytes(32));
}
