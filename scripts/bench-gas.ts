/**
 * `npm run bench:gas [-- suite…]`: measures every gas suite on Hardhat's in-process network (prague),
 * prints a table per suite and rewrites `gas-snapshots/<suite>.json`. Snapshots are only ever written by
 * this script; compare them in review with `git diff gas-snapshots/`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { GasRow, GasSuite } from "./gas/types";
import { suites } from "./gas/suites";

function formatTable(suite: string, rows: GasRow[]): string {
  const width = Math.max(9, ...rows.map((row) => row.operation.length));
  const lines = [`\n${suite}`, `${"operation".padEnd(width)}  ${"gas".padStart(10)}  note`];
  lines.push(`${"-".repeat(width)}  ${"-".repeat(10)}  ----`);
  for (const row of rows) {
    lines.push(`${row.operation.padEnd(width)}  ${row.gas.toLocaleString("en-US").padStart(10)}  ${row.note ?? ""}`);
  }
  return lines.join("\n");
}

async function runSuite(suite: GasSuite, outDir: string): Promise<void> {
  // A fresh chain per suite: the same addresses (hence the same signed messages and hash-to-G2 costs) whether
  // the suite runs alone or after the others.
  await hre.network.provider.send("hardhat_reset");
  const rows = await suite.measure();
  console.log(formatTable(suite.name, rows));
  const snapshot = Object.fromEntries(
    rows.map((row) => [row.operation, row.note ? { gas: Number(row.gas), note: row.note } : Number(row.gas)]),
  );
  writeFileSync(path.join(outDir, `${suite.name}.json`), JSON.stringify(snapshot, null, 2) + "\n");
}

async function main(): Promise<void> {
  const wanted = (process.env.BENCH_SUITES ?? "").split(",").filter(Boolean);
  const unknown = wanted.filter((name) => !suites.some((suite) => suite.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown gas suite(s): ${unknown.join(", ")}; known: ${suites.map((s) => s.name).join(", ")}`);
  }
  const outDir = path.join(__dirname, "..", "gas-snapshots");
  mkdirSync(outDir, { recursive: true });
  for (const suite of suites) {
    if (wanted.length === 0 || wanted.includes(suite.name)) await runSuite(suite, outDir);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
