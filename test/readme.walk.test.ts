/**
 * The README walk: every command of README.md's "Walkthrough by role" (its ```sh blocks, read from the
 * README at test time, never copied here) runs in README order against a fresh `npm start` devnet on free
 * ports. Placeholders (0xPool…, 0xFriend…, $AGGREGATOR, 05<64 hex>, 0x… of a contract or an account, the
 * devnet's URLs) are replaced from the devnet's real state. A command whose comment starts with
 * "refused" must fail with one clear paragraph (no stack trace); every other command must succeed.
 *
 * `npx hardhat …` commands run through the devnet's task runner (the same tasks, parsed with the tasks'
 * own parameter definitions), a few of them also as a real `npx hardhat` process; `npm run tracker` and
 * `npm run network -- start` run until they are ready, then get SIGTERM; `npm run network -- keys` runs
 * to the end.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { processTree, isAlive, startDevnet, startTaskRunner, type RunningDevnet, type TaskRunner } from "../scripts/devnet/harness";
import { freePort, ROOT } from "../scripts/devnet/services";

interface ReadmeCommand {
  /** The command as the README writes it (continuation lines joined). */
  readonly text: string;
  /** The comment after it, if any. */
  readonly comment: string;
  /** The README section it is in ("Node operator", …). */
  readonly section: string;
}

