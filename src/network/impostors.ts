/**
 * Impostors: registrations the node network refuses (issue 16, hole 2). The registry neither verifies a
 * registration's Ed25519 signature nor keeps Ed25519 keys unique (verifying Ed25519 on chain was judged
 * too costly: contracts/README.md), so the network does it, as a pure function of the mirrored nodes and
 * the snapshot's domain: every node reaches the same verdict from the same chain state.
 *
 * A registered node is an IMPOSTOR when
 *  (a) its Ed25519 signature `ed25519Signature0 ‖ ed25519Signature1` (32 bytes each, big-endian) does not
 *      verify — strict RFC 8032, no ZIP-215 leniency — under its `ed25519Pubkey` over the exact
 *      proof-of-possession bytes `popTag ‖ X ‖ Y ‖ operator ‖ ed25519Pubkey` (PROTOCOL.md §1; the operator
 *      is contributor 0, as the registry binds it; a pool's node is signed for the pool's operator); or
 *  (b) its Ed25519 key is held by an earlier node: one with a lower id (ids only grow, so a lower id is an
 *      earlier registration) that is valid by (a) and still registered (active or exit-requested). The
 *      lowest-id such node holds the key; every later one is an impostor.
 *
 * Seeded nodes (migrated by the registry's owner before start(): no Ed25519 signature exists on chain) are
 * exempt from (a) — the owner vouches for them as it vouches for their stakes — and obey (b) like any node:
 * seeding ends at start(), so a seeded node holds its key against every later registration while it is
 * registered, and of two seeded nodes with one key the lower id holds it.
 *
 * When the holder leaves (its ServiceNodeExit, after an exit or a liquidation), the key passes to the
 * lowest-id valid node still registered with it, which stops being an impostor from then on: the rule reads
 * only ids, the signature and registration/exit times, so it is deterministic from chain state.
 *
 * What the network does with an impostor, as oxend does with a node that fails its registration check
 * (it treats it as deregistered):
 *  - it is no working node: the aggregator does not ask it and lists it as a non-signer of every aggregate
 *    (failure reason `impostor`);
 *  - it earns nothing in the network's ledger for any block in which it is an impostor; its stake, once it
 *    leaves, is returned as the registry returns it (after a liquidation: less the liquidation penalty);
 *  - every node signs its liquidation (`get_liquidation` / `bls_exit_liquidation_request` with liquidate),
 *    and `bls_exit_liquidation_list` lists it as `liquidate`, exactly as for a deregistered node (whose own
 *    exit request, like a deregistered node's, is still signed after the unlock if nobody liquidated it
 *    first). The key's real owner may register at any time (the registry does not refuse the key), before
 *    or after: a registration with an invalid signature never holds a key, so it cannot block the owner.
 */
import { ed25519 } from "@noble/curves/ed25519";
import { hexToBytes } from "@noble/hashes/utils";
import { proofOfPossessionMessage, type SigningDomain } from "../bls";
import { boundedCache } from "./cache";
import { isRegistered, type NetworkSnapshot, type ViewNode } from "./view";

export type ImpostorReason = "invalid-ed25519-signature" | "ed25519-key-held";

/** Why the network refuses a registered node. */
export interface Impostor {
  readonly id: bigint;
  readonly reason: ImpostorReason;
  /** For `ed25519-key-held`: the id of the earlier node that holds the key; otherwise null. */
  readonly heldBy: bigint | null;
}

/** The fields of a node the verdict reads. */
export type ImpostorInput = Pick<
  ViewNode,
  "id" | "pubkey" | "operator" | "ed25519Pubkey" | "ed25519Signature0" | "ed25519Signature1" | "seeded" | "registeredAt" | "exitedAt" | "status"
>;

/** Signature checks remembered (a registration never changes): ~6 ms each, so a 2,000-node network is checked once. */
export const MAX_CACHED_SIGNATURE_CHECKS = 1 << 16;
const checked = boundedCache<string, boolean>(MAX_CACHED_SIGNATURE_CHECKS);
/** Per node object as well: a ledger applies many blocks with the same node objects, without building keys. */
const checkedObjects = new WeakMap<object, { domain: string; valid: boolean }>();

