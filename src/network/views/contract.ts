/**
 * {@link NetworkView} read straight from the registry with viem (tests and devnets; production nodes
 * read the tracker). Logs are fetched incrementally from the last height seen; reorgs are not handled
 * (a devnet chain does not reorg) — that is the tracker's job.
 */
import type { Address, PublicClient } from "viem";
import type { SigningDomain } from "../../bls";
import { erc20BalanceAbi, registryAbi, rewardRatePoolAbi } from "../abi";
import { addressKey, type NetworkSnapshot, type NetworkView, type ViewContributor, type ViewNode } from "../view";

export interface ContractViewOptions {
  readonly client: PublicClient;
  /** The registry's address (the proxy). */
  readonly registry: Address;
  /** First block to read logs from (the registry's deployment block; default 0). */
  readonly fromBlock?: bigint;
}

interface RawContributor {
  readonly staker: { readonly addr: Address; readonly beneficiary: Address };
  readonly stakedAmount: bigint;
}

type MutableNode = { -readonly [K in keyof ViewNode]: ViewNode[K] };

export function createContractView(options: ContractViewOptions): NetworkView {
  const { client, registry } = options;
  const nodes = new Map<bigint, MutableNode>();
  const timestamps = new Map<bigint, bigint>();
  let nextBlock = options.fromBlock ?? 0n;
  let domain: SigningDomain | null = null;

  const timestampOf = async (block: bigint): Promise<bigint> => {
    let ts = timestamps.get(block);
    if (ts === undefined) {
      ts = (await client.getBlock({ blockNumber: block })).timestamp;
      timestamps.set(block, ts);
    }
    return ts;
  };

  const contributorsOf = (list: readonly RawContributor[]): ViewContributor[] =>
    list.map((c) => ({ addr: addressKey(c.staker.addr), beneficiary: addressKey(c.staker.beneficiary), stakedAmount: c.stakedAmount }));

  const update = (id: bigint, change: Partial<MutableNode>, what: string): void => {
    const node = nodes.get(id);
    if (node === undefined) throw new Error(`contract view: ${what} for unknown service node ${id}`);
    Object.assign(node, change);
  };

  async function catchUp(height: bigint): Promise<void> {
    if (height < nextBlock) return;
    const logs = await client.getContractEvents({ address: registry, abi: registryAbi, fromBlock: nextBlock, toBlock: height });
    for (const log of logs) {
      const at = await timestampOf(log.blockNumber);
      switch (log.eventName) {
        case "NewServiceNodeV2":
        case "NewSeededServiceNode": {
          const a = log.args as {
            serviceNodeID: bigint;
            pubkey: { X: bigint; Y: bigint };
            contributors: readonly RawContributor[];
            serviceNode?: { ed25519Pubkey: bigint; ed25519Signature0: bigint; ed25519Signature1: bigint; fee: number };
            ed25519Pubkey?: bigint;
          };
          const contributors = contributorsOf(a.contributors);
          const seeded = log.eventName === "NewSeededServiceNode";
          nodes.set(a.serviceNodeID, {
            id: a.serviceNodeID,
            pubkey: { X: a.pubkey.X, Y: a.pubkey.Y },
            operator: contributors[0].addr,
            fee: a.serviceNode?.fee ?? 0,
            contributors,
            registeredAt: at,
            exitRequestedAt: null,
            exitedAt: null,
            returnedAmount: null,
            status: "active",
            ed25519Pubkey: a.serviceNode?.ed25519Pubkey ?? a.ed25519Pubkey ?? 0n,
            ed25519Signature0: a.serviceNode?.ed25519Signature0 ?? 0n,
            ed25519Signature1: a.serviceNode?.ed25519Signature1 ?? 0n,
            seeded,
          });
          break;
        }
        case "ServiceNodeExitRequest": {
          const id = (log.args as { serviceNodeID: bigint }).serviceNodeID;
          const node = nodes.get(id);
          update(id, { exitRequestedAt: node?.exitRequestedAt ?? at, status: node?.status === "active" ? "exit-requested" : node?.status }, log.eventName);
          break;
        }
        case "ServiceNodeLiquidated":
          update((log.args as { serviceNodeID: bigint }).serviceNodeID, { status: "liquidated" }, log.eventName);
          break;
        case "ServiceNodeExit": {
          const a = log.args as { serviceNodeID: bigint; returnedAmount: bigint };
          const node = nodes.get(a.serviceNodeID);
          update(a.serviceNodeID, { exitedAt: at, returnedAmount: a.returnedAmount, status: node?.status === "liquidated" ? "liquidated" : "exited" }, log.eventName);
          break;
        }
      }
    }
    nextBlock = height + 1n;
  }

  // Snapshots are taken one at a time: catchUp() mutates the node map.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    snapshot(): Promise<NetworkSnapshot> {
      const next = queue.then(take, take);
      queue = next.catch(() => undefined);
      return next;
    },
  };

  async function take(): Promise<NetworkSnapshot> {
      domain ??= { chainId: BigInt(await client.getChainId()), contract: addressKey(registry) };
      const block = await client.getBlock({ blockTag: "latest" });
      const height = block.number;
      await catchUp(height);
      const [ids] = await client.readContract({ address: registry, abi: registryAbi, functionName: "allServiceNodeIDs", blockNumber: height });
      const nonSignerMax = await client.readContract({ address: registry, abi: registryAbi, functionName: "blsNonSignerThresholdMax", blockNumber: height });
      const pool = await client.readContract({ address: registry, abi: registryAbi, functionName: "rewardPool", blockNumber: height });
      const rewardRate = await client.readContract({ address: pool, abi: rewardRatePoolAbi, functionName: "rewardRate", blockNumber: height });
      const lastPaidOutTime = await client.readContract({ address: pool, abi: rewardRatePoolAbi, functionName: "lastPaidOutTime", blockNumber: height });
      const token = await client.readContract({ address: pool, abi: rewardRatePoolAbi, functionName: "token", blockNumber: height });
      const balance = await client.readContract({ address: token, abi: erc20BalanceAbi, functionName: "balanceOf", args: [pool], blockNumber: height });
      const registered = new Set(ids);
      for (const id of registered) if (!nodes.has(id)) throw new Error(`contract view: allServiceNodeIDs() lists node ${id} but no registration event was seen`);
      return {
        domain,
        height,
        timestamp: block.timestamp,
        nodes: [...nodes.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((n) => ({ ...n })),
        registeredIds: [...ids],
        rewardRate,
        rewardPool: { balance, lastPaidOutTime },
        nonSignerMax,
      };
  }
}
