/**
 * End to end on the in-process Hardhat network with the real registry: the contract view feeds a ledger
 * and a simulated node network; the aggregator's answers are submitted to the registry as they are.
 */
import { expect } from "chai";
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Address, PublicClient } from "viem";
import { publicKeyToHex } from "../../src/bls";
import { openLedger, type Ledger } from "../../src/network/ledger/ledger";
import { networkHeightAt, syncLedger } from "../../src/network/ledger/sync";
import { rewardRateAt } from "../../src/network/ledger/rate";
import { createSimulation, type Simulation } from "../../src/network/simulation";
import { createContractView } from "../../src/network/views/contract";
import { cachedView, type CachedView } from "../../src/network/views/memory";
import { serveAggregator } from "../../src/network/aggregator/rpc";
import { rpcCall } from "../../src/network/rpc";
import type { RemovalAnswer, RewardsAnswer } from "../../src/network/aggregator/aggregator";
import { g1, nodeKey, proofOfPossession, type NodeKey } from "../helpers/network";
import { ed25519Fields } from "../helpers/networkView";
import { deployServiceNodeRewards, SESH_UNIT, STAKING_REQUIREMENT, type Deployment } from "../helpers/serviceNodeRewards";

const HOUR = 3600;
const DAY = 24 * HOUR;

interface World {
  d: Deployment;
  ledger: Ledger;
  view: CachedView;
  sim: Simulation;
  keys: NodeKey[];
}

const chainClock = async (): Promise<bigint> => BigInt(await time.latest());

/**
 * In-process nodes sign one after another on this thread, so the last answer of a request comes after the
 * sum of all signing times (~35 ms a node, several times that on a loaded machine): timeouts are generous.
 */
async function world(seeded: number, extraKeys: NodeKey[] = [], minActiveSeconds?: bigint, timeoutMs = 8_000): Promise<World> {
  const d = await deployServiceNodeRewards({ seeded, label: `e2e-${seeded}` });
  const client = (await hre.viem.getPublicClient()) as unknown as PublicClient;
  const view = cachedView(createContractView({ client, registry: d.address }), 600_000);
  const ledger = openLedger({ path: join(mkdtempSync(join(tmpdir(), "net-e2e-")), "ledger.db"), config: minActiveSeconds === undefined ? {} : { minActiveSeconds } });
  const keys = [...d.seedKeys, ...extraKeys];
  const sim = await createSimulation({ domain: d.network.domain, snapshot: () => view.snapshot(), ledger, secretKeys: keys.map((k) => k.sk), clock: chainClock, slowMs: 20_000, aggregator: { timeoutMs } });
  return { d, ledger, view, sim, keys };
}

async function sync(w: World, startHeight?: bigint): Promise<void> {
  w.view.invalidate();
  await syncLedger(w.ledger, w.view, startHeight);
}

function contributor(addr: string, amount: bigint, beneficiary = addr) {
  return { staker: { addr, beneficiary }, stakedAmount: amount };
}

async function registerPooled(w: World, key: NodeKey, sender: HardhatEthersSigner, list: ReturnType<typeof contributor>[], fee: number): Promise<bigint> {
  await w.d.token.connect(sender).approve(w.d.address, STAKING_REQUIREMENT);
  const operator = list[0].staker.addr as `0x${string}`;
  // The node's own Ed25519 identity signs the registration (the network refuses impostors).
  const ed = ed25519Fields({ pubkey: key.pk, operator }, key.label, w.d.network.domain);
  await w.d.snr.connect(sender).addBLSPublicKey(g1(key.pk), proofOfPossession(key, w.d.network.domain, operator, ed.ed25519Pubkey), { ...ed, fee }, list);
  return (await w.d.snr.nextServiceNodeID()) - 1n;
}

async function submitRewards(w: World, a: RewardsAnswer) {
  return w.d.snr.updateRewardsBalance(a.address, a.amount, a.signature, [...a.nonSignerIds]);
}

async function claimExactly(w: World, who: HardhatEthersSigner, expected: bigint): Promise<void> {
  const before = await w.d.token.balanceOf(who.address);
  await expect(w.d.snr.connect(who)["claimRewards()"]()).to.emit(w.d.snr, "RewardsClaimed").withArgs(who.address, expected);
  expect((await w.d.token.balanceOf(who.address)) - before).to.equal(expected);
}

