/**
 * Node registry tasks.
 *
 * Node operators: `node:register` (solo), `node:request-exit` (also any contributor of a pooled node),
 * `node:exit` (with the network's signature), `node:exit-after-wait`. Anyone: `node:liquidate`, `node:list`. Contributors and operators:
 * `rewards:claim` (fetches the network's signed balance, submits it, claims). Owner: `registry:seed`
 * (migrates the live network's nodes from a JSON export before the start; see tasks/lib/seed.ts).
 */
import { getAddress } from "ethers";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { publicKeyToHex } from "../src/bls";
import { EXIT_WAIT_SECONDS } from "../src/protocol";
import { formatSesh, parseAddress } from "./lib/args";
import { TaskArgumentError, TaskError } from "../lib/errors";
import { out, table } from "../lib/output";
import { REVERT_HINTS, send } from "../lib/send";
import { isPooled, planExitRequest, registeredContributors } from "./lib/exitRequest";
import { nonSignerArgument } from "./lib/nonSigners";
import { readDevnetRecord } from "./lib/devnet";
import { taskCommand, waitHint } from "./lib/duration";
import { checkSeeded, readSeedExport } from "./lib/seed";
import {
  answerPubkey,
  assertBalance,
  assertSignatureFresh,
  nextBlockTime,
  SIGNATURE_SEND_MARGIN_SECONDS,
  chainTime,
  ed25519Words,
  fetchAnswer,
  formatTime,
  parseNodeId,
  parseNodeKeys,
  parseRemovalAnswer,
  parseRewardsAnswer,
  proofOfPossession,
  saveGeneratedEd25519Key,
  saveGeneratedKey,
  serviceNodeContracts,
  type AnswerSource,
  type NodeKeyArgs,
} from "./lib/serviceNodes";

Object.assign(REVERT_HINTS, {
  ContractNotStarted: "the registry is not started yet: its owner calls start() (the deploy does on devnets and testnets)",
  ContractPaused: "the registry is paused by its owner: try again once it is unpaused",
  BLSPubkeyAlreadyExists: "this BLS key already belongs to a registered node: use another key (--new-bls-key <file>)",
  RegistrantNotOperator: "only the node's operator (contributor 0, paying the stake) or its pool from the registry's factory may register it",
  InvalidProofOfPossession: "the proof of possession does not match: sign with the node's BLS key from the account that registers",
  CallerNotContributor: "only the node's operator (or a listed contributor) may do this: run the task with that account",
  ExitRequestTooSoon: "exit requests must be an hour apart: wait until allowedAt",
  SmallContributorLeaveTooEarly: "contributors of less than a quarter may request an exit only 30 days after registration: wait until allowedAt",
  ServiceNodeDoesNotExist: "no active node with this id: see node:list",
  InvalidNonSignerY: "a non-signer's key Y does not match the chain: the node list changed — request a fresh signature",
  UnknownNonSigner: "a non-signer was never registered: request a fresh signature",
  ExitWaitNotOver: "the 30-day wait after the exit request is not over (allowedAt 0: no exit was requested — run node:request-exit)",
  SignatureExpired: "the network's signature is too old: request a fresh one from the aggregator",
  SignatureFromFuture: "the network's signature is dated further ahead of the chain's time than the signature expiry: check the aggregator's clock",
  SignatureBeforeRegistration: "the network's signature was made for an earlier registration of this key: request a fresh one",
  ServiceNodeTooYoung: "a node must be 2 hours old before it can exit or be liquidated: wait until allowedAt",
  InvalidBLSSignature: "the network's signature does not verify for this contract and node set: request a fresh one",
  RewardsNotIncreased: "the chain already has this (or a larger) balance: claim it with rewards:claim",
  NothingToClaim: "nothing to claim: every signed reward has been paid out",
  ClaimLimitExceeded: "the network-wide claim limit of this cycle is reached: claim less or wait for the next cycle",
  InvalidSeedTimestamp: "a seeded node's addedTimestamp is zero or in the future: export the live registry's timestamps",
  ContractAlreadyStarted: "the registry is started: nodes can only be seeded before start()",
});

