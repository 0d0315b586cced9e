/**
 * The whole off-chain path on a real chain: the in-process Hardhat chain served over HTTP on a free port,
 * the real tracker (src/tracker, in process, its HTTP API on a free port) following it, and the network
 * daemon (src/network/daemon.ts) reading the chain state THROUGH THE TRACKER's API. Nodes are registered
 * with the keys the daemon derives from its seed (`registrationParams`), rewards accrue, the aggregator's
 * JSON-RPC answers are submitted to the registry as they come, and the tracker's mirror is checked against
 * the chain after each step.
 */
import { expect } from "chai";
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Address } from "viem";
import { parseStartArgs } from "../../src/network/config";
import { startNetwork, type RunningNetwork } from "../../src/network/daemon";
import { deriveNodeKeys, registrationParams, type NodeRegistration } from "../../src/network/keys";
import { rpcCall } from "../../src/network/rpc";
import type { BalanceRecord, NodeRecord } from "../../src/tracker/state/model";
import type { Tracker } from "../../src/tracker/tracker";
import { deployServiceNodeRewards, SESH_UNIT, STAKING_REQUIREMENT, type Deployment } from "../helpers/serviceNodeRewards";
import { registryTrackerConfig, serveInProcessChain, startTestTracker, type ServedChain } from "../helpers/inProcessChain";
import { eventually } from "../helpers/eventually";

const SEED = "daemon-e2e";
const NODES = 6;
const DAY = 24 * 3600;

interface Sigs {
  sigs0: string;
  sigs1: string;
  sigs2: string;
  sigs3: string;
}
interface RewardsReply {
  address: string;
  amount: string;
  signature: Sigs;
  non_signer_ids: string[];
  signers: number;
}
interface RemovalReply {
  type: string;
  service_node_id: string;
  timestamp: string;
  signature: Sigs;
  non_signer_ids: string[];
}

const words = (s: Sigs) => ({ sigs0: BigInt(s.sigs0), sigs1: BigInt(s.sigs1), sigs2: BigInt(s.sigs2), sigs3: BigInt(s.sigs3) });

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  expect(response.status, url).to.equal(200);
  return (await response.json()) as T;
}

