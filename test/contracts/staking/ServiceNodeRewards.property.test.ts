/**
 * Property test: random short sequences of register / signed exit / timed exit / liquidate / reward update /
 * claim / time passing, each run from the same chain snapshot (evm_revert), with real network signatures.
 * After every step: the registry's SESH balance == stakes received + pool releases − claims paid −
 * liquidation payouts. After every run: the stored aggregate key == the sum of the active nodes' keys, and
 * every recipient was paid exactly what it claimed and never more than its signed lifetime total.
 * Runs: PROPERTY_RUNS (default 1,000), seed PROPERTY_SEED (default 20240601).
 */
import { expect } from "chai";
import fc from "fast-check";
import { ethers, network as hhNetwork } from "hardhat";
import { aggregatePublicKeys } from "../../../src/bls";
import { g1, hinted, nodeKey, proofOfPossession, signExit, signLiquidation, signReward, type NodeKey, type SimNetwork } from "../../helpers/network";
import { deployServiceNodeRewards, SESH_UNIT, STAKING_REQUIREMENT, type Deployment } from "../../helpers/serviceNodeRewards";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const SEED = Number(process.env.PROPERTY_SEED ?? 20240601);
const STEP = 10n;
const MONTH = 30n * 86_400n + 1n;

type Action =
  | { kind: "register"; k: number }
  | { kind: "exit"; pick: number }
  | { kind: "liquidate"; pick: number }
  | { kind: "timedExit"; pick: number }
  | { kind: "update"; r: number; inc: number }
  | { kind: "claim"; r: number; part: number }
  | { kind: "wait" };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant("register" as const), k: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant("exit" as const), pick: fc.nat(60) }),
  fc.record({ kind: fc.constant("liquidate" as const), pick: fc.nat(60) }),
  fc.record({ kind: fc.constant("timedExit" as const), pick: fc.nat(60) }),
  fc.record({ kind: fc.constant("update" as const), r: fc.integer({ min: 0, max: 2 }), inc: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("claim" as const), r: fc.integer({ min: 0, max: 2 }), part: fc.integer({ min: 0, max: 2 }) }),
  fc.constant({ kind: "wait" as const }),
);

interface NodeModel {
  key: NodeKey;
  operator: string;
  added: bigint;
}