const DAY = 86_400n;
const ZERO = "0x0000000000000000000000000000000000000000";

task("node:register", "Registers a solo node: stakes the full requirement from your account")
  .addOptionalParam("blsKey", "the node's BLS secret key: 0x + 64 hex digits, or a file holding it")
  .addOptionalParam("newBlsKey", "generate a BLS key and save it to this (new) file")
  .addOptionalParam("ed25519Key", "the node's Ed25519 secret key (0x + 64 hex digits, or a file holding it): the task signs the registration with it")
  .addOptionalParam("newEd25519Key", "generate an Ed25519 key, save it to this (new) file and sign with it")
  .addOptionalParam("ed25519", "the node's Ed25519 public key, 0x + 64 hex digits (with --ed25519-signature, when its secret stays on the node)")
  .addOptionalParam("ed25519Signature", "with --ed25519: the node's Ed25519 signature of its registration bytes, 0x + 128 hex digits")
  .setAction(async (args: NodeKeyArgs, hre) => {
    const { key, ed25519, edIdentity } = parseNodeKeys(args);
    const { registry, token, signer, domain } = await serviceNodeContracts(hre);
    const [sig0, sig1] = ed25519Words(edIdentity, key, domain, signer.address);
    if (!(await registry.isStarted())) throw new TaskError(`${REVERT_HINTS.ContractNotStarted}; nothing was sent`);
    const existing = await registry.serviceNodeIDs(publicKeyToHex(key.pk));
    if (existing !== 0n) throw new TaskArgumentError("--bls-key", `this key is node ${existing} already: use another key (--new-bls-key <file>)`);
    const requirement = await registry.stakingRequirement();
    await assertBalance(token, signer.address, requirement, "registering a solo node");

    out(`registering a solo node with BLS key ${publicKeyToHex(key.pk)}, stake ${formatSesh(requirement)} from ${signer.address}`);
    saveGeneratedKey(key, out);
    saveGeneratedEd25519Key(edIdentity, out);
    const registryAddress = await registry.getAddress();
    if ((await token.allowance(signer.address, registryAddress)) < requirement) {
      await send(hre, {
        description: `allow ServiceNodeRewards to take the ${formatSesh(requirement)} stake`,
        contract: token,
        contractName: "SESH",
        method: "approve",
        args: [registryAddress, requirement],
      });
    }
    const receipt = await send(hre, {
      description: "register the node",
      contract: registry,
      contractName: "ServiceNodeRewards",
      method: "addBLSPublicKey",
      args: [
        { X: key.pk.X, Y: key.pk.Y },
        proofOfPossession(key, domain, signer.address, ed25519),
        { ed25519Pubkey: ed25519, ed25519Signature0: sig0, ed25519Signature1: sig1, fee: 0 },
        [],
      ],
    });
    const event = receipt.logs.map((l) => registry.interface.parseLog(l)).find((p) => p?.name === "NewServiceNodeV2");
    const id = event?.args[0] as bigint;
    out(`  node ${id} registered; ${await registry.totalNodes()} nodes active`);
    return { id, pubkey: publicKeyToHex(key.pk), txHash: receipt.hash };
  });

async function activeNode(hre: HardhatRuntimeEnvironment, argument: string, rawId: unknown) {
  const id = parseNodeId(argument, rawId);
  const contracts = await serviceNodeContracts(hre);
  const node = await contracts.registry.serviceNodes(id);
  if (node.operator === ZERO) {
    throw new TaskArgumentError(argument, `no active node ${id}: see \`npx hardhat node:list --network ${hre.network.name}\``);
  }
  return { id, node, ...contracts };
}

