/**
 * The public page of one name: who holds it, until when, and its records decrypted in the browser with the
 * name-derived key. Its owner can set records (encrypted unless plaintext is chosen), renew, transfer and
 * opt in to the reverse record.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { isAddress, zeroAddress } from "viem";
import { useConnection } from "wagmi";
import { NameError, encodeRecord, nameIds, readRecord, signFeePermit, type NamesWallet, type RecordSpec } from "../../../src/names";
import { RecordKind } from "../../../src/names/records";
import { formatSesh } from "../../../src/token/amounts";
import { TextField } from "../components";
import { contract } from "../config";
import { sessionNameReverseAbi, sessionNameServiceAbi } from "../generated/abis";
import { usePortal } from "../client";
import { formatTime } from "../portal";
import { Refusal, TxView, useTx } from "../tx";
import { rememberLabel } from "./Names";

const GRACE_SECONDS = 90n * 86_400n;
const PERMIT_SECONDS = 3_600n;
type Kind = "session" | "lokinet" | "wallet" | "text";
const KIND_LABELS: Record<Kind, string> = { session: "Session ID", lokinet: "Lokinet address", wallet: "Wallet address", text: "Text" };

export default function NamePage({ name }: { name: string }) {
  let ids: ReturnType<typeof nameIds> | null = null;
  let problem: string | null = null;
  try {
    ids = nameIds(name);
  } catch (error) {
    problem = error instanceof NameError ? error.message : String(error);
  }
  if (ids === null) return <p className="problem" role="alert">“{name}” is not a valid name: {problem}</p>;
  return <ResolvedName ids={ids} />;
}

function ResolvedName({ ids }: { ids: ReturnType<typeof nameIds> }) {
  const { config, client } = usePortal();
  const { address } = useConnection();
  const queries = useQueryClient();
  const tx = useTx();
  const names = contract(config, "SessionNameService");
  const [kind, setKind] = useState<Kind>("session");
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [plaintext, setPlaintext] = useState(false);
  const [years, setYears] = useState("1");
  const [to, setTo] = useState("");
  const fieldIds = { kind: useId(), plain: useId(), years: useId() };

  const resolved = useQuery({
    queryKey: ["chain", "resolve", ids.node],
    refetchInterval: 10_000,
    queryFn: async () => {
      const [[holder, expiry], session, lokinet, wallet] = await Promise.all([
        client.readContract({ address: names, abi: sessionNameServiceAbi, functionName: "nameOf", args: [ids.node] }),
        readRecord(client, names, ids.fullName, "session").catch(() => null),
        readRecord(client, names, ids.fullName, "lokinet").catch(() => null),
        readRecord(client, names, ids.fullName, "wallet").catch(() => null),
      ]);
      return { holder, expiry, session, lokinet, wallet };
    },
  });
  const r = resolved.data;
  const isOwner = r !== undefined && address !== undefined && r.holder.toLowerCase() === address.toLowerCase();
  const refresh = () => queries.invalidateQueries({ queryKey: ["chain"] });
  if (isOwner) rememberLabel(ids.node, ids.label);

  const setRecord = () =>
    tx.run(async (sender) => {
      const spec: RecordSpec = kind === "text" ? { kind, key: key.trim(), value, plaintext } : { kind, value: value.trim(), plaintext };
      let input;
      try {
        input = encodeRecord(spec, ids.fullName, ids.node);
      } catch (error) {
        throw new Refusal((error as Error).message);
      }
      if (input.kind === RecordKind.Text) {
        await sender.send(`Set text record “${input.key}”`, { address: names, abi: sessionNameServiceAbi, functionName: "setText", args: [ids.node, input.key, input.value] });
      } else {
        await sender.send(`Set the ${KIND_LABELS[kind]} record`, { address: names, abi: sessionNameServiceAbi, functionName: "setRecord", args: [ids.node, input.kind, input.value] });
      }
      setValue("");
      await refresh();
      return `${KIND_LABELS[kind]} record of ${ids.fullName} set${plaintext ? " (plaintext: anyone can read it on chain)" : " (encrypted with the name: only those who know the name can read it)"}.`;
    });

  const renew = () =>
    tx.run(async (sender) => {
      const block = await sender.client.getBlock();
      const fee = await sender.client.readContract({ address: names, abi: sessionNameServiceAbi, functionName: "price", args: [BigInt(years)] });
      const permit = await sender.sign(`Sign the SESH permit for ${formatSesh(fee)} SESH`, () => signFeePermit(sender.wallet as NamesWallet, sender.client, names, fee, block.timestamp + PERMIT_SECONDS));
      await sender.send(`Renew ${ids.fullName} for ${years} year(s)`, { address: names, abi: sessionNameServiceAbi, functionName: "renewWithPermit", args: [ids.node, BigInt(years), permit] });
      await refresh();
      return `${ids.fullName} renewed.`;
    });

  const transfer = () =>
    tx.run(async (sender) => {
      if (!isAddress(to.trim()) || to.trim() === zeroAddress) throw new Refusal("Enter the new owner's address (0x…).");
      await sender.send(`Transfer ${ids.fullName}`, { address: names, abi: sessionNameServiceAbi, functionName: "transferFrom", args: [sender.account, to.trim(), BigInt(ids.node)] });
      await refresh();
      return `${ids.fullName} now belongs to ${to.trim()}.`;
    });

  const reverse = () =>
    tx.run(async (sender) => {
      const reverseAddress = config.contracts.SessionNameReverse;
      if (reverseAddress === undefined) throw new Refusal("This network's address book has no reverse registrar.");
      const fullName = `0x${Array.from(new TextEncoder().encode(ids.fullName), (b) => b.toString(16).padStart(2, "0")).join("")}` as const;
      await sender.send("Publish the reverse record", { address: reverseAddress, abi: sessionNameReverseAbi, functionName: "setReverseName", args: [fullName] });
      return `Your address now names ${ids.fullName} publicly.`;
    });

  return (
    <section aria-labelledby="name-title">
      <h1 id="name-title">{ids.fullName}</h1>
      {resolved.error !== null && <p className="problem" role="alert">{(resolved.error as Error).message}</p>}
      {r === undefined ? (
        <p className="loading">Resolving…</p>
      ) : r.holder === zeroAddress ? (
        <p data-resolved="none">Nobody holds {ids.fullName}: it is free to register.</p>
      ) : (
        <dl className="stats" data-testid="resolved">
          <div>
            <dt>Owner</dt>
            <dd><code>{r.holder}</code></dd>
          </div>
          <div>
            <dt>Expires</dt>
            <dd data-stat="expiry">{formatTime(r.expiry)} (grace until {formatTime(r.expiry + GRACE_SECONDS)})</dd>
          </div>
          <div>
            <dt>Session ID</dt>
            <dd data-record="session"><code>{r.session ?? "not set"}</code></dd>
          </div>
          <div>
            <dt>Lokinet</dt>
            <dd data-record="lokinet"><code>{r.lokinet ?? "not set"}</code></dd>
          </div>
          <div>
            <dt>Wallet</dt>
            <dd data-record="wallet"><code>{r.wallet ?? "not set"}</code></dd>
          </div>
        </dl>
      )}

      {isOwner && (
        <>
          <form className="card" aria-labelledby="record-title" onSubmit={(e) => (e.preventDefault(), void setRecord())}>
            <h2 id="record-title">Set a record</h2>
            <div className="field">
              <label htmlFor={fieldIds.kind}>Record</label>
              <select id={fieldIds.kind} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
                {(Object.keys(KIND_LABELS) as Kind[]).map((k) => (
                  <option key={k} value={k}>{KIND_LABELS[k]}</option>
                ))}
              </select>
            </div>
            {kind === "text" && <TextField label="Key" name="key" value={key} onChange={setKey} placeholder="url" />}
            <TextField label="Value" name="value" value={value} onChange={setValue} placeholder={kind === "session" ? "05… (66 hex digits)" : kind === "wallet" ? "0x…" : ""} />
            <div className="field checkbox">
              <input id={fieldIds.plain} type="checkbox" checked={plaintext} onChange={(e) => setPlaintext(e.target.checked)} />
              <label htmlFor={fieldIds.plain}>Store in plaintext (anyone reading the chain sees it; default: encrypted with the name)</label>
            </div>
            <button type="submit" disabled={tx.state.running}>Set record</button>
          </form>
          <div className="card" aria-labelledby="renew-title">
            <h2 id="renew-title">Renew</h2>
            <div className="field">
              <label htmlFor={fieldIds.years}>Years</label>
              <select id={fieldIds.years} value={years} onChange={(e) => setYears(e.target.value)}>
                {["1", "2", "3", "5"].map((y) => (
                  <option key={y} value={y}>{y}</option>
                ))}
              </select>
            </div>
            <button type="button" disabled={tx.state.running} onClick={() => void renew()}>Renew {ids.fullName}</button>
          </div>
          <div className="card" aria-labelledby="transfer-title">
            <h2 id="transfer-title">Transfer</h2>
            <TextField label="New owner" name="to" value={to} onChange={setTo} placeholder="0x…" hint="The new owner gets the name and its records; you lose control of it." />
            <button type="button" disabled={tx.state.running} onClick={() => void transfer()}>Transfer</button>
          </div>
          <div className="card" aria-labelledby="reverse-title">
            <h2 id="reverse-title">Reverse record (opt-in)</h2>
            <p>Publishes “{ids.fullName}” in plaintext against your address: anyone can then see that this address holds this name. It shows only if the name's wallet record points back to your address.</p>
            <button type="button" disabled={tx.state.running} onClick={() => void reverse()}>Publish reverse record</button>
          </div>
        </>
      )}
      <TxView state={tx.state} />
    </section>
  );
}
