/**
 * Register a node: paste the registration the node software prints (`npm run network -- keys` JSON: BLS
 * key, proof of possession, Ed25519 key and signature) or load it from a file; solo (the full stake from
 * this wallet) or a pool (fee, reservations, manual finalize). Everything is checked before the wallet
 * opens — the operator the signatures name, the proof of possession (on chain, view), the balance.
 */
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { getAddress, isAddress, type Address } from "viem";
import { useConnection } from "wagmi";
import { formatBasisPoints, formatSesh, parseSesh } from "../../../src/token/amounts";
import { Sesh } from "../components";
import { contract } from "../config";
import { seshAbi, serviceNodeContributionFactoryAbi, serviceNodeRewardsAbi } from "../generated/abis";
import { usePortal } from "../client";
import { href } from "../route";
import { Refusal, TxView, useTx } from "../tx";

interface Registration {
  readonly operator: Address | null;
  readonly pubkey: { X: bigint; Y: bigint };
  readonly proofOfPossession: { sigs0: bigint; sigs1: bigint; sigs2: bigint; sigs3: bigint };
  readonly ed25519Pubkey: bigint;
  readonly ed25519Signature0: bigint;
  readonly ed25519Signature1: bigint;
}

const big = (where: string, v: unknown): bigint => {
  if ((typeof v === "string" && /^(0x[0-9a-fA-F]+|\d+)$/.test(v)) || typeof v === "number") return BigInt(v);
  throw new Refusal(`${where} must be a number (decimal or 0x-hex), got ${JSON.stringify(v)}`);
};

/** One node's registration from the pasted JSON (an entry, or a keys document whose entry names `me`). */
export function parseRegistration(text: string, me: Address | undefined): Registration {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refusal("The registration is not JSON: paste what the node software printed, unchanged.");
  }
  let o = value as Record<string, unknown>;
  if (Array.isArray(o.nodes)) {
    const entries = o.nodes as Record<string, unknown>[];
    o = entries.find((n) => typeof n.operator === "string" && n.operator.toLowerCase() === me?.toLowerCase()) ?? entries[0];
    if (o === undefined) throw new Refusal("The keys document lists no node.");
  }
  const pk = o.blsPubkey as Record<string, unknown> | undefined;
  const pop = o.proofOfPossession as Record<string, unknown> | undefined;
  const sp = o.serviceNodeParams as Record<string, unknown> | undefined;
  if (pk === undefined || pop === undefined || sp === undefined) throw new Refusal("The registration needs blsPubkey, proofOfPossession and serviceNodeParams.");
  return {
    operator: typeof o.operator === "string" && isAddress(o.operator) ? getAddress(o.operator) : null,
    pubkey: { X: big("blsPubkey.X", pk.X), Y: big("blsPubkey.Y", pk.Y) },
    proofOfPossession: { sigs0: big("proofOfPossession.sigs0", pop.sigs0), sigs1: big("proofOfPossession.sigs1", pop.sigs1), sigs2: big("proofOfPossession.sigs2", pop.sigs2), sigs3: big("proofOfPossession.sigs3", pop.sigs3) },
    ed25519Pubkey: big("serviceNodeParams.ed25519Pubkey", sp.ed25519Pubkey),
    ed25519Signature0: big("serviceNodeParams.ed25519Signature0", sp.ed25519Signature0),
    ed25519Signature1: big("serviceNodeParams.ed25519Signature1", sp.ed25519Signature1),
  };
}

/** "0xabc…:5000, 0xdef…:2500" → reservations. */
function parseReservations(text: string): { addr: Address; amount: bigint }[] {
  return text
    .split(/[\n,]+/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [addr, amount] = line.split(":").map((x) => x.trim());
      if (!isAddress(addr ?? "")) throw new Refusal(`Reservation “${line}”: ${addr} is not an address (write address:amount).`);
      return { addr: getAddress(addr), amount: parseSesh(amount ?? "", { positive: true }) };
    });
}

