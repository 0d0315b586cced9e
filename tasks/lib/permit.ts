/** ERC-2612 permits for SESH, signed by the task's account so a payment needs no separate approve. */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Signature } from "ethers";
import type { SESH } from "../../typechain-types";

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** A permit by `owner` for `spender` to take `value` SESH until `deadline`, at `owner`'s current nonce. */
export async function signPermit(
  token: SESH,
  owner: HardhatEthersSigner,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<Signature> {
  const { name, version, chainId, verifyingContract } = await token.eip712Domain();
  const nonce = await token.nonces(owner.address);
  const signature = await owner.signTypedData(
    { name, version, chainId, verifyingContract },
    PERMIT_TYPES,
    { owner: owner.address, spender, value, nonce, deadline },
  );
  return Signature.from(signature);
}
