/**
 * `npm run mutation` — a small mutation check (issue 21, not part of `npm test`).
 *
 * Copies the repository's files (tracked and untracked-but-not-ignored) into a temporary directory with
 * node_modules linked, checks that the covering tests pass there unmutated, then plants each bug of
 * scripts/mutation/mutants.ts one at a time — found by its exact original TEXT, never a line number — runs the
 * mutant's covering tests (`hardhat test --bail`, which recompiles first) and puts the original text back
 * (try/finally; SIGINT/SIGTERM also restore, stop the test run and remove the copy). Mutants are run grouped by
 * file so that a file is recompiled once per mutant, not twice.
 *
 * A mutant is killed when its tests fail, survives when they pass, is "invalid" when it does not compile and
 * "stale" when its original text is no longer in the file (reported, never skipped silently). Prints the score
 * and the survivors; a full run writes bench-snapshots/mutation.json.
 *
 * Options: --only id,id  (run only these; no snapshot)   --list  (check texts, run nothing)   --keep  (keep
 * the temporary copy)   --timeout <minutes per mutant, default 15>
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MUTANTS, type Mutant } from "./mutation/mutants";

const ROOT = path.resolve(__dirname, "..");
const SNAPSHOT = path.join(ROOT, "bench-snapshots", "mutation.json");

type Status = "killed" | "survived" | "timeout" | "invalid" | "stale";

interface Outcome {
  readonly id: string;
  readonly file: string;
  readonly status: Status;
  readonly seconds: number;
  /** First failing test (killed), or why the mutant could not run (stale, invalid). */
  readonly detail?: string;
}

interface Options {
  readonly only?: ReadonlySet<string>;
  readonly list: boolean;
  readonly keep: boolean;
  readonly timeoutMs: number;
  /** Parallel copies (each runs whole file groups). */
  readonly jobs: number;
  /** Compile with the project's optimizer settings instead of the fast unoptimized build. */
  readonly optimized: boolean;
  /** With --only: replace these mutants' results in the existing snapshot (e.g. survivors after a test fix). */
  readonly updateSnapshot: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  let only: Set<string> | undefined;
  let list = false;
  let keep = false;
  let timeoutMs = 15 * 60_000;
  let jobs = 1;
  let optimized = false;
  let updateSnapshot = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--update-snapshot") {
      updateSnapshot = true;
      continue;
    }
    if (arg === "--jobs") {
      jobs = Number(argv[++i]);
      continue;
    }
    if (arg === "--optimized") {
      optimized = true;
      continue;
    }
    if (arg === "--only") only = new Set((argv[++i] ?? "").split(",").filter((s) => s !== ""));
    else if (arg === "--list") list = true;
    else if (arg === "--keep") keep = true;
    else if (arg === "--timeout") timeoutMs = Number(argv[++i]) * 60_000;
    else throw new Error(`mutation: unknown option ${arg} (use --only id,id [--update-snapshot] | --list | --keep | --timeout <minutes> | --jobs <n> | --optimized)`);
  }
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error("mutation: --jobs needs a positive integer");
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error("mutation: --timeout needs a positive number of minutes");
  if (only !== undefined) {
    const known = new Set(MUTANTS.map((m) => m.id));
    const unknown = [...only].filter((id) => !known.has(id));
    if (unknown.length > 0) throw new Error(`mutation: no mutant named ${unknown.join(", ")} (see scripts/mutation/mutants.ts)`);
  }
  if (updateSnapshot && only === undefined) throw new Error("mutation: --update-snapshot goes with --only (a full run always writes the snapshot)");
  return { only, list, keep, timeoutMs, jobs, optimized, updateSnapshot };
}

/** Index of the chosen occurrence of `m.original` in `text`, or why it cannot be used. */
function locate(m: Mutant, text: string): { index: number } | { problem: string } {
  const positions: number[] = [];
  for (let at = text.indexOf(m.original); at !== -1; at = text.indexOf(m.original, at + 1)) positions.push(at);
  if (positions.length === 0) return { problem: `original text not found in ${m.file}` };
  if (m.occurrence === undefined && positions.length > 1) {
    return { problem: `original text occurs ${positions.length} times in ${m.file}: give an occurrence or more text` };
  }
  const index = positions[(m.occurrence ?? 1) - 1];
  if (index === undefined) return { problem: `occurrence ${m.occurrence} asked, the text occurs ${positions.length} times in ${m.file}` };
  return { index };
}

function mutate(m: Mutant, text: string, index: number): string {
  return text.slice(0, index) + m.mutated + text.slice(index + m.original.length);
}