task("node:request-exit", "Asks for a node to leave (starts the 30-day wait; the network then signs its exit): its operator or any contributor")
  .addParam("id", "the node id")
  .setAction(async (args: { id: string }, hre) => {
    const { id, node, registry, signer, deployment } = await activeNode(hre, "--id", args.id);
    const needsList = node.operator !== signer.address && isPooled(node);
    const contributors = needsList
      ? await registeredContributors(hre, registry, id, node.contributorsHash, deployment.book.contracts.ServiceNodeRewards!.blockNumber)
      : undefined;
    const plan = planExitRequest(id, node, signer.address, await chainTime(hre), contributors, (seconds) => waitHint(hre, seconds));
    const who =
      plan.role === "operator"
        ? `as its operator`
        : `as a contributor of ${formatSesh(plan.stake)} of ${formatSesh(plan.total)}`;
    const receipt = await send(hre, {
      description: `request the exit of node ${id} ${who}`,
      contract: registry,
      contractName: "ServiceNodeRewards",
      method: plan.method,
      args: [...plan.args],
    });
    const after = await registry.serviceNodes(id);
    out(`  exit requested at ${formatTime(after.exitRequestTimestamp)}; anyone may remove it after ${formatTime(after.exitRequestTimestamp + 30n * DAY)}`);
    return { id, txHash: receipt.hash, exitRequestTimestamp: after.exitRequestTimestamp, role: plan.role };
  });

async function removeWithSignature(hre: HardhatRuntimeEnvironment, args: AnswerSource & { id: string }, liquidate: boolean) {
  const { id, node, registry } = await activeNode(hre, "--id", args.id);
  const pubkey = publicKeyToHex({ X: node.pubkey.X, Y: node.pubkey.Y });
  const { source, value } = await fetchAnswer(args, "bls_exit_liquidation_request", { pubkey, liquidate }, (seconds) => waitHint(hre, seconds));
  const answer = parseRemovalAnswer(source, value);
  const want = liquidate ? "liquidate" : "exit";
  if (answer.type !== want) throw new TaskArgumentError("--signature", `${source} is a ${answer.type} signature; ${liquidate ? "node:liquidate" : "node:exit"} needs a ${want} signature`);
  const signedKey = answerPubkey(source, answer);
  if (signedKey.X !== node.pubkey.X || signedKey.Y !== node.pubkey.Y) {
    throw new TaskArgumentError("--signature", `${source} signs node ${answer.serviceNodeId} (${publicKeyToHex(signedKey)}), not node ${id} (${pubkey}): pass the answer for node ${id}`);
  }
  assertSignatureFresh(answer.timestamp, await nextBlockTime(hre), await registry.signatureExpiry(), SIGNATURE_SEND_MARGIN_SECONDS);
  const call = liquidate ? "liquidateBLSPublicKeyWithSignature" : "exitBLSPublicKeyWithSignature";
  const nonSigners = await nonSignerArgument(registry, call, answer.nonSignerIds, source);
  out(`  ${nonSigners.summary}`);
  const receipt = await send(hre, {
    description: `${liquidate ? "liquidate" : "remove"} node ${id} with the network's signature of ${formatTime(answer.timestamp)} (${answer.nonSignerIds.length} non-signers)`,
    contract: registry,
    contractName: "ServiceNodeRewards",
    method: nonSigners.method,
    args: [{ X: signedKey.X, Y: signedKey.Y }, answer.timestamp, answer.signature, nonSigners.nonSigners],
  });
  const exit = receipt.logs.map((l) => registry.interface.parseLog(l)).find((p) => p?.name === "ServiceNodeExit");
  const returned = (exit?.args[2] as bigint | undefined) ?? 0n;
  out(`  node ${id} removed; ${formatSesh(returned)} is credited back to its owners by the network; ${await registry.totalNodes()} nodes active`);
  return { id, txHash: receipt.hash, returned, variant: nonSigners.variant, method: nonSigners.method, gasUsed: receipt.gasUsed };
}

task("node:exit", "Removes your node with the network's exit signature (from a file or the aggregator)")
  .addParam("id", "the node id")
  .addOptionalParam("signature", "file with the aggregator's bls_exit_liquidation_request answer")
  .addOptionalParam("aggregator", "the aggregator's URL, asked for the signature")
  .setAction(async (args: AnswerSource & { id: string }, hre) => removeWithSignature(hre, args, false));

