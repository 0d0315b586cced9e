/**
 * Supervision of the network daemon's worker processes (`--processes K`). A worker that exits while the
 * daemon runs (SIGKILL, OOM, a crash) is noticed on its `exit` event, reported, and started again with the
 * same nodes: the same keys (node indices), the same ledger file and, when they are still free, the same
 * ports (otherwise any free ones, and the aggregator follows the new URLs). Restarts back off
 * (0.5 s, 1 s, 2 s, … at most 15 s) and are capped: a worker that dies more than `maxRestarts` times within
 * `restartWindowMs` is reported as failed and left down. The daemon's health (`/status`) and metrics read
 * {@link WorkerSupervisor.health}.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Address } from "viem";

/** What a child process needs to run its share of the nodes (JSON over IPC). */
export interface WorkerStart {
  readonly type: "start";
  readonly config: Record<string, unknown>;
  readonly indices: readonly number[];
  readonly registry: Address;
  readonly chainId: string;
  readonly startHeight: string;
  readonly ledgerPath: string;
  /** Node index → the port it listened on before a restart (reused when still free; without --node-port-base). */
  readonly ports?: Readonly<Record<string, number>>;
}

export type WorkerMessage = { type: "ready"; nodes: { index: number; url: string }[] } | { type: "error"; message: string };

export class WorkerStartError extends Error {}

export type WorkerState = "up" | "restarting" | "failed" | "stopped";

export interface WorkerHealth {
  /** 1…K. */
  readonly process: number;
  /** The network-wide indices of its nodes. */
  readonly nodes: readonly number[];
  readonly state: WorkerState;
  /** The running child's pid (null while down). */
  readonly pid: number | null;
  /** Restarts attempted since the daemon started. */
  readonly restarts: number;
  /** Why it last went down, and when (ISO time); null if it never did. */
  readonly lastExit: { readonly reason: string; readonly at: string } | null;
}

/** What the supervisor tells the daemon: a worker's node URLs changed, or a line worth logging. */
export interface SupervisorHooks {
  readonly log: (line: string) => void;
  /** Node index → URL of a (re)started worker's nodes. */
  readonly onNodes: (nodes: readonly { index: number; url: string }[]) => void;
  /** A worker went down, is being restarted (the attempt starts), came up, or failed (metrics). */
  readonly onChange?: (health: WorkerHealth, event: "down" | "up" | "failed" | "restarting") => void;
}

export interface SupervisorOptions {
  /** Restarts allowed within the window before the worker is reported failed (0: never restart). */
  readonly maxRestarts: number;
  readonly restartWindowMs: number;
  /** How long a (re)start may take to report ready. */
  readonly startTimeoutMs: number;
  /** First restart delay; doubles per restart within the window (default 500 ms), capped at {@link MAX_BACKOFF_MS}. */
  readonly backoffMs?: number;
}

export const MAX_BACKOFF_MS = 15_000;

export interface RunningWorker {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** The last lines the child printed (at most 20). */
  readonly output: string[];
}

/**
 * Forks src/network/worker.ts with `start`; resolves once it reports its nodes listening. On failure,
 * timeout or `signal` the child is killed, and the promise rejects once it is gone.
 */
