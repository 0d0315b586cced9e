/**
 * Issue 17 item 2(a): the node network refuses to sign from a mirror too many BLOCKS behind the chain's
 * head, on by default. A real tracker (in process, its HTTP API on a free port) whose follower stops
 * stepping while the chain keeps mining: the network refuses, the JSON-RPC error saying how far behind the
 * state is and why, and its GET /status says "stale"; once the tracker catches up, signing resumes and the
 * registry accepts the answer. Moving the chain's clock (evm_increaseTime + one block, what devnet:time
 * does) is not a lag.
 */
import { expect } from "chai";
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Address } from "viem";
import { NetworkConfigError, parseStartArgs } from "../../src/network/config";
import { DEFAULT_MAX_MIRROR_LAG_BLOCKS, DEVNET_MAX_MIRROR_LAG_BLOCKS, maxMirrorLagBlocks, startNetwork, type NetworkHealth, type RunningNetwork } from "../../src/network/daemon";
import { deriveNodeKeys, registrationParams } from "../../src/network/keys";
import { rpcCall } from "../../src/network/rpc";
import type { Tracker } from "../../src/tracker/tracker";
import { answered, eventually } from "../helpers/eventually";
import { deployServiceNodeRewards, STAKING_REQUIREMENT, type Deployment } from "../helpers/serviceNodeRewards";
import { registryTrackerConfig, serveInProcessChain, startTestTracker, type ServedChain } from "../helpers/inProcessChain";
import { syncToHead } from "../helpers/tracker";

const SEED = "mirror-lag-test";
const NODES = 3;
const MAX_LAG = 20;

interface RewardsReply {
  amount: string;
  signers: number;
  non_signer_ids: string[];
  signature: Record<string, string>;
}

async function status(url: string): Promise<{ code: number; body: NetworkHealth }> {
  const response = await fetch(`${url}status`);
  return { code: response.status, body: (await response.json()) as NetworkHealth };
}

/** The aggregator's raw JSON-RPC answer (to check the error object itself). */
async function rawCall(url: string, method: string, params: unknown): Promise<{ result?: unknown; error?: { code: number; message: string; data: { kind: string } } }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  return (await response.json()) as never;
}

