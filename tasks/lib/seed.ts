/**
 * Migration from the live network: reads a JSON export of the live registry's nodes and turns it into
 * `seedPublicKeyList` calls (the reference's ABI, selector 0x1f4c4930), then checks the registry against
 * the export. The export:
 *
 * ```json
 * { "nodes": [ { "pubkey": "0x<X 64 hex><Y 64 hex>",            // or { "X": "0x…", "Y": "0x…" }
 *                "addedTimestamp": 1718000000,                 // unix seconds, as the live registry stored it
 *                "ed25519Pubkey": "0x<64 hex>",
 *                "contributors": [ { "addr": "0x…", "beneficiary": "0x…", "stakedAmount": "25000000000000" } ] } ],
 *   "aggregatePubkey": "0x<128 hex>" }                          // optional: the live registry's aggregate
 * ```
 *
 * Contributors are listed operator first; `beneficiary` defaults to `addr`; amounts are atomic SESH (a
 * decimal or 0x string, or a safe integer).
 */
import { readFileSync } from "node:fs";
import { aggregatePublicKeys, isValidPublicKey, publicKeyFromHex, publicKeyToHex, type G1Affine } from "../../src/bls";
import { TaskArgumentError } from "../../lib/errors";

export interface SeedContributor {
  readonly staker: { readonly addr: string; readonly beneficiary: string };
  readonly stakedAmount: bigint;
}

/** One node of the export, as `seedPublicKeyList` takes it. */
export interface SeedNode {
  readonly blsPubkey: { readonly X: bigint; readonly Y: bigint };
  readonly addedTimestamp: bigint;
  readonly ed25519Pubkey: bigint;
  readonly contributors: readonly SeedContributor[];
}

export interface SeedExport {
  readonly nodes: readonly SeedNode[];
  /** The live registry's aggregate key, when the export carries it. */
  readonly aggregatePubkey: G1Affine | undefined;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function fail(where: string, message: string): never {
  throw new TaskArgumentError("--file", `${where}: ${message}`);
}

function integer(where: string, value: unknown): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) return BigInt(value);
  return fail(where, `${JSON.stringify(value)} is not a non-negative integer (a number, or a decimal or 0x string)`);
}

function point(where: string, value: unknown): G1Affine {
  let key: G1Affine;
  if (typeof value === "string" && /^0x[0-9a-fA-F]{128}$/.test(value)) {
    key = publicKeyFromHex(value);
  } else if (typeof value === "object" && value !== null && "X" in value && "Y" in value) {
    key = { X: integer(`${where}.X`, (value as { X: unknown }).X), Y: integer(`${where}.Y`, (value as { Y: unknown }).Y) };
  } else {
    return fail(where, `expected "0x" + 128 hex digits (X ‖ Y) or { "X": …, "Y": … }`);
  }
  if (!isValidPublicKey(key)) fail(where, `${publicKeyToHex(key)} is not a point of G1`);
  return key;
}

function address(where: string, value: unknown): string {
  if (typeof value !== "string" || !ADDRESS.test(value)) return fail(where, `${JSON.stringify(value)} is not an address (0x + 40 hex digits)`);
  return value;
}

