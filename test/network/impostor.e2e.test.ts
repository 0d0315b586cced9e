/**
 * The node network refuses Ed25519 impostors (issue 16, hole 2), end to end on the in-process Hardhat
 * network with the real registry. Every node runs its own signing service over its OWN view of the chain
 * (its own contract view reading the registry's logs), so each verdict below is reached independently;
 * registrations carry real Ed25519 signatures (or real signatures by the wrong key), and the network's
 * answers are submitted to the registry as they are.
 */
import { expect } from "chai";
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex } from "@noble/hashes/utils";
import type { Address, PublicClient } from "viem";
import { proofOfPossessionMessage, publicKeyToHex, type G1Affine } from "../../src/bls";
import { createAggregator, type Aggregator } from "../../src/network/aggregator/aggregator";
import { NetworkError } from "../../src/network/errors";
import { openLedger, type Ledger } from "../../src/network/ledger/ledger";
import { applySnapshot, networkHeightAt } from "../../src/network/ledger/sync";
import { inProcessClient } from "../../src/network/node/client";
import { createNodeService, type NodeService } from "../../src/network/node/service";
import type { NetworkSnapshot } from "../../src/network/view";
import { createSimulation } from "../../src/network/simulation";
import { createContractView } from "../../src/network/views/contract";
import { cachedView } from "../../src/network/views/memory";
import { g1, nodeKey, proofOfPossession, type NodeKey } from "../helpers/network";
import { ed25519Identity } from "../helpers/networkView";
import { deployServiceNodeRewards, STAKING_REQUIREMENT, type Deployment } from "../helpers/serviceNodeRewards";
import { contribute, deployPools } from "../helpers/serviceNodeContribution";

const HOUR = 3600;
const UNLOCK = 3_600n; // the network signs an exit 1 h after the request here (15 days on a live network)
const chainClock = async (): Promise<bigint> => BigInt(await time.latest());
const big = (bytes: Uint8Array): bigint => BigInt(`0x${bytesToHex(bytes)}`);

interface EdFields {
  readonly ed25519Pubkey: bigint;
  readonly ed25519Signature0: bigint;
  readonly ed25519Signature1: bigint;
}

/** The Ed25519 fields of a registration of `pk` by `operator` claiming identity `claimed`, signed with `signer`'s secret. */
function edFields(d: Deployment, pk: G1Affine, operator: string, claimed: string, signer = claimed): EdFields {
  const pubkey = ed25519Identity(claimed).pubkey;
  const signature = ed25519.sign(proofOfPossessionMessage(d.network.domain, pk, operator.toLowerCase() as Address, pubkey), ed25519Identity(signer).secret);
  return { ed25519Pubkey: pubkey, ed25519Signature0: big(signature.slice(0, 32)), ed25519Signature1: big(signature.slice(32)) };
}

/** A solo registration of `key` by `operator` with the given Ed25519 fields; returns its id. */
async function register(d: Deployment, key: NodeKey, operator: HardhatEthersSigner, ed: EdFields): Promise<bigint> {
  await d.token.connect(operator).approve(d.address, STAKING_REQUIREMENT);
  const pop = proofOfPossession(key, d.network.domain, operator.address as Address, ed.ed25519Pubkey);
  await d.snr.connect(operator).addBLSPublicKey(g1(key.pk), pop, { ...ed, fee: 0 }, []);
  const id = (await d.snr.nextServiceNodeID()) - 1n;
  d.network.nodes.set(id, key);
  return id;
}

/** One node of the network: its own view of the chain and its own ledger. */
interface OwnNode {
  readonly key: NodeKey;
  readonly service: NodeService;
  readonly ledger: Ledger;
  readonly view: ReturnType<typeof cachedView>;
}

async function expectRefusal(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected a refusal").to.be.instanceOf(NetworkError);
  expect((error as Error).message).to.match(pattern);
}

