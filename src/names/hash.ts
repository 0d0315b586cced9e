/** Hashes that identify names on chain (ENS labelhash / namehash). */
import { Hex, encodePacked, keccak256, namehash as ensNamehash, toBytes } from "viem";
import { DEFAULT_PARENT, normaliseName } from "./normalise";

/** keccak256 of a normalised label. */
export function labelhash(label: string): Hex {
  return keccak256(toBytes(label));
}

/** ENS namehash of a dotted name (`alice.session`). */
export function namehash(fullName: string): Hex {
  return ensNamehash(fullName);
}

/** Node (token id) of `label` under `parentNode`, as the contract computes it. */
export function childNode(parentNode: Hex, label: string): Hex {
  return keccak256(encodePacked(["bytes32", "bytes32"], [parentNode, labelhash(label)]));
}

/** Label, label hash, full name and node of a user-typed name, after normalisation. */
export interface NameIds {
  readonly label: string;
  readonly fullName: string;
  readonly labelhash: Hex;
  readonly node: Hex;
}

/** Normalises `input` and derives its on-chain identifiers. */
export function nameIds(input: string, parent: string = DEFAULT_PARENT): NameIds {
  const { label, fullName } = normaliseName(input, parent);
  return { label, fullName, labelhash: labelhash(label), node: namehash(fullName) };
}
