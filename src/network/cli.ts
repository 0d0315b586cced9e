/**
 * `npm run network -- [start] [options]`: a simulated node network (N signing nodes + the aggregator's
 * JSON-RPC on 127.0.0.1) until SIGINT/SIGTERM. `npm run network -- keys --operator ADDRESS …`: the nodes'
 * registration params (BLS key, proof of possession, Ed25519 params) as JSON, for the devnet to register.
 * See `--help`.
 */
import { networkHelpText, NetworkConfigError, parseCommand, type KeysConfig, type NetworkConfig } from "./config";
import { connect, NetworkStartError, rpcClient, startNetwork, type RunningNetwork } from "./daemon";
import { deriveNodeKeys, devnetSecretsToJson, registrationParams, registrationToJson } from "./keys";

type Out = (line: string) => void;

/** The registration params of `config.nodes` nodes as one JSON document. */
export async function keysDocument(config: KeysConfig): Promise<Record<string, unknown>> {
  let chainId = config.chainId;
  let rewards = config.rewards;
  if (rewards === null) {
    const found = await connect({ rpcUrl: config.rpcUrl ?? "http://127.0.0.1:8545", rewards: null, addressBook: config.addressBook });
    rewards = found.registry;
    if (chainId !== null && chainId !== found.chainId) throw new NetworkStartError(`--chain-id ${chainId} differs from the chain at --rpc (${found.chainId})`);
    chainId = found.chainId;
  } else if (chainId === null) {
    try {
      chainId = BigInt(await rpcClient(config.rpcUrl ?? "http://127.0.0.1:8545").getChainId());
    } catch (error) {
      throw new NetworkStartError(`cannot ask --rpc ${config.rpcUrl} for the chain id (${(error as Error).message.split("\n")[0]}): pass --chain-id N`);
    }
  }
  const keys = deriveNodeKeys(config.seed, config.nodes);
  const params = registrationParams(keys, { chainId, contract: rewards }, config.operators, config.fee);
  return {
    chainId: chainId.toString(),
    rewards,
    seed: config.seed,
    note: `each node's nodeRegister line is the node:register arguments for its operator's account (run it as npx hardhat --network <network> ${"<nodeRegister>"}); devnetOnlySecrets are for devnets only`,
    nodes: params.map((p, i) => ({ ...registrationToJson(p), ...devnetSecretsToJson(keys[i], p) })),
  };
}

function describe(config: NetworkConfig, net: RunningNetwork): string[] {
  const lines = [`network: ${config.nodes} nodes in ${config.processes} process${config.processes > 1 ? "es" : ""}, registry ${net.registry} (chain ${net.chainId}), state from ${net.source}`];
  for (const n of net.nodes) lines.push(`  node ${String(n.index).padStart(3)}  ${n.url}  ${n.publicKey.slice(0, 18)}…${n.behaviour === "honest" ? "" : `  [${n.behaviour}]`}${n.process ? `  (process ${n.process})` : ""}`);
  lines.push(`  ledgers in ${net.ledgerDir}`);
  lines.push(`  health: GET ${net.aggregatorUrl}status (JSON; 503 unless every node process is up), metrics: GET ${net.aggregatorUrl}metrics`);
  return lines;
}

/** Runs the CLI; resolves with the exit code once it is done (start: after a signal stopped it). */
export async function main(argv: readonly string[], out: Out = (l) => process.stdout.write(`${l}\n`), err: Out = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  let command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (error instanceof NetworkConfigError) {
      err(`network: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (command.kind === "help") {
    out(networkHelpText());
    return 0;
  }
  try {
    if (command.kind === "keys") {
      out(JSON.stringify(await keysDocument(command.config), null, 2));
      return 0;
    }
    const config = command.config;
    let stopping: Promise<number> | null = null;
    let net: RunningNetwork | null = null;
    let stopRequested: ((code: number) => void) | null = null;
    const done = new Promise<number>((resolve) => (stopRequested = resolve));
    const stop = (signal: string): void => {
      if (stopping !== null) return;
      out(`network: ${signal}: stopping…`);
      stopping = (net?.close() ?? Promise.resolve()).then(
        () => 0,
        (e: Error) => {
          err(`network: error while stopping: ${e.message}`);
          return 1;
        },
      );
      void stopping.then((code) => {
        out("network: stopped");
        stopRequested?.(code);
      });
    };
    const onInt = (): void => stop("SIGINT");
    const onTerm = (): void => stop("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    try {
      out(`network: starting ${config.nodes} nodes (seed "${config.seed}")…`);
      net = await startNetwork(config, (line) => out(`network: ${line}`));
      if (stopping !== null) {
        await net.close();
        return await done;
      }
      for (const line of describe(config, net)) out(line);
      out(`network ready: aggregator ${net.aggregatorUrl} (bls_rewards_request, bls_exit_liquidation_request, bls_exit_liquidation_list); ${net.nodes.length} nodes; Ctrl-C stops`);
      return await done;
    } finally {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    }
  } catch (error) {
    if (error instanceof NetworkStartError || error instanceof NetworkConfigError) {
      err(`network: ${error.message}`);
      return 1;
    }
    err(`network: ${(error as Error).message ?? String(error)}`);
    if (process.env.NETWORK_DEBUG === "1") err((error as Error).stack ?? "");
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`network: fatal: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