describe("network refuses Ed25519 impostors (Hardhat, real registry, one view per node)", function () {
  this.timeout(600_000);
  let d: Deployment;
  let client: PublicClient;
  let nodes: OwnNode[];
  let aggregator: Aggregator;
  let aggregatorView: ReturnType<typeof cachedView>;
  let startHeight: bigint;
  let validOp: HardhatEthersSigner, squatterOp: HardhatEthersSigner, victimOp: HardhatEthersSigner, twinOp: HardhatEthersSigner, copierOp: HardhatEthersSigner;
  const valid = nodeKey("imp-valid");
  const squatter = nodeKey("imp-squatter");
  const victim = nodeKey("imp-victim");
  const holder = nodeKey("imp-holder");
  const twin = nodeKey("imp-twin");
  const elder = nodeKey("imp-elder");
  const copier = nodeKey("imp-copier");
  const ids: Record<string, bigint> = {};

  /** Every node and the aggregator re-read the chain; each node brings its own ledger up to its own view. */
  const refresh = async (): Promise<void> => {
    aggregatorView.invalidate();
    for (const n of nodes) {
      n.view.invalidate();
      await snapshotOf(n);
    }
  };
  const snapshotOf = async (n: OwnNode): Promise<NetworkSnapshot> => {
    const s = await n.view.snapshot();
    applySnapshot(n.ledger, s, startHeight);
    return s;
  };

  before(async () => {
    // 6 seeded nodes, plus one seeded node whose Ed25519 key is a real one ("elder"): seeding ends at start().
    d = await deployServiceNodeRewards({ seeded: 6, label: "imp-seed", start: false });
    [validOp, squatterOp, victimOp, twinOp, copierOp] = d.accounts.slice(10);
    await d.token.approve(d.address, STAKING_REQUIREMENT);
    const seededAt = BigInt(await time.latest());
    const operator = d.accounts[6].address;
    await d.ext.seedPublicKeyList([
      { blsPubkey: g1(elder.pk), addedTimestamp: seededAt, ed25519Pubkey: ed25519Identity("elder").pubkey, contributors: [{ staker: { addr: operator, beneficiary: operator }, stakedAmount: STAKING_REQUIREMENT }] },
    ]);
    ids.elder = 7n;
    d.network.nodes.set(7n, elder);
    await d.snr.start();
    await time.increase(3 * HOUR);

    ids.valid = await register(d, valid, validOp, edFields(d, valid.pk, validOp.address, "valid"));
    // The squatter: its own BLS key bound to the victim's Ed25519 key, signed by another Ed25519 key (its own).
    ids.squatter = await register(d, squatter, squatterOp, edFields(d, squatter.pk, squatterOp.address, "victim", "squatter-own"));
    // One operator's Ed25519 key signed validly twice, for two BLS keys: the earlier holds it.
    ids.holder = await register(d, holder, twinOp, edFields(d, holder.pk, twinOp.address, "twin-ed"));
    ids.twin = await register(d, twin, twinOp, edFields(d, twin.pk, twinOp.address, "twin-ed"));
    // A valid signature by the seeded node's own Ed25519 key, for another BLS key: the seeded node holds it.
    ids.copier = await register(d, copier, copierOp, edFields(d, copier.pk, copierOp.address, "elder"));

    client = (await hre.viem.getPublicClient()) as unknown as PublicClient;
    startHeight = networkHeightAt(await chainClock());
    // Every key has a signing node (the impostors too: they would sign if asked).
    const keys = [...d.seedKeys, elder, valid, squatter, holder, twin, copier, victim];
    nodes = keys.map((key) => {
      const view = cachedView(createContractView({ client, registry: d.address }), 600_000);
      const ledger = openLedger({ path: ":memory:", config: { minActiveSeconds: BigInt(HOUR) } });
      const own: OwnNode = {
        key,
        ledger,
        view,
        service: createNodeService({ secretKey: key.sk, domain: d.network.domain, ledger, snapshot: () => snapshotOf(own), clock: chainClock, unlockSeconds: UNLOCK }),
      };
      return own;
    });
    aggregatorView = cachedView(createContractView({ client, registry: d.address }), 600_000);
    aggregator = createAggregator({
      domain: d.network.domain,
      nodes: nodes.map((n) => inProcessClient(n.service, n.key.label)),
      snapshot: () => aggregatorView.snapshot(),
      clock: chainClock,
      unlockSeconds: UNLOCK,
      timeoutMs: 60_000,
    });
    await time.increase(2 * HOUR);
    await refresh();
  });
  after(() => {
    for (const n of nodes ?? []) n.ledger.close();
  });

  it("a squatter with a victim's Ed25519 key and another key's signature is never counted: a non-signer of every aggregate, earning nothing", async () => {
    const answer = await aggregator.rewardsRequest(validOp.address as Address);
    // The impostors are listed as non-signers without being asked; every other node signed.
    expect(answer.nonSignerIds).to.deep.equal([ids.squatter, ids.twin, ids.copier]);
    expect(answer.signers).to.equal(9);
    const impostors = answer.failures.filter((f) => f.reason === "impostor").map((f) => [f.id, f.message]);
    expect(impostors).to.deep.equal([
      [ids.squatter, `service node ${ids.squatter} is an impostor: its Ed25519 signature does not verify under its Ed25519 key over its registration`],
      [ids.twin, `service node ${ids.twin} is an impostor: its Ed25519 key is held by service node ${ids.holder}, registered earlier and still registered`],
      [ids.copier, `service node ${ids.copier} is an impostor: its Ed25519 key is held by service node ${ids.elder}, registered earlier and still registered`],
    ]);
    // The registry accepts the aggregate with the impostors as non-signers.
    await expect(d.snr.updateRewardsBalance(answer.address, answer.amount, answer.signature, [...answer.nonSignerIds]))
      .to.emit(d.snr, "RewardsBalanceUpdated")
      .withArgs(validOp.address, answer.amount, 0n);

    // Registered at the same time and active for 2 h: the valid node earned, the squatter nothing, by every node's ledger.
    const height = answer.networkHeight;
    for (const n of nodes) {
      expect(n.ledger.blockInfo(height)!.eligible).to.equal(9); // 12 registered, 3 impostors
      expect(n.ledger.balanceAt(validOp.address as Address, height)).to.equal(answer.amount);
      expect(n.ledger.balanceAt(squatterOp.address as Address, height)).to.equal(0n);
    }
    await expectRefusal(aggregator.rewardsRequest(squatterOp.address as Address), /has no rewards/);
  });

  it("every node, from its own view, signs the impostors' liquidations and refuses a valid node's", async () => {
    const timestamp = await chainClock();
    for (const n of nodes) {
      for (const impostor of [squatter, twin, copier]) {
        const signed = (await n.service.handle("get_liquidation", { bls_pubkey: publicKeyToHex(impostor.pk), timestamp: timestamp.toString() })) as { service_node_id: string };
        expect(signed.service_node_id).to.be.oneOf([ids.squatter, ids.twin, ids.copier].map(String));
      }
      for (const good of [valid, holder, elder, d.seedKeys[0]]) {
        await expectRefusal(n.service.handle("get_liquidation", { bls_pubkey: publicKeyToHex(good.pk), timestamp: timestamp.toString() }), /is in good standing/);
      }
    }
    // A second aggregator over a view of its own reaches the same non-signer list.
    const other = createAggregator({ domain: d.network.domain, nodes: nodes.map((n) => inProcessClient(n.service, n.key.label)), snapshot: createContractView({ client, registry: d.address }).snapshot, clock: chainClock });
    expect((await other.rewardsRequest(d.accounts[0].address as Address)).nonSignerIds).to.deep.equal([ids.squatter, ids.twin, ids.copier]);
    const list = (await aggregator.exitLiquidationList()).map((c) => [c.serviceNodeId, c.type]);
    expect(list).to.deep.equal([
      [ids.squatter, "liquidate"],
      [ids.twin, "liquidate"],
      [ids.copier, "liquidate"],
    ]);
  });

  it("the squatter's liquidation succeeds on chain; the victim then registers and is a normal working node", async () => {
    const answer = await aggregator.exitLiquidationRequest(squatter.pk, true);
    expect([answer.type, answer.serviceNodeId, answer.nonSignerIds]).to.deep.equal(["liquidate", ids.squatter, [ids.squatter, ids.twin, ids.copier]]);
    const liquidator = d.accounts[15];
    const tx = d.snr.connect(liquidator).liquidateBLSPublicKeyWithSignature(g1(answer.pubkey), answer.timestamp, answer.signature, [...answer.nonSignerIds]);
    await expect(tx).to.emit(d.snr, "ServiceNodeLiquidated").withArgs(ids.squatter, liquidator.address, [squatter.pk.X, squatter.pk.Y]);

    ids.victim = await register(d, victim, victimOp, edFields(d, victim.pk, victimOp.address, "victim"));
    await time.increase(2 * HOUR);
    await refresh();
    const rewards = await aggregator.rewardsRequest(victimOp.address as Address);
    expect(rewards.nonSignerIds).to.deep.equal([ids.twin, ids.copier]);
    expect(rewards.amount > 0n).to.equal(true);
    await expect(d.snr.updateRewardsBalance(rewards.address, rewards.amount, rewards.signature, [...rewards.nonSignerIds])).to.emit(d.snr, "RewardsBalanceUpdated");
    await expect(d.snr.connect(victimOp)["claimRewards()"]()).to.emit(d.snr, "RewardsClaimed").withArgs(victimOp.address, rewards.amount);
    await expectRefusal(aggregator.exitLiquidationRequest(victim.pk, true), /in good standing/);
    expect((await aggregator.exitLiquidationList()).map((c) => c.serviceNodeId)).to.deep.equal([ids.twin, ids.copier]);
  });

  it("a second node with an active node's Ed25519 key and a valid signature is the impostor until the earlier one exits", async () => {
    await expectRefusal(aggregator.exitLiquidationRequest(holder.pk, true), /in good standing/);
    const signed = await aggregator.exitLiquidationRequest(twin.pk, true);
    expect(signed.serviceNodeId).to.equal(ids.twin);

    // The holder leaves (exit request, the network's exit signature after the unlock): the twin then holds the key.
    await d.snr.connect(twinOp)["initiateExitBLSPublicKey(uint64)"](ids.holder);
    await time.increase(2 * HOUR);
    await refresh();
    const exit = await aggregator.exitLiquidationRequest(holder.pk, false);
    expect(exit.nonSignerIds).to.deep.equal([ids.twin, ids.copier]);
    await expect(d.snr.exitBLSPublicKeyWithSignature(g1(exit.pubkey), exit.timestamp, exit.signature, [...exit.nonSignerIds])).to.emit(d.snr, "ServiceNodeExit");

    await time.increase(HOUR);
    await refresh();
    const rewards = await aggregator.rewardsRequest(twinOp.address as Address);
    expect(rewards.nonSignerIds).to.deep.equal([ids.copier]);
    await expectRefusal(aggregator.exitLiquidationRequest(twin.pk, true), /in good standing/);
    // Each node's ledger: before the exit 12 registered, the twin and the copier refused (10 earn); after it
    // 11 registered (the holder gone), only the copier refused (10 earn, the twin among them).
    const exitHeight = networkHeightAt(exit.timestamp);
    for (const n of nodes) {
      expect(n.ledger.blockInfo(exitHeight - 1n)!.eligible).to.equal(10);
      expect(n.ledger.blockInfo(rewards.networkHeight)!.eligible).to.equal(10);
    }
  });

  it("seeded nodes are counted without an Ed25519 signature and hold their key against later registrations", async () => {
    await refresh();
    const answer = await aggregator.rewardsRequest(d.accounts[0].address as Address);
    for (let id = 1n; id <= 7n; id++) expect(answer.nonSignerIds).to.not.include(id);
    expect(answer.nonSignerIds).to.deep.equal([ids.copier]);
    expect(answer.failures.find((f) => f.id === ids.copier)?.message).to.match(new RegExp(`held by service node ${ids.elder},`));
  });
});

