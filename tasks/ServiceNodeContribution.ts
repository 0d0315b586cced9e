/**
 * Pooled-node tasks on one pool (`--pool <address>`, a pool the deployment's factory created).
 *
 * Contributors: `contribution:contribute` (ERC-2612 permit signed here, one transaction),
 * `contribution:withdraw`, `contribution:set-beneficiary`, `contribution:status`. Operators:
 * `contribution:update-fee`, `contribution:update-keys` (before their first contribution),
 * `contribution:finalize`, `contribution:reset`.
 */
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { publicKeyToHex } from "../src/bls";
import { formatSesh, parseAddress, parseSesh } from "./lib/args";
import { signPermit } from "./lib/permit";
import { TaskArgumentError, TaskError } from "../lib/errors";
import { waitHint } from "./lib/duration";
import { out, table } from "../lib/output";
import { REVERT_HINTS, send } from "../lib/send";
import {
  assertBalance,
  chainTime,
  ed25519Words,
  formatTime,
  parseFee,
  parseNodeKeys,
  parseReservations,
  proofOfPossession,
  saveGeneratedEd25519Key,
  saveGeneratedKey,
  serviceNodeContracts,
  type NodeKeyArgs,
} from "./lib/serviceNodes";
import { POOL_STATUS } from "./ServiceNodeContributionFactory";

Object.assign(REVERT_HINTS, {
  ContributionBelowMinimum: "contribute at least the pool's minimum (see contribution:list)",
  ContributionBelowReservation: "a reserved contributor pays at least its reservation",
  ContributionExceedsRequirement: "the pool needs less than that: contribute at most what is missing",
  ContributorsFull: "every slot is taken: choose another pool",
  WithdrawalTooEarly: "contributions can be withdrawn a day after they were made: wait until allowedAt",
  NotOperator: "only the pool's operator may do this: run the task with the operator's key",
  InvalidStatus: "the pool is not in the state this needs: check contribution:status",
  WaitingForOperatorContribution: "the operator has not contributed yet: only the operator may contribute first",
  PoolEpochChanged: "the pool's terms (fee, keys, reservations or a reset) changed after they were shown: check contribution:status and run the task again",
  PoolTermsRecentlyChanged: "the pool's terms changed within the last hour: state the epoch (contribution:contribute does) or wait until allowedAt",
});

async function openPool(hre: HardhatRuntimeEnvironment, rawPool: unknown) {
  const address = parseAddress("--pool", rawPool);
  const contracts = await serviceNodeContracts(hre);
  if (!(await contracts.factory.owns(address))) {
    throw new TaskArgumentError("--pool", `${address} is not a pool made by this network's factory: pick one from \`npx hardhat contribution:list --network ${hre.network.name}\``);
  }
  const pool = await hre.ethers.getContractAt("ServiceNodeContribution", address, contracts.signer);
  const status = Number(await pool.status());
  return { ...contracts, address, pool, status, statusName: POOL_STATUS[status] };
}

async function printState(pool: Awaited<ReturnType<typeof openPool>>["pool"]) {
  const status = POOL_STATUS[Number(await pool.status())];
  out(`  pool status ${status}; contributed ${formatSesh(await pool.totalContribution())} of ${formatSesh(await pool.stakingRequirement())}`);
  return status;
}

