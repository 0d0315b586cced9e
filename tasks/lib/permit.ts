/** ERC-2612 permits for SESH, signed by the task's account so a payment needs no separate approve. */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Signature } from "ethers";
import type { SESH } from "../../typechain-types";
import { permitTypes } from "../../src/token/permit";

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
    permitTypes(),
    { owner: owner.address, spender, value, nonce, deadline },
  );
  return Signature.from(signature);
}
