/** The first page: what the network sees now, from the tracker (refreshed every few seconds). */
import { useQuery } from "@tanstack/react-query";
import { formatBasisPoints, formatSesh } from "../../../src/token/amounts";
import { short, usePortalConfig } from "../portal";
import { href } from "../route";
import { tracker } from "../tracker";

export function NetworkPage() {
  const config = usePortalConfig();
  const status = useQuery({ queryKey: ["tracker", "status"], queryFn: () => tracker.status(config.trackerUrl), refetchInterval: 5_000 });
  const nodes = useQuery({ queryKey: ["tracker", "nodes"], queryFn: () => tracker.nodes(config.trackerUrl), refetchInterval: 10_000 });
  const pools = useQuery({ queryKey: ["tracker", "pools", "open"], queryFn: () => tracker.pools(config.trackerUrl, "?open=true"), refetchInterval: 10_000 });
  const rate = useQuery({ queryKey: ["tracker", "reward-rate"], queryFn: () => tracker.rewardRate(config.trackerUrl), refetchInterval: 30_000 });

  const all = nodes.data?.nodes ?? [];
  const active = all.filter((n) => n.status === "active");
  const exiting = all.filter((n) => n.status === "exit-requested");
  const staked = [...active, ...exiting].reduce((sum, n) => sum + n.contributors.reduce((s, c) => s + BigInt(c.stakedAmount), 0n), 0n);
  const error = status.error ?? nodes.error ?? pools.error ?? rate.error;

  return (
    <section aria-labelledby="network-title">
      <h1 id="network-title">Network</h1>
      {error !== null && <p className="problem" role="alert">{(error as Error).message}</p>}
      <dl className="stats" data-testid="network-stats">
        <div>
          <dt>Active nodes</dt>
          <dd data-stat="active">{nodes.data === undefined ? "…" : active.length}</dd>
        </div>
        <div>
          <dt>Total staked</dt>
          <dd data-stat="staked">{nodes.data === undefined ? "…" : `${formatSesh(staked)} SESH`}</dd>
        </div>
        <div>
          <dt>Reward rate</dt>
          <dd data-stat="rate">{rate.data?.latest == null ? "…" : `${formatSesh(BigInt(rate.data.latest.rewardRate))} SESH per 2-minute block`}</dd>
        </div>
        <div>
          <dt>Pending exits</dt>
          <dd data-stat="exits">{nodes.data === undefined ? "…" : exiting.length}</dd>
        </div>
        <div>
          <dt>Open pools</dt>
          <dd data-stat="pools">{pools.data === undefined ? "…" : <a href={href("pools")}>{pools.data.pools.length}</a>}</dd>
        </div>
        <div>
          <dt>Tracker height</dt>
          <dd data-stat="height">
            {status.data === undefined ? "…" : `${status.data.checkpoint?.number ?? "-"} (lag ${status.data.lagBlocks ?? "?"} blocks)`}
          </dd>
        </div>
      </dl>
      <h2>Nodes</h2>
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Registered service nodes</caption>
          <thead>
            <tr>
              <th scope="col">id</th>
              <th scope="col">status</th>
              <th scope="col">operator</th>
              <th scope="col">contributors</th>
              <th scope="col">fee</th>
            </tr>
          </thead>
          <tbody>
            {all.map((n) => (
              <tr key={n.id}>
                <td>{n.id}</td>
                <td>{n.status}</td>
                <td title={n.operator}>
                  <code>{short(n.operator)}</code>
                </td>
                <td>{n.contributors.length}</td>
                <td>{formatBasisPoints(n.fee)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