task("node:liquidate", "Liquidates a node the network allows (signature from a file or the aggregator); you receive the liquidator's share")
  .addParam("id", "the node id")
  .addOptionalParam("signature", "file with the aggregator's bls_exit_liquidation_request answer (liquidate: true)")
  .addOptionalParam("aggregator", "the aggregator's URL, asked for the signature")
  .setAction(async (args: AnswerSource & { id: string }, hre) => removeWithSignature(hre, args, true));

task("node:exit-after-wait", "Removes a node 30 days after its exit request (anyone may)")
  .addParam("id", "the node id")
  .setAction(async (args: { id: string }, hre) => {
    const { id, node, registry } = await activeNode(hre, "--id", args.id);
    if (node.exitRequestTimestamp === 0n) {
      throw new TaskError(`node ${id} has not asked to exit: its operator or a contributor runs \`npx hardhat node:request-exit --id ${id}\` first`);
    }
    const allowedAt = node.exitRequestTimestamp + EXIT_WAIT_SECONDS;
    const now = await chainTime(hre);
    if (now < allowedAt) throw new TaskError(`node ${id} may be removed from ${formatTime(allowedAt)}, ${waitHint(hre, allowedAt - now)}: wait, or use node:exit with the network's signature`);
    const receipt = await send(hre, {
      description: `remove node ${id} (exit requested ${formatTime(node.exitRequestTimestamp)})`,
      contract: registry,
      contractName: "ServiceNodeRewards",
      method: "exitBLSPublicKeyAfterWaitTime",
      args: [id],
    });
    out(`  node ${id} removed; ${await registry.totalNodes()} nodes active`);
    return { id, txHash: receipt.hash };
  });

export interface NodeRow {
  readonly id: bigint;
  readonly operator: string;
  readonly pubkey: string;
  readonly deposit: bigint;
  readonly pooled: boolean;
  readonly added: bigint;
  readonly exitRequested: bigint;
  readonly status: string;
}

task("node:list", "Lists the active nodes and their status").setAction(async (_args, hre) => {
  const { registry } = await serviceNodeContracts(hre);
  const [ids] = await registry.allServiceNodeIDs();
  const wait = EXIT_WAIT_SECONDS;
  const now = await chainTime(hre);
  const rows: NodeRow[] = [];
  for (const id of ids) {
    const n = await registry.serviceNodes(id);
    const unlock = n.exitRequestTimestamp + wait;
    const status =
      n.exitRequestTimestamp === 0n ? "active" : now >= unlock ? "exit requested; removable now" : `exit requested; removable from ${formatTime(unlock)}`;
    rows.push({
      id,
      operator: n.operator,
      pubkey: publicKeyToHex({ X: n.pubkey.X, Y: n.pubkey.Y }),
      deposit: n.deposit,
      pooled: n.contributorsHash !== `0x${"0".repeat(64)}`,
      added: n.addedTimestamp,
      exitRequested: n.exitRequestTimestamp,
      status,
    });
  }
  out(`${rows.length} active nodes on ${hre.network.name}; staking requirement ${formatSesh(await registry.stakingRequirement())}`);
  if (rows.length > 0) {
    table([
      ["id", "operator", "kind", "BLS key", "deposit", "status"],
      ...rows.map((r) => [String(r.id), r.operator, r.pooled ? "pooled" : "solo", `${r.pubkey.slice(0, 18)}…`, formatSesh(r.deposit), r.status]),
    ]);
  }
  return rows;
});