/** The walkthrough's commands, in README order. */
export function readmeCommands(readme: string): ReadmeCommand[] {
  const start = readme.indexOf("## Walkthrough by role");
  const end = readme.indexOf("\n## ", start + 1);
  if (start < 0) throw new Error("README.md has no '## Walkthrough by role' section");
  const body = readme.slice(start, end < 0 ? undefined : end);
  const commands: ReadmeCommand[] = [];
  let section = "";
  const lines = body.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heading = /^### (.+)$/.exec(lines[i]);
    if (heading !== null) section = heading[1];
    if (lines[i].trim() !== "```sh") continue;
    let pending = "";
    for (i++; i < lines.length && lines[i].trim() !== "```"; i++) {
      const line = lines[i];
      if (pending === "" && (line.trim() === "" || line.trim().startsWith("#"))) continue;
      if (/\\\s*$/.test(line)) {
        pending += `${line.replace(/\\\s*$/, "").trim()} `;
        continue;
      }
      const full = `${pending}${line.trim()}`;
      pending = "";
      const hash = full.search(/\s#\s/);
      commands.push({ text: (hash < 0 ? full : full.slice(0, hash)).trim(), comment: hash < 0 ? "" : full.slice(hash).replace(/^\s#\s*/, "").trim(), section });
    }
  }
  return commands;
}

interface WalkState {
  readonly devnet: RunningDevnet;
  readonly accounts: readonly string[];
  readonly book: { contracts: Record<string, { address: string }> };
  pool?: string;
  trackerUrl?: string;
  readonly dir: string;
}

const CONTRACT_FLAGS: Readonly<Record<string, string>> = {
  "--rewards": "ServiceNodeRewards",
  "--factory": "ServiceNodeContributionFactory",
  "--reward-rate-pool": "RewardRatePool",
  "--name-service": "SessionNameService",
};

/** Replaces the README's placeholders with the devnet's real values; throws on one it does not know. */
function substitute(tokens: readonly string[], state: WalkState): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const previous = tokens[i - 1] ?? "";
    let t = tokens[i];
    t = t.replace("$AGGREGATOR", state.devnet.aggregatorUrl);
    t = t.replace("0xFriend…", state.accounts[5]);
    t = t.replace("0xChecksummed…", state.accounts[0]);
    t = t.replace("0xYourAddress", state.accounts[0]);
    if (t.includes("0xPool…")) {
      if (state.pool === undefined) throw new Error("the README uses 0xPool… before any contribution:open");
      t = t.replace("0xPool…", state.pool);
    }
    if (t === "05<64") {
      // "05<64 hex>": two tokens in the README.
      if (tokens[i + 1] !== "hex>") throw new Error(`unexpected placeholder ${t} ${tokens[i + 1]}`);
      i++;
      t = `05${"ab".repeat(32)}`;
    }
    if (t === "0x…") {
      if (CONTRACT_FLAGS[previous] !== undefined) t = state.book.contracts[CONTRACT_FLAGS[previous]].address;
      else if (previous === "--beneficiary") t = state.accounts[7];
      else if (previous === "--to") t = state.accounts[8];
      else throw new Error(`no value for 0x… after ${previous}`);
    }
    if (t === "http://127.0.0.1:8545") t = state.devnet.rpcUrl;
    if (t === "http://127.0.0.1:8787") {
      if (state.trackerUrl === undefined) throw new Error("the README uses the tracker's URL before starting one");
      t = state.trackerUrl;
    }
    if (previous === "--db") t = path.join(state.dir, t);
    if (/[…<>$]/.test(t)) throw new Error(`placeholder left in "${t}"`);
    out.push(t);
  }
  return out;
}

interface Outcome {
  readonly ok: boolean;
  readonly output: string;
  readonly value?: unknown;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd = ROOT): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (c: Buffer) => (text += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Commands also run as a real `npx hardhat` process (one success, one refusal, one as another account). */
const REAL_CLI = [/^npx hardhat --network localhost contribution:update-fee .* --fee 300$/, /^npx hardhat --network localhost node:list$/, /^DEVNET_ACCOUNT=5 .*contribution:withdraw/];

describe("README walk (every walkthrough command, in order, on a fresh npm start)", function () {
  this.timeout(900_000);
  let devnet: RunningDevnet | undefined;
  let runner: TaskRunner | undefined;
  let dir: string | undefined;
  const services: ChildProcess[] = [];

  after(async () => {
    for (const s of services) if (s.exitCode === null) s.kill("SIGKILL");
    await runner?.close();
    if (devnet !== undefined && devnet.child.exitCode === null) await devnet.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("parses the walkthrough: every role's block, placeholders only of known kinds", () => {
    const commands = readmeCommands(readFileSync(path.join(ROOT, "README.md"), "utf8"));
    expect(new Set(commands.map((c) => c.section))).to.include.all.keys("Node operator", "Contributor", "Anyone", "Session Names", "Deployer", "Node network (tracker and signing service)");
    expect(commands.length).to.be.greaterThan(40);
    for (const c of commands) expect(c.text, c.text).to.match(/^(DEVNET_ACCOUNT=\d+ )?(npx hardhat --network localhost |npm run (tracker|network) -- )/);
  });

  it("runs every command in README order: each succeeds, or is refused where the README says", async () => {
    const commands = readmeCommands(readFileSync(path.join(ROOT, "README.md"), "utf8"));
    devnet = await startDevnet();
    const d = devnet;
    dir = mkdtempSync(path.join(os.tmpdir(), "readme-walk-"));
    runner = await startTaskRunner(d, dir);
    const r = runner;
    const { getAddress } = await import("ethers");
    const response = await fetch(d.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_accounts", params: [] }) });
    const accounts = ((await response.json()) as { result: string[] }).result.map((a) => getAddress(a));
    const state: WalkState = { devnet: d, accounts, book: JSON.parse(readFileSync(d.bookFile, "utf8")), dir };
    const env = { LOCALHOST_URL: d.rpcUrl, DEPLOYMENTS_DIR: d.deploymentsDir, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", CI: "" };

    /** The tracker and the network have seen every block so far (as a user typing the next command would find). */
    const settle = async () => {
      const head = await fetch(d.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }) })
        .then((x) => x.json() as Promise<{ result: string }>)
        .then((x) => Number(x.result));
      await until(`the tracker reaching block ${head}`, 60_000, async () => {
        const s = (await (await fetch(`${d.trackerUrl}/status`)).json()) as { checkpoint: { number: string } | null };
        return s.checkpoint !== null && Number(s.checkpoint.number) >= head;
      });
      await new Promise((res) => setTimeout(res, 2_500));
    };

    const log: string[] = [];
    const running: { name: string; proc: ReturnType<typeof run> }[] = [];
    for (const [index, command] of commands.entries()) {
      const refused = /^refused\b/i.test(command.comment);
      const tokens = command.text.split(/\s+/);
      let account = 0;
      while (/^[A-Z_]+=/.test(tokens[0])) {
        const [k, v] = tokens.shift()!.split("=");
        if (k !== "DEVNET_ACCOUNT") throw new Error(`unknown environment prefix ${k}`);
        account = Number(v);
      }
      const argv = substitute(tokens, state);
      const label = `#${index + 1} [${command.section}] ${command.text}${command.comment === "" ? "" : `  # ${command.comment}`}`;
      let outcome: Outcome;
      if (argv[0] === "npx" && argv[1] === "hardhat") {
        if (/--aggregator|rewards:status|devnet:deregister/.test(command.text)) await settle();
        const before = r.output().length;
        try {
          const value = await r.runArgv(argv.slice(2), account);
          outcome = { ok: true, output: r.output().slice(before), value };
        } catch (error) {
          outcome = { ok: false, output: `${r.output().slice(before)}\n${(error as Error).message}` };
        }
        if (REAL_CLI.some((re) => re.test(command.text))) {
          // The same command as its own process: same outcome; a refusal is one paragraph, no stack trace.
          const cli = run(process.execPath, [require.resolve("hardhat/internal/cli/bootstrap.js"), ...argv.slice(2)], { ...env, DEVNET_ACCOUNT: account === 0 ? "" : String(account) });
          const code = await cli.exited;
          expect(code === 0, `${label}\nreal CLI exit ${code}:\n${cli.output()}`).to.equal(outcome.ok);
          if (!outcome.ok) {
            expect(cli.output(), label).to.match(/^Error in session-network: /m);
            expect(cli.output(), `${label}: no stack trace`).to.not.match(/\n\s+at .+\(.+:\d+:\d+\)/);
          }
        }
        if (outcome.ok && argv.includes("contribution:open")) state.pool = (outcome.value as { pool: string }).pool;
      } else if (argv[0] === "npm" && argv[1] === "run" && argv[2] === "tracker") {
        const port = await freePort();
        const proc = run("npm", [...argv.slice(1), "--port", String(port)], env);
        services.push(proc.child);
        state.trackerUrl = `http://127.0.0.1:${port}`;
        let ok = true;
        try {
          await until("the tracker's /status", 120_000, async () => (await fetch(`${state.trackerUrl}/status`)).ok);
        } catch {
          ok = false;
        }
        // Left running: the README's next command (the network) reads the chain through it.
        running.push({ name: "tracker", proc });
        outcome = { ok, output: proc.output() };
      } else if (argv[0] === "npm" && argv[1] === "run" && argv[2] === "network" && argv[4] === "start") {
        const port = await freePort();
        const proc = run("npm", [...argv.slice(1), "--port", String(port), "--ledger-dir", path.join(dir, "ledgers")], env);
        services.push(proc.child);
        let ok = true;
        try {
          await until("the network's ready line", 180_000, async () => /network ready: aggregator/.test(proc.output()) || proc.child.exitCode !== null);
          ok = /network ready: aggregator/.test(proc.output());
        } catch {
          ok = false;
        }
        running.push({ name: "network", proc });
        outcome = { ok, output: proc.output() };
        // Both run until Ctrl-C: SIGTERM to each npm process stops it and everything it started.
        for (const service of running.splice(0).reverse()) {
          const tree = [service.proc.child.pid!, ...processTree(service.proc.child.pid!)];
          service.proc.child.kill("SIGTERM");
          await service.proc.exited;
          await until(`the ${service.name}'s processes to stop`, 20_000, async () => !tree.some(isAlive));
        }
      } else if (argv[0] === "npm" && argv[1] === "run" && argv[2] === "network") {
        const proc = run("npm", ["run", "--silent", ...argv.slice(2)], env);
        const code = await proc.exited;
        outcome = { ok: code === 0, output: proc.output() };
        if (outcome.ok) {
          const doc = JSON.parse(proc.output()) as { nodes: { operator: string; nodeRegister: string; devnetOnlySecrets: { warning: string; blsSecretKey: string } }[] };
          expect(doc.nodes[0].operator.toLowerCase()).to.equal(accounts[0].toLowerCase());
          expect(doc.nodes[0].nodeRegister).to.match(/^node:register --bls-key 0x[0-9a-f]{64} --ed25519 0x[0-9a-f]{64} --ed25519-signature 0x[0-9a-f]{128}$/);
          expect(doc.nodes[0].devnetOnlySecrets.warning).to.match(/^DEVNET ONLY/);
          // The printed arguments register free key 13 from the operator's account, as they say.
          const free = doc.nodes[13].nodeRegister.split(" ");
          const registered = await r.runArgv<{ id: string }>(["--network", "localhost", ...free], 0);
          expect(Number(registered.id)).to.be.greaterThan(12);
        }
      } else {
        throw new Error(`${label}: the walk does not know how to run this command`);
      }
      log.push(`${outcome.ok ? "ok     " : "refused"} ${label}`);
      if (refused) {
        expect(outcome.ok, `${label}\nthe README says this is refused, but it succeeded:\n${outcome.output}`).to.equal(false);
        expect(outcome.output, `${label}: a refusal names what was wrong`).to.not.match(/unknown error|An unexpected error/);
      } else {
        expect(outcome.ok, `${label}\nfailed:\n${outcome.output.slice(-4000)}\n\nwalk so far:\n${log.join("\n")}`).to.equal(true);
      }
    }
    console.log(`      ${log.length} README commands run in order (${log.filter((l) => l.startsWith("refused")).length} refused where the README says)`);
  });
});
