/**
 * One whole story on the devnet `npm start` brings up: its entry point runs as a child process; the story
 * goes through the same tasks users run (scripts/devnet/taskRunner.ts runs them against localhost, as
 * the named devnet accounts); after each step the tracker's API and the chain must agree. At the end
 * SIGINT stops npm start, and every process it started must be gone.
 */
import { expect } from "chai";
import { Contract, getAddress, JsonRpcProvider } from "ethers";
import hre from "hardhat";
import { readFileSync } from "node:fs";
import { isAlive, processTree, startDevnet, startTaskRunner, type RunningDevnet, type TaskRunner } from "../../scripts/devnet/harness";
import { SEED, UNLOCK_SECONDS, TRACKER_CONFIRMATIONS } from "../../scripts/devnet/steps";
import { publicKeyToHex } from "../../src/bls";
import { deriveNodeKey, registrationParams } from "../../src/network/keys";
import { nameIds } from "../../src/names/hash";
import { eventually } from "../helpers/eventually";

interface TrackerNode {
  id: string;
  status: string;
  operator: string;
  contributors: { addr: string; stakedAmount: string }[];
}
interface TrackerPool {
  address: string;
  status: string;
  totalContributed: string;
  open: boolean;
}

const hex32 = (v: bigint): string => `0x${v.toString(16).padStart(64, "0")}`;

