/**
 * Child services of the devnet (tracker, network daemon): free ports, waiting for a line of output or an
 * HTTP answer, with failures that quote the child's last lines.
 */
import type { ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const TS_NODE = require.resolve("ts-node/dist/bin.js");
/** Marks scripts/devnet/taskRunner.ts's answer lines on stdout. */
export const RESULT_PREFIX = "@@result ";

/** A TCP port nothing listens on right now at `host`. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keeps the last lines a child printed (stdout and stderr) for error messages. */
export function watchOutput(child: ChildProcess): { lines: string[]; text: () => string } {
  const lines: string[] = [];
  let all = "";
  const keep = (chunk: Buffer): void => {
    const s = chunk.toString();
    all = (all + s).slice(-200_000);
    lines.push(...s.split("\n").filter((l) => l.trim() !== ""));
    lines.splice(0, Math.max(0, lines.length - 20));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { lines, text: () => all };
}

function gone(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Polls `check` until it returns a value (not undefined); fails if the child exits or time runs out. */
export async function waitUntil<T>(
  what: string,
  child: ChildProcess,
  output: { lines: string[] },
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone(child)) throw new Error(`${what}: the process exited (code ${child.exitCode}) first:\n  ${output.lines.join("\n  ")}`);
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s:\n  ${output.lines.join("\n  ")}`);
    await sleep(250);
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export async function rpcCall<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}