task("contribution:contribute", "Contributes SESH to a pool (signs an ERC-2612 permit, so one transaction)")
  .addParam("pool", "the pool's address")
  .addParam("amount", "SESH to contribute, e.g. 5000")
  .addOptionalParam("beneficiary", "who receives your rewards (default: you)")
  .setAction(async (args: { pool: string; amount: string; beneficiary?: string }, hre) => {
    const amount = parseSesh("--amount", args.amount);
    const beneficiary = args.beneficiary === undefined ? hre.ethers.ZeroAddress : parseAddress("--beneficiary", args.beneficiary);
    const { pool, address, token, signer, status, statusName } = await openPool(hre, args.pool);
    const isOperator = (await pool.operator()) === signer.address;
    if (!(status === 1 || (status === 0 && isOperator))) {
      throw new TaskError(`pool ${address} is ${statusName}, not open for contributions${status === 0 ? ": its operator contributes first" : ""}: pick another pool from contribution:list`);
    }
    const minimum = await pool.minimumContributionFor(signer.address);
    const [already] = await pool.contributionOf(signer.address);
    const ownReservation = (await pool.getReservations()).find((r) => r.addr === signer.address)?.amount ?? 0n;
    const missing = (await pool.stakingRequirement()) - (await pool.totalContribution()) - (await pool.totalReservedContribution()) + ownReservation;
    if (minimum === 0n && already === 0n) throw new TaskError(`pool ${address} has no free slot for ${signer.address}: pick another pool`);
    if (amount < minimum) {
      throw new TaskArgumentError("--amount", `${formatSesh(amount)} is below this pool's minimum for you, ${formatSesh(minimum)}: contribute at least that`);
    }
    if (amount > missing) throw new TaskArgumentError("--amount", `${formatSesh(amount)} is more than the ${formatSesh(missing)} the pool still needs: contribute at most that`);
    await assertBalance(token, signer.address, amount, "--amount");

    // The terms shown are the terms agreed to: the epoch read with them goes into the transaction, so a
    // reset, fee, key or reservation change landing first makes it revert (PoolEpochChanged).
    const epoch = await pool.epoch();
    const [, , params] = await pool.registration();
    const deadline = (await chainTime(hre)) + 3600n;
    const permit = await signPermit(token, signer, address, amount, deadline);
    out(`contributing ${formatSesh(amount)} to pool ${address} at operator fee ${Number(params.fee) / 100} % (pool terms epoch ${epoch}; permit valid until ${formatTime(deadline)})`);
    const receipt = await send(hre, {
      description: `contribute ${formatSesh(amount)}${beneficiary === hre.ethers.ZeroAddress ? "" : `, rewards to ${beneficiary}`}`,
      contract: pool,
      contractName: "ServiceNodeContribution",
      method: "contributeFundsWithPermit",
      args: [amount, beneficiary, epoch, deadline, permit.v, permit.r, permit.s],
    });
    const [mine] = await pool.contributionOf(signer.address);
    out(`  your contribution: ${formatSesh(mine)}`);
    return { txHash: receipt.hash, contribution: mine, status: await printState(pool) };
  });

task("contribution:withdraw", "Takes your contribution back (a day after you made it; the operator's withdrawal refunds everyone)")
  .addParam("pool", "the pool's address")
  .setAction(async (args: { pool: string }, hre) => {
    const { pool, address, signer, status, statusName } = await openPool(hre, args.pool);
    if (status === 3) throw new TaskError(`pool ${address} is finalized: the stake is in the registry; leave with node:request-exit`);
    const isOperator = (await pool.operator()) === signer.address;
    const [amount, , time] = await pool.contributionOf(signer.address);
    if (amount === 0n) throw new TaskError(`${signer.address} has no contribution in pool ${address} (status ${statusName}): nothing to withdraw`);
    if (!isOperator) {
      const allowedAt = time + (await pool.WITHDRAWAL_DELAY());
      const now = await chainTime(hre);
      if (now < allowedAt) throw new TaskError(`you can withdraw from ${formatTime(allowedAt)}, ${waitHint(hre, allowedAt - now)} (a day after your last contribution): wait`);
    }
    const receipt = await send(hre, {
      description: isOperator ? `withdraw as the operator: refunds every contributor of pool ${address}` : `withdraw your ${formatSesh(amount)} from pool ${address}`,
      contract: pool,
      contractName: "ServiceNodeContribution",
      method: "withdrawContribution",
      args: [],
    });
    return { txHash: receipt.hash, withdrawn: amount, status: await printState(pool) };
  });

task("contribution:set-beneficiary", "Sets who receives your rewards from a pool (before it is finalized)")
  .addParam("pool", "the pool's address")
  .addParam("beneficiary", "the account that receives your rewards")
  .setAction(async (args: { pool: string; beneficiary: string }, hre) => {
    const beneficiary = parseAddress("--beneficiary", args.beneficiary);
    const { pool, address, signer, status, statusName } = await openPool(hre, args.pool);
    if (status !== 1 && status !== 2) throw new TaskError(`pool ${address} is ${statusName}: beneficiaries can be changed only while it is open or filled`);
    const [amount] = await pool.contributionOf(signer.address);
    if (amount === 0n) throw new TaskError(`${signer.address} has no contribution in pool ${address}: contribute first`);
    const receipt = await send(hre, {
      description: `send your rewards from pool ${address} to ${beneficiary}`,
      contract: pool,
      contractName: "ServiceNodeContribution",
      method: "updateBeneficiary",
      args: [beneficiary],
    });
    const [, now] = await pool.contributionOf(signer.address);
    out(`  your beneficiary is ${now}`);
    return { txHash: receipt.hash, beneficiary: now };
  });

