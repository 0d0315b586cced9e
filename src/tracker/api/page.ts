/**
 * The tracker's status page (`GET /`): one self-contained HTML document (inline CSS, no scripts, no
 * external assets, no build step) rendered from the mirror, refreshing itself with a meta refresh.
 * Every value read from the chain or the configuration goes through {@link escapeHtml}.
 */
import type { Follower } from "../follower/follower";
import { SESH_DECIMALS, SESH_UNIT } from "../../protocol";
import type { ProviderSet } from "../rpc/providers";
import {
  ENTITY,
  EXIT_UNLOCK_SECONDS,
  EXIT_WAIT_SECONDS,
  nameState,
  parseRecord,
  poolMinimumContribution,
  type NameEntry,
  type NameState,
  type NetworkRecord,
  type NodeRecord,
  type PoolRecord,
  type RewardRateSample,
} from "../state/model";
import type { TrackerStore } from "../store/types";

export interface StatusPageOptions {
  readonly store: TrackerStore;
  readonly follower: Follower;
  readonly providers: ProviderSet;
  /** Seconds between automatic reloads (0: none). */
  readonly refreshSeconds: number;
  /** Rows shown per table before "… and N more" (the JSON endpoints have everything). */
  readonly maxRows?: number;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** SESH has 9 decimals: atomic units → "25,000" / "1,234.5". */
export function formatSesh(atomic: string | bigint | null): string {
  if (atomic === null) return "–";
  const v = BigInt(atomic);
  const negative = v < 0n;
  const abs = negative ? -v : v;
  const whole = (abs / SESH_UNIT).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = (abs % SESH_UNIT).toString().padStart(SESH_DECIMALS, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** Unix seconds → "2026-11-22 08:46:42 UTC". */
export function formatTime(seconds: string | bigint | null | undefined): string {
  if (seconds === null || seconds === undefined) return "–";
  const ms = Number(BigInt(seconds)) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return `${seconds} (unix)`;
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC");
}

const short = (hex: string, keep = 10): string => (hex.length > keep + 6 ? `${hex.slice(0, keep)}…${hex.slice(-4)}` : hex);
const pubkeyHex = (x: string): string => `0x${BigInt(x).toString(16).padStart(64, "0")}`;

/** Provider URLs often carry an API key in the path or query: show the origin only. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname === "/" && u.search === "" ? u.origin : `${u.origin}/…`;
  } catch {
    return "(invalid url)";
  }
}

const td = (value: unknown, cls = ""): string => `<td${cls ? ` class="${cls}"` : ""}>${escapeHtml(value)}</td>`;
const tdTitle = (text: string, title: string, cls = ""): string =>
  `<td${cls ? ` class="${cls}"` : ""} title="${escapeHtml(title)}">${escapeHtml(text)}</td>`;

function table(id: string, headers: readonly string[], rows: readonly string[], total: number, empty: string): string {
  if (rows.length === 0) return `<p class="empty" id="${id}-empty">${escapeHtml(empty)}</p>`;
  const more = total > rows.length ? `<p class="more">… and ${total - rows.length} more (see the JSON API)</p>` : "";
  return `<table id="${id}"><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r}</tr>`)
    .join("")}</tbody></table>${more}`;
}

const stakeOf = (node: NodeRecord): bigint => node.contributors.reduce((sum, c) => sum + BigInt(c.stakedAmount), 0n);

export async function renderStatusPage(options: StatusPageOptions): Promise<string> {
  const { store, follower, providers } = options;
  const maxRows = options.maxRows ?? 500;
  const { checkpoint, entities } = await store.readAll([ENTITY.node, ENTITY.pool, ENTITY.rewardRate, ENTITY.network, ENTITY.name]);
  const checkpointBlock = checkpoint === null ? null : await store.getBlock(checkpoint.number);
  const now = checkpointBlock?.timestamp ?? null;
  const status = follower.status();
  const list = <T>(kind: string): T[] => (entities[kind] ?? []).map((r) => parseRecord<T>(r.value));

  const nodes = list<NodeRecord>(ENTITY.node);
  const pools = list<PoolRecord>(ENTITY.pool);
  const samples = list<RewardRateSample>(ENTITY.rewardRate);
  const names = list<NameEntry>(ENTITY.name);
  const networkRow = (entities[ENTITY.network] ?? [])[0];
  const network = networkRow ? parseRecord<NetworkRecord>(networkRow.value) : null;

  // ---- summary and providers
  const registered = nodes.filter((n) => n.status === "active" || n.status === "exit-requested");
  const lastRate = samples.length ? samples[samples.length - 1] : null;
  const summary: [string, string][] = [
    ["chain id", String(providers.chainId() ?? "–")],
    ["checkpoint", checkpoint ? `block ${checkpoint.number} (${formatTime(now)})` : "nothing synced yet"],
    ["safe head / latest", `${status.safeHead ?? "–"} / ${status.latest ?? "–"}`],
    ["lag", status.lagBlocks === null ? "–" : `${status.lagBlocks} blocks`],
    [
      "sync",
      status.stalled !== null
        ? `STALLED for ${status.stalled.sinceSeconds} s: ${status.stalled.reason}`
        : status.syncing
          ? `syncing, ${status.blocksPerSecond} blocks/s, ETA ${status.etaSeconds ?? "?"} s`
          : "caught up",
    ],
    ["safe head policy", status.safeHeadPolicy],
    ["registered nodes", `${registered.length} (of ${nodes.length} ever)`],
    ["staking requirement", network?.stakingRequirement ? `${formatSesh(network.stakingRequirement)} SESH` : "–"],
    ["reward rate", lastRate ? `${formatSesh(lastRate.rewardRate)} SESH per block (sampled at block ${lastRate.block})` : "no sample yet"],
    ["reorgs rolled back", String(status.reorgs)],
    ["provider dispute", status.dispute ?? "none"],
    [
      "last reconciliation",
      status.lastReconciliation ? `${status.lastReconciliation.ok ? "ok" : "MISMATCH"} at block ${status.lastReconciliation.block}` : "not yet",
    ],
  ];
  const providerRows = providers.status().map(
    (p) =>
      td(redactUrl(p.url)) +
      td(p.state, `state-${p.state}`) +
      td(p.height ?? "–", "num") +
      td(p.latencyMs === null ? "–" : `${p.latencyMs} ms`, "num") +
      td(p.requests, "num") +
      td(p.failures, "num") +
      td(p.disagreements, "num") +
      td(p.quarantineReason ?? p.lastError ?? ""),
  );

  // ---- nodes
  const nodeRows = nodes.slice(0, maxRows).map(
    (n) =>
      td(n.id, "num") +
      tdTitle(short(pubkeyHex(n.pubkey.X)), `X ${n.pubkey.X}`, "mono") +
      tdTitle(short(n.operator), n.operator, "mono") +
      td(n.status, `status-${n.status}`) +
      td(formatSesh(stakeOf(n)), "num") +
      td(n.contributors.length, "num") +
      td(`${(n.fee / 100).toFixed(2)} %`, "num") +
      td(n.addedTimestamp ? formatTime(n.addedTimestamp) : `block ${n.addedBlock}`) +
      td(n.seeded ? "seeded" : ""),
  );

  // ---- open pools
  const openPools = pools.filter((p) => p.status === "open" || p.status === "awaiting-operator");
  const poolRows = openPools.slice(0, maxRows).map((p) => {
    const minimum = poolMinimumContribution(p);
    return (
      tdTitle(short(p.address), p.address, "mono") +
      tdTitle(short(p.operator), p.operator, "mono") +
      td(p.status === "open" ? "open for contribution" : "waiting for the operator", `pool-${p.status}`) +
      td(`${formatSesh(p.totalContributed)} / ${formatSesh(p.stakingRequirement)}`, "num") +
      td(formatSesh(p.totalReserved), "num") +
      td(`${p.slots.length} / ${p.maxContributors}`, "num") +
      td(p.fee === null ? "–" : `${(p.fee / 100).toFixed(2)} %`, "num") +
      td(minimum === null ? "full" : `${formatSesh(minimum.amount)} SESH${minimum.who === "operator" ? " (operator)" : ""}`, "num minimum")
    );
  });

  // ---- pending exits
  const exiting = nodes.filter((n) => n.status === "exit-requested");
  const exitRows = exiting.slice(0, maxRows).map((n) => {
    const requested = n.exitRequestedTimestamp ? BigInt(n.exitRequestedTimestamp) : null;
    const unlock = requested === null ? null : requested + EXIT_UNLOCK_SECONDS;
    const unlocked = unlock !== null && now !== null && now >= unlock;
    return (
      td(n.id, "num") +
      tdTitle(short(n.operator), n.operator, "mono") +
      td(requested === null ? `block ${n.exitRequestedBlock}` : formatTime(requested)) +
      td(unlock === null ? "–" : `${formatTime(unlock)}${unlocked ? " (unlocked)" : ""}`) +
      td(requested === null ? "–" : formatTime(requested + EXIT_WAIT_SECONDS))
    );
  });

  // ---- names
  const stateOf = (n: NameEntry): NameState | null => (now === null ? null : nameState(n, now));
  const counts = new Map<string, number>();
  for (const n of names) counts.set(stateOf(n) ?? "unknown", (counts.get(stateOf(n) ?? "unknown") ?? 0) + 1);
  const nameCounts = [...counts.entries()].map(([k, v]) => `${v} ${k}`).join(", ");
  const present = (n: NameEntry): string => {
    const r = n.records;
    const parts = [
      r.session ? `session${r.session.encrypted ? " (sealed)" : ""}` : null,
      r.lokinet ? `lokinet${r.lokinet.encrypted ? " (sealed)" : ""}` : null,
      r.wallet ? `wallet${r.wallet.encrypted ? " (sealed)" : ""}` : null,
      ...Object.keys(r.text).map((k) => `text:${k}`),
    ].filter((x): x is string => x !== null);
    return parts.length ? parts.join(", ") : "none";
  };
  const nameRows = names.slice(0, maxRows).map(
    (n) =>
      tdTitle(short(n.namehash, 14), n.namehash, "mono") +
      (n.owner ? tdTitle(short(n.owner), n.owner, "mono") : td("–")) +
      td(formatTime(n.expiry)) +
      td(stateOf(n) ?? "–", `name-${stateOf(n) ?? "unknown"}`) +
      td(present(n)),
  );

  const refresh = options.refreshSeconds > 0 ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}<title>Session Network tracker</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1f23;background:#fafbfc}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
table{border-collapse:collapse;background:#fff;margin:.4em 0}th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f0f3f6}td.num{text-align:right;font-variant-numeric:tabular-nums}td.mono{font-family:ui-monospace,monospace}
dl.summary{display:grid;grid-template-columns:max-content auto;gap:.15em 1em}dl.summary dt{font-weight:600}dl.summary dd{margin:0}
.status-active,.state-healthy,.name-live,.pool-open{color:#1a7f37}.status-exit-requested,.state-demoted,.name-grace{color:#9a6700}
.alert{background:#ffebe9;border:1px solid #cf222e;color:#82071e;padding:.6em 1em;font-weight:600}
.status-exited,.status-liquidated,.state-quarantined,.name-expired,.name-burnt{color:#cf222e}.empty,.more,footer{color:#57606a}
</style></head>
<body>
<h1>Session Network tracker</h1>
${status.stalled !== null ? `<p class="alert" id="stalled" role="alert">The mirror is stalled: it has not advanced for ${status.stalled.sinceSeconds} s while blocks wait at or below the safe head (${escapeHtml(status.stalled.reason)}). Its data is out of date; the node network refuses to sign from it.</p>` : ""}
<dl class="summary" id="summary">${summary.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("")}</dl>
<h2>Providers</h2>
${table("providers", ["provider", "state", "height", "latency", "requests", "failures", "disagreements", "note"], providerRows, providerRows.length, "no providers")}
<h2>Service nodes (${nodes.length})</h2>
${table("nodes", ["id", "BLS key", "operator", "status", "stake (SESH)", "contributors", "fee", "registered", ""], nodeRows, nodes.length, "no service nodes yet")}
<h2>Pools open for contribution (${openPools.length})</h2>
${table("pools", ["pool", "operator", "status", "paid / required (SESH)", "reserved (SESH)", "slots", "fee", "minimum contribution now"], poolRows, openPools.length, "no pool is open for contribution")}
<h2>Pending exits (${exiting.length})</h2>
${table("exits", ["id", "operator", "requested", "network signs from", "anyone may exit from"], exitRows, exiting.length, "no exit requested")}
<h2>Names (${names.length}${nameCounts ? `: ${escapeHtml(nameCounts)}` : ""})</h2>
${table("names", ["namehash", "owner", "expiry", "state", "records"], nameRows, names.length, "no names registered")}
<footer><p>Mirror at or below the safe head only; pending (unconfirmed) events: <a href="/pending">/pending</a>. JSON: <a href="/status">/status</a> · <a href="/nodes">/nodes</a> · <a href="/pools">/pools</a> · <a href="/names">/names</a> · <a href="/reward-rate">/reward-rate</a> · <a href="/snapshot">/snapshot</a> · <a href="/metrics">/metrics</a>.${
    options.refreshSeconds > 0 ? ` This page reloads every ${options.refreshSeconds} s.` : ""
  }</p></footer>
</body></html>
`;
}
