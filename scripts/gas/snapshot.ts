/**
 * Gas snapshots as data, shared by `npm run bench:gas` (which measures and writes them) and the gas check
 * in `npm test` (test/gas.snapshots.test.ts, which measures again and compares): measuring every suite on
 * a fresh chain, the snapshot's JSON shape, and the comparison — a row that moved beyond the noise band
 * without the snapshot being regenerated, or a row above its target.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { suites } from "./suites";
import type { GasRow, GasSuite } from "./types";

export const SNAPSHOT_DIR = path.join(__dirname, "..", "..", "gas-snapshots");

/** A row moves "within noise" by at most this many gas … */
export const NOISE_GAS = 500;
/** … or by at most this fraction of its snapshot value, whichever band is smaller. */
export const NOISE_FRACTION = 0.01;

/** The allowed movement of a row whose snapshot value is `gas`. */
export const noiseBand = (gas: number): number => Math.min(NOISE_GAS, Math.floor(gas * NOISE_FRACTION));

/** A snapshot row in its file: the gas alone, or the gas with its target, derived figures and note. */
export interface SnapshotDetail {
  readonly gas: number;
  readonly target?: number;
  readonly marginal?: number;
  readonly marginalTarget?: number;
  readonly note?: string;
}

export type SnapshotRow = number | SnapshotDetail;

export type Snapshot = Readonly<Record<string, SnapshotRow>>;

/** The rows of every suite named (all when `names` is empty); unknown names are refused, naming the known ones. */
export function selectSuites(names: readonly string[]): GasSuite[] {
  const unknown = names.filter((name) => !suites.some((suite) => suite.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown gas suite(s): ${unknown.join(", ")}; known: ${suites.map((s) => s.name).join(", ")}`);
  }
  return suites.filter((suite) => names.length === 0 || names.includes(suite.name));
}

/**
 * Measures one suite. A fresh chain per suite: the same addresses (hence the same signed messages and
 * hash-to-G2 costs) whether the suite runs alone or after the others.
 */
export async function measureSuite(hre: HardhatRuntimeEnvironment, suite: GasSuite): Promise<GasRow[]> {
  await hre.network.provider.send("hardhat_reset");
  return suite.measure();
}

/** The snapshot file's content for measured rows. */
export function toSnapshot(rows: readonly GasRow[]): Record<string, SnapshotRow> {
  return Object.fromEntries(
    rows.map((row) => {
      const extra = row.note !== undefined || row.target !== undefined || row.marginal !== undefined;
      if (!extra) return [row.operation, Number(row.gas)];
      const value = {
        gas: Number(row.gas),
        ...(row.target !== undefined ? { target: Number(row.target) } : {}),
        ...(row.marginal !== undefined ? { marginal: Number(row.marginal) } : {}),
        ...(row.marginalTarget !== undefined ? { marginalTarget: Number(row.marginalTarget) } : {}),
        ...(row.note !== undefined ? { note: row.note } : {}),
      };
      return [row.operation, value];
    }),
  );
}

export const snapshotText = (rows: readonly GasRow[]): string => JSON.stringify(toSnapshot(rows), null, 2) + "\n";

export function readSnapshot(suite: string, dir = SNAPSHOT_DIR): Snapshot {
  return JSON.parse(readFileSync(path.join(dir, `${suite}.json`), "utf8")) as Snapshot;
}

const gasOf = (row: SnapshotRow): number => (typeof row === "number" ? row : row.gas);
const fmt = (n: number | bigint): string => n.toLocaleString("en-US");

/**
 * What is wrong with a suite's measured rows against its snapshot, one sentence per problem (empty: all
 * well): rows added or gone, rows moved beyond {@link noiseBand}, and measured rows (or their marginal
 * figures) above their targets — the target as the measurement states it, else as the snapshot does.
 */
export function compareToSnapshot(suite: string, measured: Snapshot, snapshot: Snapshot): string[] {
  const problems: string[] = [];
  const regenerate = "run `npm run bench:gas` and commit gas-snapshots/ if the change is intended";
  for (const [operation, row] of Object.entries(measured)) {
    const saved = snapshot[operation];
    const gas = gasOf(row);
    if (saved === undefined) {
      problems.push(`${suite}: "${operation}" (${fmt(gas)} gas) is not in gas-snapshots/${suite}.json; ${regenerate}`);
    } else {
      const was = gasOf(saved);
      const band = noiseBand(was);
      if (Math.abs(gas - was) > band) {
        problems.push(
          `${suite}: "${operation}" uses ${fmt(gas)} gas, the snapshot says ${fmt(was)} (${gas > was ? "+" : ""}${fmt(gas - was)}, noise band ±${fmt(band)}); ${regenerate}`,
        );
      }
    }
    const spec: Partial<SnapshotDetail> = typeof row === "number" ? {} : row;
    const savedSpec: Partial<SnapshotDetail> = saved === undefined || typeof saved === "number" ? {} : saved;
    const target = spec.target ?? savedSpec.target;
    if (target !== undefined && gas > target) {
      problems.push(
        `${suite}: "${operation}" uses ${fmt(gas)} gas, over its target of ${fmt(target)} by ${fmt(gas - target)} (snapshot: ${saved === undefined ? "none" : fmt(gasOf(saved))})`,
      );
    }
    const marginalTarget = spec.marginalTarget ?? savedSpec.marginalTarget;
    if (marginalTarget !== undefined && spec.marginal !== undefined && spec.marginal > marginalTarget) {
      problems.push(
        `${suite}: "${operation}" costs ${fmt(spec.marginal)} gas per extra item, over its target of ${fmt(marginalTarget)} (snapshot: ${savedSpec.marginal === undefined ? "none" : fmt(savedSpec.marginal)})`,
      );
    }
  }
  for (const operation of Object.keys(snapshot)) {
    if (!(operation in measured)) problems.push(`${suite}: "${operation}" is in gas-snapshots/${suite}.json but no longer measured; ${regenerate}`);
  }
  return problems;
}
