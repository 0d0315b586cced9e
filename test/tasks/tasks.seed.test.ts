/**
 * `registry:seed`: migrating the live network's nodes from a JSON export into an unstarted registry, with
 * the stakes pulled and a proof that node list and aggregate key equal the export's; and the export parser.
 */
import { expect } from "chai";
import hre from "hardhat";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { aggregatePublicKeys, publicKeyToHex } from "../../src/bls";
import { STAKING_REQUIREMENT } from "../../deploy/flavours";
import { runDeploy } from "../../deploy/run";
import { parseSeedExport } from "../../tasks/lib/seed";
import { nodeKey } from "../helpers/network";
import { useTemporaryDeployments } from "../helpers/deployments";

const { ethers } = hre;
const REQ = STAKING_REQUIREMENT;
const DAY = 86_400n;

describe("tasks: registry:seed", () => {
  const deployments = useTemporaryDeployments("deployments-seed-", { perTest: false });

  /** Everything deployed, then the address book pointed at a second, unstarted registry proxy (as on Arbitrum One). */
  async function unstartedRegistry() {
    const result = await runDeploy(hre, { log: () => undefined, fresh: true });
    const [deployer, alice, bob] = await ethers.getSigners();
    const c = result.book.contracts;
    const record = c.ServiceNodeRewards!;
    const impl = await ethers.getContractAt("ServiceNodeRewards", record.implementation!);
    const init = impl.interface.encodeFunctionData("initialize", [deployer.address, c.RewardRatePool!.address, REQ]);
    const proxy = await ethers.deployContract("ERC1967Proxy", [record.implementation!, init]);
    const file = path.join(deployments.dir, "hardhat.json");
    const book = JSON.parse(readFileSync(file, "utf8")) as { contracts: Record<string, { address: string }> };
    book.contracts.ServiceNodeRewards.address = await proxy.getAddress();
    writeFileSync(file, JSON.stringify(book));
    const registry = await ethers.getContractAt("ServiceNodeRewards", await proxy.getAddress());
    const token = await ethers.getContractAt("SESH", c.SESH!.address);
    return { deployer, alice, bob, registry, token };
  }

  function exportOf(now: bigint, alice: string, bob: string) {
    const keys = [nodeKey("live-0"), nodeKey("live-1"), nodeKey("live-2")];
    const nodes = [
      { pubkey: publicKeyToHex(keys[0].pk), addedTimestamp: Number(now - 400n * DAY), ed25519Pubkey: `0x${keys[0].ed25519.toString(16).padStart(64, "0")}`, contributors: [{ addr: alice, stakedAmount: REQ.toString() }] },
      { pubkey: { X: `0x${keys[1].pk.X.toString(16)}`, Y: keys[1].pk.Y.toString() }, addedTimestamp: (now - 5n * DAY).toString(), ed25519Pubkey: `0x${keys[1].ed25519.toString(16).padStart(64, "0")}`, contributors: [{ addr: bob, beneficiary: alice, stakedAmount: (REQ / 2n).toString() }, { addr: alice, stakedAmount: `0x${(REQ / 2n).toString(16)}` }] },
      { pubkey: publicKeyToHex(keys[2].pk), addedTimestamp: Number(now - DAY), ed25519Pubkey: `0x${keys[2].ed25519.toString(16).padStart(64, "0")}`, contributors: [{ addr: alice, stakedAmount: REQ.toString() }] },
    ];
    return { keys, nodes, aggregatePubkey: publicKeyToHex(aggregatePublicKeys(keys.map((k) => k.pk))) };
  }

  it("seeds the export in batches, pulls the stakes, and proves node list and aggregate equal the export's", async () => {
    const { deployer, alice, bob, registry, token } = await loadFixture(unstartedRegistry);
    const now = BigInt(await time.latest());
    const { keys, nodes, aggregatePubkey } = exportOf(now, alice.address, bob.address);
    const file = path.join(deployments.dir, "nodes.json");
    writeFileSync(file, JSON.stringify({ nodes, aggregatePubkey }));
    const before = await token.balanceOf(deployer.address);
    const result = (await hre.run("registry:seed", { file, batch: "2" })) as { seeded: number; nodes: number; balance: bigint; recordedStakes: bigint };
    expect(result).to.deep.equal({ seeded: 3, nodes: 3, balance: 3n * REQ, recordedStakes: 3n * REQ });
    expect(await token.balanceOf(await registry.getAddress())).to.equal(3n * REQ);
    expect(await token.balanceOf(deployer.address)).to.equal(before - 3n * REQ);
    expect((await registry.serviceNodes(1n)).addedTimestamp).to.equal(now - 400n * DAY);
    expect((await registry.serviceNodes(2n)).operator).to.equal(bob.address);
    const aggregate = await registry.aggregatePubkey();
    expect(publicKeyToHex({ X: aggregate.X, Y: aggregate.Y })).to.equal(aggregatePubkey);
    // Re-running seeds nothing more and still proves the match.
    const again = (await hre.run("registry:seed", { file })) as { seeded: number };
    expect(again.seeded).to.equal(0);
    // An export whose stated aggregate differs is reported, not silently accepted.
    const wrong = path.join(deployments.dir, "wrong.json");
    writeFileSync(wrong, JSON.stringify({ nodes, aggregatePubkey: publicKeyToHex(keys[0].pk) }));
    await expect(hre.run("registry:seed", { file: wrong })).to.be.rejectedWith(/does not match the export[\s\S]*the export states/);
    // After start, seeding is refused before anything is sent.
    await registry.start();
    await expect(hre.run("registry:seed", { file })).to.be.rejectedWith(/nodes can only be seeded before start\(\)/);
  });

  it("refuses bad exports before sending anything", async () => {
    const now = 1_800_000_000n;
    const a = "0x" + "aa".repeat(20);
    const key = nodeKey("bad-export");
    const node = { pubkey: publicKeyToHex(key.pk), addedTimestamp: 1_700_000_000, ed25519Pubkey: "0x01", contributors: [{ addr: a, stakedAmount: "1" }] };
    expect(parseSeedExport(JSON.stringify({ nodes: [node] }), now).nodes[0].contributors[0].staker.beneficiary).to.equal(a);
    expect(() => parseSeedExport("{", now)).to.throw(/--file: the file: is not JSON/);
    expect(() => parseSeedExport(JSON.stringify({}), now)).to.throw(/needs a "nodes" array/);
    expect(() => parseSeedExport(JSON.stringify({ nodes: [{ ...node, addedTimestamp: Number(now) + 1 }] }), now)).to.throw(/nodes\[0\]\.addedTimestamp: .* after the chain's time/);
    expect(() => parseSeedExport(JSON.stringify({ nodes: [node, node] }), now)).to.throw(/nodes\[1\]: repeats the BLS key of nodes\[0\]/);
    expect(() => parseSeedExport(JSON.stringify({ nodes: [{ ...node, pubkey: { X: "1", Y: "3" } }] }), now)).to.throw(/nodes\[0\]\.pubkey: .* is not a point of G1/);
    expect(() => parseSeedExport(JSON.stringify({ nodes: [{ ...node, contributors: [] }] }), now)).to.throw(/needs at least the operator/);
    expect(() => parseSeedExport(JSON.stringify({ nodes: [{ ...node, contributors: [{ addr: "0x12", stakedAmount: "1" }] }] }), now)).to.throw(/contributors\[0\]\.addr: "0x12" is not an address/);
    expect(() => parseSeedExport(JSON.stringify({ nodes: [{ ...node, ed25519Pubkey: "0x0" }] }), now)).to.throw(/non-zero 32-byte key/);
  });
});