/** The repository's files as git sees them (tracked, and untracked but not ignored), relative to ROOT. */
function repositoryFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT });
  return out.toString("utf8").split("\0").filter((f) => f !== "" && f !== "node_modules");
}

/** A copy of the repository in a temporary directory, node_modules linked, compiled output reused. */
function makeCopy(optimized: boolean): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mutation-"));
  for (const file of repositoryFiles()) {
    const source = path.join(ROOT, file);
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    try {
      copyFileSync(source, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error; // deleted but not yet committed
    }
  }
  symlinkSync(realpathSync(path.join(ROOT, "node_modules")), path.join(dir, "node_modules"), "dir");
  if (optimized) reuseBuild(ROOT, dir);
  else writeFileSync(path.join(dir, FAST_CONFIG), FAST_CONFIG_SOURCE);
  return dir;
}

/**
 * Copies the compiled output (artifacts, Hardhat's cache, typechain types) of `from` into `to`, with the cache's
 * absolute source paths moved, so the copy starts compiled: only mutated files are recompiled there. With a
 * stale or missing build Hardhat simply compiles what differs.
 */
function reuseBuild(from: string, to: string): void {
  for (const output of ["artifacts", "cache", "typechain-types"]) {
    const source = path.join(from, output);
    if (existsSync(source)) cpSync(source, path.join(to, output), { recursive: true });
  }
  const cacheFile = path.join(to, "cache", "solidity-files-cache.json");
  if (!existsSync(cacheFile)) return;
  const cache = JSON.parse(readFileSync(cacheFile, "utf8")) as { files: Record<string, unknown> };
  const files: Record<string, unknown> = {};
  const prefix = from + path.sep;
  for (const [absolute, entry] of Object.entries(cache.files)) {
    if (absolute.startsWith(prefix)) files[path.join(to, absolute.slice(prefix.length))] = entry;
  }
  writeFileSync(cacheFile, JSON.stringify({ ...cache, files }, null, 2));
}

/**
 * The fast build used by default: the project's config with the optimizer off (a mutant's behaviour does not
 * depend on it, and solc compiles several times faster) and no contract size limit (unoptimized code is larger).
 */
const FAST_CONFIG = "hardhat.mutation.config.ts";
const FAST_CONFIG_SOURCE = `// Written by scripts/mutation.ts into its temporary copy only.
import base from "./hardhat.config";
import type { HardhatUserConfig, SolcUserConfig } from "hardhat/types";

const fast = (c: SolcUserConfig): SolcUserConfig => ({ ...c, settings: { ...c.settings, optimizer: { enabled: false } } });
const solidity = base.solidity as { compilers: SolcUserConfig[]; overrides?: Record<string, SolcUserConfig> };
const config: HardhatUserConfig = {
  ...base,
  solidity: {
    compilers: solidity.compilers.map(fast),
    overrides: Object.fromEntries(Object.entries(solidity.overrides ?? {}).map(([file, c]) => [file, fast(c)])),
  },
  networks: { ...base.networks, hardhat: { ...(base.networks?.hardhat ?? {}), allowUnlimitedContractSize: true } },
};
export default config;
`;

const children = new Set<ChildProcess>();
/** What to put back, per copy, if the run is interrupted while a mutant is in place. */
const pendingRestores = new Map<string, string>();
const workDirs: string[] = [];
let keepWorkDirs = false;

function cleanUp(): void {
  for (const [file, text] of pendingRestores) writeFileSync(file, text);
  pendingRestores.clear();
  if (!keepWorkDirs) for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
}

function onSignal(signal: NodeJS.Signals): void {
  for (const c of children) {
    if (c.pid === undefined) continue;
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  cleanUp();
  console.error(`\nmutation: interrupted (${signal}); planted bugs removed${keepWorkDirs ? "" : ", temporary copies deleted"}`);
  process.exit(130);
}

/** Runs Hardhat in `dir`; resolves with the exit code (null on timeout) and the output. */
function runHardhat(dir: string, args: readonly string[], optimized: boolean, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const config = optimized ? [] : ["--config", FAST_CONFIG];
    const child = spawn("npx", ["hardhat", ...config, ...args], {
      cwd: dir,
      detached: true, // its own process group, so a timeout or Ctrl-C stops Hardhat and its workers
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code: timedOut ? null : code, output });
    });
  });
}

function testArgs(tests: readonly string[], grep: string | undefined): string[] {
  return ["test", "--bail", ...(grep === undefined ? [] : ["--grep", grep]), ...tests];
}

function firstFailure(output: string): string | undefined {
  const match = /^\s+1\) (.+)$/m.exec(output);
  if (match === null) return undefined;
  // mocha prints "1) suite" then the nested titles on the next lines, ending with the test's title and ":".
  const after = output.slice(match.index).split("\n").slice(0, 6).map((l) => l.trim()).filter((l) => l !== "");
  const title = after.find((l) => l.endsWith(":"));
  return (title ?? match[1]).replace(/:$/, "");
}

