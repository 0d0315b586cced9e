/**
 * The portal's failures in words (portal/src/errors.ts): every custom error a deployed contract can revert
 * with is known to the portal, and decodes whatever a wallet or node wraps it in (viem's errors, MetaMask's
 * nested `data.data`, a node's `data` string); a transaction mined and reverted says so, with its hash.
 */
import { expect } from "chai";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ContractFunctionExecutionError, ContractFunctionRevertedError, concatHex, encodeAbiParameters, encodeErrorResult, toFunctionSelector, type AbiParameter } from "viem";
import { describeMinedRevert, describeProblem, findRevertHex } from "../../portal/src/errors";
import { allErrorsAbi } from "../../portal/src/generated/allErrorsAbi";

const SESH = 10n ** 9n;
const ARTIFACTS = path.resolve(__dirname, "..", "..", "artifacts", "contracts");
const HASH = `0x${"ab".repeat(32)}` as const;

interface ErrorItem {
  readonly type: string;
  readonly name: string;
  readonly inputs: readonly AbiParameter[];
}

const canonical = (p: AbiParameter): string =>
  p.type.startsWith("tuple") ? `(${((p as { components?: AbiParameter[] }).components ?? []).map(canonical).join(",")})${p.type.slice(5)}` : p.type;
const selector = (e: ErrorItem): string => toFunctionSelector(`${e.name}(${e.inputs.map(canonical).join(",")})`);

function artifactFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry === "test" ? [] : artifactFiles(full);
    return entry.endsWith(".json") && !entry.endsWith(".dbg.json") ? [full] : [];
  });
}

// ContributionExceedsRequirement(13,750 SESH offered, 12,031.25 SESH available): a pool that filled meanwhile.
const exceeds = encodeErrorResult({ abi: allErrorsAbi, errorName: "ContributionExceedsRequirement", args: [13_750n * SESH, 12_031_250_000_000n] });
const EXCEEDS_WORDS = "only 12,031.25 SESH is still open in this pool; you offered 13,750 SESH";

describe("portal/src/errors: the contract's error in words", () => {
  it("knows every custom error of every deployed contract (artifacts outside contracts/test)", () => {
    const known = new Set((allErrorsAbi as readonly ErrorItem[]).map(selector));
    const missing: string[] = [];
    for (const file of artifactFiles(ARTIFACTS)) {
      const { abi } = JSON.parse(readFileSync(file, "utf8")) as { abi?: ErrorItem[] };
      for (const item of abi ?? []) {
        if (item.type === "error" && !known.has(selector(item))) missing.push(`${path.relative(ARTIFACTS, file)}: ${item.name}`);
      }
    }
    expect(missing, "errors the portal could only show as hex (add the contract to ERROR_ONLY_CONTRACTS in scripts/portal-abi.ts)").to.deep.equal([]);
  });

  it("decodes a revert in any wrapping: MetaMask's refused estimate, a node's data string, viem's contract error", () => {
    const metamask = { code: -32603, message: "Internal JSON-RPC error.", data: { code: 3, message: "execution reverted", data: exceeds } };
    const node = { code: -32603, message: "VM Exception while processing transaction", data: exceeds };
    // viem's shape when the call's ABI (minimised to the one function) does not hold the error: only the raw data.
    const viem = new ContractFunctionExecutionError(new ContractFunctionRevertedError({ abi: [], data: exceeds, functionName: "contributeFundsWithPermit" }), {
      abi: [],
      functionName: "contributeFundsWithPermit",
    });
    const wrappedCause = Object.assign(new Error("wallet failed"), { cause: metamask });
    for (const error of [metamask, node, viem, wrappedCause]) {
      expect(findRevertHex(error)).to.equal(exceeds);
      expect(describeProblem(error)).to.deep.equal({ kind: "reverted", error: "ContributionExceedsRequirement", message: `Not possible: ${EXCEEDS_WORDS}.` });
    }
  });

  it("says Error(string), a panic and an unknown selector in words, and a declined prompt calmly", () => {
    const reason = concatHex([toFunctionSelector("Error(string)"), encodeAbiParameters([{ type: "string" }], ["not today"])]);
    expect(describeProblem({ code: 3, message: "execution reverted", data: reason }).message).to.equal("Not possible: it stopped with the message “not today”.");
    const panic = concatHex([toFunctionSelector("Panic(uint256)"), encodeAbiParameters([{ type: "uint256" }], [0x11n])]);
    expect(describeProblem({ code: 3, message: "execution reverted", data: panic }).message).to.equal("Not possible: it failed an internal check (panic code 17).");
    expect(describeProblem({ code: 3, message: "execution reverted", data: "0xdeadbeef" }).message).to.equal(
      "Not possible: the contract refused it with an error this portal does not know (selector 0xdeadbeef).",
    );
    expect(describeProblem({ code: 4001, message: "User rejected the request." })).to.deep.equal({ kind: "rejected", message: "You declined in your wallet. Nothing was sent and nothing changed." });
    expect(describeProblem(new Error("socket hang up"))).to.deep.equal({ kind: "failed", message: "socket hang up" });
  });

  it("a mined revert: why (from the replayed call), that only the fee was spent, and the transaction's hash", () => {
    const tail = `Nothing changed; only the transaction's fee was spent (transaction ${HASH}).`;
    expect(describeMinedRevert(HASH, { code: 3, message: "execution reverted", data: exceeds }, false)).to.deep.equal({
      kind: "reverted",
      error: "ContributionExceedsRequirement",
      message: `Reverted on chain: ${EXCEEDS_WORDS}. ${tail}`,
    });
    expect(describeMinedRevert(HASH, null, true).message).to.equal(`Reverted on chain: it ran out of gas (the wallet's gas limit was too low). ${tail}`);
    expect(describeMinedRevert(HASH, null, false).message).to.equal(`Reverted on chain (the state it met has changed since, so the reason cannot be read again). ${tail}`);
  });
});
