/** Open pools from the tracker: sort and filter; each links to its page (which reads the chain). */
import { useQuery } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { useConnection } from "wagmi";
import { formatBasisPoints, formatSesh } from "../../../src/token/amounts";
import { usePortal } from "../client";
import { formatTime, short } from "../portal";
import { href } from "../route";
import { tracker, type PoolView } from "../tracker";

type SortKey = "opened" | "fee" | "filled" | "minimum";

const filled = (p: PoolView): bigint => BigInt(p.totalContributed) + BigInt(p.totalReserved);

const SORTS: Record<SortKey, (a: PoolView, b: PoolView) => number> = {
  opened: (a, b) => Number(BigInt(b.createdBlock) - BigInt(a.createdBlock)),
  fee: (a, b) => (a.fee ?? 10_000) - (b.fee ?? 10_000),
  filled: (a, b) => (filled(b) > filled(a) ? 1 : filled(b) < filled(a) ? -1 : 0),
  minimum: (a, b) => {
    const x = BigInt(a.minimumContribution?.amount ?? 0);
    const y = BigInt(b.minimumContribution?.amount ?? 0);
    return x < y ? -1 : x > y ? 1 : 0;
  },
};

export default function PoolsPage() {
  const { config } = usePortal();
  const { address } = useConnection();
  const [sort, setSort] = useState<SortKey>("opened");
  const [maxFee, setMaxFee] = useState("");
  const [reservedOnly, setReservedOnly] = useState(false);
  const ids = { sort: useId(), fee: useId(), reserved: useId() };
  const pools = useQuery({ queryKey: ["tracker", "pools", "open"], queryFn: () => tracker.pools(config.trackerUrl, "?open=true"), refetchInterval: 5_000 });

  const shown = useMemo(() => {
    const feeLimit = /^\d+(\.\d{1,2})?$/.test(maxFee) ? Math.round(Number(maxFee) * 100) : null;
    const me = address?.toLowerCase();
    return (pools.data?.pools ?? [])
      .filter((p) => feeLimit === null || (p.fee ?? 10_000) <= feeLimit)
      .filter((p) => !reservedOnly || (me !== undefined && p.slots.some((s) => !s.paid && s.addr === me)))
      .sort(SORTS[sort]);
  }, [pools.data, sort, maxFee, reservedOnly, address]);

  return (
    <section aria-labelledby="pools-title">
      <h1 id="pools-title">Open pools</h1>
      <div className="filters" role="group" aria-label="Sort and filter">
        <div className="field">
          <label htmlFor={ids.sort}>Sort by</label>
          <select id={ids.sort} value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
            <option value="opened">newest first</option>
            <option value="fee">lowest fee</option>
            <option value="filled">most filled</option>
            <option value="minimum">smallest minimum</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.fee}>Fee at most (%)</label>
          <input id={ids.fee} inputMode="decimal" value={maxFee} onChange={(e) => setMaxFee(e.target.value)} />
        </div>
        <div className="field checkbox">
          <input id={ids.reserved} type="checkbox" checked={reservedOnly} onChange={(e) => setReservedOnly(e.target.checked)} />
          <label htmlFor={ids.reserved}>Only pools with a slot reserved for me</label>
        </div>
      </div>
      {pools.error !== null && <p className="problem" role="alert">{(pools.error as Error).message}</p>}
      {pools.data !== undefined && shown.length === 0 && <p>No open pool matches.</p>}
      <div className="table-wrap">
        <table id="pools">
          <caption className="sr-only">Pools open for contribution</caption>
          <thead>
            <tr>
              <th scope="col">pool</th>
              <th scope="col">operator</th>
              <th scope="col">fee</th>
              <th scope="col">filled / required</th>
              <th scope="col">reservations</th>
              <th scope="col">minimum now</th>
              <th scope="col">opened</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((p) => (
              <tr key={p.address} data-pool={p.address}>
                <td>
                  <a href={href("pools", p.address)} title={p.address}>
                    {short(p.address)}
                  </a>
                </td>
                <td title={p.operator}>{short(p.operator)}</td>
                <td>{p.fee === null ? "-" : formatBasisPoints(p.fee)}</td>
                <td>
                  {formatSesh(BigInt(p.totalContributed))} / {p.stakingRequirement === null ? "?" : formatSesh(BigInt(p.stakingRequirement))}
                </td>
                <td>{p.slots.filter((s) => !s.paid).length}</td>
                <td>{p.minimumContribution === null ? "-" : `${formatSesh(BigInt(p.minimumContribution.amount))} SESH`}</td>
                <td>{p.createdTimestamp === null ? `block ${p.createdBlock}` : formatTime(p.createdTimestamp)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