/** Parses and checks an export (shape, keys on the curve, no key twice, timestamps not after `now`). */
export function parseSeedExport(text: string, now: bigint): SeedExport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail("the file", `is not JSON (${(error as Error).message})`);
  }
  const root = json as { nodes?: unknown; aggregatePubkey?: unknown };
  if (typeof json !== "object" || json === null || !Array.isArray(root.nodes)) fail("the file", `needs a "nodes" array`);
  const seen = new Map<string, number>();
  const nodes = (root.nodes as unknown[]).map((raw, i): SeedNode => {
    const where = `nodes[${i}]`;
    if (typeof raw !== "object" || raw === null) fail(where, "is not an object");
    const node = raw as Record<string, unknown>;
    const key = point(`${where}.pubkey`, node.pubkey ?? node.blsPubkey);
    const hex = publicKeyToHex(key);
    const earlier = seen.get(hex);
    if (earlier !== undefined) fail(where, `repeats the BLS key of nodes[${earlier}]`);
    seen.set(hex, i);
    const added = integer(`${where}.addedTimestamp`, node.addedTimestamp);
    if (added === 0n || added > now) fail(`${where}.addedTimestamp`, `${added} is zero or after the chain's time ${now}`);
    const ed25519 = integer(`${where}.ed25519Pubkey`, node.ed25519Pubkey);
    if (ed25519 === 0n || ed25519 >= 1n << 256n) fail(`${where}.ed25519Pubkey`, "must be a non-zero 32-byte key");
    if (!Array.isArray(node.contributors) || node.contributors.length === 0) fail(`${where}.contributors`, "needs at least the operator");
    const contributors = (node.contributors as unknown[]).map((c, j): SeedContributor => {
      const at = `${where}.contributors[${j}]`;
      const entry = (c ?? {}) as Record<string, unknown>;
      const addr = address(`${at}.addr`, entry.addr);
      const beneficiary = entry.beneficiary === undefined ? addr : address(`${at}.beneficiary`, entry.beneficiary);
      return { staker: { addr, beneficiary }, stakedAmount: integer(`${at}.stakedAmount`, entry.stakedAmount) };
    });
    return { blsPubkey: { X: key.X, Y: key.Y }, addedTimestamp: added, ed25519Pubkey: ed25519, contributors };
  });
  const aggregatePubkey = root.aggregatePubkey === undefined ? undefined : point("aggregatePubkey", root.aggregatePubkey);
  return { nodes, aggregatePubkey };
}

export function readSeedExport(file: string, now: bigint): SeedExport {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new TaskArgumentError("--file", `cannot read ${file} (${(error as Error).message})`);
  }
  return parseSeedExport(text, now);
}

/** The aggregate of the export's keys (what the registry's must equal after seeding). */
export function exportAggregate(nodes: readonly SeedNode[]): G1Affine {
  return aggregatePublicKeys(nodes.map((n) => ({ X: n.blsPubkey.X, Y: n.blsPubkey.Y })));
}

/** What the registry holds after seeding, compared with the export. */
export interface SeedCheck {
  readonly nodeListMatches: boolean;
  readonly aggregateMatches: boolean;
  readonly exportAggregateMatches: boolean | undefined;
  readonly balance: bigint;
  readonly recordedStakes: bigint;
  readonly problems: readonly string[];
}

/**
 * Compares the registry's node list (ids ascending with their keys), aggregate key, deposits and token
 * balance with the export. The seeded nodes are the registry's whole list: ids 1… in export order.
 */
export function checkSeeded(
  exported: SeedExport,
  registry: { ids: readonly bigint[]; keys: readonly G1Affine[]; aggregate: G1Affine; deposits: readonly bigint[]; balance: bigint },
): SeedCheck {
  const problems: string[] = [];
  const expectedKeys = exported.nodes.map((n) => publicKeyToHex({ X: n.blsPubkey.X, Y: n.blsPubkey.Y }));
  const actualKeys = registry.keys.map(publicKeyToHex);
  const nodeListMatches = expectedKeys.length === actualKeys.length && expectedKeys.every((k, i) => k === actualKeys[i]);
  if (!nodeListMatches) {
    problems.push(`node list: the registry has ${actualKeys.length} nodes, the export ${expectedKeys.length}` +
      (expectedKeys.length === actualKeys.length ? ` (first difference at id ${registry.ids[expectedKeys.findIndex((k, i) => k !== actualKeys[i])]})` : ""));
  }
  const expected = exportAggregate(exported.nodes);
  const aggregateMatches = expected.X === registry.aggregate.X && expected.Y === registry.aggregate.Y;
  if (!aggregateMatches) problems.push(`aggregate key: registry ${publicKeyToHex(registry.aggregate)}, export's keys sum to ${publicKeyToHex(expected)}`);
  const live = exported.aggregatePubkey;
  const exportAggregateMatches = live === undefined ? undefined : live.X === registry.aggregate.X && live.Y === registry.aggregate.Y;
  if (exportAggregateMatches === false) problems.push(`aggregate key: registry ${publicKeyToHex(registry.aggregate)}, the export states ${publicKeyToHex(live!)}`);
  const recordedStakes = registry.deposits.reduce((a, b) => a + b, 0n);
  if (registry.balance < recordedStakes) problems.push(`the registry holds ${registry.balance} atomic SESH, less than the ${recordedStakes} its nodes' deposits record`);
  return { nodeListMatches, aggregateMatches, exportAggregateMatches, balance: registry.balance, recordedStakes, problems };
}