function isCompileError(output: string): boolean {
  return /HH600|Compilation failed|CompilerError|DeclarationError|ParserError/.test(output);
}

/** Plants `m` in `dir`, runs its tests, restores the file. */
async function runMutant(dir: string, m: Mutant, options: Options): Promise<Outcome> {
  const file = path.join(dir, m.file);
  const original = readFileSync(file, "utf8");
  const located = locate(m, original);
  if ("problem" in located) return { id: m.id, file: m.file, status: "stale", seconds: 0, detail: `${located.problem} (in the copy)` };
  const t0 = Date.now();
  pendingRestores.set(file, original);
  try {
    writeFileSync(file, mutate(m, original, located.index));
    const { code, output } = await runHardhat(dir, testArgs(m.tests, m.grep), options.optimized, options.timeoutMs);
    const seconds = Math.round((Date.now() - t0) / 1000);
    if (code === null) return { id: m.id, file: m.file, status: "timeout", seconds };
    if (code === 0) return { id: m.id, file: m.file, status: "survived", seconds };
    if (isCompileError(output) && !/passing|failing/.test(output)) return { id: m.id, file: m.file, status: "invalid", seconds, detail: "does not compile" };
    return { id: m.id, file: m.file, status: "killed", seconds, detail: firstFailure(output) };
  } finally {
    writeFileSync(file, original);
    pendingRestores.delete(file);
  }
}

/**
 * Splits the mutants, sorted by file, into `jobs` contiguous slices of about equal estimated cost (the registry,
 * the largest compile, counts double), so each copy recompiles a file once per mutant and the copies finish
 * together.
 */
function schedule(mutants: readonly Mutant[], jobs: number): Mutant[][] {
  const sorted = [...mutants].sort((a, b) => a.file.localeCompare(b.file));
  const cost = (m: Mutant) => (m.file.includes("ServiceNodeRewards") ? 2 : 1);
  const total = sorted.reduce((sum, m) => sum + cost(m), 0);
  const queues: Mutant[][] = [[]];
  let spent = 0;
  for (const m of sorted) {
    const current = queues[queues.length - 1];
    if (current.length > 0 && spent >= (total * queues.length) / jobs && queues.length < jobs) queues.push([]);
    queues[queues.length - 1].push(m);
    spent += cost(m);
  }
  return queues;
}

interface Rerun {
  readonly commit: string;
  readonly ids: readonly string[];
}

function headCommit(): string {
  return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString().trim();
}

/** Replaces the rerun mutants' results in the committed snapshot and records the rerun. */
function updateSnapshot(rerun: readonly Outcome[]): void {
  const existing = JSON.parse(readFileSync(SNAPSHOT, "utf8")) as {
    commit: string;
    build: string;
    mutants: number;
    minutes: number;
    results: Outcome[];
    reruns?: Rerun[];
  };
  const byId = new Map(existing.results.map((o) => [o.id, o]));
  for (const o of rerun) byId.set(o.id, o);
  const reruns = [...(existing.reruns ?? []), { commit: headCommit(), ids: rerun.map((o) => o.id) }];
  writeSnapshot([...byId.values()], existing.mutants, existing.minutes, existing.build.startsWith("project"), { commit: existing.commit, reruns });
}

