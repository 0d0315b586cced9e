/**
 * Gas is checked, not only written: every row of gas-snapshots/*.json is measured again (by the code
 * `npm run bench:gas` measures with, in a process of its own: each suite needs a fresh chain) and must
 * sit within its noise band of the snapshot, and at or below its target where it has one.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { compareToSnapshot, noiseBand, readSnapshot, type Snapshot } from "../../scripts/gas/snapshot";
import { suites } from "../../scripts/gas/suites";

const ROOT = path.join(__dirname, "..", "..");

describe("gas snapshots: checked, not only written", function () {
  describe("the comparison", function () {
    const snapshot: Snapshot = {
      plain: 100_000,
      targeted: { gas: 440_000, target: 450_000, note: "n" },
      marginal: { gas: 300_000, marginal: 2_990, marginalTarget: 3_000 },
    };

    it("accepts rows within the noise band (±500 gas, or ±1 % of a small row)", function () {
      expect(noiseBand(100_000)).to.equal(500);
      expect(noiseBand(26_000)).to.equal(260);
      const measured: Snapshot = { plain: 100_500, targeted: { gas: 439_600, target: 450_000 }, marginal: { gas: 300_000, marginal: 2_999, marginalTarget: 3_000 } };
      expect(compareToSnapshot("s", measured, snapshot)).to.deep.equal([]);
    });

    it("fails a row that moved beyond the band without the snapshot being regenerated, naming both values", function () {
      const measured: Snapshot = { ...snapshot, plain: 100_501 };
      expect(compareToSnapshot("s", measured, snapshot)).to.deep.equal([
        's: "plain" uses 100,501 gas, the snapshot says 100,000 (+501, noise band ±500); run `npm run bench:gas` and commit gas-snapshots/ if the change is intended',
      ]);
    });

    it("fails a row over its target, naming the row, its gas, the target and the snapshot value", function () {
      const over: Snapshot = { ...snapshot, targeted: { gas: 450_300, target: 450_000 } };
      expect(compareToSnapshot("s", over, { ...snapshot, targeted: { gas: 450_100, target: 450_000 } })).to.deep.equal([
        's: "targeted" uses 450,300 gas, over its target of 450,000 by 300 (snapshot: 450,100)',
      ]);
      // A regenerated snapshot does not excuse a row over its target (the target is the snapshot's when the
      // measurement states none).
      expect(compareToSnapshot("s", { ...snapshot, targeted: 450_001 }, { ...snapshot, targeted: { gas: 450_001, target: 450_000 } })).to.deep.equal([
        's: "targeted" uses 450,001 gas, over its target of 450,000 by 1 (snapshot: 450,001)',
      ]);
    });

    it("fails a marginal figure over its target, and rows added to or gone from the measurement", function () {
      const measured: Snapshot = { targeted: snapshot.targeted, marginal: { gas: 300_000, marginal: 3_001, marginalTarget: 3_000 }, added: 1 };
      expect(compareToSnapshot("s", measured, snapshot)).to.deep.equal([
        's: "marginal" costs 3,001 gas per extra item, over its target of 3,000 (snapshot: 2,990)',
        's: "added" (1 gas) is not in gas-snapshots/s.json; run `npm run bench:gas` and commit gas-snapshots/ if the change is intended',
        's: "plain" is in gas-snapshots/s.json but no longer measured; run `npm run bench:gas` and commit gas-snapshots/ if the change is intended',
      ]);
    });
  });

  it("every suite re-measured: within noise of its snapshot and within its targets", async function () {
    this.timeout(15 * 60_000);
    const dir = mkdtempSync(path.join(tmpdir(), "gas-check-"));
    const out = path.join(dir, "measured.json");
    try {
      await new Promise<void>((resolve, reject) => {
        execFile(
          process.execPath,
          [require.resolve("hardhat/internal/cli/bootstrap.js"), "run", "--no-compile", "scripts/gas-measure.ts"],
          { cwd: ROOT, env: { ...process.env, GAS_MEASURE_OUT: out }, maxBuffer: 64 * 1024 * 1024 },
          (error, _stdout, stderr) => (error ? reject(new Error(`scripts/gas-measure.ts failed: ${error.message}\n${stderr}`)) : resolve()),
        );
      });
      const measured = JSON.parse(readFileSync(out, "utf8")) as Record<string, Snapshot>;
      expect(Object.keys(measured)).to.deep.equal(suites.map((s) => s.name));
      const problems = suites.flatMap((s) => compareToSnapshot(s.name, measured[s.name], readSnapshot(s.name)));
      expect(problems, problems.join("\n")).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