describe("network refuses Ed25519 impostors among pooled nodes (Hardhat, real factory pools)", function () {
  this.timeout(600_000);

  it("a pool opened with a victim's Ed25519 key and a wrong signature registers an impostor; a pool signed for its operator is a working node", async () => {
    const d = await deployPools(6);
    const [squatterOp, validOp, friend, liquidator] = d.accounts.slice(10);
    const squatterKey = nodeKey("imp-pool-squatter");
    const validKey = nodeKey("imp-pool-valid");
    /** Opens a pool for `key` by `operator` with the given Ed25519 fields, then fills it: it registers itself. */
    const pooled = async (key: NodeKey, operator: HardhatEthersSigner, ed: EdFields, contributors: [HardhatEthersSigner, bigint][]): Promise<bigint> => {
      const pop = proofOfPossession(key, d.network.domain, operator.address as Address, ed.ed25519Pubkey);
      const receipt = await (await d.factory.connect(operator).deploy(g1(key.pk), pop, { ...ed, fee: 300 }, [], false)).wait();
      const created = receipt!.logs.map((log) => d.factory.interface.parseLog(log)).find((p) => p?.name === "NewServiceNodeContributionContract");
      const pool = await hre.ethers.getContractAt("ServiceNodeContribution", created!.args.contributorContract as string);
      for (const [who, amount] of contributors) await contribute(d, pool, who, amount);
      const id = (await d.snr.nextServiceNodeID()) - 1n;
      expect((await d.snr.serviceNodes(id)).operator).to.equal(operator.address);
      return id;
    };
    const half = STAKING_REQUIREMENT / 2n;
    // The pool's params carry the victim's Ed25519 key, signed by another key; the registry takes them as they are.
    const squatterId = await pooled(squatterKey, squatterOp, edFields(d, squatterKey.pk, squatterOp.address, "pool-victim", "pool-squatter-own"), [[squatterOp, STAKING_REQUIREMENT]]);
    // A pool whose node signed its registration for the pool's operator (contributor 0), with a second contributor.
    const validId = await pooled(validKey, validOp, edFields(d, validKey.pk, validOp.address, "pool-valid"), [[validOp, half], [friend, half]]);

    const client = (await hre.viem.getPublicClient()) as unknown as PublicClient;
    const view = cachedView(createContractView({ client, registry: d.address }), 600_000);
    const ledger = openLedger({ path: ":memory:", config: { minActiveSeconds: BigInt(HOUR) } });
    const startHeight = networkHeightAt(await chainClock());
    const sim = await createSimulation({
      domain: d.network.domain,
      snapshot: async () => {
        const s = await view.snapshot();
        applySnapshot(ledger, s, startHeight);
        return s;
      },
      ledger,
      secretKeys: [...d.seedKeys, squatterKey, validKey].map((k) => k.sk),
      clock: chainClock,
      aggregator: { timeoutMs: 60_000 },
    });
    try {
      await time.increase(2 * HOUR);
      view.invalidate();
      const rewards = await sim.aggregator.rewardsRequest(friend.address as Address);
      expect(rewards.nonSignerIds).to.deep.equal([squatterId]);
      expect(rewards.failures.map((f) => [f.id, f.reason])).to.deep.equal([[squatterId, "impostor"]]);
      expect(rewards.amount > 0n).to.equal(true); // the valid pool's second contributor earns
      expect(ledger.balanceAt(squatterOp.address as Address, rewards.networkHeight)).to.equal(0n);
      await expect(d.snr.updateRewardsBalance(rewards.address, rewards.amount, rewards.signature, [...rewards.nonSignerIds])).to.emit(d.snr, "RewardsBalanceUpdated");

      await expectRefusal(sim.aggregator.exitLiquidationRequest(validKey.pk, true), /in good standing/);
      const answer = await sim.aggregator.exitLiquidationRequest(squatterKey.pk, true);
      await expect(d.snr.connect(liquidator).liquidateBLSPublicKeyWithSignature(g1(answer.pubkey), answer.timestamp, answer.signature, [...answer.nonSignerIds]))
        .to.emit(d.snr, "ServiceNodeLiquidated")
        .withArgs(squatterId, liquidator.address, [squatterKey.pk.X, squatterKey.pk.Y]);
      expect(validId).to.equal(squatterId + 1n);
    } finally {
      await sim.close();
      ledger.close();
    }
  });
});
