import { expect } from "chai";
import { SESH_UNIT } from "../../../src/protocol";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { permitTypes } from "../../../src/token/permit";

describe("SESH", () => {
  async function deploy() {
    const [deployer, receiver, other] = await ethers.getSigners();
    const token = await ethers.deployContract("SESH", [receiver.address]);
    return { token, deployer, receiver, other };
  }

  it("mints the fixed supply of 240M SESH with 9 decimals to the receiver", async () => {
    const { token, deployer, receiver } = await loadFixture(deploy);
    expect(await token.decimals()).to.equal(9n);
    expect(await token.totalSupply()).to.equal(240_000_000n * SESH_UNIT);
    expect(await token.balanceOf(receiver.address)).to.equal(240_000_000n * SESH_UNIT);
    expect(await token.balanceOf(deployer.address)).to.equal(0n);
    expect(await token.symbol()).to.equal("SESH");
  });

  it("rejects the zero address as receiver", async () => {
    const factory = await ethers.getContractFactory("SESH");
    await expect(ethers.deployContract("SESH", [ethers.ZeroAddress]))
      .to.be.revertedWithCustomError(factory, "ERC20InvalidReceiver")
      .withArgs(ethers.ZeroAddress);
  });

  it("has no way to mint after deployment", async () => {
    const { token } = await loadFixture(deploy);
    const names: string[] = [];
    token.interface.forEachFunction((fn) => names.push(fn.name));
    expect(names.filter((name) => /mint/i.test(name))).to.deep.equal([]);
  });

  it("accepts an EIP-2612 permit signed by the holder", async () => {
    const { token, receiver, other } = await loadFixture(deploy);
    const value = 1_000n * SESH_UNIT;
    // From the chain's clock, not the wall clock: test files run before this one may have moved the chain ahead.
    const deadline = BigInt(await time.latest()) + 3600n;
    const { chainId } = await ethers.provider.getNetwork();
    const signature = await receiver.signTypedData(
      { name: "Session", version: "1", chainId, verifyingContract: await token.getAddress() },
      permitTypes(),
      { owner: receiver.address, spender: other.address, value, nonce: 0n, deadline },
    );
    const { v, r, s } = ethers.Signature.from(signature);
    await token.permit(receiver.address, other.address, value, deadline, v, r, s);
    expect(await token.allowance(receiver.address, other.address)).to.equal(value);
    expect(await token.nonces(receiver.address)).to.equal(1n);
    await expect(token.permit(receiver.address, other.address, value, deadline, v, r, s)).to.be.revertedWithCustomError(
      token,
      "ERC2612InvalidSigner",
    );
  });
});
