import { expect } from "chai";
import hre from "hardhat";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { publicKeyToHex, type G1Affine } from "../../src/bls";
import { paramsToJson } from "../../src/network/wire";
import { SESH_UNIT, STAKING_REQUIREMENT } from "../../deploy/flavours";
import { runDeploy } from "../../deploy/run";
import { formatArg } from "../../tasks/lib/send";
import { hinted, nodeKey, signExit, signLiquidation, signReward, type NodeKey, type SimNetwork } from "../helpers/network";
import { useTemporaryDeployments } from "../helpers/deployments";

const { ethers } = hre;
const REQ = STAKING_REQUIREMENT;
const hex32 = (n: bigint) => `0x${n.toString(16).padStart(64, "0")}`;

describe("tasks: service nodes, pools, rewards", () => {
  const deployments = useTemporaryDeployments("deployments-sn-tasks-", { perTest: false });

  /** Everything deployed; accounts 1–4 get 100k SESH; three solo nodes registered through the task. */
  async function deployed() {
    const result = await runDeploy(hre, { log: () => undefined, fresh: true });
    const [deployer, alice, bob, carol, dave] = await ethers.getSigners();
    const c = result.book.contracts;
    const token = await ethers.getContractAt("SESH", c.SESH!.address);
    const registry = await ethers.getContractAt("ServiceNodeRewards", c.ServiceNodeRewards!.address);
    const factory = await ethers.getContractAt("ServiceNodeContributionFactory", c.ServiceNodeContributionFactory!.address);
    for (const who of [alice, bob, carol, dave]) await token.transfer(who.address, 100_000n * SESH_UNIT);
    const network: SimNetwork = {
      domain: { chainId: 31337n, contract: c.ServiceNodeRewards!.address as `0x${string}` },
      nodes: new Map(),
    };
    const keys: NodeKey[] = [];
    for (let i = 0; i < 3; i++) {
      const key = nodeKey(`task-solo-${i}`);
      const r = (await hre.run("node:register", { blsKey: hex32(key.sk), ed25519Key: hex32(key.ed25519) })) as { id: bigint };
      network.nodes.set(r.id, key);
      keys.push(key);
    }
    return { deployer, alice, bob, carol, dave, token, registry, factory, network, keys, book: result.book };
  }

  async function nonceOf(address: string) {
    return ethers.provider.getTransactionCount(address);
  }

  /** Asserts `body` is rejected with `pattern` and `account` sent nothing. */
  async function refuses(account: string, body: () => Promise<unknown>, pattern: RegExp): Promise<void> {
    const nonce = await nonceOf(account);
    const block = await ethers.provider.getBlockNumber();
    await expect(body()).to.be.rejectedWith(pattern);
    expect(await nonceOf(account)).to.equal(nonce);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
  }

  function removalAnswer(type: "exit" | "liquidate", id: bigint, pk: G1Affine, timestamp: bigint, network: SimNetwork, nonSigners: bigint[] = []) {
    const sig = type === "exit" ? signExit(network, pk, timestamp, nonSigners) : signLiquidation(network, pk, timestamp, nonSigners);
    return {
      type,
      service_node_id: id.toString(),
      pubkey: publicKeyToHex(pk),
      timestamp: timestamp.toString(),
      message: "0x",
      signature: paramsToJson(sig),
      non_signer_ids: nonSigners.map(String),
      signers: network.nodes.size - nonSigners.length,
      registered: network.nodes.size,
      l2_height: "0",
    };
  }

  /** Runs `body` with `signer` as the tasks' account. */
  async function as<T>(signer: { address: string }, body: () => Promise<T>): Promise<T> {
    const saved = hre.ethers.getSigners;
    hre.ethers.getSigners = async () => [signer as Awaited<ReturnType<typeof saved>>[number]];
    try {
      return await body();
    } finally {
      hre.ethers.getSigners = saved;
    }
  }

  /**
   * {deployed} plus pooled node 4, registered through the tasks: the operator (deployer) 6,250 SESH (25 %),
   * alice 13,750 (55 %), bob 5,000 (20 %, reserved: a small contributor).
   */
  async function pooled() {
    // On top of the {deployed} snapshot, so the address book written by its deploy stays right.
    const d = await loadFixture(deployed);
    const key = nodeKey("task-pool-exit");
    const opened = (await hre.run("contribution:open", {
      blsKey: hex32(key.sk),
      ed25519Key: hex32(key.ed25519),
      fee: "500",
      reserve: `${d.bob.address}:5000`,
      manualFinalize: true,
      contribute: "6250",
    })) as { pool: string };
    await as(d.alice, () => hre.run("contribution:contribute", { pool: opened.pool, amount: "13750" }));
    await as(d.bob, () => hre.run("contribution:contribute", { pool: opened.pool, amount: "5000" }));
    const fin = (await hre.run("contribution:finalize", { pool: opened.pool })) as { id: bigint };
    // A copy: the {deployed} fixture's result is shared by every test that loads it.
    const network: SimNetwork = { ...d.network, nodes: new Map([...d.network.nodes, [fin.id, key]]) };
    return { ...d, network, poolNode: fin.id, poolKey: key };
  }

  /** The registry function a mined transaction called. */
  async function calledFunction(registry: Awaited<ReturnType<typeof deployed>>["registry"], txHash: string): Promise<string> {
    const tx = await ethers.provider.getTransaction(txHash);
    return registry.interface.parseTransaction({ data: tx!.data })!.name;
  }

  function saveJson(name: string, value: unknown): string {
    const file = path.join(deployments.dir, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  }

  describe("node operator", () => {
    it("node:register registers solo nodes with real proofs of possession, and node:list shows them", async () => {
      const { registry, deployer, keys } = await loadFixture(deployed);
      expect(await registry.totalNodes()).to.equal(3n);
      const rows = (await hre.run("node:list")) as { id: bigint; operator: string; pubkey: string; deposit: bigint; status: string; pooled: boolean }[];
      expect(rows.map((r) => r.id)).to.deep.equal([1n, 2n, 3n]);
      expect(rows[0]).to.include({ operator: deployer.address, pubkey: publicKeyToHex(keys[0].pk), deposit: REQ, status: "active", pooled: false });
    });

    it("node:register --new-bls-key generates, saves (0600) and registers a key", async () => {
      const { registry } = await loadFixture(deployed);
      const file = path.join(deployments.dir, `generated-${Date.now()}.key`);
      const r = (await hre.run("node:register", { newBlsKey: file, ed25519Key: hex32(777n) })) as { id: bigint; pubkey: string };
      expect(existsSync(file)).to.equal(true);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(await registry.serviceNodeIDs(r.pubkey)).to.equal(r.id);
      // The saved file is accepted as --bls-key and names the node it belongs to.
      await expect(hre.run("node:register", { blsKey: file, ed25519Key: hex32(778n) })).to.be.rejectedWith(
        new RegExp(`--bls-key: this key is node ${r.id} already`),
      );
    });

    it("node:register refuses bad input before sending anything", async () => {
      const { deployer, keys } = await loadFixture(deployed);
      const fresh = nodeKey("task-fresh");
      await refuses(deployer.address, () => hre.run("node:register", { blsKey: "0x1234", ed25519Key: hex32(1n) }), /--bls-key: "0x1234" is neither a secret key/);
      await refuses(deployer.address, () => hre.run("node:register", { ed25519Key: hex32(1n) }), /--bls-key: give exactly one of/);
      await refuses(deployer.address, () => hre.run("node:register", { blsKey: hex32(fresh.sk), ed25519: "0xabc" }), /--ed25519: "0xabc" is not an Ed25519 public key/);
      await refuses(deployer.address, () => hre.run("node:register", { blsKey: hex32(keys[1].sk), ed25519Key: hex32(5n) }), /--bls-key: this key is node 2 already/);
    });

    it("node:request-exit, then node:exit-after-wait once 30 days passed", async () => {
      const { registry, deployer } = await loadFixture(deployed);
      await refuses(deployer.address, () => hre.run("node:exit-after-wait", { id: "1" }), /node 1 has not asked to exit: .* node:request-exit --id 1/);
      await refuses(deployer.address, () => hre.run("node:request-exit", { id: "99" }), /--id: no active node 99: see `npx hardhat node:list/);
      await refuses(deployer.address, () => hre.run("node:request-exit", { id: "one" }), /--id: "one" is not a node id/);
      const r = (await hre.run("node:request-exit", { id: "1" })) as { exitRequestTimestamp: bigint };
      expect(r.exitRequestTimestamp).to.equal(BigInt(await time.latest()));
      await refuses(deployer.address, () => hre.run("node:request-exit", { id: "1" }), /a repeat is allowed from/);
      await refuses(deployer.address, () => hre.run("node:exit-after-wait", { id: "1" }), /node 1 may be removed from .*, in (30 d|29 d [^:]*): wait/);
      await time.increase(30 * 86_400);
      const rows = (await hre.run("node:list")) as { id: bigint; status: string }[];
      expect(rows[0].status).to.equal("exit requested; removable now");
      await hre.run("node:exit-after-wait", { id: "1" });
      expect(await registry.totalNodes()).to.equal(2n);
      expect((await registry.serviceNodes(1n)).operator).to.equal(ethers.ZeroAddress);
    });

    it("node:exit with the network's signature from a file; refuses an expired one and a mismatched one", async () => {
      const { registry, deployer, network, keys } = await loadFixture(deployed);
      await time.increase(3 * 3600); // nodes must be 2 h old
      const now = BigInt(await time.latest());
      const stale = saveJson("stale-exit.json", removalAnswer("exit", 2n, keys[1].pk, now - 3600n, network));
      await refuses(deployer.address, () => hre.run("node:exit", { id: "2", signature: stale }), /signature is \d+ s old .* accepts signatures up to 600 s old( and a transaction needs \d+ s to be mined)?: request a fresh one/);
      const liquidation = saveJson("liq.json", removalAnswer("liquidate", 2n, keys[1].pk, now, network));
      await refuses(deployer.address, () => hre.run("node:exit", { id: "2", signature: liquidation }), /--signature: .* is a liquidate signature; node:exit needs a exit signature/);
      const other = saveJson("other.json", removalAnswer("exit", 3n, keys[2].pk, now, network));
      await refuses(deployer.address, () => hre.run("node:exit", { id: "2", signature: other }), /signs node 3 .* not node 2/);
      await refuses(deployer.address, () => hre.run("node:exit", { id: "2" }), /--signature: give exactly one of --signature <file/);
      await refuses(deployer.address, () => hre.run("node:exit", { id: "2", signature: "/nonexistent.json" }), /--signature: file \/nonexistent.json does not exist/);
      // A signature by the wrong key set is decoded to the contract's error, in simulation: nothing sent.
      const wrong: SimNetwork = { ...network, nodes: new Map([[9n, nodeKey("stranger")]]) };
      const forged = saveJson("forged.json", removalAnswer("exit", 2n, keys[1].pk, now, wrong));
      await refuses(deployer.address, () => hre.run("node:exit", { id: "2", signature: forged }), /InvalidBLSSignature\(\) — the network's signature does not verify/);

      const good = saveJson("exit.json", removalAnswer("exit", 2n, keys[1].pk, BigInt(await time.latest()), network));
      const r = (await hre.run("node:exit", { id: "2", signature: good })) as { returned: bigint };
      expect(r.returned).to.equal(REQ);
      expect(await registry.totalNodes()).to.equal(2n);
    });
  });

  describe("anyone", () => {
    it("node:liquidate with a signature fetched from an aggregator URL pays the liquidator", async () => {
      const { registry, token, alice, network, keys } = await loadFixture(deployed);
      await time.increase(3 * 3600);
      const { createServer } = await import("node:http");
      let asked: unknown;
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as { id: number; method: string; params: unknown };
          asked = body;
          const ts = BigInt(await time.latest());
          res.end(JSON.stringify({ jsonrpc: "2.0", id: body.id, result: removalAnswer("liquidate", 3n, keys[2].pk, ts, network) }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      try {
        const before = await token.balanceOf(alice.address);
        // Run as alice: the tasks send from the first account.
        const saved = hre.ethers.getSigners;
        hre.ethers.getSigners = async () => [alice];
        try {
          await hre.run("node:liquidate", { id: "3", aggregator: url });
        } finally {
          hre.ethers.getSigners = saved;
        }
        expect(asked).to.deep.include({ method: "bls_exit_liquidation_request", params: { pubkey: publicKeyToHex(keys[2].pk), liquidate: true } });
        const [liq, poolParts, rec] = await registry.liquidationRatios();
        const expected = (REQ * liq) / (liq + poolParts + rec);
        expect((await token.balanceOf(alice.address)) - before).to.equal(expected);
        expect(await registry.totalNodes()).to.equal(2n);
      } finally {
        server.close();
      }
      await expect(hre.run("node:liquidate", { id: "1", aggregator: "not a url" })).to.be.rejectedWith(/--aggregator: "not a url" is not a URL/);
    });
  });

  describe("contributor and pool operator", () => {
    it("open a pool with a reservation, contribute with permit, set beneficiary, withdraw, finalize; list shows the minimum", async () => {
      const { deployer, alice, bob, carol, registry, token } = await loadFixture(deployed);
      const key = nodeKey("task-pool-1");
      const opened = (await hre.run("contribution:open", {
        blsKey: hex32(key.sk),
        ed25519Key: hex32(key.ed25519),
        fee: "500",
        reserve: `${bob.address}:5000`,
        manualFinalize: true,
        contribute: "6250",
      })) as { pool: string; status: string };
      expect(opened.status).to.equal("OpenForPublicContrib");
      const pool = await ethers.getContractAt("ServiceNodeContribution", opened.pool);
      expect(await pool.operatorContribution()).to.equal(6250n * SESH_UNIT);

      const list = (await hre.run("contribution:list")) as { pool: string; minimumContribution: bigint; fee: number; reservations: { addr: string }[] }[];
      expect(list).to.have.length(1);
      expect(list[0]).to.include({ pool: opened.pool, fee: 500 });
      expect(list[0].minimumContribution).to.equal(await pool.minimumContribution());
      expect(list[0].reservations.map((r) => r.addr)).to.deep.equal([bob.address]);

      const as = async <T>(signer: typeof alice, body: () => Promise<T>): Promise<T> => {
        const saved = hre.ethers.getSigners;
        hre.ethers.getSigners = async () => [signer];
        try {
          return await body();
        } finally {
          hre.ethers.getSigners = saved;
        }
      };
      // Too small, too large, not a pool: refused before sending.
      const minimum = await pool.minimumContribution();
      await as(alice, () =>
        refuses(alice.address, () => hre.run("contribution:contribute", { pool: opened.pool, amount: "1" }), new RegExp(`--amount: 1 SESH is below this pool's minimum for you, ${Number(minimum / SESH_UNIT)}`)),
      );
      await as(alice, () => refuses(alice.address, () => hre.run("contribution:contribute", { pool: opened.pool, amount: "20000" }), /--amount: 20000 SESH is more than the 13750 SESH the pool still needs/));
      await as(alice, () => refuses(alice.address, () => hre.run("contribution:contribute", { pool: alice.address, amount: "5000" }), /--pool: .* is not a pool made by this network's factory/));
      await as(alice, () => refuses(alice.address, () => hre.run("contribution:contribute", { pool: "0x12", amount: "5000" }), /--pool: "0x12" is not an address/));

      // Alice contributes with a permit: one transaction, no approve.
      const aliceNonce = await nonceOf(alice.address);
      await as(alice, () => hre.run("contribution:contribute", { pool: opened.pool, amount: "8750", beneficiary: carol.address }));
      expect(await nonceOf(alice.address)).to.equal(aliceNonce + 1);
      expect(await token.allowance(alice.address, opened.pool)).to.equal(0n);
      expect((await pool.contributionOf(alice.address))[0]).to.equal(8750n * SESH_UNIT);
      expect((await pool.contributionOf(alice.address))[1]).to.equal(carol.address);
      await as(alice, () => hre.run("contribution:set-beneficiary", { pool: opened.pool, beneficiary: alice.address }));
      expect((await pool.contributionOf(alice.address))[1]).to.equal(alice.address);

      await as(alice, () => refuses(alice.address, () => hre.run("contribution:withdraw", { pool: opened.pool }), /you can withdraw from .*, in (23 h|1 d)[^(]*\(a day after your last contribution\): wait/));
      await time.increase(86_400);
      await as(alice, () => hre.run("contribution:withdraw", { pool: opened.pool }));
      expect((await pool.contributionOf(alice.address))[0]).to.equal(0n);
      await as(alice, () => hre.run("contribution:contribute", { pool: opened.pool, amount: "13750" }));
      await as(bob, () => refuses(bob.address, () => hre.run("contribution:contribute", { pool: opened.pool, amount: "4000" }), /--amount: 4000 SESH is below this pool's minimum for you, 5000 SESH/));
      await as(bob, () => hre.run("contribution:contribute", { pool: opened.pool, amount: "5000" }));
      expect(await pool.status()).to.equal(2n); // filled, manual finalize

      await as(alice, () => refuses(alice.address, () => hre.run("contribution:finalize", { pool: opened.pool }), new RegExp(`operated by ${deployer.address}, not by ${alice.address}`)));
      const fin = (await hre.run("contribution:finalize", { pool: opened.pool })) as { id: bigint; status: string };
      expect(fin.status).to.equal("Finalized");
      expect(fin.id).to.equal(4n);
      expect((await registry.serviceNodes(4n)).operator).to.equal(deployer.address);
      expect(await registry.totalNodes()).to.equal(4n);
    });

    it("update-fee and update-keys before the operator's contribution, reset after; refused otherwise", async () => {
      const { deployer } = await loadFixture(deployed);
      const key = nodeKey("task-pool-2");
      const opened = (await hre.run("contribution:open", { blsKey: hex32(key.sk), ed25519Key: hex32(key.ed25519), fee: "100", manualFinalize: false })) as { pool: string; status: string };
      expect(opened.status).to.equal("WaitForOperatorContrib");
      const pool = await ethers.getContractAt("ServiceNodeContribution", opened.pool);
      await refuses(deployer.address, () => hre.run("contribution:update-fee", { pool: opened.pool, fee: "10001" }), /--fee: "10001" is not a fee: write basis points from 0 to 10000/);
      expect(((await hre.run("contribution:update-fee", { pool: opened.pool, fee: "250" })) as { fee: number }).fee).to.equal(250);
      const other = nodeKey("task-pool-2b");
      const keys = (await hre.run("contribution:update-keys", { pool: opened.pool, blsKey: hex32(other.sk), ed25519Key: hex32(other.ed25519) })) as { pubkey: string };
      const [pk] = await pool.registration();
      expect(publicKeyToHex({ X: pk.X, Y: pk.Y })).to.equal(keys.pubkey);
      await hre.run("contribution:contribute", { pool: opened.pool, amount: "6250" });
      await refuses(deployer.address, () => hre.run("contribution:update-fee", { pool: opened.pool, fee: "300" }), /is OpenForPublicContrib: the fee can change only before your first contribution — run contribution:reset first/);
      const reset = (await hre.run("contribution:reset", { pool: opened.pool })) as { status: string };
      expect(reset.status).to.equal("WaitForOperatorContrib");
      expect(await pool.totalContribution()).to.equal(0n);
    });

    it("contribution:open refuses bad reservations, fee and contribution before sending", async () => {
      const { deployer, alice } = await loadFixture(deployed);
      const key = nodeKey("task-pool-3");
      const base = { blsKey: hex32(key.sk), ed25519Key: hex32(key.ed25519), fee: "500", manualFinalize: false };
      await refuses(deployer.address, () => hre.run("contribution:open", { ...base, fee: "5%" }), /--fee: "5%" is not a fee/);
      await refuses(deployer.address, () => hre.run("contribution:open", { ...base, reserve: `${alice.address}` }), /--reserve: entry 1 .* must be address:SESH/);
      await refuses(deployer.address, () => hre.run("contribution:open", { ...base, reserve: `${alice.address}:20000` }), /reservations total 20000 SESH, leaving less than your minimum 6250 SESH/);
      await refuses(deployer.address, () => hre.run("contribution:open", { ...base, reserve: `${deployer.address}:1000` }), /do not reserve a slot for yourself/);
      await refuses(deployer.address, () => hre.run("contribution:open", { ...base, contribute: "100" }), /--contribute: 100 SESH is below the operator's minimum, a quarter of the requirement: give at least 6250 SESH/);
    });
  });

  describe("rewards", () => {
    it("rewards:claim submits the network's signed balance and claims it; refuses someone else's and an empty one", async () => {
      const { deployer, alice, token, registry, network } = await loadFixture(deployed);
      const amount = 1234n * SESH_UNIT;
      const answer = (who: string, total: bigint) => ({
        address: who,
        amount: total.toString(),
        network_height: "1",
        message: "0x",
        signature: paramsToJson(signReward(network, who as `0x${string}`, total)),
        non_signer_ids: [],
        signers: 3,
        registered: 3,
        l2_height: "1",
      });
      const notMine = saveJson("alice-rewards.json", answer(alice.address, amount));
      await refuses(deployer.address, () => hre.run("rewards:claim", { signature: notMine }), new RegExp(`balance of ${alice.address}, not of your account ${deployer.address}`));
      const file = saveJson("rewards.json", answer(deployer.address, amount));
      const before = await token.balanceOf(deployer.address);
      const r = (await hre.run("rewards:claim", { signature: file })) as { paid: bigint; txHashes: string[] };
      expect(r.paid).to.equal(amount);
      expect(r.txHashes).to.have.length(2);
      expect((await token.balanceOf(deployer.address)) - before).to.equal(amount);
      expect(await registry.recipients(deployer.address)).to.deep.equal([amount, amount]);
      await refuses(deployer.address, () => hre.run("rewards:claim", { signature: file }), /nothing to claim: the network signs 1234 SESH in total .* 1234 SESH was paid already/);
      const status = (await hre.run("rewards:status", {})) as { rewards: bigint; claimed: bigint };
      expect(status).to.deep.equal({ rewards: amount, claimed: amount });
    });
  });

  describe("exit requests by contributors", () => {
    it("a pooled node's big contributor requests its exit; the operator may repeat it an hour later", async () => {
      const { registry, alice, deployer, poolNode } = await loadFixture(pooled);
      const r = (await as(alice, () => hre.run("node:request-exit", { id: String(poolNode) }))) as { txHash: string; exitRequestTimestamp: bigint; role: string };
      expect(r.role).to.equal("contributor");
      expect(await calledFunction(registry, r.txHash)).to.equal("initiateExitBLSPublicKey");
      const receipt = await ethers.provider.getTransactionReceipt(r.txHash);
      const event = receipt!.logs.map((l) => registry.interface.parseLog(l)).find((p) => p?.name === "ServiceNodeExitRequest");
      expect(event?.args[0]).to.equal(poolNode);
      expect(event?.args[1]).to.equal(alice.address);
      expect(r.exitRequestTimestamp).to.equal(BigInt(await time.latest()));
      expect((await registry.serviceNodes(poolNode)).exitRequestTimestamp).to.equal(r.exitRequestTimestamp);
      // A repeat within the hour is refused before sending, by anyone.
      await refuses(deployer.address, () => hre.run("node:request-exit", { id: String(poolNode) }), /a repeat is allowed from .*, in (1 h|\d+ min[^:]*): try again then/);
      await time.increase(3600);
      const again = (await hre.run("node:request-exit", { id: String(poolNode) })) as { role: string; exitRequestTimestamp: bigint };
      expect(again.role).to.equal("operator");
      expect(again.exitRequestTimestamp).to.equal(r.exitRequestTimestamp); // the 30-day wait runs from the first request
    });

    it("a small contributor is refused before 30 days (nothing sent) and succeeds after; a stranger is refused", async () => {
      const { registry, bob, dave, poolNode } = await loadFixture(pooled);
      const id = String(poolNode);
      await as(bob, () =>
        refuses(bob.address, () => hre.run("node:request-exit", { id }), /you staked 5000 SESH of node 4's 25000 SESH, less than a quarter: .* from .*, in \d+ d[^—]*— try again then/),
      );
      // The contract agrees: the same call would revert with SmallContributorLeaveTooEarly.
      const added = (await registry.serviceNodes(poolNode)).addedTimestamp;
      const filter = registry.filters.NewServiceNodeV2(poolNode);
      const [registration] = await registry.queryFilter(filter);
      const list = registration.args.contributors.map((c) => ({ staker: { addr: c.staker.addr, beneficiary: c.staker.beneficiary }, stakedAmount: c.stakedAmount }));
      await expect(registry.connect(bob)["initiateExitBLSPublicKey(uint64,((address,address),uint256)[])"](poolNode, list))
        .to.be.revertedWithCustomError(registry, "SmallContributorLeaveTooEarly")
        .withArgs(poolNode, bob.address, added + 30n * 86_400n);
      await as(dave, () => refuses(dave.address, () => hre.run("node:request-exit", { id }), new RegExp(`${dave.address} is not a contributor of node 4; its contributors are .*${bob.address}`)));
      await as(dave, () => refuses(dave.address, () => hre.run("node:request-exit", { id: "1" }), /node 1 is a solo node operated by .* only its operator may request its exit/));

      await time.increaseTo(added + 30n * 86_400n);
      const r = (await as(bob, () => hre.run("node:request-exit", { id }))) as { txHash: string; role: string; exitRequestTimestamp: bigint };
      expect(r.role).to.equal("contributor");
      const receipt = await ethers.provider.getTransactionReceipt(r.txHash);
      const event = receipt!.logs.map((l) => registry.interface.parseLog(l)).find((p) => p?.name === "ServiceNodeExitRequest");
      expect(event?.args[1]).to.equal(bob.address);
      expect((await registry.serviceNodes(poolNode)).exitRequestTimestamp).to.equal(r.exitRequestTimestamp);
      await as(dave, () => refuses(dave.address, () => hre.run("node:request-exit", { id }), /is not a contributor of node 4/));
      // What `send` prints for this call names every contributor (not "[object Object]").
      expect(formatArg([poolNode, list.slice(0, 1)])).to.equal(`[4, [{staker: {addr: ${list[0].staker.addr}, beneficiary: ${list[0].staker.beneficiary}}, stakedAmount: ${list[0].stakedAmount}}]]`);
    });
  });

  describe("non-signer keys", () => {
    /** Gas of `send` on the current state, then the state is restored. */
    async function gasOn(send: () => Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<bigint> {
      const snapshot = await takeSnapshot();
      try {
        return (await (await send()).wait())!.gasUsed;
      } finally {
        await snapshot.restore();
      }
    }

    it("rewards:claim sends updateRewardsBalanceWithNonSignerKeys when a node did not sign, plain with none", async () => {
      const { deployer, token, registry, network } = await loadFixture(deployed);
      const amount = 500n * SESH_UNIT;
      const offline = [2n];
      const sig = signReward(network, deployer.address as `0x${string}`, amount, offline);
      const answer = { address: deployer.address, amount: amount.toString(), signature: paramsToJson(sig), non_signer_ids: offline.map(String) };
      const plainGas = await gasOn(() => registry.updateRewardsBalance(deployer.address, amount, sig, offline));
      const hintedGas = await gasOn(() => registry.updateRewardsBalanceWithNonSignerKeys(deployer.address, amount, sig, hinted(network, offline)));
      const before = await token.balanceOf(deployer.address);
      const r = (await hre.run("rewards:claim", { signature: saveJson("rewards-offline.json", answer) })) as {
        paid: bigint;
        txHashes: string[];
        update: { variant: string; method: string; gasUsed: bigint };
      };
      expect(r.update).to.include({ variant: "hinted", method: "updateRewardsBalanceWithNonSignerKeys" });
      expect(await calledFunction(registry, r.txHashes[0])).to.equal("updateRewardsBalanceWithNonSignerKeys");
      const receipt = await ethers.provider.getTransactionReceipt(r.txHashes[0]);
      const event = receipt!.logs.map((l) => registry.interface.parseLog(l)).find((p) => p?.name === "RewardsBalanceUpdated");
      expect(event?.args).to.deep.equal([deployer.address, amount, 0n]);
      expect(r.paid).to.equal(amount);
      expect((await token.balanceOf(deployer.address)) - before).to.equal(amount);
      expect(await registry.recipients(deployer.address)).to.deep.equal([amount, amount]);
      expect(r.update.gasUsed).to.equal(hintedGas);
      expect(hintedGas).to.be.lessThan(plainGas);
      console.log(`      updateRewardsBalance, 1 non-signer: id list ${plainGas} gas, with keys ${hintedGas} gas (${plainGas - hintedGas} less)`);

      // No non-signers: the plain function, measured against the keyed one with an empty list.
      const total = 2n * amount;
      const full = signReward(network, deployer.address as `0x${string}`, total);
      const plain0 = await gasOn(() => registry.updateRewardsBalance(deployer.address, total, full, []));
      const hinted0 = await gasOn(() => registry.updateRewardsBalanceWithNonSignerKeys(deployer.address, total, full, "0x"));
      const again = (await hre.run("rewards:claim", {
        signature: saveJson("rewards-all.json", { address: deployer.address, amount: total.toString(), signature: paramsToJson(full), non_signer_ids: [] }),
      })) as { txHashes: string[]; update: { variant: string; gasUsed: bigint } };
      expect(again.update.variant).to.equal("plain");
      expect(await calledFunction(registry, again.txHashes[0])).to.equal("updateRewardsBalance");
      expect(again.update.gasUsed).to.equal(plain0);
      console.log(`      updateRewardsBalance, 0 non-signers: id list ${plain0} gas, with keys ${hinted0} gas`);
      expect(plain0).to.be.at.most(hinted0);
    });

    it("node:exit and node:liquidate send the …AndNonSignerKeys functions with one offline node; same outcome, less gas", async () => {
      const fixture = await loadFixture(deployed);
      const { registry, token, alice, keys } = fixture;
      const network: SimNetwork = { ...fixture.network, nodes: new Map(fixture.network.nodes) }; // changed below
      await time.increase(3 * 3600);
      const offline = [1n];
      const ts = BigInt(await time.latest());
      const exitSig = signExit(network, keys[1].pk, ts, offline);
      const plainExit = await gasOn(() => registry.exitBLSPublicKeyWithSignature(keys[1].pk, ts, exitSig, offline));
      const hintedExit = await gasOn(() => registry.exitBLSPublicKeyWithSignatureAndNonSignerKeys(keys[1].pk, ts, exitSig, hinted(network, offline)));
      const exit = (await hre.run("node:exit", { id: "2", signature: saveJson("exit-offline.json", removalAnswer("exit", 2n, keys[1].pk, ts, network, offline)) })) as {
        txHash: string;
        returned: bigint;
        variant: string;
        gasUsed: bigint;
      };
      expect(exit.variant).to.equal("hinted");
      expect(await calledFunction(registry, exit.txHash)).to.equal("exitBLSPublicKeyWithSignatureAndNonSignerKeys");
      expect(exit.returned).to.equal(REQ);
      expect(exit.gasUsed).to.equal(hintedExit);
      expect(hintedExit).to.be.lessThan(plainExit);
      expect(await registry.totalNodes()).to.equal(2n);
      expect((await registry.serviceNodes(2n)).operator).to.equal(ethers.ZeroAddress);
      network.nodes.delete(2n);
      console.log(`      exitBLSPublicKeyWithSignature, 1 non-signer: id list ${plainExit} gas, with keys ${hintedExit} gas (${plainExit - hintedExit} less)`);

      // 2 nodes left: at most 0 non-signers (2 / 3) — register one more so one may be offline.
      const extra = nodeKey("task-solo-extra");
      const reg = (await hre.run("node:register", { blsKey: hex32(extra.sk), ed25519Key: hex32(extra.ed25519) })) as { id: bigint };
      network.nodes.set(reg.id, extra);
      const ts2 = BigInt(await time.latest());
      const liqSig = signLiquidation(network, keys[2].pk, ts2, offline);
      const plainLiq = await gasOn(() => registry.connect(alice).liquidateBLSPublicKeyWithSignature(keys[2].pk, ts2, liqSig, offline));
      const hintedLiq = await gasOn(() => registry.connect(alice).liquidateBLSPublicKeyWithSignatureAndNonSignerKeys(keys[2].pk, ts2, liqSig, hinted(network, offline)));
      const before = await token.balanceOf(alice.address);
      const liq = (await as(alice, () =>
        hre.run("node:liquidate", { id: "3", signature: saveJson("liq-offline.json", removalAnswer("liquidate", 3n, keys[2].pk, ts2, network, offline)) }),
      )) as { txHash: string; variant: string; gasUsed: bigint };
      expect(liq.variant).to.equal("hinted");
      expect(await calledFunction(registry, liq.txHash)).to.equal("liquidateBLSPublicKeyWithSignatureAndNonSignerKeys");
      const [liqParts, poolParts, rec] = await registry.liquidationRatios();
      expect((await token.balanceOf(alice.address)) - before).to.equal((REQ * liqParts) / (liqParts + poolParts + rec));
      const receipt = await ethers.provider.getTransactionReceipt(liq.txHash);
      const names = receipt!.logs.map((l) => registry.interface.parseLog(l)?.name).filter((n) => n !== undefined);
      expect(names).to.include.members(["ServiceNodeLiquidated", "ServiceNodeExit"]);
      expect(liq.gasUsed).to.equal(hintedLiq);
      expect(hintedLiq).to.be.lessThan(plainLiq);
      expect(await registry.totalNodes()).to.equal(2n);
      console.log(`      liquidateBLSPublicKeyWithSignature, 1 non-signer: id list ${plainLiq} gas, with keys ${hintedLiq} gas (${plainLiq - hintedLiq} less)`);
    });

    it("refuses an answer naming a non-signer that is not an active node, before sending", async () => {
      const { deployer, network } = await loadFixture(deployed);
      const amount = 10n * SESH_UNIT;
      const sig = signReward(network, deployer.address as `0x${string}`, amount, [2n]);
      const file = saveJson("rewards-unknown.json", { address: deployer.address, amount: amount.toString(), signature: paramsToJson(sig), non_signer_ids: ["9"] });
      await refuses(deployer.address, () => hre.run("rewards:claim", { signature: file }), /lists non-signer\(s\) 9 that are not active nodes on this chain: .* request a fresh one/);
    });
  });

  describe("deployer", () => {
    it("deploy:verify checks the code behind every entry against the artifacts", async () => {
      const { book } = await loadFixture(deployed);
      await hre.run("deploy:verify");
      const file = path.join(deployments.dir, "hardhat.json");
      const original = readFileSync(file, "utf8");
      try {
        const tampered = JSON.parse(original) as { contracts: Record<string, { address: string }> };
        tampered.contracts.BLSVerifier.address = book.contracts.SESH!.address;
        writeFileSync(file, JSON.stringify(tampered));
        await expect(hre.run("deploy:verify")).to.be.rejectedWith(/BLSVerifier: the code at .* differs from the compiled BLSVerifier[\s\S]*run `npx hardhat deploy --network hardhat`/);
      } finally {
        writeFileSync(file, original);
      }
    });

    it("devnet:faucet sends SESH and ETH; refuses bad input before sending", async () => {
      const { deployer, token } = await loadFixture(deployed);
      const to = ethers.Wallet.createRandom().address;
      await refuses(deployer.address, () => hre.run("devnet:faucet", { to, amount: "10", eth: "lots" }), /--eth: "lots" is not an ETH amount/);
      await refuses(deployer.address, () => hre.run("devnet:faucet", { to: "0xabc", amount: "10", eth: "1" }), /--to: "0xabc" is not an address/);
      await hre.run("devnet:faucet", { to, amount: "10", eth: "0.5" });
      expect(await token.balanceOf(to)).to.equal(10n * SESH_UNIT);
      expect(await ethers.provider.getBalance(to)).to.equal(ethers.parseEther("0.5"));
    });

    it("every new task names the deploy command when there is no deployment", async () => {
      const { deployer } = await loadFixture(deployed);
      const empty = mkdtempSync(path.join(os.tmpdir(), "deployments-empty-"));
      process.env.DEPLOYMENTS_DIR = empty;
      const pool = ethers.Wallet.createRandom().address;
      try {
        for (const [name, args] of [
          ["node:register", { blsKey: hex32(5n), ed25519Key: hex32(5n) }],
          ["node:request-exit", { id: "1" }],
          ["node:exit", { id: "1", signature: "x.json" }],
          ["node:exit-after-wait", { id: "1" }],
          ["node:liquidate", { id: "1", signature: "x.json" }],
          ["node:list", {}],
          ["rewards:claim", { signature: "x.json" }],
          ["contribution:open", { blsKey: hex32(5n), ed25519Key: hex32(5n), fee: "0", manualFinalize: false }],
          ["contribution:list", {}],
          ["contribution:contribute", { pool, amount: "1" }],
          ["contribution:withdraw", { pool }],
          ["contribution:finalize", { pool }],
          ["contribution:reset", { pool }],
        ] as const) {
          await refuses(deployer.address, () => hre.run(name, args), /this ran on Hardhat's throw-away in-process chain .* nothing is deployed on it/);
        }
      } finally {
        process.env.DEPLOYMENTS_DIR = deployments.dir;
        rmSync(empty, { recursive: true, force: true });
      }
    });
  });
});
