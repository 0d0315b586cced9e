/**
 * What a running devnet (`npm start`) tells the tasks: a small JSON file beside its address book
 * (`deployments/localhost.devnet.json`, `localhost-8546.devnet.json` for port 8546, …) with its URLs,
 * its PID and its control file. `npm start` writes it once ready and removes it when it stops; a file
 * whose PID is gone is ignored.
 *
 * The control file is how devnet tasks ask `npm start` for what only it can do, e.g. restart the
 * simulated network with more nodes deregistered (`devnet:deregister`).
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { addressBookName, DEVNET_DEFAULT_PORT, deploymentsDir } from "../../src/deployments/addressBook";

export interface DevnetRecord {
  readonly rpcUrl: string;
  readonly trackerUrl: string | null;
  readonly aggregatorUrl: string | null;
  /** The `npm start` process. */
  readonly pid: number;
  /** JSON file `npm start` watches: {@link DevnetControl}. */
  readonly controlFile: string;
}

/** Requests to `npm start`, rewritten whole by the tasks. */
export interface DevnetControl {
  /** Registry ids the simulated network treats as deregistered (liquidatable), as decimal strings. */
  readonly deregistered: readonly string[];
}

export const DEFAULT_DEVNET_URL = `http://127.0.0.1:${DEVNET_DEFAULT_PORT}`;

/** The record file of the devnet at `LOCALHOST_URL` (default 127.0.0.1:8545). */
export function devnetRecordPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(deploymentsDir(), `${addressBookName("localhost", env)}.devnet.json`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running devnet's record, or undefined (no file, unreadable, or its process is gone). */
export function readDevnetRecord(env: NodeJS.ProcessEnv = process.env): DevnetRecord | undefined {
  const file = devnetRecordPath(env);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as DevnetRecord;
    return Number.isSafeInteger(record.pid) && alive(record.pid) ? record : undefined;
  } catch {
    return undefined;
  }
}

function writeJson(file: string, value: unknown): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temp, file);
}

export function writeDevnetRecord(record: DevnetRecord, env: NodeJS.ProcessEnv = process.env): string {
  const file = devnetRecordPath(env);
  writeJson(file, record);
  return file;
}

export function removeDevnetRecord(env: NodeJS.ProcessEnv = process.env): void {
  rmSync(devnetRecordPath(env), { force: true });
}

export function readDevnetControl(file: string): DevnetControl {
  if (!existsSync(file)) return { deregistered: [] };
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<DevnetControl>;
    return { deregistered: Array.isArray(parsed.deregistered) ? parsed.deregistered.filter((d) => /^\d+$/.test(String(d))).map(String) : [] };
  } catch {
    return { deregistered: [] };
  }
}

export function writeDevnetControl(file: string, control: DevnetControl): void {
  writeJson(file, control);
}

/** True if a chain with Hardhat's chain id (31337) answers JSON-RPC at `url` within 3 s (a refused connection fails at once). */
export async function devnetAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(3_000),
    });
    const body = (await response.json()) as { result?: string };
    return body.result === "0x7a69";
  } catch {
    return false;
  }
}
