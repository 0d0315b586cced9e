/**
 * My stakes: every node and pool the connected account is in, with status and countdowns; rewards with
 * the one-flow claim (the network's signed balance → updateRewardsBalance → claimRewards, the global claim
 * limit shown first); request exit; exit with the network's signature; exit after the 30-day wait.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useConnection } from "wagmi";
import type { Address } from "viem";
import { aggregatorClient } from "../../../src/network/aggregator/client";
import { formatBasisPoints, formatSesh } from "../../../src/token/amounts";
import { Sesh } from "../components";
import { contract } from "../config";
import { serviceNodeRewardsAbi } from "../generated/abis";
import { usePortal } from "../client";
import { formatDuration, formatTime, short } from "../portal";
import { href } from "../route";
import { tracker, type NodeRecord } from "../tracker";
import { Refusal, TxView, useTx } from "../tx";

/** PROTOCOL.md §3: anyone may remove a node 30 days after its exit request, without a signature. */
const EXIT_WAIT_SECONDS = 30n * 86_400n;
/** The network pays rewards per 2-minute block (src/network/ledger: equal shares per eligible node). */
const NETWORK_BLOCKS_PER_DAY = 720n;
/** The network signs an exit this long after the request (the aggregator's list says exactly when). */
const EXIT_UNLOCK_SECONDS = 15n * 86_400n;

const hex32 = (v: bigint): string => v.toString(16).padStart(64, "0");
const pubkeyHex = (n: NodeRecord): string => `0x${hex32(BigInt(n.pubkey.X))}${hex32(BigInt(n.pubkey.Y))}`;