task("contribution:status", "Prints a pool's status, contributors and reservations")
  .addParam("pool", "the pool's address")
  .setAction(async (args: { pool: string }, hre) => {
    const { pool, address, statusName } = await openPool(hre, args.pool);
    const [contributors] = await pool.getContributors();
    const [pubkey, , params] = await pool.registration();
    table([
      ["pool", address],
      ["operator", await pool.operator()],
      ["status", statusName],
      ["BLS key", publicKeyToHex({ X: pubkey.X, Y: pubkey.Y })],
      ["fee", `${Number(params.fee) / 100} %`],
      ["terms epoch", (await pool.epoch()).toString()],
      ["contributed", `${formatSesh(await pool.totalContribution())} of ${formatSesh(await pool.stakingRequirement())}`],
      ["minimum contribution now", formatSesh(await pool.minimumContribution())],
      ["manual finalize", String(await pool.manualFinalize())],
      ...contributors.map((c, i) => [`contributor ${i}`, `${c.staker.addr} ${formatSesh(c.stakedAmount)} → ${c.staker.beneficiary}`]),
      ...(await pool.getReservations()).map((r, i) => [`reservation ${i + 1}`, `${r.addr} ${formatSesh(r.amount)}`]),
    ]);
    return { status: statusName, contributors: contributors.length };
  });

async function operatorPool(hre: HardhatRuntimeEnvironment, rawPool: unknown) {
  const p = await openPool(hre, rawPool);
  const operator = await p.pool.operator();
  if (operator !== p.signer.address) {
    throw new TaskError(`pool ${p.address} is operated by ${operator}, not by ${p.signer.address}: run the task with the operator's key`);
  }
  return p;
}

async function beforeOperatorContribution(hre: HardhatRuntimeEnvironment, rawPool: unknown, what: string) {
  const p = await operatorPool(hre, rawPool);
  if (p.status !== 0) {
    throw new TaskError(`pool ${p.address} is ${p.statusName}: the ${what} can change only before your first contribution — run contribution:reset first (refunds everyone)`);
  }
  return p;
}

task("contribution:update-fee", "Operator: changes the fee before your first contribution")
  .addParam("pool", "the pool's address")
  .addParam("fee", "new fee in basis points, 0–10000")
  .setAction(async (args: { pool: string; fee: string }, hre) => {
    const fee = parseFee("--fee", args.fee);
    const { pool, address } = await beforeOperatorContribution(hre, args.pool, "fee");
    const receipt = await send(hre, { description: `set the fee of pool ${address} to ${fee / 100} %`, contract: pool, contractName: "ServiceNodeContribution", method: "updateFee", args: [fee] });
    const [, , params] = await pool.registration();
    out(`  fee is ${Number(params.fee) / 100} %`);
    return { txHash: receipt.hash, fee: Number(params.fee) };
  });

task("contribution:update-keys", "Operator: replaces the node keys before your first contribution")
  .addParam("pool", "the pool's address")
  .addOptionalParam("blsKey", "the node's BLS secret key: 0x + 64 hex digits, or a file holding it")
  .addOptionalParam("newBlsKey", "generate a BLS key and save it to this (new) file")
  .addOptionalParam("ed25519Key", "the node's Ed25519 secret key (0x + 64 hex digits, or a file holding it): the task signs the registration with it")
  .addOptionalParam("newEd25519Key", "generate an Ed25519 key, save it to this (new) file and sign with it")
  .addOptionalParam("ed25519", "the node's Ed25519 public key, 0x + 64 hex digits (with --ed25519-signature, when its secret stays on the node)")
  .addOptionalParam("ed25519Signature", "with --ed25519: the node's Ed25519 signature of its registration bytes, 0x + 128 hex digits")
  .setAction(async (args: NodeKeyArgs & { pool: string }, hre) => {
    const { key, ed25519, edIdentity } = parseNodeKeys(args);
    const { pool, address, signer, domain } = await beforeOperatorContribution(hre, args.pool, "keys");
    const [sig0, sig1] = ed25519Words(edIdentity, key, domain, signer.address);
    saveGeneratedKey(key, out);
    saveGeneratedEd25519Key(edIdentity, out);
    const receipt = await send(hre, {
      description: `give pool ${address} the BLS key ${publicKeyToHex(key.pk)}`,
      contract: pool,
      contractName: "ServiceNodeContribution",
      method: "updatePubkeys",
      args: [{ X: key.pk.X, Y: key.pk.Y }, proofOfPossession(key, domain, signer.address, ed25519), ed25519, sig0, sig1],
    });
    return { txHash: receipt.hash, pubkey: publicKeyToHex(key.pk) };
  });

task("contribution:finalize", "Operator: registers the filled pool's node with the registry")
  .addParam("pool", "the pool's address")
  .setAction(async (args: { pool: string }, hre) => {
    const { pool, address, status, statusName, registry } = await operatorPool(hre, args.pool);
    if (status !== 2) throw new TaskError(`pool ${address} is ${statusName}: only a filled pool (WaitForFinalized) can be finalized`);
    const receipt = await send(hre, { description: `register the node of pool ${address}`, contract: pool, contractName: "ServiceNodeContribution", method: "finalize", args: [] });
    const [pubkey] = await pool.registration();
    const id = await registry.serviceNodeIDs(publicKeyToHex({ X: pubkey.X, Y: pubkey.Y }));
    out(`  registered as node ${id}`);
    return { txHash: receipt.hash, id, status: await printState(pool) };
  });