task("rewards:claim", "Fetches your signed reward balance from the aggregator (or a file), submits it and claims it")
  .addOptionalParam("signature", "file with the aggregator's bls_rewards_request answer")
  .addOptionalParam("aggregator", "the aggregator's URL, asked for your balance")
  .setAction(async (args: AnswerSource, hre) => {
    const { registry, signer, token } = await serviceNodeContracts(hre);
    const { source, value } = await fetchAnswer(args, "bls_rewards_request", { address: signer.address });
    const answer = parseRewardsAnswer(source, value);
    if (answer.address !== signer.address.toLowerCase()) {
      throw new TaskArgumentError("--signature", `${source} is the balance of ${getAddress(answer.address)}, not of your account ${signer.address}: request your own`);
    }
    const [onChain, claimed] = await registry.recipients(signer.address);
    const lifetime = answer.amount > onChain ? answer.amount : onChain;
    if (lifetime - claimed === 0n) {
      throw new TaskError(`nothing to claim: the network signs ${formatSesh(answer.amount)} in total for ${signer.address} and ${formatSesh(claimed)} was paid already`);
    }
    const hashes: string[] = [];
    let update: { variant: "hinted" | "plain"; method: string; gasUsed: bigint } | undefined;
    if (answer.amount > onChain) {
      const nonSigners = await nonSignerArgument(registry, "updateRewardsBalance", answer.nonSignerIds, source);
      out(`  ${nonSigners.summary}`);
      const receipt = await send(hre, {
        description: `record your lifetime rewards ${formatSesh(answer.amount)} (was ${formatSesh(onChain)})`,
        contract: registry,
        contractName: "ServiceNodeRewards",
        method: nonSigners.method,
        args: [signer.address, answer.amount, answer.signature, nonSigners.nonSigners],
      });
      hashes.push(receipt.hash);
      update = { variant: nonSigners.variant, method: nonSigners.method, gasUsed: receipt.gasUsed };
    }
    const before = await token.balanceOf(signer.address);
    const receipt = await send(hre, {
      description: `claim ${formatSesh(lifetime - claimed)}`,
      contract: registry,
      contractName: "ServiceNodeRewards",
      method: "claimRewards()",
      args: [],
    });
    hashes.push(receipt.hash);
    const paid = (await token.balanceOf(signer.address)) - before;
    out(`  paid ${formatSesh(paid)}; ${signer.address} now holds ${formatSesh(before + paid)}`);
    return { paid, txHashes: hashes, update };
  });

task("rewards:status", "Prints an account's lifetime rewards as the network signs them now and as the chain records them, and what it has claimed")
  .addOptionalParam("account", "the account (default: yours)")
  .addOptionalParam("aggregator", "the aggregator's URL, asked for the network's signed figure (default on a devnet started by npm start: its aggregator)")
  .setAction(async (args: { account?: string; aggregator?: string }, hre) => {
    const { registry, signer } = await serviceNodeContracts(hre);
    const account = args.account === undefined ? signer.address : parseAddress("--account", args.account);
    const [rewards, claimed] = await registry.recipients(account);
    const aggregator = args.aggregator ?? (hre.network.name === "localhost" ? (readDevnetRecord()?.aggregatorUrl ?? undefined) : undefined);
    let network: bigint | undefined;
    let networkNote = `ask the network: ${taskCommand(hre, "rewards:status --aggregator <URL>")}`;
    if (aggregator !== undefined) {
      const { value } = await fetchAnswer({ aggregator }, "bls_rewards_request", { address: account });
      network = parseRewardsAnswer(`the aggregator at ${aggregator}`, value).amount;
      networkNote = `from the aggregator at ${aggregator}`;
    }
    const pending = network !== undefined && network > rewards ? network - rewards : 0n;
    table([
      ["account", account],
      ["lifetime rewards signed by the network now", network === undefined ? `- (${networkNote})` : `${formatSesh(network)} (${networkNote})`],
      ["lifetime rewards recorded on chain", formatSesh(rewards)],
      ["claimed", formatSesh(claimed)],
      ["claimable on chain now", formatSesh(rewards - claimed)],
      ...(network === undefined
        ? []
        : [["claimable with the network's signature", `${formatSesh(rewards - claimed + pending)}${pending > 0n ? ` (${taskCommand(hre, `rewards:claim --aggregator ${aggregator}`)} records the signed figure and claims it)` : ""}`]]),
    ]);
    return network === undefined ? { rewards, claimed } : { rewards, claimed, network };
  });

