/**
 * ABI-driven calls for the permission matrix: which functions of a compiled contract change state, well-formed
 * dummy arguments for any ABI type (so a call gets past decoding and reaches the access check), and the custom
 * error a call reverts with, decoded against every compiled ABI.
 */
import hre from "hardhat";
import { Interface, type ErrorFragment, type FunctionFragment, type ParamType } from "ethers";

/**
 * Functions that change state in intent although their ABI may say `view`/`pure`: contracts that disable
 * `renounceOwnership` override it as a view or pure function that always reverts.
 */
const MUTATORS_WHATEVER_THEIR_MUTABILITY = new Set(["renounceOwnership()"]);

/** The interface of a compiled contract (by artifact name or fully qualified name). */
export function compiledInterface(artifact: string): Interface {
  return new Interface(hre.artifacts.readArtifactSync(artifact).abi);
}

/** Every external function of `iface` that can change state (nonpayable, payable, and disabled mutators). */
export function stateChangingFunctions(iface: Interface): FunctionFragment[] {
  const out: FunctionFragment[] = [];
  iface.forEachFunction((f) => {
    if (f.stateMutability === "nonpayable" || f.stateMutability === "payable" || MUTATORS_WHATEVER_THEIR_MUTABILITY.has(f.format("sighash"))) {
      out.push(f);
    }
  });
  return out.sort((a, b) => a.format("sighash").localeCompare(b.format("sighash")));
}

/** A default address for dummy arguments: an account with no role anywhere. */
export const DUMMY_ADDRESS = "0x00000000000000000000000000000000000D0D0D";

/** A well-formed value of ABI type `p`: 1 for numbers, `true`, a fixed address, 0x11… for bytesN, empty arrays. */
export function dummyValue(p: ParamType): unknown {
  if (p.isTuple()) return p.components.map((c) => dummyValue(c));
  if (p.isArray()) return p.arrayLength === -1 ? [] : Array.from({ length: p.arrayLength }, () => dummyValue(p.arrayChildren));
  const t = p.baseType;
  if (t === "address") return DUMMY_ADDRESS;
  if (t === "bool") return true;
  if (t === "string") return "x";
  if (t === "bytes") return "0x";
  if (/^u?int\d*$/.test(t)) return 1n;
  const fixed = /^bytes(\d+)$/.exec(t);
  if (fixed) return "0x" + "11".repeat(Number(fixed[1]));
  throw new Error(`dummyValue: unsupported ABI type ${p.format()}`);
}

/** Dummy arguments for every input of `f`. */
export function dummyArgs(f: FunctionFragment): unknown[] {
  return f.inputs.map((p) => dummyValue(p));
}

/** One interface holding every custom error of every compiled contract (first definition per selector wins). */
let allErrors: Interface | undefined;
export async function allCompiledErrors(): Promise<Interface> {
  if (allErrors !== undefined) return allErrors;
  const seen = new Map<string, ErrorFragment>();
  for (const name of await hre.artifacts.getAllFullyQualifiedNames()) {
    for (const item of hre.artifacts.readArtifactSync(name).abi) {
      if (item.type !== "error") continue;
      const fragment = Interface.from([item]).getError(item.name)!;
      if (!seen.has(fragment.selector)) seen.set(fragment.selector, fragment);
    }
  }
  allErrors = new Interface([...seen.values()]);
  return allErrors;
}

/** How a call ended: success, or a revert with its data decoded as a custom error where possible. */
export type CallOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly data: string; readonly error?: string; readonly args?: readonly string[] };

/** Normalises a value for comparison: addresses lower case, numbers as decimal strings, nested arrays joined. */
export function normalise(value: unknown): string {
  if (typeof value === "bigint" || typeof value === "number") return value.toString();
  if (typeof value === "string") return /^0x[0-9a-fA-F]*$/.test(value) ? value.toLowerCase() : value;
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(normalise).join(",")}]`;
  return String(value);
}

/** Extracts revert data from an ethers / Hardhat error, or undefined when none is attached. */
function revertData(error: unknown): string | undefined {
  for (let e: any = error, depth = 0; e !== undefined && e !== null && depth < 5; e = e.error ?? e.info?.error, depth++) {
    if (typeof e.data === "string" && e.data.startsWith("0x")) return e.data;
    if (typeof e.data?.data === "string") return e.data.data;
  }
  return undefined;
}

/** eth_call of `data` to `to` from `from` (no state change); returns success or the decoded revert. */
export async function callAs(from: string, to: string, data: string): Promise<CallOutcome> {
  try {
    await hre.ethers.provider.call({ from, to, data });
    return { ok: true };
  } catch (error) {
    const raw = revertData(error);
    if (raw === undefined) throw error;
    if (raw.length < 10) return { ok: false, data: raw };
    const errors = await allCompiledErrors();
    let parsed: ReturnType<Interface["parseError"]>;
    try {
      parsed = errors.parseError(raw);
    } catch {
      return { ok: false, data: raw }; // known selector, malformed arguments
    }
    if (parsed === null) return { ok: false, data: raw };
    return { ok: false, data: raw, error: parsed.name, args: parsed.args.toArray().map(normalise) };
  }
}

/** `Name(arg, …)` of an outcome, for messages. */
export function describeOutcome(outcome: CallOutcome): string {
  if (outcome.ok) return "the call SUCCEEDED";
  if (outcome.error === undefined) return `reverted with undecoded data ${outcome.data === "0x" ? "(empty)" : outcome.data}`;
  return `reverted with ${outcome.error}(${(outcome.args ?? []).join(", ")})`;
}
