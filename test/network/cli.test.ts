/**
 * `npm run network`'s entry point (src/network/cli.ts) as a child process: argument errors, the `keys`
 * document, and a daemon with its nodes split across 2 worker processes reading the registry straight
 * from the RPC: wait for `ready`, call the aggregator, SIGINT, and every process is gone.
 */
import { expect } from "chai";
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";
import type { EIP1193Provider } from "hardhat/types";
import { parseCommand, parseStartArgs, NetworkConfigError } from "../../src/network/config";
import { deriveNodeKeys, registrationParams } from "../../src/network/keys";
import { rpcCall } from "../../src/network/rpc";
import { deployServiceNodeRewards, STAKING_REQUIREMENT, type Deployment } from "../helpers/serviceNodeRewards";
import { ROOT, waitForOutput } from "../helpers/tracker";

const TS_NODE = require.resolve("ts-node/dist/bin.js");

function runCli(args: readonly string[]): ChildProcess {
  const child = spawn(process.execPath, [TS_NODE, "--transpile-only", "src/network/cli.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const echo = process.env.NETWORK_CLI_TEST_ECHO === "1";
  child.stdout?.on("data", (c: Buffer) => echo && process.stderr.write(`[cli] ${c}`));
  child.stderr?.on("data", (c: Buffer) => echo && process.stderr.write(`[cli!] ${c}`));
  return child;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function childPids(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

describe("network CLI", function () {
  this.timeout(300_000);

  describe("arguments", () => {
    const error = (argv: string[]): string => {
      try {
        parseCommand(argv);
      } catch (e) {
        expect(e).to.be.instanceOf(NetworkConfigError);
        return (e as Error).message;
      }
      throw new Error(`accepted ${argv.join(" ")}`);
    };

    it("defaults to 12 nodes on 127.0.0.1:8790 with the chain clock", () => {
      const c = parseStartArgs([]);
      expect([c.nodes, c.host, c.port, c.clock, c.processes, c.trackerUrl]).to.deep.equal([12, "127.0.0.1", 8790, "chain", 1, null]);
    });

    it("names the option and what to write instead", () => {
      expect(error(["--nodes", "0"])).to.equal('--nodes must be an integer from 1 to 10000, got "0"');
      expect(error(["--nodes", "4", "--offline", "4"])).to.equal("--offline lists node 4, but there are only 4 nodes (indices 0…3)");
      expect(error(["--offline", "1", "--garbage", "1"])).to.equal("node 1 is given two behaviours (--offline and --garbage): pick one");
      expect(error(["--tracker", "ftp://x"])).to.equal('--tracker "ftp://x" must be an http(s) URL');
      expect(error(["--rewards", "0x12"])).to.equal('--rewards "0x12" is not an address: write 0x followed by 40 hex digits');
      expect(error(["--nodes", "2", "--processes", "3"])).to.equal("--processes 3 is more than --nodes 2: every process needs at least one node");
      expect(error(["--node-port-base", "9000", "--port", "9003"])).to.equal("--port 9003 falls inside the node ports 9000…9011: move one of them");
      expect(error(["--clock", "wall"])).to.equal('--clock must be chain or system, got "wall"');
      expect(error(["--bogus"])).to.equal("unknown option --bogus (see --help)");
      expect(error(["keys"])).to.match(/^--operator is required/);
      expect(error(["keys", "--operator", "0x0000000000000000000000000000000000000001", "--port", "1"])).to.equal("--port is an option of `start`, not of `keys`");
      expect(error(["stop"])).to.equal('unknown command "stop": use start (the default) or keys (see --help)');
    });

    it("exits 2 with the message on bad arguments", async () => {
      const child = runCli(["--nodes", "x"]);
      const message = await waitForOutput(child, /--nodes must be[^\n]*/, 60_000);
      const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (c) => resolve(c))));
      expect(message).to.equal('--nodes must be an integer from 1 to 10000, got "x"');
      expect(code).to.equal(2);
    });
  });

  describe("daemon (2 worker processes, registry read from the RPC)", () => {
    const SEED = "cli-test";
    let d: Deployment;
    let server: JsonRpcServer;
    let rpcUrl: string;

    before(async () => {
      d = await deployServiceNodeRewards({ seeded: 0, label: "cli-test" });
      server = new JsonRpcServer({ hostname: "127.0.0.1", port: 0, provider: hre.network.provider as unknown as EIP1193Provider });
      rpcUrl = `http://127.0.0.1:${(await server.listen()).port}`;
    });
    after(async () => server?.close());

    it("keys prints registration params the registry accepts", async () => {
      const operators = d.accounts.slice(0, 3).map((a) => a.address);
      const child = runCli(["keys", "--seed", SEED, "--nodes", "3", "--rpc", rpcUrl, "--rewards", d.address, "--operator", operators.join(",")]);
      let out = "";
      child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      expect(code).to.equal(0);
      const doc = JSON.parse(out) as { chainId: string; rewards: string; nodes: { blsPubkeyHex: string; operator: string }[] };
      expect(doc.chainId).to.equal("31337");
      expect(doc.rewards).to.equal(d.address.toLowerCase());
      const expected = registrationParams(deriveNodeKeys(SEED, 3), d.network.domain, operators);
      expect(doc.nodes.map((n) => [n.blsPubkeyHex, n.operator])).to.deep.equal(expected.map((r) => [r.blsPubkeyHex, r.operator]));
      // Register them (solo, each by its operator) with exactly the printed params.
      type Printed = { blsPubkey: { X: string; Y: string }; proofOfPossession: { sigs0: string; sigs1: string; sigs2: string; sigs3: string }; serviceNodeParams: { ed25519Pubkey: string; ed25519Signature0: string; ed25519Signature1: string; fee: number } };
      for (const [i, raw] of (JSON.parse(out).nodes as Printed[]).entries()) {
        const signer = d.accounts[i];
        await d.token.connect(signer).approve(d.address, STAKING_REQUIREMENT);
        await expect(d.snr.connect(signer).addBLSPublicKey(raw.blsPubkey, raw.proofOfPossession, raw.serviceNodeParams, [])).to.emit(d.snr, "NewServiceNodeV2");
      }
    });

    it("starts, prints ready, answers bls_rewards_request, and stops every process on SIGINT", async () => {
      const child = runCli(["--seed", SEED, "--nodes", "3", "--processes", "2", "--rpc", rpcUrl, "--rewards", d.address, "--port", "0", "--min-active", "0", "--sync-ms", "200", "--timeout-ms", "20000"]);
      try {
        const ready = await waitForOutput(child, /network ready: aggregator (\S+)/, 180_000);
        const url = /aggregator (\S+)/.exec(ready)![1];
        const workers = childPids(child.pid!);
        expect(workers.length).to.equal(2);

        await time.increase(3600);
        const operator = d.accounts[0].address;
        const answer = (await rpcCall(url, "bls_rewards_request", { address: operator })) as { amount: string; signers: number; non_signer_ids: string[]; signature: Record<string, string> };
        expect(answer.signers).to.equal(3);
        expect(answer.non_signer_ids).to.deep.equal([]);
        const amount = BigInt(answer.amount);
        expect(amount > 0n).to.equal(true);
        const sig = Object.fromEntries(Object.entries(answer.signature).map(([k, v]) => [k, BigInt(v)]));
        await expect(d.snr.updateRewardsBalance(operator, amount, sig as never, [])).to.emit(d.snr, "RewardsBalanceUpdated").withArgs(operator, amount, 0n);
        const bad = await rpcCall(url, "bls_rewards_request", { address: "0x12" }).catch((e: Error) => e);
        expect((bad as Error).message).to.match(/address must be a 0x-prefixed 20-byte address/);

        const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
        child.kill("SIGINT");
        expect(await exited).to.equal(0);
        for (const pid of workers) expect(alive(pid), `worker ${pid}`).to.equal(false);
        expect(await rpcCall(url, "bls_exit_liquidation_list", {}).catch((e: Error) => e.message)).to.match(/unreachable/);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    });
  });
});