export default function RegisterPage() {
  const { config, client } = usePortal();
  const { address } = useConnection();
  const tx = useTx();
  const registry = contract(config, "ServiceNodeRewards");
  const sesh = contract(config, "SESH");
  const [text, setText] = useState("");
  const [kind, setKind] = useState<"solo" | "pool">("solo");
  const [fee, setFee] = useState("5");
  const [reserved, setReserved] = useState("");
  const [manual, setManual] = useState(false);
  const ids = { text: useId(), file: useId(), fee: useId(), reserved: useId(), manual: useId() };
  const requirement = useQuery({
    queryKey: ["chain", "staking-requirement"],
    queryFn: () => client.readContract({ address: registry, abi: serviceNodeRewardsAbi, functionName: "stakingRequirement" }),
  });

  const register = () =>
    tx.run(async (sender) => {
      const r = parseRegistration(text, sender.account);
      if (r.operator !== null && r.operator !== sender.account) {
        throw new Refusal(`These signatures were made for operator ${r.operator}; connect that account, or have the node sign for ${sender.account}.`);
      }
      const feeBps = kind === "pool" ? Math.round(Number(fee) * 100) : 0;
      if (kind === "pool" && (!/^\d+(\.\d{1,2})?$/.test(fee) || feeBps > 10_000)) throw new Refusal("The fee must be a percentage from 0 to 100 with at most 2 decimals.");
      await sender.client
        .readContract({ address: registry, abi: serviceNodeRewardsAbi, functionName: "validateProofOfPossession", args: [r.pubkey, r.proofOfPossession, sender.account, r.ed25519Pubkey] })
        .catch(() => {
          throw new Refusal("The proof of possession does not verify for this account and key: paste the registration printed for this operator address.");
        });
      const params = { ed25519Pubkey: r.ed25519Pubkey, ed25519Signature0: r.ed25519Signature0, ed25519Signature1: r.ed25519Signature1, fee: feeBps };
      if (kind === "pool") {
        const reservations = parseReservations(reserved);
        const receipt = await sender.send("Open the pool", {
          address: contract(config, "ServiceNodeContributionFactory"),
          abi: serviceNodeContributionFactoryAbi,
          functionName: "deploy",
          args: [r.pubkey, r.proofOfPossession, params, reservations, manual],
        });
        const created = receipt.logs.find((l) => l.address.toLowerCase() === contract(config, "ServiceNodeContributionFactory").toLowerCase() && l.topics.length > 1);
        const pool = created === undefined ? null : getAddress(`0x${created.topics[1]!.slice(26)}`);
        if (pool !== null) window.location.hash = href("pools", pool);
        return `Pool opened${pool === null ? "" : ` at ${pool}`}: put in your stake (at least a quarter) on its page.`;
      }
      const need = await sender.client.readContract({ address: registry, abi: serviceNodeRewardsAbi, functionName: "stakingRequirement" });
      const balance = await sender.client.readContract({ address: sesh, abi: seshAbi, functionName: "balanceOf", args: [sender.account] });
      if (balance < need) throw new Refusal(`A solo node stakes ${formatSesh(need)} SESH; your wallet holds ${formatSesh(balance)} SESH.`);
      const allowance = await sender.client.readContract({ address: sesh, abi: seshAbi, functionName: "allowance", args: [sender.account, registry] });
      if (allowance < need) await sender.send(`Allow the registry to take ${formatSesh(need)} SESH`, { address: sesh, abi: seshAbi, functionName: "approve", args: [registry, need] });
      await sender.send("Register the node", { address: registry, abi: serviceNodeRewardsAbi, functionName: "addBLSPublicKey", args: [r.pubkey, r.proofOfPossession, params, []] });
      return `Node registered with ${formatSesh(need)} SESH.`;
    });

  return (
    <section aria-labelledby="register-title">
      <h1 id="register-title">Register a node</h1>
      <form className="card" onSubmit={(e) => (e.preventDefault(), void register())}>
        <div className="field">
          <label htmlFor={ids.text}>Registration printed by the node software (JSON)</label>
          <textarea id={ids.text} rows={8} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor={ids.file}>…or load it from a file</label>
          <input id={ids.file} type="file" accept="application/json,.json,.txt" onChange={(e) => void e.target.files?.[0]?.text().then(setText)} />
        </div>
        <fieldset className="field">
          <legend>Kind</legend>
          <label>
            <input type="radio" name="kind" checked={kind === "solo"} onChange={() => setKind("solo")} /> Solo: stake {requirement.data === undefined ? "the full requirement" : <Sesh atomic={requirement.data} />} from this wallet
          </label>
          <label>
            <input type="radio" name="kind" checked={kind === "pool"} onChange={() => setKind("pool")} /> Pool: others contribute; you put in at least a quarter
          </label>
        </fieldset>
        {kind === "pool" && (
          <>
            <div className="field">
              <label htmlFor={ids.fee}>Operator fee (%)</label>
              <input id={ids.fee} inputMode="decimal" value={fee} onChange={(e) => setFee(e.target.value)} />
              <p className="hint">{/^\d+(\.\d{1,2})?$/.test(fee) ? `${formatBasisPoints(Math.round(Number(fee) * 100))} of each reward goes to you first.` : "e.g. 5 or 2.5"}</p>
            </div>
            <div className="field">
              <label htmlFor={ids.reserved}>Reserved slots (address:amount, one per line; optional)</label>
              <textarea id={ids.reserved} rows={3} value={reserved} onChange={(e) => setReserved(e.target.value)} spellCheck={false} />
            </div>
            <div className="field checkbox">
              <input id={ids.manual} type="checkbox" checked={manual} onChange={(e) => setManual(e.target.checked)} />
              <label htmlFor={ids.manual}>Finalize manually (otherwise the pool registers itself when full)</label>
            </div>
          </>
        )}
        <button type="submit" disabled={tx.state.running || address === undefined || text.trim() === ""}>
          {kind === "solo" ? "Register the node" : "Open the pool"}
        </button>
      </form>
      <TxView state={tx.state} />
    </section>
  );
}