describe("ServiceNodeRewards property: token accounting, aggregate key, payouts", function () {
  this.timeout(1_800_000);
  let d: Deployment;
  let snapshot: string;
  let startTime: bigint;
  let seededModel: Map<bigint, NodeModel>;
  const extraKeys = Array.from({ length: 4 }, (_, k) => nodeKey(`prop-extra-${k}`));

  before(async () => {
    d = await deployServiceNodeRewards({ seeded: 50, label: "prop" });
    for (let k = 0; k < 4; k++) await d.token.connect(d.accounts[k]).approve(d.address, ethers.MaxUint256);
    const block = await ethers.provider.getBlock("latest");
    startTime = BigInt(block!.timestamp) + 100n;
    seededModel = new Map();
    for (const [id, key] of d.network.nodes) seededModel.set(id, { key, operator: d.accounts[Number(id - 1n) % d.accounts.length].address, added: 0n });
    snapshot = await hhNetwork.provider.send("evm_snapshot", []);
  });

  it(`holds over ${RUNS} random sequences`, async () => {
    const recipients = [d.accounts[10], d.accounts[11], d.accounts[12]];
    const liquidator = d.accounts[15];
    const poolAddress = await d.pool.getAddress();
    const [liqRatio, poolRatio, recipientRatio] = await d.snr.liquidationRatios();
    const ratioSum = liqRatio + poolRatio + recipientRatio;
    const initialRecipientBalances = await Promise.all(recipients.map((r) => d.token.balanceOf(r.address)));
    const initialPaidOut = await d.pool.totalPaidOut();
    const initialBalance = await d.token.balanceOf(d.address);

    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 5 }), async (actions) => {
        await hhNetwork.provider.send("evm_revert", [snapshot]);
        snapshot = await hhNetwork.provider.send("evm_snapshot", []);
        const nodes = new Map(seededModel);
        const net = (): SimNetwork => ({ domain: d.network.domain, nodes: new Map([...nodes].map(([id, n]) => [id, n.key])) });
        let nextId = 51n;
        let clock = startTime;
        let stakes = 0n;
        let claimsPaid = 0n;
        let liquidationPayouts = 0n;
        const signed = [0n, 0n, 0n];
        const claimed = [0n, 0n, 0n];
        const pickNode = (pick: number): [bigint, NodeModel] => {
          const ids = [...nodes.keys()].sort((a, b) => (a < b ? -1 : 1));
          const id = ids[pick % ids.length];
          return [id, nodes.get(id)!];
        };
        const at = async (t: bigint) => hhNetwork.provider.send("evm_setNextBlockTimestamp", [Number(t)]);

        for (const a of actions) {
          clock += STEP;
          if (a.kind === "register") {
            const key = extraKeys[a.k];
            const active = [...nodes.values()].some((n) => n.key === key);
            const op = d.accounts[a.k];
            await at(clock);
            const tx = d.snr.connect(op).addBLSPublicKey(g1(key.pk), proofOfPossession(key, d.network.domain, op.address as `0x${string}`), { ed25519Pubkey: key.ed25519, ed25519Signature0: 0n, ed25519Signature1: 0n, fee: 0 }, []);
            if (active) {
              await expect(tx).to.be.revertedWithCustomError(d.snr, "BLSPubkeyAlreadyExists");
            } else {
              await (await tx).wait();
              nodes.set(nextId++, { key, operator: op.address, added: clock });
              stakes += STAKING_REQUIREMENT;
            }
          } else if (a.kind === "exit" || a.kind === "liquidate") {
            const [id, node] = pickNode(a.pick);
            await at(clock);
            const ts = clock;
            const sig = a.kind === "exit" ? signExit(net(), node.key.pk, ts) : signLiquidation(net(), node.key.pk, ts);
            const tx = a.kind === "exit" ? d.snr.exitBLSPublicKeyWithSignature(g1(node.key.pk), ts, sig, []) : d.snr.connect(liquidator).liquidateBLSPublicKeyWithSignature(g1(node.key.pk), ts, sig, []);
            if (clock < node.added + 7200n) {
              await expect(tx).to.be.revertedWithCustomError(d.snr, "ServiceNodeTooYoung");
            } else {
              await (await tx).wait();
              nodes.delete(id);
              if (a.kind === "liquidate") {
                const liq = (STAKING_REQUIREMENT * liqRatio) / ratioSum;
                const pool = (STAKING_REQUIREMENT * poolRatio + ratioSum - 1n) / ratioSum;
                liquidationPayouts += liq + pool;
              }
            }
          } else if (a.kind === "timedExit") {
            const [id, node] = pickNode(a.pick);
            await at(clock);
            await (await d.snr.connect(await ethers.getSigner(node.operator))["initiateExitBLSPublicKey(uint64)"](id)).wait();
            clock += MONTH;
            await at(clock);
            await expect(d.snr.exitBLSPublicKeyAfterWaitTime(id)).to.emit(d.snr, "ServiceNodeExit");
            nodes.delete(id);
          } else if (a.kind === "update") {
            const r = recipients[a.r].address as `0x${string}`;
            const total = signed[a.r] + BigInt(a.inc) * SESH_UNIT;
            await at(clock);
            // inc 2: every third active node (from the lowest) did not sign, sent with their keys' Y
            // (…WithNonSignerKeys: removed nodes leave gaps in the ids, and four or more non-signers take the
            // loop's four-at-a-time part); inc 3: every third from the second, as plain ids. At most the
            // threshold (nodes / 3).
            const active = [...nodes.keys()].sort((x, y) => (x < y ? -1 : 1));
            const ns = a.inc > 1 ? active.filter((_, i) => i % 3 === a.inc - 2).slice(0, Math.floor(active.length / 3)) : [];
            const sig = signReward(net(), r, total, ns);
            const tx = a.inc === 2 ? d.snr.updateRewardsBalanceWithNonSignerKeys(r, total, sig, hinted(net(), ns)) : d.snr.updateRewardsBalance(r, total, sig, ns);
            await (await tx).wait();
            signed[a.r] = total;
          } else if (a.kind === "claim") {
            const who = recipients[a.r];
            const available = signed[a.r] - claimed[a.r];
            await at(clock);
            // part 0: claim all; 1: claim one unit; 2: claim one more than available (must fail).
            if (a.part === 0) {
              const tx = d.snr.connect(who)["claimRewards()"]();
              if (available === 0n) await expect(tx).to.be.revertedWithCustomError(d.snr, "NothingToClaim");
              else {
                await (await tx).wait();
                claimed[a.r] += available;
                claimsPaid += available;
              }
            } else {
              const amount = a.part === 1 ? 1n : available + 1n;
              const tx = d.snr.connect(who)["claimRewards(uint256)"](amount);
              if (amount > available) await expect(tx).to.be.revertedWithCustomError(d.snr, "ClaimExceedsBalance");
              else {
                await (await tx).wait();
                claimed[a.r] += amount;
                claimsPaid += amount;
              }
            }
          } else {
            clock += 86_400n;
          }
          const releases = (await d.pool.totalPaidOut()) - initialPaidOut;
          expect(await d.token.balanceOf(d.address)).to.equal(initialBalance + stakes + releases - claimsPaid - liquidationPayouts);
        }

        const expectedAggregate = aggregatePublicKeys([...nodes.values()].map((n) => n.key.pk));
        const agg = await d.snr.aggregatePubkey();
        expect([agg.X, agg.Y]).to.deep.equal([expectedAggregate.X, expectedAggregate.Y]);
        expect(await d.snr.totalNodes()).to.equal(BigInt(nodes.size));
        for (let i = 0; i < recipients.length; i++) {
          const [rewards, paid] = await d.snr.recipients(recipients[i].address);
          expect([rewards, paid]).to.deep.equal([signed[i], claimed[i]]);
          expect(paid <= rewards).to.equal(true);
          expect((await d.token.balanceOf(recipients[i].address)) - initialRecipientBalances[i]).to.equal(claimed[i]);
        }
        void poolAddress;
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});