function writeSnapshot(
  outcomes: readonly Outcome[],
  planned: number,
  minutes: number,
  optimized: boolean,
  history: { commit: string; reruns: readonly Rerun[] } = { commit: headCommit(), reruns: [] },
): void {
  const count = (s: Status) => outcomes.filter((o) => o.status === s).length;
  const killed = count("killed") + count("timeout");
  const scored = killed + count("survived");
  const snapshot = {
    command: "npm run mutation",
    commit: history.commit,
    build: optimized ? "project optimizer settings" : "optimizer off (fast build)",
    complete: outcomes.length === planned,
    mutants: planned,
    killed,
    survived: count("survived"),
    stale: count("stale"),
    invalid: count("invalid"),
    score: scored === 0 ? 0 : Number((killed / scored).toFixed(4)),
    minutes,
    survivors: outcomes.filter((o) => o.status === "survived").map((o) => o.id),
    results: [...outcomes].sort((a, b) => a.id.localeCompare(b.id)),
    ...(history.reruns.length > 0 ? { reruns: history.reruns } : {}),
  };
  writeFileSync(SNAPSHOT, JSON.stringify(snapshot, null, 2) + "\n");
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  keepWorkDirs = options.keep;
  const ids = new Set<string>();
  for (const m of MUTANTS) {
    if (ids.has(m.id)) throw new Error(`mutation: two mutants are named ${m.id}`);
    ids.add(m.id);
  }
  const chosen = MUTANTS.filter((m) => options.only === undefined || options.only.has(m.id));
  // The code under test is the one copied now; HEAD may move while a long run goes on.
  const startCommit = headCommit();

  // Texts are checked in the repository itself first: stale mutants are reported even with --list.
  const outcomes: Outcome[] = [];
  const runnable: Mutant[] = [];
  for (const m of chosen) {
    const located = locate(m, readFileSync(path.join(ROOT, m.file), "utf8"));
    if ("problem" in located) outcomes.push({ id: m.id, file: m.file, status: "stale", seconds: 0, detail: located.problem });
    else runnable.push(m);
  }
  console.log(`mutation: ${chosen.length} mutants (${runnable.length} runnable, ${chosen.length - runnable.length} stale)`);
  for (const o of outcomes) console.log(`  STALE    ${o.id}: ${o.detail}`);
  if (options.list) {
    for (const m of runnable) console.log(`  ok       ${m.id}  ${m.file}  → ${m.tests.join(" ")}`);
    process.exitCode = outcomes.length > 0 ? 1 : 0;
    return;
  }

  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const started = Date.now();
  const minutes = () => Number(((Date.now() - started) / 60_000).toFixed(1));
  const full = options.only === undefined;
  const queues = schedule(runnable, options.jobs);

  // One copy compiles and passes the covering tests unmutated; the other copies start from its build.
  const first = makeCopy(options.optimized);
  workDirs.push(first);
  const allTests = [...new Set(runnable.flatMap((m) => m.tests))].sort();
  console.log(`mutation: ${options.optimized ? "optimized" : "fast (optimizer off)"} build, ${queues.length} cop${queues.length === 1 ? "y" : "ies"}; baseline in ${first}: ${allTests.join(" ")}`);
  const baseline = await runHardhat(first, testArgs(allTests, undefined), options.optimized, options.timeoutMs * 2);
  if (baseline.code !== 0) {
    console.error(baseline.output.split("\n").slice(-60).join("\n"));
    throw new Error("mutation: the covering tests fail without any mutant; fix them first");
  }
  // Clones of the first copy (its files, not the repository's, which may have changed since): same sources,
  // same build, so the baseline holds for them too.
  for (let i = 1; i < queues.length; i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mutation-"));
    workDirs.push(dir);
    cpSync(first, dir, { recursive: true, filter: (source) => path.basename(source) !== "node_modules" });
    symlinkSync(realpathSync(path.join(ROOT, "node_modules")), path.join(dir, "node_modules"), "dir");
    reuseBuild(first, dir);
  }

  let done = 0;
  await Promise.all(
    queues.map(async (queue, worker) => {
      for (const m of queue) {
        const outcome = await runMutant(workDirs[worker], m, options);
        outcomes.push(outcome);
        done += 1;
        const tag = outcome.status.toUpperCase().padEnd(8);
        console.log(`  [${String(done).padStart(2)}/${runnable.length}] ${tag} ${m.id} (${outcome.seconds} s)${outcome.detail ? ` — ${outcome.detail}` : ""}`);
        if (full) writeSnapshot(outcomes, chosen.length, minutes(), options.optimized, { commit: startCommit, reruns: [] });
      }
    }),
  );

  const count = (s: Status) => outcomes.filter((o) => o.status === s).length;
  const killed = count("killed") + count("timeout");
  const scored = killed + count("survived");
  console.log(
    `\nmutation score: ${killed}/${scored} killed (${scored === 0 ? "0.0" : ((killed / scored) * 100).toFixed(1)} %), ` +
      `${count("stale")} stale, ${count("invalid")} invalid, ${minutes()} min`,
  );
  const survivors = outcomes.filter((o) => o.status === "survived");
  if (survivors.length > 0) console.log(`survivors:\n${survivors.map((o) => `  ${o.id} (${o.file})`).join("\n")}`);
  if (full) {
    writeSnapshot(outcomes, chosen.length, minutes(), options.optimized, { commit: startCommit, reruns: [] });
    console.log(`snapshot written: ${path.relative(ROOT, SNAPSHOT)}`);
  } else if (options.updateSnapshot) {
    updateSnapshot(outcomes);
    console.log(`snapshot updated with ${outcomes.length} rerun mutant(s): ${path.relative(ROOT, SNAPSHOT)}`);
  }
  process.exitCode = survivors.length > 0 || count("stale") > 0 || count("invalid") > 0 ? 1 : 0;
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(cleanUp);