describe("network daemon end to end (real chain over HTTP, real tracker, state through the tracker's API)", function () {
  this.timeout(600_000);
  let d: Deployment;
  let server: ServedChain;
  let rpcUrl: string;
  let tracker: Tracker;
  let trackerUrl: string;
  let trackerRun: Promise<void>;
  let net: RunningNetwork;
  let regs: NodeRegistration[];
  const ids: bigint[] = [];
  let op0: HardhatEthersSigner, c1: HardhatEthersSigner, c1b: HardhatEthersSigner;

  /** Resolves once the tracker's checkpoint is the chain's latest block. */
  async function trackerAtHead(): Promise<void> {
    const head = BigInt(await hre.ethers.provider.getBlockNumber());
    for (let i = 0; i < 600; i++) {
      const status = await getJson<{ checkpoint: { number: string } | null }>(`${trackerUrl}/status`);
      if (status.checkpoint !== null && BigInt(status.checkpoint.number) >= head) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`tracker did not reach block ${head}`);
  }

  before(async () => {
    d = await deployServiceNodeRewards({ seeded: 0, label: "daemon-e2e" });
    // Operators are accounts 10…15; c1 and its beneficiary c1b hold no node of their own.
    op0 = d.accounts[10];
    [c1, c1b] = d.accounts.slice(16);
    server = await serveInProcessChain();
    rpcUrl = server.url;

    // Register NODES nodes with the daemon's seed-derived keys: node 0 pooled (op0 10k + c1 15k, c1's
    // rewards to c1b, 10 % fee), the others solo, each operated by its own account.
    const operators = d.accounts.slice(10, 10 + NODES).map((a) => a.address);
    regs = registrationParams(deriveNodeKeys(SEED, NODES), d.network.domain, operators, 1_000);
    for (const [i, r] of regs.entries()) {
      const sender = d.accounts[10 + i];
      await d.token.connect(sender).approve(d.address, STAKING_REQUIREMENT);
      const list =
        i === 0
          ? [
              { staker: { addr: op0.address, beneficiary: op0.address }, stakedAmount: 10_000n * SESH_UNIT },
              { staker: { addr: c1.address, beneficiary: c1b.address }, stakedAmount: 15_000n * SESH_UNIT },
            ]
          : [];
      await d.snr.connect(sender).addBLSPublicKey(r.blsPubkey, r.proofOfPossession, r.serviceNodeParams, list);
      ids.push((await d.snr.nextServiceNodeID()) - 1n);
    }

    const config = registryTrackerConfig(rpcUrl, { serviceNodeRewards: d.address, rewardRatePool: (await d.pool.getAddress()) as Address }, "daemon-e2e");
    ({ tracker, url: trackerUrl } = await startTestTracker(config));
    trackerRun = tracker.follower.run();
    await trackerAtHead();

    // Node 4 answers garbage and node 5 is offline: 2 non-signers, the most 6 nodes allow (6 / 3).
    const cfg = parseStartArgs([
      ...["--tracker", trackerUrl, "--rpc", rpcUrl, "--rewards", d.address, "--seed", SEED, "--nodes", String(NODES)],
      ...["--port", "0", "--min-active", "3600", "--garbage", "4", "--offline", "5", "--sync-ms", "200", "--timeout-ms", "20000"],
    ]);
    net = await startNetwork(cfg);
  });

  after(async () => {
    await net?.close();
    await tracker?.close();
    await trackerRun;
    await server?.close();
  });

  it("reads the registry through the tracker: the same registered ids, keys and contributors", async () => {
    const [chainIds] = await d.snr.allServiceNodeIDs();
    const mirrored = await getJson<{ nodes: NodeRecord[] }>(`${trackerUrl}/nodes?status=active`);
    expect(mirrored.nodes.map((n) => BigInt(n.id))).to.deep.equal([...chainIds]);
    expect(mirrored.nodes.map((n) => n.pubkey.X)).to.deep.equal(regs.map((r) => r.blsPubkey.X.toString()));
    expect(mirrored.nodes[0].contributors.map((c) => c.beneficiary)).to.deep.equal([op0.address.toLowerCase(), c1b.address.toLowerCase()]);
    expect(net.nodes.map((n) => n.publicKey)).to.deep.equal(regs.map((r) => r.blsPubkeyHex));
  });

  it("accrues rewards; bls_rewards_request's answer goes to updateRewardsBalance and claimRewards pays exactly it", async () => {
    const rate = await d.pool.rewardRate();
    const from = BigInt(await time.latest());
    await time.increase(4 * 3600);
    await trackerAtHead();
    const answer = (await eventually(() => rpcCall(net.aggregatorUrl, "bls_rewards_request", { address: c1b.address }), (o) => !(o instanceof Error))) as RewardsReply;
    if ((answer as unknown) instanceof Error) throw answer;
    expect(answer.non_signer_ids).to.deep.equal([ids[4].toString(), ids[5].toString()]);
    expect(answer.signers).to.equal(4);
    // c1b earns 15/25 of the 90 % non-fee part of node 0's 1/6 of each block's rate, for the ~3 h (= 4 h
    // minus the 1 h --min-active) of 2-minute blocks since the registrations; ±2 blocks for the edges.
    const amount = BigInt(answer.amount);
    const perBlock = (rate * 9n * 15n) / (6n * 10n * 25n);
    const blocks = (BigInt(await time.latest()) - from - 3600n) / 120n;
    expect(amount >= perBlock * (blocks - 2n) && amount <= perBlock * (blocks + 2n), `amount ${amount} for ~${blocks} blocks of ${perBlock}`).to.equal(true);

    await expect(d.snr.updateRewardsBalance(c1b.address, amount, words(answer.signature), answer.non_signer_ids.map(BigInt)))
      .to.emit(d.snr, "RewardsBalanceUpdated")
      .withArgs(c1b.address, amount, 0n);
    const before = await d.token.balanceOf(c1b.address);
    await expect(d.snr.connect(c1b)["claimRewards()"]()).to.emit(d.snr, "RewardsClaimed").withArgs(c1b.address, amount);
    expect((await d.token.balanceOf(c1b.address)) - before).to.equal(amount);

    // The tracker mirrors the same balance and claim.
    await trackerAtHead();
    const snapshot = await getJson<{ balances: BalanceRecord[] }>(`${trackerUrl}/snapshot`);
    const record = snapshot.balances.find((b) => b.recipient === c1b.address.toLowerCase());
    expect(record?.lifetimeBalance).to.equal(amount.toString());
    expect(record?.totalClaimed).to.equal(amount.toString());
  });

  it("signs an exit only after the unlock; bls_exit_liquidation_request's answer exits the node on chain", async () => {
    const id = ids[1];
    const pubkey = regs[1].blsPubkeyHex;
    await d.snr.connect(d.accounts[11])["initiateExitBLSPublicKey(uint64)"](id);
    await trackerAtHead();
    const early = await eventually(
      () => rpcCall(net.aggregatorUrl, "bls_exit_liquidation_request", { pubkey, liquidate: false }),
      (o) => !(o instanceof Error) || !/has not requested an exit/.test(o.message),
    );
    expect((early as Error).message).to.match(/did not sign .*is unlocking/);

    await time.increase(15 * DAY + 60);
    await trackerAtHead();
    const list = (await eventually(() => rpcCall(net.aggregatorUrl, "bls_exit_liquidation_list", {}), (o) => !(o instanceof Error) && (o as unknown[]).length > 0)) as {
      service_node_id: string;
      type: string;
    }[];
    expect(list.map((c) => [c.service_node_id, c.type])).to.deep.equal([[id.toString(), "exit"]]);
    const answer = (await eventually(() => rpcCall(net.aggregatorUrl, "bls_exit_liquidation_request", { pubkey, liquidate: false }), (o) => !(o instanceof Error))) as RemovalReply;
    if ((answer as unknown) instanceof Error) throw answer;
    expect(answer.type).to.equal("exit");
    expect(answer.service_node_id).to.equal(id.toString());
    expect(answer.non_signer_ids).to.deep.equal([ids[4].toString(), ids[5].toString()]);

    await expect(d.snr.exitBLSPublicKeyWithSignature(regs[1].blsPubkey, BigInt(answer.timestamp), words(answer.signature), answer.non_signer_ids.map(BigInt)))
      .to.emit(d.snr, "ServiceNodeExit")
      .withArgs(id, d.owner.address, STAKING_REQUIREMENT, [regs[1].blsPubkey.X, regs[1].blsPubkey.Y]);
    const [after] = await d.snr.allServiceNodeIDs();
    expect(after).to.not.include(id);
    await trackerAtHead();
    expect((await getJson<NodeRecord>(`${trackerUrl}/nodes/${id}`)).status).to.equal("exited");
  });
});
