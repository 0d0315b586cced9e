/**
 * Names: search (normalised as the contracts and src/names do; availability, price, expiry and grace),
 * register by commit–reveal with a countdown that survives a reload, and my names.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import type { Address } from "viem";
import { useConnection } from "wagmi";
import { NameError, nameIds, prepareRegistration, randomSecret, signFeePermit, type NamesWallet } from "../../../src/names";
import { formatSesh } from "../../../src/token/amounts";
import { useChainNow } from "../chainTime";
import { contract } from "../config";
import { seshAbi, sessionNameCommitmentsAbi, sessionNameServiceAbi } from "../generated/abis";
import { dropPending, pendingRegistrations, savePending, type PendingRegistration } from "../pendingNames";
import { usePortal } from "../client";
import { formatDuration, formatTime } from "../portal";
import { href } from "../route";
import { tracker } from "../tracker";
import { Refusal, TxView, useTx } from "../tx";

const GRACE_SECONDS = 90n * 86_400n;
const MIN_COMMITMENT_AGE = 60n;
const PERMIT_SECONDS = 3_600n;

function parseName(input: string): { ids: ReturnType<typeof nameIds> | null; problem: string | null } {
  if (input.trim() === "") return { ids: null, problem: null };
  try {
    return { ids: nameIds(input.trim()), problem: null };
  } catch (error) {
    return { ids: null, problem: error instanceof NameError ? error.message : String(error) };
  }
}

export default function NamesPage() {
  const { config, client } = usePortal();
  const { address } = useConnection();
  const queries = useQueryClient();
  const tx = useTx();
  const chainNow = useChainNow();
  const names = contract(config, "SessionNameService");
  const [input, setInput] = useState("");
  const [years, setYears] = useState("1");
  const [pending, setPending] = useState(() => pendingRegistrations(config.chainId, names));
  const ids = { search: useId(), years: useId() };
  const { ids: searched, problem } = parseName(input);

  const lookup = useQuery({
    queryKey: ["chain", "name", searched?.node, years],
    enabled: searched !== null,
    queryFn: async () => {
      const [available, [holder, expiry], price] = await Promise.all([
        client.readContract({ address: names, abi: sessionNameServiceAbi, functionName: "available", args: [searched!.labelhash] }),
        client.readContract({ address: names, abi: sessionNameServiceAbi, functionName: "nameOf", args: [searched!.node] }),
        client.readContract({ address: names, abi: sessionNameServiceAbi, functionName: "price", args: [BigInt(years)] }),
      ]);
      return { available, holder, expiry, price };
    },
  });
  const mine = useQuery({
    queryKey: ["tracker", "names", address],
    enabled: address !== undefined,
    refetchInterval: 10_000,
    queryFn: () => tracker.names(config.trackerUrl, `?owner=${address!.toLowerCase()}`),
  });

  const reload = () => setPending(pendingRegistrations(config.chainId, names));

  const commit = () =>
    tx.run(async (sender) => {
      if (searched === null) throw new Refusal("Enter a name first.");
      const [available, price, balance] = await Promise.all([
        sender.client.readContract({ address: names, abi: sessionNameServiceAbi, functionName: "available", args: [searched.labelhash] }),
        sender.client.readContract({ address: names, abi: sessionNameServiceAbi, functionName: "price", args: [BigInt(years)] }),
        sender.client.readContract({ address: contract(config, "SESH"), abi: seshAbi, functionName: "balanceOf", args: [sender.account] }),
      ]);
      if (!available) throw new Refusal(`${searched.fullName} is taken.`);
      if (balance < price) throw new Refusal(`Registering costs ${formatSesh(price)} SESH; your wallet holds ${formatSesh(balance)} SESH.`);
      const prepared = prepareRegistration({ names, name: searched.label, owner: sender.account, years: BigInt(years), secret: randomSecret() });
      const entry: PendingRegistration = {
        chainId: config.chainId,
        names,
        name: searched.label,
        owner: sender.account,
        years,
        secret: prepared.secret,
        commitment: prepared.commitment,
        committedAt: null,
      };
      // Saved before the wallet opens: a reload at any point keeps the secret.
      savePending(entry);
      reload();
      const book = await sender.client.readContract({ address: names, abi: sessionNameServiceAbi, functionName: "commitments" });
      const receipt = await sender.send(`Commit to ${searched.fullName}`, { address: book, abi: sessionNameCommitmentsAbi, functionName: "commit", args: [prepared.commitment] });
      const block = await sender.client.getBlock({ blockNumber: receipt.blockNumber });
      savePending({ ...entry, committedAt: block.timestamp.toString() });
      reload();
      return `Committed. Complete the registration of ${searched.fullName} when its countdown ends (${MIN_COMMITMENT_AGE} s after the commit).`;
    });

  const reveal = (p: PendingRegistration) =>
    tx.run(async (sender) => {
      if (sender.account.toLowerCase() !== p.owner.toLowerCase()) throw new Refusal(`This registration was committed by ${p.owner}: switch to that account.`);
      const prepared = prepareRegistration({ names, name: p.name, owner: p.owner, years: BigInt(p.years), secret: p.secret });
      const block = await sender.client.getBlock();
      const permit = await sender.sign("Sign the SESH permit for the fee", async () => {
        const fee = await sender.client.readContract({ address: names, abi: sessionNameServiceAbi, functionName: "price", args: [prepared.years] });
        return signFeePermit(sender.wallet as NamesWallet, sender.client, names, fee, block.timestamp + PERMIT_SECONDS);
      });
      await sender.send(`Register ${prepared.ids.fullName}`, {
        address: names,
        abi: sessionNameServiceAbi,
        functionName: "registerWithPermit",
        args: [prepared.ids.labelhash, prepared.owner, prepared.years, prepared.secret, prepared.records, permit],
      });
      dropPending(p);
      rememberLabel(prepared.ids.node, prepared.ids.label);
      reload();
      await queries.invalidateQueries();
      return `${prepared.ids.fullName} is yours.`;
    });

  return (
    <section aria-labelledby="names-title">
      <h1 id="names-title">Session names</h1>
      <form className="card" role="search" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={ids.search}>Name</label>
          <input id={ids.search} name="name" autoComplete="off" spellCheck={false} value={input} onChange={(e) => setInput(e.target.value)} placeholder="alice" aria-describedby={`${ids.search}-result`} />
        </div>
        <div className="field">
          <label htmlFor={ids.years}>Years</label>
          <select id={ids.years} value={years} onChange={(e) => setYears(e.target.value)}>
            {["1", "2", "3", "5", "10"].map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </div>
        <div id={`${ids.search}-result`} aria-live="polite" data-testid="name-result">
          {problem !== null && <p className="problem">{problem}</p>}
          {searched !== null && lookup.data !== undefined && (
            <>
              <p>
                <strong>{searched.fullName}</strong>{" "}
                {lookup.data.available ? (
                  <span data-available="true">is available: {formatSesh(lookup.data.price)} SESH for {years} year{years === "1" ? "" : "s"}.</span>
                ) : (
                  <span data-available="false">
                    is taken by <code>{lookup.data.holder}</code>
                    {lookup.data.expiry > 0n && (
                      <>
                        , expires {formatTime(lookup.data.expiry)}, free for anyone after {formatTime(lookup.data.expiry + GRACE_SECONDS)} (90-day grace for the owner)
                      </>
                    )}
                    . <a href={href("names", searched.label)}>Resolve it</a>
                  </span>
                )}
              </p>
              {lookup.data.available && (
                <button type="button" disabled={tx.state.running || address === undefined} onClick={() => void commit()}>
                  Register {searched.fullName}
                </button>
              )}
            </>
          )}
        </div>
        <p className="hint">Registration takes two transactions a minute apart (commit, then register), so nobody can see the name you want and take it first. The secret stays in this browser.</p>
      </form>

      {pending.length > 0 && (
        <div className="card" aria-labelledby="pending-title">
          <h2 id="pending-title">Registrations in progress</h2>
          <ul>
            {pending.map((p) => {
              const readyAt = p.committedAt === null ? null : BigInt(p.committedAt) + MIN_COMMITMENT_AGE;
              const left = readyAt === null || chainNow === null ? null : readyAt - chainNow;
              return (
                <li key={p.name} data-pending={p.name}>
                  <strong>{p.name}.session</strong>:{" "}
                  {readyAt === null ? (
                    "waiting for the commit transaction…"
                  ) : left !== null && left > 0n ? (
                    <span className="countdown" role="timer" data-countdown="reveal">
                      {formatDuration(left)}
                    </span>
                  ) : (
                    <button type="button" disabled={tx.state.running} onClick={() => void reveal(p)}>
                      Complete the registration of {p.name}.session
                    </button>
                  )}{" "}
                  <button type="button" className="link" onClick={() => (dropPending(p), reload())}>
                    Forget
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <TxView state={tx.state} />

      {address !== undefined && (
        <>
          <h2>My names</h2>
          {mine.data !== undefined && mine.data.names.length === 0 && <p>No names yet.</p>}
          <ul>
            {(mine.data?.names ?? []).map((n) => (
              <li key={n.namehash} data-name-hash={n.namehash}>
                <MyName namehash={n.namehash} expiry={n.expiry} state={n.state} owner={address} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The tracker knows names by namehash only (names are private on chain); this browser may know the label. */
function MyName(props: { namehash: string; expiry: string | null; state: string | null; owner: Address }) {
  const known = knownLabel(props.namehash);
  return (
    <>
      {known !== null ? <a href={href("names", known)}>{known}.session</a> : <code title="The chain stores only the hash of a name">{props.namehash.slice(0, 18)}…</code>}
      {" — "}
      {props.state ?? "?"}
      {props.expiry !== null && `, expires ${formatTime(props.expiry)}`}
    </>
  );
}

const LABELS_KEY = "session-portal:known-names";

/** Names this browser registered or resolved, by namehash (the chain only stores hashes). */
export function rememberLabel(namehash: string, label: string): void {
  const map = JSON.parse(localStorage.getItem(LABELS_KEY) ?? "{}") as Record<string, string>;
  map[namehash.toLowerCase()] = label;
  localStorage.setItem(LABELS_KEY, JSON.stringify(map));
}

function knownLabel(namehash: string): string | null {
  try {
    return (JSON.parse(localStorage.getItem(LABELS_KEY) ?? "{}") as Record<string, string>)[namehash.toLowerCase()] ?? null;
  } catch {
    return null;
  }
}
