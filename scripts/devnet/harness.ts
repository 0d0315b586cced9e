/**
 * For tests and tools: runs `npm start`'s entry point (scripts/start.ts) as a child process, waits for
 * `ready`, reads the URLs from its status table, lists its process tree, and drives tasks through
 * scripts/devnet/taskRunner.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, RESULT_PREFIX, ROOT, TS_NODE } from "./services";

export interface RunningDevnet {
  readonly child: ChildProcess;
  readonly port: number;
  readonly rpcUrl: string;
  readonly trackerUrl: string;
  readonly aggregatorUrl: string;
  readonly openPools: readonly string[];
  readonly deploymentsDir: string;
  /** The devnet's address book (localhost-<port>.json in deploymentsDir). */
  readonly bookFile: string;
  readonly readySeconds: number;
  output(): string;
  /** SIGINT; resolves with the exit code and signal. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every descendant of `pid` (children, their children, …) from /proc. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number): void => {
    const taskDir = `/proc/${p}/task`;
    if (!existsSync(taskDir)) return;
    for (const tid of readdirSync(taskDir)) {
      let text = "";
      try {
        text = readFileSync(path.join(taskDir, tid, "children"), "utf8");
      } catch {
        continue;
      }
      for (const c of text.split(/\s+/).filter(Boolean).map(Number)) {
        if (!out.includes(c)) {
          out.push(c);
          visit(c);
        }
      }
    }
  };
  visit(pid);
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** Free ports for every service `npm start` opens (tests must never use the fixed defaults). */
export async function freeStartPorts(): Promise<{ port: number; args: string[] }> {
  const port = await freePort();
  let tracker = await freePort();
  while (tracker === port) tracker = await freePort();
  let aggregator = await freePort();
  while (aggregator === port || aggregator === tracker) aggregator = await freePort();
  return { port, args: ["--port", String(port), "--tracker-port", String(tracker), "--aggregator-port", String(aggregator)] };
}

export async function startDevnet(timeoutMs = 400_000, extraArgs: readonly string[] = []): Promise<RunningDevnet> {
  const { port, args } = await freeStartPorts();
  const deploymentsDir = mkdtempSync(path.join(os.tmpdir(), "deployments-devnet-"));
  const child = spawn(process.execPath, [TS_NODE, "--transpile-only", "scripts/start.ts", ...args, ...extraArgs], {
    cwd: ROOT,
    env: { ...process.env, CI: "", START_EXIT_WHEN_READY: "", DEPLOYMENTS_DIR: deploymentsDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (c: Buffer) => (text += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (text += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + timeoutMs;
  let ready: RegExpExecArray | null = null;
  while ((ready = /^ready in ([\d.]+) s: /m.exec(text)) === null) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}) before ready:\n${text}`);
    if (Date.now() > deadline) {
      child.kill("SIGINT");
      throw new Error(`npm start was not ready within ${timeoutMs / 1000} s:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const find = (label: string): string => {
    const m = new RegExp(`^\\s+${label}\\s+(http://\\S+?)/?(\\s|$)`, "m").exec(text);
    if (m === null) throw new Error(`no "${label}" URL in the status table:\n${text}`);
    return m[1];
  };
  const poolsSection = /Pools open for contribution[^\n]*\n[^\n]*\n((?:\s+0x[0-9a-fA-F]{40}[^\n]*\n)+)/.exec(text)?.[1] ?? "";
  return {
    child,
    port,
    rpcUrl: `http://127.0.0.1:${port}`,
    trackerUrl: find("tracker status page"),
    aggregatorUrl: find("aggregator JSON-RPC"),
    openPools: [...poolsSection.matchAll(/0x[0-9a-fA-F]{40}/g)].map((m) => m[0]),
    deploymentsDir,
    bookFile: path.join(deploymentsDir, `localhost-${port}.json`),
    readySeconds: Number(ready[1]),
    output: () => text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      const result = await exited;
      rmSync(deploymentsDir, { recursive: true, force: true });
      return result;
    },
  };
}

export interface TaskRunner {
  run<T = unknown>(task: string, args?: Record<string, unknown>, account?: number): Promise<T>;
  /** Runs a command line as typed after `npx hardhat` (parsed with the task's own definitions). */
  runArgv<T = unknown>(argv: readonly string[], account?: number): Promise<T>;
  output(): string;
  close(): Promise<void>;
}

/** Starts scripts/devnet/taskRunner.ts against `devnet`. */
export async function startTaskRunner(devnet: Pick<RunningDevnet, "rpcUrl" | "deploymentsDir">, cwd?: string): Promise<TaskRunner> {
  const child = spawn(process.execPath, [TS_NODE, "--transpile-only", "scripts/devnet/taskRunner.ts"], {
    cwd: ROOT,
    env: { ...process.env, LOCALHOST_URL: devnet.rpcUrl, DEPLOYMENTS_DIR: devnet.deploymentsDir, HARDHAT_NETWORK: "localhost", DEVNET_ACCOUNT: "", TASK_RUNNER_CWD: cwd ?? "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let text = "";
  let buffered = "";
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stderr!.on("data", (c: Buffer) => (text += c.toString()));
  child.stdout!.on("data", (c: Buffer) => {
    const s = c.toString();
    text += s;
    buffered += s;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) !== -1) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.startsWith(RESULT_PREFIX)) continue;
      const body = JSON.parse(line.slice(RESULT_PREFIX.length)) as { id: number; ok: boolean; value?: unknown; error?: string };
      const w = waiting.get(body.id);
      waiting.delete(body.id);
      if (body.ok) w?.resolve(body.value);
      else w?.reject(new Error(body.error));
    }
  });
  child.once("exit", (code) => {
    for (const w of waiting.values()) w.reject(new Error(`the task runner exited (code ${code}):\n${text.slice(-3000)}`));
    waiting.clear();
  });
  await new Promise((resolve, reject) => waiting.set(0, { resolve, reject }));
  let next = 1;
  return {
    run<T>(task: string, args: Record<string, unknown> = {}, account = 0): Promise<T> {
      const id = next++;
      const result = new Promise<T>((resolve, reject) => waiting.set(id, { resolve: resolve as (v: unknown) => void, reject }));
      child.stdin!.write(`${JSON.stringify({ id, account, task, args })}\n`);
      return result;
    },
    runArgv<T>(argv: readonly string[], account = 0): Promise<T> {
      const id = next++;
      const result = new Promise<T>((resolve, reject) => waiting.set(id, { resolve: resolve as (v: unknown) => void, reject }));
      child.stdin!.write(`${JSON.stringify({ id, account, argv })}\n`);
      return result;
    },
    output: () => text,
    async close() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
