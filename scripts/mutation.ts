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
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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
}

function parseOptions(argv: readonly string[]): Options {
  let only: Set<string> | undefined;
  let list = false;
  let keep = false;
  let timeoutMs = 15 * 60_000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--only") only = new Set((argv[++i] ?? "").split(",").filter((s) => s !== ""));
    else if (arg === "--list") list = true;
    else if (arg === "--keep") keep = true;
    else if (arg === "--timeout") timeoutMs = Number(argv[++i]) * 60_000;
    else throw new Error(`mutation: unknown option ${arg} (use --only id,id | --list | --keep | --timeout <minutes>)`);
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error("mutation: --timeout needs a positive number of minutes");
  if (only !== undefined) {
    const known = new Set(MUTANTS.map((m) => m.id));
    const unknown = [...only].filter((id) => !known.has(id));
    if (unknown.length > 0) throw new Error(`mutation: no mutant named ${unknown.join(", ")} (see scripts/mutation/mutants.ts)`);
  }
  return { only, list, keep, timeoutMs };
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

function makeCopy(): string {
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
  return dir;
}

let child: ChildProcess | undefined;
/** What to put back if the run is interrupted while a mutant is in place. */
let pendingRestore: { file: string; text: string } | undefined;
let workDir: string | undefined;
let keepWorkDir = false;

function cleanUp(): void {
  if (pendingRestore !== undefined) {
    writeFileSync(pendingRestore.file, pendingRestore.text);
    pendingRestore = undefined;
  }
  if (workDir !== undefined && !keepWorkDir) rmSync(workDir, { recursive: true, force: true });
}

function onSignal(signal: NodeJS.Signals): void {
  if (child?.pid !== undefined) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  cleanUp();
  console.error(`\nmutation: interrupted (${signal}); the planted bug was removed${keepWorkDir ? "" : " and the temporary copy deleted"}`);
  process.exit(130);
}

/** Runs the covering tests of a mutant in `dir`; resolves with exit code (null on timeout) and output. */
function runTests(dir: string, tests: readonly string[], grep: string | undefined, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const args = ["hardhat", "test", "--bail", ...(grep === undefined ? [] : ["--grep", grep]), ...tests];
    child = spawn("npx", args, {
      cwd: dir,
      detached: true, // its own process group, so a timeout or Ctrl-C stops Hardhat and its workers
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child?.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      child = undefined;
      resolve({ code: timedOut ? null : code, output });
    });
  });
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
  return /HH600|Compilation failed|CompilerError|DeclarationError|TypeError: .*\.sol/.test(output);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  keepWorkDir = options.keep;
  const chosen = MUTANTS.filter((m) => options.only === undefined || options.only.has(m.id));
  const ids = new Set<string>();
  for (const m of MUTANTS) {
    if (ids.has(m.id)) throw new Error(`mutation: two mutants are named ${m.id}`);
    ids.add(m.id);
  }

  // Texts are checked in the repository itself first: stale mutants are reported even with --list.
  const outcomes: Outcome[] = [];
  const runnable: Mutant[] = [];
  for (const m of chosen) {
    const located = locate(m, readFileSync(path.join(ROOT, m.file), "utf8"));
    if ("problem" in located) outcomes.push({ id: m.id, file: m.file, status: "stale", seconds: 0, detail: located.problem });
    else runnable.push(m);
  }
  console.log(`mutation: ${chosen.length} mutants (${runnable.length} runnable, ${chosen.length - runnable.length} stale)`);
  for (const o of outcomes) console.log(`  STALE   ${o.id}: ${o.detail}`);
  if (options.list) {
    for (const m of runnable) console.log(`  ok      ${m.id}  ${m.file}  → ${m.tests.join(" ")}`);
    process.exitCode = outcomes.length > 0 ? 1 : 0;
    return;
  }

  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const started = Date.now();
  workDir = makeCopy();
  console.log(`mutation: working in ${workDir}`);

  // Group by file (stable), so each file is restored and recompiled once per group.
  const order = [...runnable].sort((a, b) => a.file.localeCompare(b.file));
  const allTests = [...new Set(order.flatMap((m) => m.tests))].sort();
  console.log(`mutation: baseline — the covering tests must pass unmutated (${allTests.join(" ")})`);
  const baseline = await runTests(workDir, allTests, undefined, options.timeoutMs * 2);
  if (baseline.code !== 0) {
    console.error(baseline.output.split("\n").slice(-60).join("\n"));
    throw new Error("mutation: the covering tests fail without any mutant; fix them first");
  }

  for (const [n, m] of order.entries()) {
    const file = path.join(workDir, m.file);
    const original = readFileSync(file, "utf8");
    const located = locate(m, original);
    if ("problem" in located) throw new Error(`mutation: ${m.id}: ${located.problem} (in the copy)`);
    const t0 = Date.now();
    let outcome: Outcome;
    pendingRestore = { file, text: original };
    try {
      writeFileSync(file, mutate(m, original, located.index));
      const { code, output } = await runTests(workDir, m.tests, m.grep, options.timeoutMs);
      const seconds = Math.round((Date.now() - t0) / 1000);
      if (code === null) outcome = { id: m.id, file: m.file, status: "timeout", seconds };
      else if (code === 0) outcome = { id: m.id, file: m.file, status: "survived", seconds };
      else if (isCompileError(output) && !/passing|failing/.test(output)) outcome = { id: m.id, file: m.file, status: "invalid", seconds, detail: "does not compile" };
      else outcome = { id: m.id, file: m.file, status: "killed", seconds, detail: firstFailure(output) };
    } finally {
      writeFileSync(file, original);
      pendingRestore = undefined;
    }
    outcomes.push(outcome);
    const tag = outcome.status.toUpperCase().padEnd(8);
    console.log(`  [${String(n + 1).padStart(2)}/${order.length}] ${tag} ${m.id} (${outcome.seconds} s)${outcome.detail ? ` — ${outcome.detail}` : ""}`);
  }

  const count = (s: Status) => outcomes.filter((o) => o.status === s).length;
  const killed = count("killed") + count("timeout");
  const scored = killed + count("survived");
  const score = scored === 0 ? 0 : killed / scored;
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`\nmutation score: ${killed}/${scored} killed (${(score * 100).toFixed(1)} %), ${count("stale")} stale, ${count("invalid")} invalid, ${minutes} min`);
  const survivors = outcomes.filter((o) => o.status === "survived");
  if (survivors.length > 0) console.log(`survivors:\n${survivors.map((o) => `  ${o.id} (${o.file})`).join("\n")}`);

  if (options.only === undefined) {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString().trim();
    const snapshot = {
      command: "npm run mutation",
      commit,
      mutants: outcomes.length,
      killed,
      survived: count("survived"),
      stale: count("stale"),
      invalid: count("invalid"),
      score: Number(score.toFixed(4)),
      minutes: Number(minutes),
      survivors: survivors.map((o) => o.id),
      results: [...outcomes].sort((a, b) => a.id.localeCompare(b.id)),
    };
    writeFileSync(SNAPSHOT, JSON.stringify(snapshot, null, 2) + "\n");
    console.log(`snapshot written: ${path.relative(ROOT, SNAPSHOT)}`);
  }
  process.exitCode = survivors.length > 0 || count("stale") > 0 || count("invalid") > 0 ? 1 : 0;
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(cleanUp);
