import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
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
    expect(await token.totalSupply()).to.equal(240_000_000n * 10n ** 9n);
    expect(await token.balanceOf(receiver.address)).to.equal(240_000_000n * 10n ** 9n);
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
    const value = 1_000n * 10n ** 9n;
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
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
