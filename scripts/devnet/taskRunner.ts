/**
 * Runs Hardhat tasks against a running devnet, one request per stdin line, without paying Hardhat's
 * start-up for each (tests drive whole stories through it; the tasks are the same `npx hardhat` runs).
 *
 *   LOCALHOST_URL=http://127.0.0.1:8545 ts-node --transpile-only scripts/devnet/taskRunner.ts
 *   stdin:  {"id": 1, "account": 3, "task": "contribution:contribute", "args": {"pool": "0x…", "amount": "5000"}}
 *   stdout: @@result {"id": 1, "ok": true, "value": …}   (bigints as decimal strings)
 *           @@result {"id": 1, "ok": false, "error": "…"}
 *
 * `account` is a devnet account index (default 0). The task's own lines go to stdout as usual.
 */
import readline from "node:readline";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { withAccount } from "./accounts";
import { RESULT_PREFIX } from "./services";

interface Request {
  readonly id: number;
  readonly account?: number;
  readonly task: string;
  readonly args?: Record<string, unknown>;
}

function reply(body: Record<string, unknown>): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`);
}

async function main(): Promise<void> {
  process.env.HARDHAT_NETWORK = "localhost";
  process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = "true";
  const hre = (await import("hardhat")).default as HardhatRuntimeEnvironment;
  reply({ id: 0, ok: true, value: "ready" });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    let request: Request;
    try {
      request = JSON.parse(line) as Request;
    } catch {
      reply({ id: -1, ok: false, error: `not a JSON request: ${line.slice(0, 80)}` });
      continue;
    }
    try {
      const value = await withAccount(hre, request.account ?? 0, () => hre.run(request.task, request.args ?? {}));
      reply({ id: request.id, ok: true, value });
    } catch (error) {
      reply({ id: request.id, ok: false, error: (error as Error).message ?? String(error) });
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`taskRunner: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