describe("network refuses to sign from a mirror too many blocks behind the chain (--max-mirror-lag-blocks)", function () {
  this.timeout(600_000);
  let d: Deployment;
  let server: ServedChain;
  let rpcUrl: string;
  let tracker: Tracker;
  let net: RunningNetwork;

  before(async () => {
    d = await deployServiceNodeRewards({ seeded: 0, label: "mirror-lag" });
    server = await serveInProcessChain();
    rpcUrl = server.url;
    const operators = d.accounts.slice(0, NODES).map((a) => a.address);
    for (const [i, r] of registrationParams(deriveNodeKeys(SEED, NODES), d.network.domain, operators).entries()) {
      await d.token.connect(d.accounts[i]).approve(d.address, STAKING_REQUIREMENT);
      await d.snr.connect(d.accounts[i]).addBLSPublicKey(r.blsPubkey, r.proofOfPossession, r.serviceNodeParams, []);
    }
    const config = registryTrackerConfig(rpcUrl, { serviceNodeRewards: d.address, rewardRatePool: (await d.pool.getAddress()) as Address }, "mirror-lag");
    // The follower is stepped by hand (never run()): the test decides when the mirror advances.
    let trackerUrl: string;
    ({ tracker, url: trackerUrl } = await startTestTracker(config));
    await syncToHead(tracker);
    net = await startNetwork(
      parseStartArgs([
        ...["--tracker", trackerUrl, "--rpc", rpcUrl, "--rewards", d.address, "--seed", SEED, "--nodes", String(NODES), "--port", "0"],
        ...["--min-active", "0", "--sync-ms", "200", "--timeout-ms", "20000", "--max-mirror-lag-blocks", String(MAX_LAG)],
      ]),
    );
  });

  after(async () => {
    await net?.close();
    await tracker?.close();
    await server?.close();
  });

  it("is on by default: 120 blocks on a local Hardhat chain, 1,200 (about 5 min at 4 blocks/s) elsewhere; 0 turns it off", () => {
    const auto = parseStartArgs([]);
    expect(auto.maxMirrorLagBlocks).to.equal(null);
    expect([maxMirrorLagBlocks(auto, 31337n), maxMirrorLagBlocks(auto, 42161n), maxMirrorLagBlocks(auto, 421614n)]).to.deep.equal([120n, 1_200n, 1_200n]);
    expect([DEVNET_MAX_MIRROR_LAG_BLOCKS, DEFAULT_MAX_MIRROR_LAG_BLOCKS]).to.deep.equal([120n, 1_200n]);
    expect(maxMirrorLagBlocks(parseStartArgs(["--max-mirror-lag-blocks", "0"]), 42161n)).to.equal(0n);
    expect(() => parseStartArgs(["--max-mirror-lag-blocks", "5m"])).to.throw(NetworkConfigError, '--max-mirror-lag-blocks must be a whole number of blocks (0: no bound) or auto, got "5m"');
    expect(() => parseStartArgs(["--max-mirror-age", "600"])).to.throw(NetworkConfigError, "unknown option --max-mirror-age");
  });

  it("signs while the mirror follows the chain, a moved clock included", async () => {
    await time.increase(2 * 3600); // evm_increaseTime + one block: what devnet:time --advance does
    await syncToHead(tracker);
    const operator = d.accounts[0].address;
    const answer = await eventually(() => rpcCall(net.aggregatorUrl, "bls_rewards_request", { address: operator }), answered);
    if (answer instanceof Error) throw answer;
    expect((answer as RewardsReply).signers).to.equal(NODES);
    const { code, body } = await status(net.aggregatorUrl);
    expect([code, body.status, body.mirror.refusal, body.mirror.maxLagBlocks]).to.deep.equal([200, "ready", null, String(MAX_LAG)]);
    expect(Number(body.mirror.lagBlocks)).to.be.at.most(1);
  });

  it("refuses, saying how far behind and why, once a stalled tracker trails the chain by more than the bound; resumes when it catches up", async () => {
    const url = net.aggregatorUrl;
    const stalledAt = BigInt(tracker.follower.status().checkpoint!.number);
    // The tracker stops advancing while the chain moves on by more than MAX_LAG blocks.
    for (let i = 0; i < MAX_LAG + 5; i++) await hre.network.provider.send("evm_mine", []);
    const head = BigInt(await hre.ethers.provider.getBlockNumber());
    const lag = head - stalledAt;
    expect(lag > BigInt(MAX_LAG)).to.equal(true);

    // The network reads the chain's head at most every 2 s (its clock): within that its health says stale.
    const stale = (await eventually(() => status(url), (o) => !(o instanceof Error) && o.body.mirror.lagBlocks === String(lag))) as Awaited<ReturnType<typeof status>>;
    expect([stale.code, stale.body.status, stale.body.mirror.height, stale.body.mirror.chainHead, stale.body.mirror.lagBlocks]).to.deep.equal([503, "stale", String(stalledAt), String(head), String(lag)]);
    expect(stale.body.mirror.refusal).to.match(/blocks behind the chain/);
    expect(await (await fetch(`${url}metrics`)).text()).to.match(/^network_mirror_stale 1$/m).and.match(new RegExp(`^network_mirror_lag_blocks ${lag}$`, "m"));

    // A never-asked recipient (answers signed before the stall stay cached and valid).
    const recipient = d.accounts[1].address;
    const refused = await rawCall(url, "bls_rewards_request", { address: recipient });
    expect(refused.result).to.equal(undefined);
    expect(refused.error?.code).to.equal(-32010);
    expect(refused.error?.data.kind).to.equal("refused");
    expect(refused.error?.message)
      .to.match(new RegExp(`${NODES} of ${NODES} registered nodes did not sign \\(${NODES} forbidden\\)`))
      .and.match(new RegExp(`the chain state this node signs from is ${lag} blocks behind the chain \\(state at block ${stalledAt}, chain head at block ${head}; it has not moved for \\d+ s here\\)`))
      .and.match(new RegExp(`more than the ${MAX_LAG} blocks \\(--max-mirror-lag-blocks\\) it signs from: signing from it could contradict the chain\\. Is the tracker stalled or behind\\? \\(see its /status\\); signing resumes once it catches up`));
    const exit = await rpcCall(url, "bls_exit_liquidation_request", { pubkey: net.nodes[2].publicKey, liquidate: false }).catch((e: Error) => e);
    expect((exit as Error).message).to.match(new RegExp(`${lag} blocks behind the chain`));

    // The tracker catches up: the same request is signed by every node and the registry takes it.
    await syncToHead(tracker);
    const answer = await eventually(() => rpcCall(url, "bls_rewards_request", { address: recipient }), answered, 15_000);
    if (answer instanceof Error) throw answer;
    const reply = answer as RewardsReply;
    expect(reply.signers).to.equal(NODES);
    expect(reply.non_signer_ids).to.deep.equal([]);
    const amount = BigInt(reply.amount);
    const sig = Object.fromEntries(Object.entries(reply.signature).map(([k, v]) => [k, BigInt(v)]));
    await expect(d.snr.updateRewardsBalance(recipient, amount, sig as never, [])).to.emit(d.snr, "RewardsBalanceUpdated").withArgs(recipient, amount, 0n);
    const fresh = (await eventually(() => status(url), (o) => !(o instanceof Error) && o.body.status === "ready")) as Awaited<ReturnType<typeof status>>;
    expect([fresh.code, fresh.body.status, fresh.body.mirror.refusal]).to.deep.equal([200, "ready", null]);
  });
});