describe("network end to end (Hardhat, real registry)", function () {
  this.timeout(600_000);
  const pooledKey = nodeKey("e2e-pooled");
  let w: World;
  let op: HardhatEthersSigner, c1: HardhatEthersSigner, c1Beneficiary: HardhatEthersSigner, liquidator: HardhatEthersSigner;
  let pooledId: bigint;

  before(async () => {
    w = await world(12, [pooledKey]);
    [, op, c1, c1Beneficiary, liquidator] = w.d.accounts.slice(10);
    pooledId = await registerPooled(w, pooledKey, op, [contributor(op.address, 10_000n * SESH_UNIT), contributor(c1.address, 15_000n * SESH_UNIT, c1Beneficiary.address)], 1_000);
    await sync(w, networkHeightAt(await chainClock()));
    await time.increase(25 * HOUR);
    await sync(w);
  });
  after(async () => w.sim.close());

  it("accrues rewards, and claimRewards pays exactly what the aggregator signed", async () => {
    const answer = await w.sim.aggregator.rewardsRequest(c1Beneficiary.address as Address);
    expect(answer.nonSignerIds).to.deep.equal([]);
    expect(answer.signers).to.equal(13);
    expect(answer.amount).to.equal(w.ledger.balanceAt(c1Beneficiary.address as Address, answer.networkHeight));
    // 13 nodes, the pooled one eligible for ~1 h of the 25: its 90 % non-fee part × 15/25 to c1's beneficiary.
    // rewardRate() falls as interest accrues since the pool's last payout, and the ledger takes it at each
    // block's own time: the rate 2 h before the snapshot bounds every block of the pooled node's last hour.
    const snap = await w.view.snapshot();
    const rate = rewardRateAt(snap.rewardPool!, snap.timestamp - 2n * BigInt(HOUR));
    expect(answer.amount > 0n && answer.amount < (rate * 30n * 9n * 15n) / (13n * 10n * 25n) + 30n).to.equal(true);
    await expect(submitRewards(w, answer)).to.emit(w.d.snr, "RewardsBalanceUpdated").withArgs(c1Beneficiary.address, answer.amount, 0n);
    await claimExactly(w, c1Beneficiary, answer.amount);
    // The same request is answered from the cache.
    expect(await w.sim.aggregator.rewardsRequest(c1Beneficiary.address as Address)).to.equal(answer);
    // The operator (10 % fee + 40 % of the rest) earns more than c1 (60 % of the rest) from the pooled node… plus nothing else.
    const opAmount = w.ledger.balanceAt(op.address as Address, answer.networkHeight)!;
    expect(opAmount * 15n * 9n > answer.amount * 10n * 9n).to.equal(true);
  });

  it("succeeds with offline nodes listed as non-signers, and isolates garbage and bad signatures", async () => {
    w.sim.setBehaviour(2, "offline");
    w.sim.setBehaviour(7, "offline");
    w.sim.setBehaviour(4, "garbage");
    w.sim.setBehaviour(9, "bad-signature");
    const who = w.d.accounts[0];
    const answer = await w.sim.aggregator.rewardsRequest(who.address as Address);
    expect(answer.nonSignerIds).to.deep.equal([3n, 5n, 8n, 10n]); // node index i is registry id i + 1
    expect(answer.signers).to.equal(9);
    const reasons = Object.fromEntries(answer.failures.map((f) => [f.id.toString(), f.reason]));
    expect(reasons).to.deep.equal({ "3": "unavailable", "8": "unavailable", "5": "invalid-signature", "10": "invalid-signature" });
    await expect(submitRewards(w, answer)).to.emit(w.d.snr, "RewardsBalanceUpdated");
    await claimExactly(w, who, answer.amount);
  });

  it("refuses with the counts when non-signers exceed the registry's threshold", async () => {
    w.sim.setBehaviour(11, "slow"); // 5 failing of 13 > min(13 / 3, 4000) = 4
    await time.increase(600);
    await sync(w);
    let error: Error | undefined;
    await w.sim.aggregator.rewardsRequest(w.d.accounts[1].address as Address).catch((e: Error) => (error = e));
    expect(error?.message).to.match(/5 of 13 registered nodes did not sign \(.*1 timeout.*\); the registry accepts at most 4 non-signers \(min\(13 \/ 3, 4000\)\)/);
    for (const i of [2, 4, 7, 9, 11]) w.sim.setBehaviour(i, "honest");
  });

  it("signs an exit only after the 15-day unlock; the stake comes back to the owners", async () => {
    await w.d.snr.connect(c1)["initiateExitBLSPublicKey(uint64,((address,address),uint256)[])"](pooledId, [
      contributor(op.address, 10_000n * SESH_UNIT),
      contributor(c1.address, 15_000n * SESH_UNIT, c1Beneficiary.address),
    ]);
    w.view.invalidate();
    let early: Error | undefined;
    await w.sim.aggregator.exitLiquidationRequest(pooledKey.pk, false).catch((e: Error) => (early = e));
    expect(early?.message).to.match(/13 of 13 registered nodes did not sign \(13 forbidden\).*is unlocking/);
    expect(await w.sim.aggregator.exitLiquidationList()).to.deep.equal([]);

    await time.increase(15 * DAY);
    await sync(w);
    expect((await w.sim.aggregator.exitLiquidationList()).map((c) => [c.serviceNodeId, c.type])).to.deep.equal([[pooledId, "exit"]]);
    const answer: RemovalAnswer = await w.sim.aggregator.exitLiquidationRequest(pooledKey.pk, false);
    expect(answer.nonSignerIds).to.deep.equal([]);
    await expect(w.d.snr.exitBLSPublicKeyWithSignature(g1(answer.pubkey), answer.timestamp, answer.signature, [...answer.nonSignerIds]))
      .to.emit(w.d.snr, "ServiceNodeExit")
      .withArgs(pooledId, w.d.owner.address, STAKING_REQUIREMENT, [pooledKey.pk.X, pooledKey.pk.Y]);

    const before = w.ledger.balanceAt(c1.address as Address, w.ledger.lastHeight()!)!;
    await time.increase(240);
    await sync(w);
    const after = w.ledger.balanceAt(c1.address as Address, w.ledger.lastHeight()!)!;
    expect(after - before).to.equal(15_000n * SESH_UNIT); // c1 owns the stake; its rewards went to its beneficiary
    const rewards = await w.sim.aggregator.rewardsRequest(c1.address as Address);
    expect(rewards.amount).to.equal(after);
    await submitRewards(w, rewards);
    await claimExactly(w, c1, after);
  });

  it("liquidates a deregistered node with the right split, credited to its owners", async () => {
    const key = nodeKey("e2e-liquidated");
    const [, , , , , , , lop, lc] = w.d.accounts.slice(10);
    // The simulated network has no key for this node: it is registered but not one of ours, and is a non-signer.
    // The operator pays the stake itself: the registry accepts a contributor list only from contributor 0 (or its pool).
    const id = await registerPooled(w, key, lop, [contributor(lop.address, 6_250n * SESH_UNIT), contributor(lc.address, 18_750n * SESH_UNIT)], 0);
    await time.increase(3 * HOUR);
    await sync(w);
    let refused: Error | undefined;
    await w.sim.aggregator.exitLiquidationRequest(key.pk, true).catch((e: Error) => (refused = e));
    expect(refused?.message).to.match(/in good standing/);

    w.sim.deregistered.add(id);
    expect((await w.sim.aggregator.exitLiquidationList()).map((c) => [c.serviceNodeId, c.type])).to.deep.equal([[id, "liquidate"]]);
    const answer = await w.sim.aggregator.exitLiquidationRequest(key.pk, true);
    expect(answer.nonSignerIds).to.deep.equal([id]);
    const [lr, pr, rr] = await w.d.snr.liquidationRatios();
    const sum = lr + pr + rr;
    const toLiquidator = (STAKING_REQUIREMENT * lr) / sum;
    const toPool = (STAKING_REQUIREMENT * pr + sum - 1n) / sum;
    const returned = STAKING_REQUIREMENT - toLiquidator - toPool;
    const poolAddress = await w.d.pool.getAddress();
    const liqBefore = await w.d.token.balanceOf(liquidator.address);
    const tx = w.d.snr.connect(liquidator).liquidateBLSPublicKeyWithSignature(g1(answer.pubkey), answer.timestamp, answer.signature, [...answer.nonSignerIds]);
    await expect(tx).to.emit(w.d.snr, "ServiceNodeExit").withArgs(id, liquidator.address, returned, [key.pk.X, key.pk.Y]);
    await expect(tx).to.emit(w.d.token, "Transfer").withArgs(w.d.address, poolAddress, toPool);
    expect((await w.d.token.balanceOf(liquidator.address)) - liqBefore).to.equal(toLiquidator);

    await time.increase(240);
    await sync(w);
    const h = w.ledger.lastHeight()!;
    expect(w.ledger.balanceAt(lc.address as Address, h)).to.equal(18_750n * SESH_UNIT); // never eligible for rewards (< 24 h)
    expect(w.ledger.balanceAt(lop.address as Address, h)).to.equal(6_250n * SESH_UNIT - (toLiquidator + toPool));
  });

  it("serves nodes and the aggregator over HTTP JSON-RPC on 127.0.0.1", async () => {
    const http = await createSimulation({ domain: w.d.network.domain, snapshot: () => w.view.snapshot(), ledger: w.ledger, secretKeys: w.keys.slice(0, 12).map((k) => k.sk), clock: chainClock, transport: "http", behaviours: { 1: "offline" }, aggregator: { timeoutMs: 8_000 } });
    const server = await serveAggregator(http.aggregator);
    try {
      const who = w.d.accounts[2];
      const result = (await rpcCall(server.url, "bls_rewards_request", { address: who.address })) as {
        amount: string;
        signature: Record<"sigs0" | "sigs1" | "sigs2" | "sigs3", string>;
        non_signer_ids: string[];
      };
      expect(result.non_signer_ids).to.deep.equal(["2"]);
      const s = result.signature;
      await w.d.snr.updateRewardsBalance(who.address, BigInt(result.amount), { sigs0: BigInt(s.sigs0), sigs1: BigInt(s.sigs1), sigs2: BigInt(s.sigs2), sigs3: BigInt(s.sigs3) }, result.non_signer_ids.map(BigInt));
      await claimExactly(w, who, BigInt(result.amount));
      await rpcCall(server.url, "bls_rewards_request", { address: "0x12" }).then(
        () => expect.fail("accepted a bad address"),
        (e: Error & { kind?: string }) => expect([e.message, (e as { kind?: string }).kind]).to.deep.equal(['address must be a 0x-prefixed 20-byte address, got "0x12"', "bad_request"]),
      );
      await rpcCall(server.url, "bls_exit_liquidation_request", { pubkey: publicKeyToHex(w.keys[3].pk), liquidate: false }).then(
        () => expect.fail("signed an exit without a request"),
        (e: Error & { kind?: string }) => expect(e.kind).to.equal("refused"),
      );
    } finally {
      await server.close();
      await http.close();
    }
  });
});

