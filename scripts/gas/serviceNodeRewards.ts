/**
 * Gas suite "serviceNodeRewards": registration, reward updates with 0–1,000 non-signers, claims, exits and
 * liquidation on a registry of 3,000 seeded nodes (so a third, 1,000, may be non-signers). Every figure is
 * the whole transaction's gasUsed (21,000 base and calldata included) on the in-process Hardhat network
 * (prague), behind the ERC-1967 proxy, with real signatures from the simulated network.
 */
import hre from "hardhat";
import { takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import type { TransactionResponse } from "ethers";
import { GasRow, GasSuite } from "./types";
import { g1, hinted, nodeKey, proofOfPossession, signExit, signLiquidation, signReward, type NodeKey } from "../../test/helpers/network";
import { SESH_UNIT, STAKING_REQUIREMENT } from "../../src/protocol";
import { deployServiceNodeRewards } from "../../test/helpers/serviceNodeRewards";

const NODES = 3000;

/** ERC-7201 location of ServiceNodeRewards' key region: node `id`'s packed BLS key is at this slot + id. */
const NODE_KEYS_LOCATION = 0xe2ce4faf3bdde3e7f7c55ecd223a6dafb674ab6135aef9224d9d12d5e1f2ad00n;

/** Storage slot holding node `id`'s packed BLS key. */
function nodeKeySlot(id: bigint): string {
  return hre.ethers.toBeHex(NODE_KEYS_LOCATION + id, 32);
}

async function gasOf(tx: Promise<TransactionResponse> | TransactionResponse): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("gas suite serviceNodeRewards: transaction has no receipt");
  return receipt.gasUsed;
}

