/**
 * An ERC-2612 permit for SESH signed through any viem wallet (a browser wallet in the portal, a local
 * account in scripts): reads the token's EIP-712 domain and the owner's nonce from the chain first.
 */
import { parseSignature, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";
import { PERMIT_TYPES } from "./permit";

const EIP5267_ABI = [
  {
    type: "function",
    name: "eip712Domain",
    stateMutability: "view",
    inputs: [],
    outputs: [
      { name: "fields", type: "bytes1" },
      { name: "name", type: "string" },
      { name: "version", type: "string" },
      { name: "chainId", type: "uint256" },
      { name: "verifyingContract", type: "address" },
      { name: "salt", type: "bytes32" },
      { name: "extensions", type: "uint256[]" },
    ],
  },
  { type: "function", name: "nonces", stateMutability: "view", inputs: [{ name: "owner", type: "address" }], outputs: [{ name: "", type: "uint256" }] },
] as const;

export interface SignedPermit {
  readonly owner: Address;
  readonly spender: Address;
  readonly value: bigint;
  readonly deadline: bigint;
  readonly v: number;
  readonly r: Hex;
  readonly s: Hex;
}

/** Asks `wallet` to sign a permit letting `spender` take `value` of `token` until `deadline` (unix seconds). */
export async function signPermit(args: {
  readonly wallet: WalletClient<Transport, Chain | undefined, Account | undefined>;
  readonly client: PublicClient;
  readonly token: Address;
  readonly owner: Address;
  readonly spender: Address;
  readonly value: bigint;
  readonly deadline: bigint;
}): Promise<SignedPermit> {
  const { wallet, client, token, owner, spender, value, deadline } = args;
  const [[, name, version, chainId, verifyingContract], nonce] = await Promise.all([
    client.readContract({ address: token, abi: EIP5267_ABI, functionName: "eip712Domain" }),
    client.readContract({ address: token, abi: EIP5267_ABI, functionName: "nonces", args: [owner] }),
  ]);
  const signature = await wallet.signTypedData({
    account: owner,
    domain: { name, version, chainId, verifyingContract },
    types: PERMIT_TYPES,
    primaryType: "Permit",
    message: { owner, spender, value, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return { owner, spender, value, deadline, v: Number(v ?? BigInt(27 + (yParity ?? 0))), r, s };
}
