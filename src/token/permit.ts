/**
 * The EIP-712 type of an ERC-2612 permit (EIP-2612: `Permit(address owner,address spender,uint256 value,
 * uint256 nonce,uint256 deadline)`), as both ethers' `signTypedData` and viem's take it. SESH signs with
 * the domain { name: "Session", version: "1", chainId, verifyingContract: the token }.
 */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** {@link PERMIT_TYPES} with mutable arrays, for APIs typed that way (ethers). */
export const permitTypes = (): { Permit: { name: string; type: string }[] } => ({ Permit: PERMIT_TYPES.Permit.map((field) => ({ ...field })) });
