/**
 * Pool factory tasks: `contribution:open` (an operator opens a pooled node, with reservations and
 * optionally its own first contribution) and `contribution:list` (pools open for contribution, with the
 * minimum contribution now).
 */
import { task } from "hardhat/config";
import { publicKeyToHex } from "../src/bls";
import { formatSesh, parseSesh } from "./lib/args";
import { TaskArgumentError, TaskError } from "../lib/errors";
import { out, table } from "../lib/output";
import { REVERT_HINTS, send } from "../lib/send";
import {
  assertBalance,
  ed25519Words,
  parseFee,
  parseNodeKeys,
  parseReservations,
  proofOfPossession,
  saveGeneratedEd25519Key,
  saveGeneratedKey,
  serviceNodeContracts,
  type NodeKeyArgs,
} from "./lib/serviceNodes";

Object.assign(REVERT_HINTS, {
  EnforcedPause: "the factory is paused by its owner: no new pools until it is unpaused",
  ImplementationNotSet: "the factory has no pool implementation: run `npx hardhat deploy`, which wires it",
});

/** Status names of ServiceNodeContribution.Status. */
export const POOL_STATUS = ["WaitForOperatorContrib", "OpenForPublicContrib", "WaitForFinalized", "Finalized"] as const;

interface OpenArgs extends NodeKeyArgs {
  fee: string;
  reserve?: string;
  manualFinalize: boolean;
  contribute?: string;
}

task("contribution:open", "Opens a pooled node you operate (optionally with reserved slots and your first contribution)")
  .addOptionalParam("blsKey", "the node's BLS secret key: 0x + 64 hex digits, or a file holding it")
  .addOptionalParam("newBlsKey", "generate a BLS key and save it to this (new) file")
  .addOptionalParam("ed25519Key", "the node's Ed25519 secret key (0x + 64 hex digits, or a file holding it): the task signs the registration with it")
  .addOptionalParam("newEd25519Key", "generate an Ed25519 key, save it to this (new) file and sign with it")
  .addOptionalParam("ed25519", "the node's Ed25519 public key, 0x + 64 hex digits (with --ed25519-signature, when its secret stays on the node)")
  .addOptionalParam("ed25519Signature", "with --ed25519: the node's Ed25519 signature of its registration bytes, 0x + 128 hex digits")
  .addParam("fee", "your fee in basis points of the rewards, 0–10000 (500 = 5 %)")
  .addOptionalParam("reserve", "reserved slots, address:SESH comma-separated, e.g. 0xabc…:5000,0xdef…:2500")
  .addFlag("manualFinalize", "register the filled node only when you run contribution:finalize")
  .addOptionalParam("contribute", "your own contribution now (≥ a quarter of the requirement), e.g. 6250")
  .setAction(async (args: OpenArgs, hre) => {
    const { key, ed25519, edIdentity } = parseNodeKeys(args);
    const fee = parseFee("--fee", args.fee);
    const reserved = parseReservations("--reserve", args.reserve);
    const contribution = args.contribute === undefined ? 0n : parseSesh("--contribute", args.contribute);
    const { registry, factory, token, signer, domain } = await serviceNodeContracts(hre);
    const [sig0, sig1] = ed25519Words(edIdentity, key, domain, signer.address);

    const requirement = await registry.stakingRequirement();
    const max = await registry.maxContributors();
    const operatorMin = (requirement + 3n) / 4n;
    if (reserved.some((r) => r.addr === signer.address)) {
      throw new TaskArgumentError("--reserve", `do not reserve a slot for yourself (${signer.address}): the operator's slot is always yours`);
    }
    if (BigInt(reserved.length) + 1n > max) throw new TaskArgumentError("--reserve", `${reserved.length} reservations plus you exceed the ${max} contributors allowed`);
    const reservedTotal = reserved.reduce((sum, r) => sum + r.amount, 0n);
    if (reservedTotal + operatorMin > requirement) {
      throw new TaskArgumentError("--reserve", `reservations total ${formatSesh(reservedTotal)}, leaving less than your minimum ${formatSesh(operatorMin)} of the ${formatSesh(requirement)} requirement: reserve less`);
    }
    if (contribution !== 0n && contribution < operatorMin) {
      throw new TaskArgumentError("--contribute", `${formatSesh(contribution)} is below the operator's minimum, a quarter of the requirement: give at least ${formatSesh(operatorMin)}`);
    }
    if (contribution > requirement - reservedTotal) {
      throw new TaskArgumentError("--contribute", `${formatSesh(contribution)} is more than the ${formatSesh(requirement - reservedTotal)} not reserved: give less`);
    }
    if (contribution !== 0n) await assertBalance(token, signer.address, contribution, "--contribute");
    if ((await registry.serviceNodeIDs(publicKeyToHex(key.pk))) !== 0n) throw new TaskArgumentError("--bls-key", "this key belongs to a registered node already: use another key");
    if (await factory.paused()) throw new TaskError(`${REVERT_HINTS.EnforcedPause}; nothing was sent`);

    out(`opening a pool for BLS key ${publicKeyToHex(key.pk)}: fee ${fee / 100} %, ${reserved.length} reserved slots, ${args.manualFinalize ? "manual" : "automatic"} finalize`);
    saveGeneratedKey(key, out);
    saveGeneratedEd25519Key(edIdentity, out);
    const receipt = await send(hre, {
      description: "create the pool contract",
      contract: factory,
      contractName: "ServiceNodeContributionFactory",
      method: "deploy",
      args: [
        { X: key.pk.X, Y: key.pk.Y },
        proofOfPossession(key, domain, signer.address, ed25519),
        { ed25519Pubkey: ed25519, ed25519Signature0: sig0, ed25519Signature1: sig1, fee },
        reserved.map((r) => ({ addr: r.addr, amount: r.amount })),
        args.manualFinalize,
      ],
    });
    const event = receipt.logs.map((l) => factory.interface.parseLog(l)).find((p) => p?.name === "NewServiceNodeContributionContract");
    if (event === undefined || event === null) throw new TaskError(`transaction ${receipt.hash} created no pool`);
    const poolAddress = event.args[0] as string;
    const pool = await hre.ethers.getContractAt("ServiceNodeContribution", poolAddress, signer);
    out(`  pool ${poolAddress} created`);
    const hashes = [receipt.hash];
    if (contribution !== 0n) {
      await send(hre, {
        description: `allow the pool to take your ${formatSesh(contribution)}`,
        contract: token,
        contractName: "SESH",
        method: "approve",
        args: [poolAddress, contribution],
      });
      const paid = await send(hre, {
        description: `contribute ${formatSesh(contribution)} as the operator (opens the pool to others)`,
        contract: pool,
        contractName: "ServiceNodeContribution",
        method: "contributeFunds(uint256,address,uint256)",
        args: [contribution, hre.ethers.ZeroAddress, await pool.epoch()],
      });
      hashes.push(paid.hash);
    }
    const status = POOL_STATUS[Number(await pool.status())];
    out(`  status ${status}; contributed ${formatSesh(await pool.totalContribution())} of ${formatSesh(requirement)}`);
    return { pool: poolAddress, pubkey: publicKeyToHex(key.pk), status, txHashes: hashes };
  });