export default function StakesPage() {
  const { config, client } = usePortal();
  const { address } = useConnection();
  const queries = useQueryClient();
  const tx = useTx();
  const registry = contract(config, "ServiceNodeRewards");
  const aggregator = config.aggregatorUrl === null ? null : aggregatorClient(config.aggregatorUrl);
  const me = address?.toLowerCase();

  const nodes = useQuery({
    queryKey: ["tracker", "nodes", "contributor", me],
    enabled: me !== undefined,
    refetchInterval: 5_000,
    queryFn: () => tracker.nodes(config.trackerUrl, `?contributor=${me}`),
  });
  const pools = useQuery({
    queryKey: ["tracker", "pools", "all"],
    enabled: me !== undefined,
    refetchInterval: 5_000,
    queryFn: () => tracker.pools(config.trackerUrl),
  });
  const chain = useQuery({
    queryKey: ["chain", "rewards", me],
    enabled: address !== undefined,
    refetchInterval: 5_000,
    queryFn: async () => {
      const [[rewards, claimed], [limit, cycleLength, cycleIndex, claimedInCycle], block] = await Promise.all([
        client.readContract({ address: registry, abi: serviceNodeRewardsAbi, functionName: "recipients", args: [address as Address] }),
        client.readContract({ address: registry, abi: serviceNodeRewardsAbi, functionName: "claimState" }),
        client.getBlock(),
      ]);
      const current = block.timestamp / cycleLength === cycleIndex ? claimedInCycle : 0n;
      return { rewards, claimed, limit, cycleLength, claimLeft: limit - current, now: block.timestamp };
    },
  });
  const network = useQuery({
    queryKey: ["tracker", "daily-share"],
    enabled: me !== undefined,
    refetchInterval: 30_000,
    queryFn: async () => {
      const [rate, all] = await Promise.all([tracker.rewardRate(config.trackerUrl), tracker.nodes(config.trackerUrl)]);
      const earning = all.nodes.filter((n) => n.status === "active" || n.status === "exit-requested").length;
      return { perNodePerDay: rate.latest === null || earning === 0 ? 0n : (BigInt(rate.latest.rewardRate) * NETWORK_BLOCKS_PER_DAY) / BigInt(earning) };
    },
  });
  const removals = useQuery({
    queryKey: ["aggregator", "removals"],
    enabled: aggregator !== null && me !== undefined,
    refetchInterval: 10_000,
    queryFn: () => aggregator!.removals(),
  });

  if (address === undefined) return <p>Connect a wallet to see your stakes.</p>;
  const myPools = (pools.data?.pools ?? []).filter((p) => p.status !== "finalized" && p.slots.some((s) => s.addr === me));
  const myNodes = nodes.data?.nodes ?? [];
  const c = chain.data;
  const refresh = () => queries.invalidateQueries();

  const claim = () =>
    tx.run(async (sender) => {
      if (aggregator === null) throw new Refusal("This portal has no aggregator URL configured: claims need the network's signature.");
      const answer = await sender.sign("Ask the network for your signed rewards balance", () => aggregator.rewards(sender.account));
      const [[recorded, claimed], [limit, cycleLength, cycleIndex, claimedInCycle], block] = await Promise.all([
        sender.client.readContract({ address: registry, abi: serviceNodeRewardsAbi, functionName: "recipients", args: [sender.account] }),
        sender.client.readContract({ address: registry, abi: serviceNodeRewardsAbi, functionName: "claimState" }),
        sender.client.getBlock(),
      ]);
      const balance = answer.amount > recorded ? answer.amount : recorded;
      const unclaimed = balance - claimed;
      if (unclaimed <= 0n) throw new Refusal("There is nothing to claim yet: your rewards so far are all claimed.");
      const left = limit - (block.timestamp / cycleLength === cycleIndex ? claimedInCycle : 0n);
      if (unclaimed > left) {
        throw new Refusal(`The network-wide claim limit has ${formatSesh(left)} SESH left in this ${formatDuration(cycleLength)} period; you have ${formatSesh(unclaimed)} SESH to claim. Try again in the next period.`);
      }
      if (answer.amount > recorded) {
        await sender.send(`Record your balance of ${formatSesh(answer.amount)} SESH`, {
          address: registry,
          abi: serviceNodeRewardsAbi,
          functionName: "updateRewardsBalance",
          args: [sender.account, answer.amount, answer.signature, answer.nonSignerIds],
        });
      }
      await sender.send(`Claim ${formatSesh(unclaimed)} SESH`, { address: registry, abi: serviceNodeRewardsAbi, functionName: "claimRewards", args: [] });
      await refresh();
      return `Claimed ${formatSesh(unclaimed)} SESH.`;
    });

  const requestExit = (node: NodeRecord) =>
    tx.run(async (sender) => {
      // The operator calls the one-argument form; any other contributor proves membership with the
      // registered contributor list (the chain keeps only its hash).
      const operator = sender.account.toLowerCase() === node.operator.toLowerCase();
      const list = node.contributors.map((c) => ({ staker: { addr: c.addr, beneficiary: c.beneficiary }, stakedAmount: BigInt(c.stakedAmount) }));
      await sender.send(`Request the exit of node ${node.id}`, {
        address: registry,
        abi: serviceNodeRewardsAbi,
        functionName: "initiateExitBLSPublicKey",
        args: operator ? [BigInt(node.id)] : [BigInt(node.id), list],
      });
      await refresh();
      return `Exit of node ${node.id} requested.`;
    });

  const exitWithSignature = (node: NodeRecord) =>
    tx.run(async (sender) => {
      if (aggregator === null) throw new Refusal("This portal has no aggregator URL configured.");
      const answer = await sender.sign(`Ask the network to sign the exit of node ${node.id}`, () => aggregator.removal(pubkeyHex(node), false));
      if (answer.type !== "exit") throw new Refusal(`The network offers a ${answer.type}, not an exit, for node ${node.id}.`);
      await sender.send(`Exit node ${node.id}`, {
        address: registry,
        abi: serviceNodeRewardsAbi,
        functionName: "exitBLSPublicKeyWithSignature",
        args: [{ X: BigInt(node.pubkey.X), Y: BigInt(node.pubkey.Y) }, answer.timestamp, answer.signature, answer.nonSignerIds],
      });
      await refresh();
      return `Node ${node.id} exited; its stake is returned to its contributors.`;
    });

  const exitAfterWait = (node: NodeRecord) =>
    tx.run(async (sender) => {
      await sender.send(`Exit node ${node.id} after the wait`, { address: registry, abi: serviceNodeRewardsAbi, functionName: "exitBLSPublicKeyAfterWaitTime", args: [BigInt(node.id)] });
      await refresh();
      return `Node ${node.id} exited.`;
    });

  const unclaimed = c === undefined ? null : c.rewards - c.claimed;
  // My part of each earning node's daily share: the fee if I am its operator's beneficiary, and the rest pro rata.
  const daily =
    network.data === undefined
      ? null
      : myNodes
          .filter((n) => n.status === "active" || n.status === "exit-requested")
          .reduce((sum, n) => {
            const share = network.data.perNodePerDay;
            const fee = (share * BigInt(n.fee)) / 10_000n;
            const total = n.contributors.reduce((s2, x) => s2 + BigInt(x.stakedAmount), 0n);
            const mineHere = n.contributors.filter((x) => x.beneficiary === me).reduce((s2, x) => s2 + BigInt(x.stakedAmount), 0n);
            return sum + (n.contributors[0]?.beneficiary === me ? fee : 0n) + (total === 0n ? 0n : ((share - fee) * mineHere) / total);
          }, 0n);
  return (
    <section aria-labelledby="stakes-title">
      <h1 id="stakes-title">My stakes</h1>
      <div className="card" aria-labelledby="rewards-title">
        <h2 id="rewards-title">Rewards</h2>
        {c === undefined ? (
          <p className="loading">Reading your rewards…</p>
        ) : (
          <dl className="stats" data-testid="rewards">
            <div>
              <dt>Recorded lifetime rewards</dt>
              <dd data-stat="lifetime"><Sesh atomic={c.rewards} /></dd>
            </div>
            <div>
              <dt>Claimed</dt>
              <dd data-stat="claimed"><Sesh atomic={c.claimed} /></dd>
            </div>
            <div>
              <dt>Unclaimed (recorded)</dt>
              <dd data-stat="unclaimed">{unclaimed === null ? "…" : <Sesh atomic={unclaimed} />}</dd>
            </div>
            <div>
              <dt>Your share of the daily reward now</dt>
              <dd data-stat="daily">{daily === null ? "…" : <>≈ <Sesh atomic={daily} /> per day</>}</dd>
            </div>
            <div>
              <dt>Claim limit left now (all users)</dt>
              <dd data-stat="limit">
                <Sesh atomic={c.claimLeft} /> of {formatSesh(c.limit)} per {formatDuration(c.cycleLength)}
              </dd>
            </div>
          </dl>
        )}
        <p className="what">Claiming asks the network for your latest signed balance, records it on chain if it grew, then pays you everything unclaimed: one or two transactions.</p>
        <button type="button" disabled={tx.state.running} onClick={() => void claim()}>
          Claim rewards
        </button>
      </div>
      <TxView state={tx.state} />

      <h2>Nodes</h2>
      {nodes.error !== null && <p className="problem" role="alert">{(nodes.error as Error).message}</p>}
      {nodes.data !== undefined && myNodes.length === 0 && <p>You are not in any registered node.</p>}
      <ul className="cards">
        {myNodes.map((n) => {
          const mine = n.contributors.filter((x) => x.addr === me || x.beneficiary === me).reduce((s, x) => s + BigInt(x.stakedAmount), 0n);
          const total = n.contributors.reduce((s, x) => s + BigInt(x.stakedAmount), 0n);
          const requested = n.exitRequestedTimestamp == null ? null : BigInt(n.exitRequestedTimestamp);
          const listed = removals.data?.find((r) => r.serviceNodeId === BigInt(n.id));
          const unlockAt = listed?.unlockAt ?? (requested === null ? null : requested + EXIT_UNLOCK_SECONDS);
          const waitEnds = requested === null ? null : requested + EXIT_WAIT_SECONDS;
          const now = c?.now ?? 0n;
          return (
            <li key={n.id} className="card" data-node={n.id} data-status={n.status}>
              <h3>
                Node {n.id} — {n.status === "exit-requested" ? "exit requested" : n.status}
              </h3>
              <p>
                Your stake <Sesh atomic={mine} /> of {formatSesh(total)} SESH ({formatBasisPoints((mine * 10_000n) / (total === 0n ? 1n : total))}); operator{" "}
                <span title={n.operator}>{short(n.operator)}</span>, fee {formatBasisPoints(n.fee)}; since {n.addedTimestamp == null ? `block ${n.addedBlock}` : formatTime(n.addedTimestamp)}.
              </p>
              {n.status === "active" && (
                <button type="button" disabled={tx.state.running} onClick={() => void requestExit(n)}>
                  Request exit of node {n.id}
                </button>
              )}
              {n.status === "exit-requested" && requested !== null && (
                <>
                  <p data-countdown="unlock">
                    Requested {formatTime(requested)}.{" "}
                    {unlockAt !== null && now < unlockAt ? `The network signs the exit in ${formatDuration(unlockAt - now)}.` : "The network can sign the exit now."}{" "}
                    {waitEnds !== null && now < waitEnds ? `Without a signature: in ${formatDuration(waitEnds - now)}.` : ""}
                  </p>
                  <button type="button" disabled={tx.state.running || (unlockAt !== null && now < unlockAt)} onClick={() => void exitWithSignature(n)}>
                    Exit node {n.id} with the network's signature
                  </button>{" "}
                  {waitEnds !== null && now >= waitEnds && (
                    <button type="button" disabled={tx.state.running} onClick={() => void exitAfterWait(n)}>
                      Exit node {n.id} after the 30-day wait
                    </button>
                  )}
                </>
              )}
              {n.status === "exited" && <p>Exited; returned {n.returnedAmount === null ? "-" : `${formatSesh(BigInt(n.returnedAmount))} SESH`} to its contributors.</p>}
              {n.status === "liquidated" && <p>Liquidated by the network.</p>}
            </li>
          );
        })}
      </ul>

      <h2>Pools</h2>
      {pools.data !== undefined && myPools.length === 0 && <p>You are not in any pool waiting to register.</p>}
      <ul className="cards">
        {myPools.map((p) => {
          const slot = p.slots.find((s) => s.addr === me)!;
          return (
            <li key={p.address} className="card" data-pool={p.address}>
              <a href={href("pools", p.address)}>Pool {short(p.address)}</a> — {p.status === "filled" ? "full, awaiting finalize" : p.status === "open" ? "open" : "waiting for the operator"}
              ; your {slot.paid ? "stake" : "reservation"} <Sesh atomic={BigInt(slot.amount)} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