task("contribution:reset", "Operator: refunds every contribution and starts the pool over (keys, fee and reservations are kept)")
  .addParam("pool", "the pool's address")
  .addFlag("dropReservations", "do not restore the reserved slots after the reset")
  .setAction(async (args: { pool: string; dropReservations: boolean }, hre) => {
    const { pool, address } = await operatorPool(hre, args.pool);
    // reset() clears the reservations with the contributions; they are read first and put back after.
    const reserved = (await pool.getReservations()).map((r) => ({ addr: r.addr, amount: r.amount }));
    const receipt = await send(hre, { description: `reset pool ${address} (refunds ${formatSesh(await pool.totalContribution())})`, contract: pool, contractName: "ServiceNodeContribution", method: "reset", args: [] });
    const hashes = [receipt.hash];
    if (reserved.length > 0 && !args.dropReservations) {
      const restored = await send(hre, {
        description: `restore the ${reserved.length} reserved slot${reserved.length === 1 ? "" : "s"} (${reserved.map((r) => `${r.addr}:${formatSesh(r.amount)}`).join(", ")}; --drop-reservations skips this)`,
        contract: pool,
        contractName: "ServiceNodeContribution",
        method: "updateReservedContributors",
        args: [reserved],
      });
      hashes.push(restored.hash);
    } else if (reserved.length > 0) {
      out(`  reservations dropped; set new ones with contribution:update-reservations --pool ${address} --reserve <address:SESH,…>`);
    }
    return { txHash: receipt.hash, txHashes: hashes, reservations: args.dropReservations ? [] : reserved, status: await printState(pool) };
  });

task("contribution:update-reservations", "Operator: replaces the reserved slots before your first contribution")
  .addParam("pool", "the pool's address")
  .addOptionalParam("reserve", "reserved slots, address:SESH comma-separated, e.g. 0xabc…:5000,0xdef…:2500 (omit to clear them)")
  .setAction(async (args: { pool: string; reserve?: string }, hre) => {
    const reserved = parseReservations("--reserve", args.reserve);
    const { pool, address, signer } = await beforeOperatorContribution(hre, args.pool, "reservations");
    if (reserved.some((r) => r.addr === signer.address)) {
      throw new TaskArgumentError("--reserve", `do not reserve a slot for yourself (${signer.address}): the operator's slot is always yours`);
    }
    const receipt = await send(hre, {
      description: reserved.length === 0 ? `clear the reservations of pool ${address}` : `reserve ${reserved.map((r) => `${formatSesh(r.amount)} for ${r.addr}`).join(", ")} in pool ${address}`,
      contract: pool,
      contractName: "ServiceNodeContribution",
      method: "updateReservedContributors",
      args: [reserved.map((r) => ({ addr: r.addr, amount: r.amount }))],
    });
    const now = (await pool.getReservations()).map((r) => ({ addr: r.addr, amount: r.amount }));
    out(`  ${now.length} reserved slot${now.length === 1 ? "" : "s"}${now.length === 0 ? "" : `: ${now.map((r) => `${r.addr}:${formatSesh(r.amount)}`).join(", ")}`}`);
    return { txHash: receipt.hash, reservations: now };
  });

task("contribution:update-manual-finalize", "Operator: whether the filled pool waits for contribution:finalize (true) or registers itself (false)")
  .addParam("pool", "the pool's address")
  .addParam("manualFinalize", "true or false")
  .setAction(async (args: { pool: string; manualFinalize: string }, hre) => {
    const raw = String(args.manualFinalize).trim().toLowerCase();
    if (raw !== "true" && raw !== "false") throw new TaskArgumentError("--manual-finalize", `"${args.manualFinalize}" must be true or false`);
    const { pool, address, status, statusName } = await operatorPool(hre, args.pool);
    if (status === 3) throw new TaskError(`pool ${address} is ${statusName}: there is nothing left to finalize`);
    const receipt = await send(hre, {
      description: `${raw === "true" ? "wait for contribution:finalize once" : "register the node as soon as"} pool ${address} is full`,
      contract: pool,
      contractName: "ServiceNodeContribution",
      method: "updateManualFinalize",
      args: [raw === "true"],
    });
    const now = await pool.manualFinalize();
    out(`  manual finalize: ${now}`);
    return { txHash: receipt.hash, manualFinalize: now, status: await printState(pool) };
  });
