/**
 * The two races a live network meets between the network's aggregation and the transaction that uses it
 * (issue 18, item 1), end to end: the in-process chain served over HTTP, the network daemon reading the
 * registry straight from that RPC, its aggregator's JSON-RPC answers submitted as a client would.
 *  - a non-signer leaves the registry (liquidated) after the network signed with it listed: the signature
 *    still verifies (a removed id counts as the point at infinity, its key already left the aggregate);
 *  - the aggregator's clock runs 30 s ahead of the block that includes the transaction: accepted (a
 *    timestamp ahead of the block by up to the signature expiry is the network's clock, not a replay).
 */
import { expect } from "chai";
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { parseStartArgs } from "../../src/network/config";
import { startNetwork, type RunningNetwork } from "../../src/network/daemon";
import { deriveNodeKeys, registrationParams, type NodeRegistration } from "../../src/network/keys";
import { parseRemovalAnswer, type RemovalAnswer } from "../../src/network/aggregator/client";
import { rpcCall } from "../../src/network/rpc";
import { deployServiceNodeRewards, STAKING_REQUIREMENT, type Deployment } from "../helpers/serviceNodeRewards";
import { eventually } from "../helpers/eventually";
import { serveInProcessChain, type ServedChain } from "../helpers/inProcessChain";

const SEED = "races-e2e";
const NODES = 6;
const OFFLINE = 5;

describe("network races end to end: a non-signer removed before submission, an aggregator clock ahead of the block (issue 18)", function () {
  this.timeout(600_000);
  let d: Deployment;
  let server: ServedChain;
  let net: RunningNetwork;
  let regs: NodeRegistration[];
  const ids: bigint[] = [];

  /** The network's answer for `index`'s liquidation, once its view has what it needs. */
  async function liquidation(index: number, accept: (r: RemovalAnswer) => boolean = () => true): Promise<RemovalAnswer> {
    const answer = await eventually(
      () => rpcCall(net.aggregatorUrl, "bls_exit_liquidation_request", { pubkey: regs[index].blsPubkeyHex, liquidate: true }),
      (o) => !(o instanceof Error) && accept(parseRemovalAnswer(o)),
      30_000,
    );
    if (answer instanceof Error) throw answer;
    return parseRemovalAnswer(answer);
  }

  const submit = (index: number, r: RemovalAnswer) =>
    d.snr.liquidateBLSPublicKeyWithSignature(regs[index].blsPubkey, r.timestamp, r.signature, [...r.nonSignerIds]);

  before(async () => {
    d = await deployServiceNodeRewards({ seeded: 0, label: "races-e2e" });
    server = await serveInProcessChain();
    const rpcUrl = server.url;

    const operators = d.accounts.slice(10, 10 + NODES).map((a) => a.address);
    regs = registrationParams(deriveNodeKeys(SEED, NODES), d.network.domain, operators, 0);
    for (const [i, r] of regs.entries()) {
      const sender = d.accounts[10 + i];
      await d.token.connect(sender).approve(d.address, STAKING_REQUIREMENT);
      await d.snr.connect(sender).addBLSPublicKey(r.blsPubkey, r.proofOfPossession, r.serviceNodeParams, []);
      ids.push((await d.snr.nextServiceNodeID()) - 1n);
    }
    // Removals need nodes at least 2 hours old.
    await time.increase(3 * 3600);

    // Node 5 is offline (a non-signer of everything) and, with nodes 3 and 4, deregistered in the
    // network's consensus: their liquidations are signed by the others.
    const deregistered = [ids[3], ids[4], ids[OFFLINE]].join(",");
    net = await startNetwork(
      parseStartArgs([
        ...["--rpc", rpcUrl, "--rewards", d.address, "--seed", SEED, "--nodes", String(NODES), "--port", "0"],
        ...["--offline", String(OFFLINE), "--deregistered", deregistered, "--sync-ms", "200", "--timeout-ms", "20000"],
      ]),
    );
  });

  after(async () => {
    await net?.close();
    await server?.close();
  });

  it("a non-signer liquidated between the network's aggregation and the submission: the signature still lands", async () => {
    // The network signs node 4's liquidation with node 5 listed as a non-signer …
    const held = await liquidation(4);
    expect(held.type).to.equal("liquidate");
    expect(held.nonSignerIds).to.deep.equal([ids[OFFLINE]]);

    // … then node 5 itself is liquidated before that answer is submitted.
    const first = await liquidation(OFFLINE);
    await expect(submit(OFFLINE, first)).to.emit(d.snr, "ServiceNodeLiquidated").withArgs(ids[OFFLINE], d.owner.address, [regs[OFFLINE].blsPubkey.X, regs[OFFLINE].blsPubkey.Y]);
    const [remaining] = await d.snr.allServiceNodeIDs();
    expect(remaining).to.not.include(ids[OFFLINE]);

    // The held answer names an id that has left: it counts as infinity and the signature verifies exactly.
    await expect(submit(4, held)).to.emit(d.snr, "ServiceNodeLiquidated").withArgs(ids[4], d.owner.address, [regs[4].blsPubkey.X, regs[4].blsPubkey.Y]);
    const [after] = await d.snr.allServiceNodeIDs();
    expect([...after]).to.deep.equal(ids.slice(0, 4));
  });

  it("refuses the same answer with an id that never existed listed in its place (replays and forgeries stay refused)", async () => {
    const held = await liquidation(3);
    const never = (await d.snr.nextServiceNodeID()) + 100n;
    await expect(d.snr.liquidateBLSPublicKeyWithSignature(regs[3].blsPubkey, held.timestamp, held.signature, [never]))
      .to.be.revertedWithCustomError(d.snr, "UnknownNonSigner")
      .withArgs(never);
  });

  it("an aggregator clock 30 s ahead of the block that includes the transaction: accepted", async () => {
    const latest = BigInt(await time.latest());
    // 30 s pass on the chain's clock without a block; the network's clock (the chain's pending time) follows.
    await hre.network.provider.send("evm_increaseTime", [30]);
    const ahead = await liquidation(3, (r) => r.timestamp >= latest + 30n);
    expect(ahead.nonSignerIds).to.deep.equal([]);
    // The transaction lands in a block dated just after the previous one: 29+ s behind the signature.
    await time.setNextBlockTimestamp(latest + 1n);
    await expect(submit(3, ahead)).to.emit(d.snr, "ServiceNodeLiquidated").withArgs(ids[3], d.owner.address, [regs[3].blsPubkey.X, regs[3].blsPubkey.Y]);
    const block = await hre.ethers.provider.getBlock("latest");
    expect(ahead.timestamp - BigInt(block!.timestamp) >= 29n, `signed at ${ahead.timestamp}, block at ${block!.timestamp}`).to.equal(true);
  });
});
