/**
 * `npm run bench:gas [-- suite…]`: measures every gas suite on Hardhat's in-process network (prague),
 * prints a table per suite and rewrites `gas-snapshots/<suite>.json`; then prints the deployed code size of
 * every production contract against the 24,576-byte limit (EIP-170) and rewrites
 * `gas-snapshots/contractSizes.json`. Snapshots are only ever written by this script; compare them in review
 * with `git diff gas-snapshots/`. A row's `target` (the most gas it may use) is data in its snapshot; `npm test`
 * measures every row again (test/gas.snapshots.test.ts, through scripts/gas-measure.ts) and fails when one
 * moved beyond its noise band without the snapshot being regenerated, or exceeds its target.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { GasRow, GasSuite } from "./gas/types";
import { SNAPSHOT_DIR, measureSuite, selectSuites, snapshotText } from "./gas/snapshot";

function formatTable(suite: string, rows: GasRow[]): string {
  const width = Math.max(9, ...rows.map((row) => row.operation.length));
  const lines = [`\n${suite}`, `${"operation".padEnd(width)}  ${"gas".padStart(10)}  ${"target".padStart(10)}  note`];
  lines.push(`${"-".repeat(width)}  ${"-".repeat(10)}  ${"-".repeat(10)}  ----`);
  for (const row of rows) {
    const target = row.target !== undefined ? `≤ ${row.target.toLocaleString("en-US")}` : "";
    const marginal = row.marginalTarget !== undefined && row.marginal !== undefined ? `marginal ${row.marginal.toLocaleString("en-US")} (target ≤ ${row.marginalTarget.toLocaleString("en-US")}); ` : "";
    lines.push(`${row.operation.padEnd(width)}  ${row.gas.toLocaleString("en-US").padStart(10)}  ${target.padStart(10)}  ${marginal}${row.note ?? ""}`);
  }
  return lines.join("\n");
}

async function runSuite(suite: GasSuite, outDir: string): Promise<void> {
  const rows = await measureSuite(hre, suite);
  console.log(formatTable(suite.name, rows));
  writeFileSync(path.join(outDir, `${suite.name}.json`), snapshotText(rows));
}

/** EIP-170: the largest deployed code a contract may have. */
const CODE_SIZE_LIMIT = 24_576;

/** Deployed code sizes of the production contracts (not contracts/test), largest first. */
async function contractSizes(outDir: string): Promise<void> {
  const names = await hre.artifacts.getAllFullyQualifiedNames();
  const rows: { name: string; size: number }[] = [];
  for (const name of names) {
    if (!name.startsWith("contracts/") || name.startsWith("contracts/test/")) continue;
    const artifact = await hre.artifacts.readArtifact(name);
    const size = (artifact.deployedBytecode.length - 2) / 2;
    if (size > 0) rows.push({ name: artifact.contractName, size });
  }
  rows.sort((a, b) => b.size - a.size);
  const width = Math.max(8, ...rows.map((r) => r.name.length));
  const lines = ["\ncontract sizes (deployed code, EIP-170 limit 24,576 bytes)", `${"contract".padEnd(width)}  ${"bytes".padStart(7)}  ${"headroom".padStart(8)}`];
  lines.push(`${"-".repeat(width)}  ${"-".repeat(7)}  ${"-".repeat(8)}`);
  for (const r of rows) {
    lines.push(`${r.name.padEnd(width)}  ${r.size.toLocaleString("en-US").padStart(7)}  ${(CODE_SIZE_LIMIT - r.size).toLocaleString("en-US").padStart(8)}`);
  }
  console.log(lines.join("\n"));
  const snapshot = Object.fromEntries(rows.map((r) => [r.name, { bytes: r.size, headroom: CODE_SIZE_LIMIT - r.size }]));
  writeFileSync(path.join(outDir, "contractSizes.json"), JSON.stringify(snapshot, null, 2) + "\n");
}

async function main(): Promise<void> {
  const wanted = (process.env.BENCH_SUITES ?? "").split(",").filter(Boolean);
  const chosen = selectSuites(wanted);
  const outDir = SNAPSHOT_DIR;
  mkdirSync(outDir, { recursive: true });
  for (const suite of chosen) await runSuite(suite, outDir);
  await contractSizes(outDir);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