describe("devnet story (npm start as a child, tasks, tracker API = chain, SIGINT stops everything)", function () {
  this.timeout(600_000);
  let devnet: RunningDevnet | undefined;
  let runner: TaskRunner | undefined;

  after(async () => {
    await runner?.close();
    if (devnet !== undefined && devnet.child.exitCode === null) await devnet.stop();
  });

  it("register, open a pool, contribute, finalize, accrue, claim, name, resolve, request exit, exit; then SIGINT", async () => {
    devnet = await startDevnet();
    const d = devnet;
    console.log(`      npm start ready in ${d.readySeconds} s`);
    const provider = new JsonRpcProvider(d.rpcUrl, undefined, { staticNetwork: true, polling: false });
    const book = JSON.parse(readFileSync(d.bookFile, "utf8")) as { contracts: Record<string, { address: string }> };
    const at = async (name: string, address: string) => new Contract(address, (await hre.artifacts.readArtifact(name)).abi, provider);
    const registry = await at("ServiceNodeRewards", book.contracts.ServiceNodeRewards.address);
    const sesh = await at("SESH", book.contracts.SESH.address);
    const accounts = ((await provider.send("eth_accounts", [])) as string[]).map((a) => getAddress(a));
    const lower = (a: string) => a.toLowerCase();

    const tracker = async <T>(p: string): Promise<T> => {
      const response = await fetch(`${d.trackerUrl}${p}`);
      expect(response.status, `${p}: ${await response.clone().text()}`).to.equal(200);
      return (await response.json()) as T;
    };
    /** Mines a block so the last transaction is confirmed, and waits for the tracker to reach it. */
    const trackerCaughtUp = async (): Promise<void> => {
      const head = Number(await provider.send("eth_blockNumber", []));
      for (let i = 0; i < TRACKER_CONFIRMATIONS; i++) await provider.send("evm_mine", []);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = await tracker<{ checkpoint: { number: string } | null }>("/status");
        if (s.checkpoint !== null && Number(s.checkpoint.number) >= head) return;
        if (Date.now() > deadline) throw new Error(`the tracker did not reach block ${head}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const chainNodeIds = async (): Promise<string[]> => ((await registry.allServiceNodeIDs())[0] as bigint[]).map(String);
    const expectNodeSetsAgree = async (): Promise<string[]> => {
      await trackerCaughtUp();
      const ids = await chainNodeIds();
      const active = await tracker<{ nodes: TrackerNode[] }>("/nodes");
      const registered = active.nodes.filter((n) => n.status === "active" || n.status === "exit-requested").map((n) => n.id);
      expect(registered.sort((a, b) => Number(a) - Number(b))).to.deep.equal(ids);
      return ids;
    };
    const keyArgs = (index: number, operator: string) => {
      const key = deriveNodeKey(SEED, index);
      const [p] = registrationParams([key], { chainId: 31337n, contract: lower(book.contracts.ServiceNodeRewards.address) as `0x${string}` }, [operator]);
      const sp = p.serviceNodeParams;
      return { blsKey: hex32(key.blsSecretKey), ed25519: hex32(sp.ed25519Pubkey), ed25519Signature: `${hex32(sp.ed25519Signature0)}${hex32(sp.ed25519Signature1).slice(2)}` };
    };

    // Before: the devnet's 12 nodes, the open pool, the names, on chain and in the tracker alike.
    const pidsBefore = processTree(d.child.pid!);
    expect(pidsBefore.length, "npm start's children").to.be.greaterThanOrEqual(3);
    expect(await expectNodeSetsAgree()).to.have.length(12);
    expect(d.openPools).to.have.length(1);
    const openBefore = await tracker<{ pools: TrackerPool[] }>("/pools?open=true");
    expect(openBefore.pools.map((p) => lower(p.address))).to.deep.equal([lower(d.openPools[0])]);
    expect((await tracker<{ count: number }>("/names")).count).to.equal(3);

    runner = await startTaskRunner(d);
    const r = runner;

    // 1. A solo node (key 13 of the network's seed) registered by account #6.
    const operator = accounts[6];
    const reg = await r.run<{ id: string }>("node:register", keyArgs(13, operator), 6);
    const soloId = reg.id;
    expect((await registry.serviceNodes(soloId)).operator).to.equal(operator);
    expect(await expectNodeSetsAgree()).to.include(soloId);
    const soloInTracker = await tracker<TrackerNode>(`/nodes/${soloId}`);
    expect(soloInTracker).to.include({ status: "active", operator: lower(operator) });

    // 2. A pool (key 14) opened by #7 with 6250 SESH, 5000 reserved for #8, manual finalize.
    const opened = await r.run<{ pool: string; status: string }>("contribution:open", { ...keyArgs(14, accounts[7]), fee: "400", reserve: `${accounts[8]}:5000`, contribute: "6250", manualFinalize: true }, 7);
    expect(opened.status).to.equal("OpenForPublicContrib");
    const pool = await at("ServiceNodeContribution", opened.pool);
    await trackerCaughtUp();
    let trackedPool = (await tracker<{ pools: TrackerPool[] }>("/pools")).pools.find((p) => lower(p.address) === lower(opened.pool))!;
    expect(trackedPool).to.include({ status: "open", open: true, totalContributed: String(await pool.totalContribution()) });

    // 3. Contributions with permits: the reserved slot (#8), then #9 fills the pool.
    await r.run("contribution:contribute", { pool: opened.pool, amount: "5000" }, 8);
    const filled = await r.run<{ status: string }>("contribution:contribute", { pool: opened.pool, amount: "13750" }, 9);
    expect(filled.status).to.equal("WaitForFinalized");
    expect(await pool.totalContribution()).to.equal(25_000n * 10n ** 9n);
    await trackerCaughtUp();
    trackedPool = (await tracker<{ pools: TrackerPool[] }>("/pools")).pools.find((p) => lower(p.address) === lower(opened.pool))!;
    expect(trackedPool).to.include({ status: "filled", open: false, totalContributed: String(25_000n * 10n ** 9n) });

    // 4. The operator finalizes: a pooled node with three contributors.
    const fin = await r.run<{ id: string }>("contribution:finalize", { pool: opened.pool }, 7);
    const pooledId = fin.id;
    expect(await registry.serviceNodeIDs(publicKeyToHex(deriveNodeKey(SEED, 14).blsPublicKey))).to.equal(BigInt(pooledId));
    expect(await expectNodeSetsAgree()).to.include.members([soloId, pooledId]);
    const pooledInTracker = await tracker<TrackerNode>(`/nodes/${pooledId}`);
    expect(pooledInTracker.contributors.map((c) => c.addr)).to.deep.equal([accounts[7], accounts[8], accounts[9]].map(lower));
    expect((await tracker<{ pools: TrackerPool[] }>("/pools")).pools.find((p) => lower(p.address) === lower(opened.pool))!.status).to.equal("finalized");

    // 5. A day passes: the network's ledger accrues rewards; #6 claims through the aggregator.
    await provider.send("evm_increaseTime", [86_400]);
    await provider.send("evm_mine", []);
    await trackerCaughtUp();
    const balanceBefore = (await sesh.balanceOf(operator)) as bigint;
    const claim = await r.run<{ paid: string }>("rewards:claim", { aggregator: d.aggregatorUrl }, 6);
    const paid = BigInt(claim.paid);
    expect(paid > 0n, "a day of rewards").to.equal(true);
    expect((await sesh.balanceOf(operator)) - balanceBefore).to.equal(paid);
    const [lifetime, claimed] = (await registry.recipients(operator)) as [bigint, bigint];
    expect(claimed).to.equal(paid);
    expect(lifetime).to.equal(paid);

    // 6. A name with a Session ID record, resolved back; the tracker lists it for its owner.
    const session = `05${"ab".repeat(32)}`;
    await r.run("names:register", { name: "story", years: "1", session, plaintext: true }, 6);
    const resolved = await r.run<{ owner: string; records: Record<string, unknown> }>("names:resolve", { name: "story" }, 0);
    expect(resolved.owner).to.equal(operator);
    expect(JSON.stringify(resolved.records)).to.include(session);
    await trackerCaughtUp();
    const mine = await tracker<{ names: { namehash: string; owner: string; state: string }[] }>(`/names?owner=${operator}`);
    expect(mine.names).to.have.length(1);
    expect(mine.names[0]).to.include({ namehash: nameIds("story").node, owner: lower(operator), state: "live" });

    // 7. #6 asks its node to exit; the tracker sees the request.
    await r.run("node:request-exit", { id: soloId }, 6);
    expect((await registry.serviceNodes(soloId)).exitRequestTimestamp > 0n).to.equal(true);
    await expectNodeSetsAgree();
    expect((await tracker<TrackerNode>(`/nodes/${soloId}`)).status).to.equal("exit-requested");

    // 8. The network's unlock passes (time travel); the exit goes through with the network's signature.
    await provider.send("evm_increaseTime", [UNLOCK_SECONDS + 60]);
    await provider.send("evm_mine", []);
    await trackerCaughtUp();
    type Listed = { result: { service_node_id: string; type: string }[] };
    const listed = (await eventually(
      async () =>
        (await (
          await fetch(d.aggregatorUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "bls_exit_liquidation_list", params: {} }) })
        ).json()) as Listed,
      (o) => !(o instanceof Error) && o.result.some((c) => c.service_node_id === soloId),
    )) as Listed;
    expect(listed.result.map((c) => [c.service_node_id, c.type])).to.deep.include([soloId, "exit"]);
    await r.run("node:exit", { id: soloId, aggregator: d.aggregatorUrl }, 6);
    expect((await registry.serviceNodes(soloId)).operator).to.equal("0x0000000000000000000000000000000000000000");
    const after = await expectNodeSetsAgree();
    expect(after).to.not.include(soloId);
    expect(after).to.have.length(13);
    expect((await tracker<TrackerNode>(`/nodes/${soloId}`)).status).to.equal("exited");

    // 9. SIGINT: npm start exits 0 and every process it started is gone.
    await runner.close();
    runner = undefined;
    const pids = [...new Set([...pidsBefore, ...processTree(d.child.pid!)])];
    provider.destroy();
    const { code, signal } = await d.stop();
    expect({ code, signal }, d.output().slice(-3000)).to.deep.equal({ code: 0, signal: null });
    expect(d.output()).to.match(/SIGINT: stopping…\n[\s\S]*stopped/);
    const deadline = Date.now() + 10_000;
    while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r2) => setTimeout(r2, 200));
    expect(pids.filter(isAlive), `still running of ${pids.join(", ")}`).to.deep.equal([]);
  });
});
