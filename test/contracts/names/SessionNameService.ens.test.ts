import { expect } from "chai";
import hre from "hardhat";
import { SnapshotRestorer, loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { BrowserProvider, EnsPlugin, Eip1193Provider, Network, ZeroAddress, dnsEncode } from "ethers";
import { Hex, createPublicClient, custom, defineChain, encodeFunctionData, namehash, parseAbi, stringToHex } from "viem";
import { getEnsAddress, getEnsName, getEnsText } from "viem/actions";
import { GRACE, commitAndRegister, deployNames } from "../../helpers/sessionNameService";

const SESSION_ID = "05" + "ab".repeat(32);
const LOKINET = "dw68y1xhptqbhcm5s8aaaip6dbopykagig5q5u1za4c7pzxto77y.loki";

const ensAbi = parseAbi([
  "function owner(bytes32 node) view returns (address)",
  "function resolver(bytes32 node) view returns (address)",
  "function addr(bytes32 node) view returns (address)",
  "function addr(bytes32 node, uint256 coinType) view returns (bytes)",
  "function text(bytes32 node, string key) view returns (string)",
  "function supportsInterface(bytes4 interfaceId) view returns (bool)",
  "function resolve(bytes name, bytes data) view returns (bytes)",
]);

async function setup() {
  const f = await deployNames();
  const resolverAddress = (await f.resolver.getAddress()) as Hex;
  await commitAndRegister(f, f.alice, "alice", f.alice.address, 1n, [
    { kind: "wallet", value: f.alice.address, plaintext: true },
    { kind: "session", value: SESSION_ID, plaintext: true },
    { kind: "lokinet", value: LOKINET, plaintext: true },
    { kind: "text", key: "url", value: "https://alice.example", plaintext: true },
  ]);
  await commitAndRegister(f, f.bob, "bob", f.bob.address, 1n, [
    { kind: "wallet", value: f.bob.address },
    { kind: "session", value: SESSION_ID },
    { kind: "text", key: "url", value: "https://bob.example" },
  ]);
  // Alice publishes her address → name (her wallet record is plaintext); Bob too, but his wallet record is encrypted.
  await f.reverse.connect(f.alice).setReverseName(stringToHex("alice.session"));
  await f.reverse.connect(f.bob).setReverseName(stringToHex("bob.session"));
  // Unmodified ethers: a network whose ENS registry is the SessionNameResolver.
  const network = new Network("hardhat", 31337n);
  network.attachPlugin(new EnsPlugin(resolverAddress, 31337));
  const ethersProvider = new BrowserProvider(hre.network.provider as unknown as Eip1193Provider, network);
  // The README's form: a plain Networkish with `ensAddress`.
  const readmeProvider = new BrowserProvider(hre.network.provider as unknown as Eip1193Provider, {
    name: "session-devnet",
    chainId: 31337,
    ensAddress: resolverAddress,
  });
  const viemClient = await hre.viem.getPublicClient();
  // The README's viem form: a chain whose `contracts.ensUniversalResolver` is the SessionNameResolver.
  const devnet = defineChain({
    id: 31337,
    name: "Session devnet",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
    contracts: { ensUniversalResolver: { address: resolverAddress } },
  });
  const devnetClient = createPublicClient({ chain: devnet, transport: custom(hre.network.provider) });
  return { f, resolverAddress, ethersProvider, readmeProvider, viemClient, devnetClient };
}

describe("SessionNameService ENS compatibility", () => {
  // These tests move the chain clock by years; put it back so later test files see a normal clock.
  let clock: SnapshotRestorer;
  before(async () => {
    clock = await takeSnapshot();
  });
  after(async () => {
    await clock.restore();
  });

  it("ethers resolveName / getResolver().getText resolve alice.session end-to-end", async () => {
    const { f, ethersProvider, resolverAddress } = await loadFixture(setup);
    expect(await ethersProvider.resolveName("alice.session")).to.equal(f.alice.address);
    const resolver = await ethersProvider.getResolver("alice.session");
    expect(resolver?.address).to.equal(resolverAddress);
    expect(await resolver!.supportsWildcard()).to.equal(true);
    expect(await resolver!.getText("url")).to.equal("https://alice.example");
    expect(await resolver!.getText("session")).to.equal(SESSION_ID);
    expect(await resolver!.getText("lokinet")).to.equal(LOKINET);
    expect(await resolver!.getText("missing")).to.equal(""); // ethers returns the empty string for unset text
  });

  it("viem getEnsAddress / getEnsText resolve alice.session with the resolver as universal resolver", async () => {
    const { f, viemClient, resolverAddress } = await loadFixture(setup);
    const universalResolverAddress = resolverAddress;
    expect(await getEnsAddress(viemClient, { name: "alice.session", universalResolverAddress })).to.equal(f.alice.address);
    expect(await getEnsText(viemClient, { name: "alice.session", key: "url", universalResolverAddress })).to.equal(
      "https://alice.example",
    );
    expect(await getEnsText(viemClient, { name: "alice.session", key: "session", universalResolverAddress })).to.equal(
      SESSION_ID,
    );
    expect(
      await getEnsAddress(viemClient, { name: "alice.session", coinType: 60n, universalResolverAddress }),
    ).to.equal(f.alice.address.toLowerCase()); // viem returns multicoin bytes as lower-case hex
  });

  it("ethers lookupAddress and resolveName work both ways with only `ensAddress` configured", async () => {
    const { f, readmeProvider } = await loadFixture(setup);
    expect(await readmeProvider.resolveName("alice.session")).to.equal(f.alice.address);
    expect(await readmeProvider.lookupAddress(f.alice.address)).to.equal("alice.session");
    // Bob's wallet record is encrypted: his reverse record cannot be verified by wallets, so no name.
    expect(await readmeProvider.lookupAddress(f.bob.address)).to.equal(null);
    // No reverse record at all.
    expect(await readmeProvider.lookupAddress(f.carol.address)).to.equal(null);
  });

  it("viem getEnsName / getEnsAddress work both ways through a chain's ensUniversalResolver", async () => {
    const { f, devnetClient, viemClient, resolverAddress } = await loadFixture(setup);
    const alice = f.alice.address as Hex;
    expect(await getEnsAddress(devnetClient, { name: "alice.session" })).to.equal(f.alice.address);
    expect(await getEnsName(devnetClient, { address: alice })).to.equal("alice.session");
    expect(await getEnsName(viemClient, { address: alice, universalResolverAddress: resolverAddress })).to.equal("alice.session");
    expect(await getEnsName(devnetClient, { address: f.bob.address as Hex })).to.equal(null);
    expect(await getEnsName(devnetClient, { address: f.carol.address as Hex })).to.equal(null);
    expect(await getEnsName(devnetClient, { address: alice, coinType: 0n })).to.equal(null); // only EVM coin type 60
  });

  it("a reverse record naming someone else's name is not shown by ethers or viem", async () => {
    const { f, readmeProvider, devnetClient, resolverAddress } = await loadFixture(setup);
    await f.reverse.connect(f.carol).setReverseName(stringToHex("alice.session"));
    expect(await f.reverse.reverseNameOf(f.carol.address)).to.equal(stringToHex("alice.session"));
    expect(await readmeProvider.lookupAddress(f.carol.address)).to.equal(null);
    expect(await getEnsName(devnetClient, { address: f.carol.address as Hex })).to.equal(null);
    // Directly through the ENS reads: the reverse node's resolver is this wildcard resolver, answering empty.
    const reverseName = `${f.carol.address.slice(2).toLowerCase()}.addr.reverse`;
    expect(await f.resolver.resolver(namehash("addr.reverse"))).to.equal(resolverAddress);
    const nameCall = "0x691f3431" + namehash(reverseName).slice(2);
    const answer = await f.resolver.resolve(dnsEncode(reverseName), nameCall);
    expect(hre.ethers.AbiCoder.defaultAbiCoder().decode(["string"], answer)[0]).to.equal("");
    const aliceReverse = `${f.alice.address.slice(2).toUpperCase()}.addr.reverse`; // hex digits in either case
    // DNS-encoded by hand: ethers' dnsEncode would lower-case the label.
    const aliceDns = "0x28" + Buffer.from(f.alice.address.slice(2).toUpperCase()).toString("hex") + "04616464720772657665727365" + "00";
    const aliceAnswer = await f.resolver.resolve(aliceDns, "0x691f3431" + namehash(aliceReverse).slice(2));
    expect(hre.ethers.AbiCoder.defaultAbiCoder().decode(["string"], aliceAnswer)[0]).to.equal("alice.session");
    const [primary, resolverUsed, reverseResolver] = await f.resolver.reverse(f.alice.address, 60n);
    expect([primary, resolverUsed, reverseResolver]).to.deep.equal(["alice.session", resolverAddress, resolverAddress]);
    expect(await f.resolver.reverse("0x1234", 60n)).to.deep.equal(["", ZeroAddress, ZeroAddress]);
  });

  it("encrypted records read as unset through ENS; unknown names resolve to nothing", async () => {
    const { viemClient, ethersProvider, resolverAddress } = await loadFixture(setup);
    expect(await ethersProvider.resolveName("bob.session")).to.equal(null);
    expect(await (await ethersProvider.getResolver("bob.session"))!.getText("url")).to.equal("");
    expect(await getEnsAddress(viemClient, { name: "bob.session", universalResolverAddress: resolverAddress })).to.equal(null);
    expect(await getEnsText(viemClient, { name: "bob.session", key: "session", universalResolverAddress: resolverAddress })).to.equal(null);
    expect(await ethersProvider.resolveName("nobody.session")).to.equal(null);
    expect(await ethersProvider.getResolver("nobody.session")).to.equal(null);
    expect(await getEnsAddress(viemClient, { name: "nobody.session", universalResolverAddress: resolverAddress })).to.equal(null);
  });

  it("answers the ENS registry and resolver ABIs directly (viem namehash)", async () => {
    const { f, viemClient, resolverAddress } = await loadFixture(setup);
    const node = namehash("alice.session");
    const read = <T>(functionName: string, args: readonly unknown[]) =>
      viemClient.readContract({ address: resolverAddress, abi: ensAbi, functionName, args } as never) as Promise<T>;
    expect(await read("owner", [node])).to.equal(f.alice.address);
    expect(await read("resolver", [node])).to.equal(resolverAddress);
    expect(await read("addr", [node])).to.equal(f.alice.address);
    expect(await read("addr", [node, 60n])).to.equal(f.alice.address.toLowerCase());
    expect(await read("addr", [node, 0n])).to.equal("0x");
    expect(await read("text", [node, "url"])).to.equal("https://alice.example");
    expect(await f.resolver.ttl(node)).to.equal(0n);
    expect(await f.resolver.recordExists(node)).to.equal(true);
    for (const id of ["0x01ffc9a7", "0x3b3b57de", "0xf1cb7e06", "0x59d1d43c", "0x9061b923"]) {
      expect(await read("supportsInterface", [id])).to.equal(true);
    }
    expect(await read("supportsInterface", ["0xffffffff"])).to.equal(false);
    expect(await read("owner", [namehash("nobody.session")])).to.equal(ZeroAddress);
  });

  it("resolve() rejects a node that does not match the name, unknown profiles and malformed names", async () => {
    const { f } = await loadFixture(setup);
    const data = encodeFunctionData({ abi: ensAbi, functionName: "addr", args: [namehash("bob.session")] });
    await expect(f.resolver.resolve(dnsEncode("alice.session"), data))
      .to.be.revertedWithCustomError(f.names, "ResolverNodeMismatch")
      .withArgs(namehash("bob.session"), namehash("alice.session"));
    const contenthash = "0xbc1c58d1" + namehash("alice.session").slice(2);
    await expect(f.resolver.resolve(dnsEncode("alice.session"), contenthash))
      .to.be.revertedWithCustomError(f.names, "UnsupportedResolverProfile")
      .withArgs("0xbc1c58d1");
    await expect(f.resolver.resolve("0x05616c696365", data)).to.be.revertedWithCustomError(f.names, "MalformedName");
  });

  it("stops resolving at expiry (grace included)", async () => {
    const { f, ethersProvider, resolverAddress, viemClient } = await loadFixture(setup);
    const node = namehash("alice.session");
    const [, expiry] = await f.names.nameOf(node);
    await time.increaseTo(expiry - 1n);
    expect(await ethersProvider.resolveName("alice.session")).to.equal(f.alice.address);
    await time.increaseTo(expiry);
    expect(await ethersProvider.resolveName("alice.session")).to.equal(null);
    expect(await ethersProvider.lookupAddress(f.alice.address)).to.equal(null);
    expect(await getEnsName(viemClient, { address: f.alice.address as Hex, universalResolverAddress: resolverAddress })).to.equal(null);
    expect(await f.resolver.owner(node)).to.equal(ZeroAddress);
    expect(await getEnsAddress(viemClient, { name: "alice.session", universalResolverAddress: resolverAddress })).to.equal(null);
    await time.increaseTo(expiry + BigInt(GRACE));
    expect(await f.resolver.recordExists(node)).to.equal(false);
  });
});