const WORD = 1n << 256n;
const word = (v: bigint): Uint8Array | null => (v < 0n || v >= WORD ? null : hexToBytes(v.toString(16).padStart(64, "0")));
const domainKey = (domain: SigningDomain): string => `${domain.chainId}:${domain.contract.toLowerCase()}`;

function verify(node: ImpostorInput, domain: SigningDomain): boolean {
  const pub = word(node.ed25519Pubkey);
  const s0 = word(node.ed25519Signature0);
  const s1 = word(node.ed25519Signature1);
  if (pub === null || s0 === null || s1 === null) return false;
  const signature = new Uint8Array(64);
  signature.set(s0, 0);
  signature.set(s1, 32);
  try {
    const message = proofOfPossessionMessage(domain, node.pubkey, node.operator, node.ed25519Pubkey);
    return ed25519.verify(signature, message, pub, { zip215: false });
  } catch {
    // A malformed key or operator verifies nothing.
    return false;
  }
}

/**
 * Whether the node's Ed25519 signature verifies over its registration in `domain` (rule (a)). A seeded node
 * has no signature: this is false for it, and {@link impostorsAt} exempts it.
 */
export function registrationSignatureValid(node: ImpostorInput, domain: SigningDomain): boolean {
  const dk = domainKey(domain);
  const remembered = checkedObjects.get(node);
  if (remembered !== undefined && remembered.domain === dk) return remembered.valid;
  const key = `${dk}:${node.pubkey.X}:${node.pubkey.Y}:${node.operator.toLowerCase()}:${node.ed25519Pubkey}:${node.ed25519Signature0}:${node.ed25519Signature1}`;
  let valid = checked.get(key);
  if (valid === undefined) {
    valid = verify(node, domain);
    checked.set(key, valid);
  }
  checkedObjects.set(node, { domain: dk, valid });
  return valid;
}

/** Registered at unix time `at` (null: now, by the snapshot's status). */
function registeredAt(node: ImpostorInput, at: bigint | null): boolean {
  if (at === null) return isRegistered(node as ViewNode);
  if (node.registeredAt > at) return false;
  return node.exitedAt !== null ? node.exitedAt > at : isRegistered(node as ViewNode);
}

/**
 * The impostors among the nodes registered at unix time `at` (null: the nodes registered now, by status),
 * keyed by id. Nodes not registered at `at` get no verdict.
 */
export function impostorsAt(nodes: readonly ImpostorInput[], domain: SigningDomain, at: bigint | null): Map<bigint, Impostor> {
  const live = nodes.filter((n) => registeredAt(n, at)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const holders = new Map<bigint, bigint>();
  const out = new Map<bigint, Impostor>();
  for (const node of live) {
    if (!node.seeded && !registrationSignatureValid(node, domain)) {
      out.set(node.id, { id: node.id, reason: "invalid-ed25519-signature", heldBy: null });
      continue;
    }
    const holder = holders.get(node.ed25519Pubkey);
    if (holder !== undefined) {
      out.set(node.id, { id: node.id, reason: "ed25519-key-held", heldBy: holder });
      continue;
    }
    holders.set(node.ed25519Pubkey, node.id);
  }
  return out;
}

const bySnapshot = new WeakMap<NetworkSnapshot, Map<bigint, Impostor>>();

/** The impostors among the nodes registered in `snapshot` (computed once per snapshot object). */
export function impostorsOf(snapshot: NetworkSnapshot): ReadonlyMap<bigint, Impostor> {
  let found = bySnapshot.get(snapshot);
  if (found === undefined) {
    found = impostorsAt(snapshot.nodes, snapshot.domain, null);
    bySnapshot.set(snapshot, found);
  }
  return found;
}

/** One sentence: why node `impostor.id` is refused. */
export function describeImpostor(impostor: Impostor): string {
  return impostor.reason === "invalid-ed25519-signature"
    ? `service node ${impostor.id} is an impostor: its Ed25519 signature does not verify under its Ed25519 key over its registration`
    : `service node ${impostor.id} is an impostor: its Ed25519 key is held by service node ${impostor.heldBy}, registered earlier and still registered`;
}