describe("network end to end with 100 nodes", function () {
  this.timeout(600_000);
  it("accrues and pays with 100 registered nodes, 6 offline and 2 signing garbage", async () => {
    const w = await world(100, [], 3_600n, 120_000);
    try {
      await sync(w, networkHeightAt(await chainClock()));
      await time.increase(2 * HOUR);
      await sync(w);
      for (const i of [0, 13, 27, 41, 66, 99]) w.sim.setBehaviour(i, "offline");
      for (const i of [50, 51]) w.sim.setBehaviour(i, "bad-signature");
      const who = w.d.accounts[3];
      const started = Date.now();
      const answer = await w.sim.aggregator.rewardsRequest(who.address as Address);
      const ms = Date.now() - started;
      expect(answer.nonSignerIds).to.deep.equal([1n, 14n, 28n, 42n, 51n, 52n, 67n, 100n]);
      expect(answer.signers).to.equal(92);
      // Seeded node i is operated by account i mod (accounts): this account operates several nodes.
      expect(answer.amount).to.equal(w.ledger.balanceAt(who.address as Address, answer.networkHeight));
      await submitRewards(w, answer);
      await claimExactly(w, who, answer.amount);
      console.log(`      100-node rewards request: ${ms} ms`);
    } finally {
      await w.sim.close();
    }
  });
});