task("registry:seed", "Owner, before start: migrates the live network's nodes from a JSON export, pulling their stakes")
  .addParam("file", "the export: { nodes: [{ pubkey, addedTimestamp, ed25519Pubkey, contributors: [{ addr, beneficiary, stakedAmount }] }], aggregatePubkey? }")
  .addOptionalParam("batch", "nodes per transaction", "50")
  .setAction(async (args: { file: string; batch: string }, hre) => {
    const batch = Number(args.batch);
    if (!Number.isSafeInteger(batch) || batch < 1 || batch > 500) throw new TaskArgumentError("--batch", `${args.batch} is not a whole number from 1 to 500`);
    const { registry, token, signer } = await serviceNodeContracts(hre);
    const registryAddress = await registry.getAddress();
    const extension = await hre.ethers.getContractAt("IServiceNodeRewardsExtension", registryAddress, signer);
    const exported = readSeedExport(args.file, await chainTime(hre));
    if (await registry.isStarted()) throw new TaskError(`${REVERT_HINTS.ContractAlreadyStarted}; nothing was sent`);
    const owner = await registry.owner();
    if (owner.toLowerCase() !== signer.address.toLowerCase()) throw new TaskError(`only the registry's owner ${owner} may seed; this account is ${signer.address}`);
    const requirement = await registry.stakingRequirement();
    exported.nodes.forEach((node, i) => {
      const sum = node.contributors.reduce((a, c) => a + c.stakedAmount, 0n);
      if (sum !== requirement) throw new TaskArgumentError("--file", `nodes[${i}]: contributions sum to ${formatSesh(sum)}, the registry requires ${formatSesh(requirement)}`);
    });
    // Nodes already seeded by an earlier (interrupted) run are skipped; the check below covers them too.
    const pending = [];
    for (const node of exported.nodes) {
      if ((await registry.serviceNodeIDs(publicKeyToHex({ X: node.blsPubkey.X, Y: node.blsPubkey.Y }))) === 0n) pending.push(node);
    }
    const total = requirement * BigInt(pending.length);
    out(`seeding ${pending.length} of ${exported.nodes.length} nodes (${formatSesh(total)} of stakes pulled from ${signer.address}) in batches of ${batch}`);
    if (pending.length > 0) {
      await assertBalance(token, signer.address, total, "seeding the nodes' stakes");
      if ((await token.allowance(signer.address, registryAddress)) < total) {
        await send(hre, { description: `allow ServiceNodeRewards to take ${formatSesh(total)} of seeded stakes`, contract: token, contractName: "SESH", method: "approve", args: [registryAddress, total] });
      }
    }
    for (let from = 0; from < pending.length; from += batch) {
      const chunk = pending.slice(from, from + batch);
      await send(hre, {
        description: `seed nodes ${from + 1}…${from + chunk.length} of ${pending.length}`,
        contract: extension,
        contractName: "ServiceNodeRewards",
        method: "seedPublicKeyList",
        args: [chunk],
      });
    }
    // The proof: node list and aggregate equal the export's, and the tokens behind every recorded stake are held.
    const [ids, keys] = await registry.allServiceNodeIDs();
    const deposits = [];
    for (const id of ids) deposits.push((await registry.serviceNodes(id)).deposit);
    const aggregate = await registry.aggregatePubkey();
    const check = checkSeeded(exported, {
      ids,
      keys: keys.map((k) => ({ X: k.X, Y: k.Y })),
      aggregate: { X: aggregate.X, Y: aggregate.Y },
      deposits,
      balance: await token.balanceOf(registryAddress),
    });
    table([
      ["nodes", `${ids.length} in the registry, ${exported.nodes.length} in the export: ${check.nodeListMatches ? "same keys in the same order" : "DIFFERENT"}`],
      ["aggregate key", `${publicKeyToHex({ X: aggregate.X, Y: aggregate.Y })}: ${check.aggregateMatches ? "equals the sum of the export's keys" : "DIFFERENT"}` +
        (check.exportAggregateMatches === undefined ? "" : check.exportAggregateMatches ? " and the export's stated aggregate" : ", but NOT the export's stated aggregate")],
      ["registry balance", `${formatSesh(check.balance)} vs ${formatSesh(check.recordedStakes)} of recorded stakes`],
    ]);
    if (check.problems.length > 0) throw new TaskError(`the seeded registry does not match the export:\n  ${check.problems.join("\n  ")}`);
    out("  the registry matches the export; call start() when every node is seeded");
    return { seeded: pending.length, nodes: ids.length, balance: check.balance, recordedStakes: check.recordedStakes };
  });