export function startWorker(start: WorkerStart, timeoutMs: number, signal?: AbortSignal): Promise<{ worker: RunningWorker; nodes: { index: number; url: string }[] }> {
  const ts = __filename.endsWith(".ts");
  const entry = path.join(__dirname, ts ? "worker.ts" : "worker.js");
  const child = fork(entry, [], { execArgv: ts ? ["-r", "ts-node/register/transpile-only"] : [], stdio: ["ignore", "pipe", "pipe", "ipc"] });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(...chunk.toString().split("\n").filter((l) => l.trim() !== ""));
    output.splice(0, Math.max(0, output.length - 20));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const worker = { child, exited, output };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs / 1000} s`), timeoutMs);
    let failed = false;
    const fail = (why: string): void => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", aborted);
      child.kill("SIGKILL");
      const error = new WorkerStartError(`worker for nodes ${start.indices[0]}…${start.indices.at(-1)} ${why}${output.length ? `:\n  ${output.join("\n  ")}` : ""}`);
      void exited.then(() => reject(error));
    };
    const aborted = (): void => fail("was stopped while starting");
    if (signal?.aborted) aborted();
    signal?.addEventListener("abort", aborted);
    const early = (code: number | null, killedBy: NodeJS.Signals | null): void => fail(`exited (${killedBy ?? `code ${code}`}) before it was ready`);
    child.once("exit", early);
    // IPC or spawn errors (e.g. sending to a child that just died): never an unhandled 'error' event.
    child.on("error", (error) => fail(`failed: ${error.message}`));
    child.on("message", (message: WorkerMessage) => {
      if (failed) return;
      if (message.type === "error") return fail(`failed: ${message.message}`);
      clearTimeout(timer);
      signal?.removeEventListener("abort", aborted);
      child.off("exit", early);
      resolve({ worker, nodes: message.nodes });
    });
    child.send(start);
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the child is gone. */
export async function stopWorker(worker: RunningWorker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill("SIGTERM");
  const timer = setTimeout(() => worker.child.kill("SIGKILL"), 5_000);
  await worker.exited;
  clearTimeout(timer);
}

export interface WorkerSupervisor {
  health(): WorkerHealth;
  /** Stops the worker (and any restart in progress); no restart follows. */
  stop(): Promise<void>;
}

const portOf = (url: string): number => Number(new URL(url).port);

/** Supervises one started worker: `start` is what it was started with, `first` the running child and its nodes. */
export function superviseWorker(
  processNumber: number,
  start: WorkerStart,
  first: { worker: RunningWorker; nodes: readonly { index: number; url: string }[] },
  options: SupervisorOptions,
  hooks: SupervisorHooks,
): WorkerSupervisor {
  const backoffMs = options.backoffMs ?? 500;
  const label = `worker ${processNumber} (nodes ${start.indices[0]}…${start.indices.at(-1)})`;
  let current: RunningWorker | null = first.worker;
  let ports: Record<string, number> = Object.fromEntries(first.nodes.map((n) => [String(n.index), portOf(n.url)]));
  let state: WorkerState = "up";
  let restarts = 0;
  /** Wall times (ms) of the restarts within the window. */
  let recent: number[] = [];
  let lastExit: WorkerHealth["lastExit"] = null;
  let timer: NodeJS.Timeout | null = null;
  let starting: Promise<void> | null = null;
  let stopping = false;
  const abort = new AbortController();

  const health = (): WorkerHealth => ({ process: processNumber, nodes: start.indices, state, pid: current?.child.pid ?? null, restarts, lastExit });

  /** The worker is down for `reason`: restart it after the backoff, or give up past the cap. */
  const down = (reason: string): void => {
    current = null;
    lastExit = { reason, at: new Date().toISOString() };
    const now = Date.now();
    recent = recent.filter((t) => now - t < options.restartWindowMs);
    hooks.onChange?.(health(), "down");
    if (recent.length >= options.maxRestarts) {
      state = "failed";
      hooks.log(
        `${label} ${reason}; it was restarted ${recent.length} time${recent.length === 1 ? "" : "s"} in the last ${Math.round(options.restartWindowMs / 1000)} s ` +
          `(at most ${options.maxRestarts}): not restarting it, its nodes stay down (restart the network to retry)`,
      );
      hooks.onChange?.(health(), "failed");
      return;
    }
    state = "restarting";
    const delay = Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** recent.length);
    hooks.log(`${label} ${reason}; restarting it in ${(delay / 1000).toFixed(1)} s (restart ${recent.length + 1} of at most ${options.maxRestarts} in ${Math.round(options.restartWindowMs / 1000)} s)`);
    timer = setTimeout(restart, delay);
  };

  const watch = (worker: RunningWorker): void => {
    worker.child.once("exit", (code, signal) => {
      if (stopping || current !== worker) return;
      const tail = worker.output.slice(-3);
      down(`${signal !== null ? `was killed by ${signal}` : `exited with code ${code}`}${tail.length > 0 && signal === null ? ` (last output: ${tail.join(" | ")})` : ""}`);
    });
  };

  const restart = (): void => {
    timer = null;
    if (stopping) return;
    recent.push(Date.now());
    restarts++;
    hooks.onChange?.(health(), "restarting");
    starting = startWorker({ ...start, ports }, options.startTimeoutMs, abort.signal)
      .then(
        async ({ worker, nodes }) => {
          if (stopping) return stopWorker(worker);
          const moved = nodes.filter((n) => ports[String(n.index)] !== portOf(n.url));
          ports = Object.fromEntries(nodes.map((n) => [String(n.index), portOf(n.url)]));
          current = worker;
          state = "up";
          watch(worker);
          hooks.onNodes(nodes);
          hooks.log(
            `${label} restarted (pid ${worker.child.pid}, restart ${restarts}); ` +
              (moved.length === 0 ? "its nodes listen on the same ports" : `node${moved.length === 1 ? "" : "s"} ${moved.map((n) => `${n.index} now at ${n.url}`).join(", ")}`),
          );
          hooks.onChange?.(health(), "up");
        },
        (error: Error) => {
          if (!stopping) down(`could not be restarted: ${error.message.split("\n")[0]}`);
        },
      )
      .finally(() => {
        starting = null;
      });
  };

  watch(first.worker);
  return {
    health,
    async stop() {
      stopping = true;
      abort.abort();
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await starting;
      if (current !== null) await stopWorker(current);
      state = "stopped";
    },
  };
}