async function measure(): Promise<GasRow[]> {
  const { ethers } = hre;
  const d = await deployServiceNodeRewards({ seeded: NODES, label: "bench", batch: 200 });
  const { snr, token, accounts, network } = d;
  const rows: GasRow[] = [];
  // Fixed timestamps for the signed removals: the exit/liquidation messages contain the timestamp, and
  // hash-to-G2's try-and-increment cost depends on the message, so wall-clock times would make the
  // snapshot vary by a few thousand gas between runs.
  const FIXED_TIME = 2_000_000_000n;
  const fixedNow = async (offset: bigint) => {
    await time.setNextBlockTimestamp(FIXED_TIME + offset);
    return FIXED_TIME + offset;
  };
  const params = (k: NodeKey) => ({ ed25519Pubkey: k.ed25519, ed25519Signature0: 1n, ed25519Signature1: 2n, fee: 500 });

  // Registration: the staker approved exactly the stake (the allowance goes back to zero). A multi-contributor
  // node is paid by its operator (contributor 0) directly; the pool path is in the serviceNodeContribution suite.
  const register = async (label: string, contributors: number) => {
    const k = nodeKey(label);
    const sender = contributors === 0 ? accounts[0] : accounts[1];
    const operator = sender;
    // Operator a quarter (plus rounding), the others share the rest equally.
    const share = contributors > 1 ? (STAKING_REQUIREMENT * 3n) / 4n / BigInt(contributors - 1) : 0n;
    const list = Array.from({ length: contributors }, (_, i) => ({
      staker: { addr: accounts[1 + i].address, beneficiary: accounts[1 + i].address },
      stakedAmount: i === 0 ? STAKING_REQUIREMENT - share * BigInt(contributors - 1) : share,
    }));
    await token.connect(sender).approve(d.address, STAKING_REQUIREMENT);
    const pop = proofOfPossession(k, network.domain, operator.address as `0x${string}`);
    const gas = await gasOf(snr.connect(sender).addBLSPublicKey(g1(k.pk), pop, params(k), list));
    network.nodes.set((await snr.nextServiceNodeID()) - 1n, k);
    return gas;
  };
  // Warm-up: the seeded registry holds no SESH yet; real registries do (first stake would pay 20k extra).
  await register("reg-warmup", 0);
  rows.push({ operation: "addBLSPublicKey solo", gas: await register("reg-solo", 0), note: "reference ≈ 1.45M", target: 450_000n });
  rows.push({ operation: "addBLSPublicKey 4 contributors", gas: await register("reg-4", 4) });
  rows.push({ operation: "addBLSPublicKey 10 contributors", gas: await register("reg-10", 10), note: "reference ≈ 2.07M", target: 600_000n });

  // Reward updates: recipient already has a balance; non-signers are the lowest ids, ascending.
  const recipient = accounts[5].address as `0x${string}`;
  let total = 1_000n * SESH_UNIT;
  rows.push({
    operation: "updateRewardsBalance new recipient, 0 non-signers",
    gas: await gasOf(snr.updateRewardsBalance(recipient, total, signReward(network, recipient, total), [])),
  });
  // Each row's message is signed once by everyone and once without the non-signers; the all-signer update
  // is measured first in a chain snapshot that is then reverted, so both transactions verify the same message
  // (the same hash-to-G2 cost) on the same state and their difference is exactly the non-signers' part.
  // "each" = that difference / n; "marginal" = the growth of that difference since the previous row.
  const withNonSigners = async (
    label: string,
    /** The target for each extra non-signer's marginal cost (the variant the tasks use), if any. */
    marginalTarget: bigint | undefined,
    send: (total: bigint, sig: ReturnType<typeof signReward>, nonSigners: bigint[]) => Promise<TransactionResponse>,
  ): Promise<void> => {
    let previous: { n: number; extra: bigint } | undefined;
    for (const n of [0, 10, 100, 1000]) {
      total += SESH_UNIT;
      const nonSigners = Array.from({ length: n }, (_, i) => BigInt(i + 1));
      let extra = 0n;
      let baseline = 0n;
      if (n > 0) {
        const snapshot = await takeSnapshot();
        baseline = await gasOf(send(total, signReward(network, recipient, total), []));
        await snapshot.restore();
      }
      const gas = await gasOf(send(total, signReward(network, recipient, total, nonSigners), nonSigners));
      const first = n === 0 && label === "updateRewardsBalance";
      let note: string | undefined = first ? "reference ≈ 1.10M" : undefined;
      let marginal: bigint | undefined;
      if (n > 0) {
        extra = gas - baseline;
        const each = `${(extra / BigInt(n)).toLocaleString("en-US")} each`;
        const step = previous ? (extra - previous.extra) / BigInt(n - previous.n) : undefined;
        const marginalText = step !== undefined ? `, marginal ${step.toLocaleString("en-US")}` : "";
        // As data (checked against the target): the step between two counts of non-signers, so the fixed
        // cost of having any non-signers at all is not spread over the first ten.
        if (previous && previous.n > 0) marginal = step;
        note = `non-signers: ${each}${marginalText} vs the same message signed by all (reference ≈ 5.4k)`;
      }
      previous = { n, extra };
      rows.push({
        operation: `${label} ${n} non-signers`,
        gas,
        note,
        ...(first ? { target: 300_000n } : {}),
        ...(marginal !== undefined ? { marginal, ...(marginalTarget !== undefined ? { marginalTarget } : {}) } : {}),
      });
    }
  };
  await withNonSigners("updateRewardsBalance", undefined, (t, sig, ns) => snr.updateRewardsBalance(recipient, t, sig, ns));
  // The same with the non-signers' Y supplied (…WithNonSignerKeys): no square root on chain.
  await withNonSigners("updateRewardsBalanceWithNonSignerKeys", 3_000n, (t, sig, ns) =>
    snr.updateRewardsBalanceWithNonSignerKeys(recipient, t, sig, hinted(network, ns)),
  );
  // The same 1,000 with an EIP-2930 access list naming the non-signers' key slots (on the proxy, which holds
  // the storage): each costs 1,900 in the list and a warm 100 instead of a cold 2,100 SLOAD, plus 2,400 once
  // for the address. A separate row: the figures above are without an access list.
  {
    total += SESH_UNIT;
    const nonSigners = Array.from({ length: 1000 }, (_, i) => BigInt(i + 1));
    const snapshot = await takeSnapshot();
    const baseline = await gasOf(snr.updateRewardsBalanceWithNonSignerKeys(recipient, total, signReward(network, recipient, total), "0x"));
    await snapshot.restore();
    const sig = signReward(network, recipient, total, nonSigners);
    const proxy = await snr.getAddress();
    const storageKeys = nonSigners.map((id) => nodeKeySlot(id));
    const data = snr.interface.encodeFunctionData("updateRewardsBalanceWithNonSignerKeys", [recipient, total, sig, hinted(network, nonSigners)]);
    const gas = await gasOf(accounts[0].sendTransaction({ to: proxy, data, accessList: [{ address: proxy, storageKeys }] }));
    const note = `non-signers: ${((gas - baseline) / 1000n).toLocaleString("en-US")} each with an access list vs the same message signed by all`;
    rows.push({ operation: "updateRewardsBalanceWithNonSignerKeys 1000 non-signers, access list", gas, note });
  }

  // Claims by an account holding no SESH yet, then again.
  const claimer = ethers.Wallet.createRandom().connect(ethers.provider);
  await accounts[0].sendTransaction({ to: claimer.address, value: ethers.parseEther("1") });
  const c = claimer.address as `0x${string}`;
  await snr.updateRewardsBalance(c, 100n * SESH_UNIT, signReward(network, c, 100n * SESH_UNIT), []);
  rows.push({ operation: "claimRewards first (empty account)", gas: await gasOf(snr.connect(claimer)["claimRewards()"]()), note: "reference ≈ 100.7k", target: 80_500n });
  await snr.updateRewardsBalance(c, 200n * SESH_UNIT, signReward(network, c, 200n * SESH_UNIT), []);
  rows.push({ operation: "claimRewards later", gas: await gasOf(snr.connect(claimer)["claimRewards()"]()), note: "reference ≈ 66.5k", target: 53_200n });
  await snr.updateRewardsBalance(c, 300n * SESH_UNIT, signReward(network, c, 300n * SESH_UNIT), []);
  rows.push({ operation: "claimRewards(amount) later", gas: await gasOf(snr.connect(claimer)["claimRewards(uint256)"](50n * SESH_UNIT)) });

  // Exits: seeded node 2999's operator requests; node 3000 exits with a signature, node 2998 is liquidated.
  await time.increaseTo(FIXED_TIME);
  const requestId = 2999n;
  const op = await ethers.getSigner((await snr.serviceNodes(requestId)).operator);
  rows.push({ operation: "initiateExitBLSPublicKey (operator)", gas: await gasOf(snr.connect(op)["initiateExitBLSPublicKey(uint64)"](requestId)) });
  // Any contributor, by address alone: the last of the 10-contributor node's list (the longest scan).
  const pooledId = BigInt(NODES) + 4n; // after the seeded nodes: warm-up, solo, 4 contributors, 10 contributors
  const last = accounts[10];
  rows.push({
    operation: "initiateExitBLSPublicKey (contributor 10 of 10)",
    gas: await gasOf(snr.connect(last)["initiateExitBLSPublicKey(uint64)"](pooledId)),
    note: "reads the node's contributor list (a code-only contract): one cold account + code copy",
  });

  let ts = await fixedNow(100n);
  const exitKey = network.nodes.get(3000n)!;
  rows.push({ operation: "exitBLSPublicKeyWithSignature 0 non-signers", gas: await gasOf(snr.exitBLSPublicKeyWithSignature(g1(exitKey.pk), ts, signExit(network, exitKey.pk, ts), [])), note: "reference ≈ 1.12M", target: 320_000n });
  network.nodes.delete(3000n);

  ts = await fixedNow(200n);
  const liqKey = network.nodes.get(2998n)!;
  rows.push({ operation: "liquidateBLSPublicKeyWithSignature 0 non-signers", gas: await gasOf(snr.connect(accounts[7]).liquidateBLSPublicKeyWithSignature(g1(liqKey.pk), ts, signLiquidation(network, liqKey.pk, ts), [])), note: "reference ≈ 1.18M; liquidator held SESH", target: 320_000n });
  network.nodes.delete(2998n);

  await time.setNextBlockTimestamp(FIXED_TIME + 31n * 86_400n);
  rows.push({ operation: "exitBLSPublicKeyAfterWaitTime", gas: await gasOf(snr.exitBLSPublicKeyAfterWaitTime(requestId)) });
  return rows;
}

export const serviceNodeRewardsSuite: GasSuite = { name: "serviceNodeRewards", measure };
