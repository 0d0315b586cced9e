/**
 * Gas suite "serviceNodeContribution": pooled nodes — factory deploy, contributions (approve done in an
 * earlier transaction, except with permit), withdraw, finalize, reset. Every row is a whole transaction's
 * gasUsed (21,000 base and calldata included, after refunds) on the in-process Hardhat network (prague),
 * registry seeded with 3 nodes and SESH balances already non-zero for every account.
 */
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { GasRow, GasSuite } from "./types";
import { contribute, deployPools, freshKey, nodeParams, openPool, signPermit } from "../../test/helpers/serviceNodeContribution";
import { g1, proofOfPossession } from "../../test/helpers/network";
import { STAKING_REQUIREMENT } from "../../test/helpers/serviceNodeRewards";

async function gasOf(tx: Promise<ContractTransactionResponse> | ContractTransactionResponse): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("gas suite serviceNodeContribution: transaction has no receipt");
  return receipt.gasUsed;
}

async function measure(): Promise<GasRow[]> {
  const { ethers } = hre;
  const d = await deployPools(3);
  const [op, a, b, c, ...others] = d.accounts;
  const rows: GasRow[] = [];
  const quarter = STAKING_REQUIREMENT / 4n;

  // Warm-ups: a pool, so the first measured deploy is not the factory's first; a solo registration, so
  // the registry already holds SESH (as a live one does; its first stake would pay 20k extra).
  await openPool(d, others[9]);
  const solo = freshKey("bench-solo");
  await d.token.connect(others[10]).approve(d.address, STAKING_REQUIREMENT);
  await d.snr.connect(others[10]).addBLSPublicKey(g1(solo.pk), proofOfPossession(solo, d.network.domain, others[10].address as `0x${string}`), nodeParams(solo), []);

  const plain = await openPool(d, op);
  rows.push({ operation: "factory deploy (0 reserved)", gas: plain.gasUsed, note: "clone + init + PoP verify; target ≤ 450k (reference ≈ 4.14M)" });
  const reserved = await openPool(d, op, { reserved: [{ addr: a.address, amount: 5_000n * 10n ** 9n }, { addr: b.address, amount: 4_000n * 10n ** 9n }] });
  rows.push({ operation: "factory deploy (2 reserved)", gas: reserved.gasUsed });

  // Manual pool: operator, two contributors, finalize by the operator.
  const { pool } = await openPool(d, op, { manualFinalize: true });
  const poolAddress = await pool.getAddress();
  rows.push({ operation: "operator contribution", gas: await gasOf(contribute(d, pool, op, quarter)), note: "opens the pool" });
  await d.token.connect(a).approve(poolAddress, quarter);
  rows.push({ operation: "contribution", gas: await gasOf(pool.connect(a)["contributeFunds(uint256,address,uint256)"](quarter, ethers.ZeroAddress, 0n)), note: "new contributor stating the epoch, approved earlier; target ≤ 120k (reference ≈ 170–206k)" });
  const deadline = 4_102_444_800n;
  const permit = await signPermit(d, b, poolAddress, quarter, deadline);
  rows.push({ operation: "contribution with permit", gas: await gasOf(pool.connect(b).contributeFundsWithPermit(quarter, ethers.ZeroAddress, 0n, deadline, permit.v, permit.r, permit.s)), note: "new contributor, no prior approve" });
  await d.token.connect(c).approve(poolAddress, quarter);
  rows.push({ operation: "contribution (reference ABI, no epoch)", gas: await gasOf(pool.connect(c)["contributeFunds(uint256,address)"](quarter, ethers.ZeroAddress)), note: "contributeFunds(uint256,address): checks the settle delay instead" });
  await time.increase(86_400);
  await pool.connect(c).withdrawContribution();
  rows.push({ operation: "withdraw", gas: await gasOf(pool.connect(b).withdrawContribution()), note: "non-operator, after 1 day" });
  await contribute(d, pool, b, STAKING_REQUIREMENT - 2n * quarter);
  rows.push({ operation: "finalize (3 contributors)", gas: await gasOf(pool.connect(op).finalize()), note: "manual; includes registry addBLSPublicKey (the pool verified the PoP when its key was set, so the registry does not repeat the pairing); target ≤ 450k (reference ≈ 1.65M)" });

  // Auto-finalize with 10 contributors: the 10th contribution registers the node.
  const { pool: big } = await openPool(d, op);
  const share = (STAKING_REQUIREMENT - quarter) / 9n;
  await contribute(d, big, op, STAKING_REQUIREMENT - 9n * share);
  const members = [a, b, c, ...others].slice(0, 9);
  for (const member of members.slice(0, 8)) await contribute(d, big, member, share);
  await d.token.connect(members[8]).approve(await big.getAddress(), share);
  rows.push({ operation: "last contribution, auto-finalize (10 contributors)", gas: await gasOf(big.connect(members[8])["contributeFunds(uint256,address,uint256)"](share, ethers.ZeroAddress, 0n)), note: "target ≤ 700k (reference ≈ 2.27M)" });

  // Reset with 3 paid contributors (operator + 2): refunds both and the operator.
  const { pool: open } = await openPool(d, op);
  await contribute(d, open, op, quarter);
  await contribute(d, open, a, quarter);
  await contribute(d, open, b, quarter);
  rows.push({ operation: "reset (3 contributors)", gas: await gasOf(open.connect(op).reset()), note: "refunds 3 contributions" });
  return rows;
}

export const serviceNodeContributionSuite: GasSuite = { name: "serviceNodeContribution", measure };