export interface OpenPoolRow {
  readonly pool: string;
  readonly operator: string;
  readonly fee: number;
  readonly contributed: bigint;
  readonly requirement: bigint;
  readonly minimumContribution: bigint;
  readonly freeSlots: number;
  readonly reservations: readonly { addr: string; amount: bigint }[];
}

task("contribution:list", "Lists pooled nodes open for contribution, with the minimum contribution now").setAction(async (_args, hre) => {
  const { factory, deployment } = await serviceNodeContracts(hre);
  const fromBlock = deployment.book.contracts.ServiceNodeContributionFactory?.blockNumber ?? 0;
  const events = await factory.queryFilter(factory.filters.NewServiceNodeContributionContract(), fromBlock);
  const rows: OpenPoolRow[] = [];
  for (const event of events) {
    const pool = await hre.ethers.getContractAt("ServiceNodeContribution", event.args.contributorContract);
    if (Number(await pool.status()) !== 1) continue;
    const [, , params] = await pool.registration();
    rows.push({
      pool: await pool.getAddress(),
      operator: await pool.operator(),
      fee: Number(params.fee),
      contributed: await pool.totalContribution(),
      requirement: await pool.stakingRequirement(),
      minimumContribution: await pool.minimumContribution(),
      freeSlots: Number((await pool.maxContributors()) - (await pool.contributorSlots())),
      reservations: (await pool.getReservations()).map((r) => ({ addr: r.addr, amount: r.amount })),
    });
  }
  out(`${rows.length} pools open for contribution on ${hre.network.name}`);
  if (rows.length > 0) {
    table([
      ["pool", "operator", "fee", "contributed", "minimum now", "free slots", "reserved"],
      ...rows.map((r) => [
        r.pool,
        r.operator,
        `${r.fee / 100} %`,
        `${formatSesh(r.contributed)} / ${formatSesh(r.requirement)}`,
        formatSesh(r.minimumContribution),
        String(r.freeSlots),
        r.reservations.map((x) => `${x.addr}:${formatSesh(x.amount)}`).join(", ") || "-",
      ]),
    ]);
  }
  return rows;
});
