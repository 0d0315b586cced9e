/**
 * `hardhat run scripts/gas-measure.ts`: measures the gas suites exactly as `npm run bench:gas` does (the
 * same code, scripts/gas/snapshot.ts) but writes nothing under gas-snapshots/: the measured rows, in the
 * snapshot's shape, go to the JSON file named by GAS_MEASURE_OUT as `{ "<suite>": { "<row>": … } }`.
 * Run in a process of its own by test/gas.snapshots.test.ts: each suite starts from a fresh chain
 * (hardhat_reset), which the test process's own chain must not see (other files' fixtures live there).
 * Env: GAS_MEASURE_OUT (required), BENCH_SUITES (comma-separated; default all).
 */
import { writeFileSync } from "node:fs";
import hre from "hardhat";
import { measureSuite, selectSuites, toSnapshot, type Snapshot } from "./gas/snapshot";

async function main(): Promise<void> {
  const out = process.env.GAS_MEASURE_OUT;
  if (!out) throw new Error("gas-measure: set GAS_MEASURE_OUT to the JSON file the measured rows go to");
  const measured: Record<string, Snapshot> = {};
  for (const suite of selectSuites((process.env.BENCH_SUITES ?? "").split(",").filter(Boolean))) {
    const started = Date.now();
    measured[suite.name] = toSnapshot(await measureSuite(hre, suite));
    process.stderr.write(`[gas-measure] ${suite.name}: ${Object.keys(measured[suite.name]).length} rows in ${Date.now() - started} ms\n`);
  }
  writeFileSync(out, JSON.stringify(measured, null, 2) + "\n");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
