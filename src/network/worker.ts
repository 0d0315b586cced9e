/**
 * A child process of the network daemon (`--processes K`): runs its share of the nodes with its own view
 * and ledger, reports their URLs over IPC, and stops on SIGTERM/SIGINT or when the parent goes away.
 */
import { clockOf, configFromJson, openView, rpcClient, startNodeGroup, type WorkerMessage, type WorkerStart } from "./daemon";
import { openLedger } from "./ledger/ledger";

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function run(start: WorkerStart): Promise<void> {
  const config = configFromJson(start.config);
  const client = rpcClient(config.rpcUrl);
  const view = openView(config, client, start.registry);
  const ledger = openLedger({ path: start.ledgerPath, config: { minActiveSeconds: config.minActiveSeconds, unlockSeconds: config.unlockSeconds } });
  const clock = clockOf(config, client);
  const startGroup = (ports: WorkerStart["ports"]) =>
    startNodeGroup({
      config,
      indices: start.indices,
      domain: { chainId: BigInt(start.chainId), contract: start.registry },
      client,
      view,
      ledger,
      startHeight: BigInt(start.startHeight),
      onError: (e) => process.stderr.write(`ledger sync failed: ${e.message}\n`),
      clock,
      ports,
    });
  const group = await startGroup(start.ports)
    .catch((error: Error) => {
      // A restart asks for the ports the nodes had; if one was taken meanwhile, any free ones do (the daemon follows the new URLs).
      if (start.ports === undefined || config.nodePortBase !== null) throw error;
      process.stderr.write(`the previous ports are not free (${error.message}); listening on others\n`);
      return startGroup(undefined);
    })
    .catch((error: unknown) => {
      ledger.close();
      throw error;
    });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    group
      .close()
      .then(() => ledger.close())
      .finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.on("disconnect", stop);
  send({ type: "ready", nodes: group.sim.nodes.map((n) => ({ index: start.indices[n.index], url: n.url! })) });
}

if (require.main === module) {
  if (process.send === undefined) {
    process.stderr.write("src/network/worker.ts is started by the network daemon (--processes K), not by hand\n");
    process.exit(2);
  }
  process.once("message", (message: WorkerStart) => {
    run(message).catch((error: unknown) => {
      send({ type: "error", message: (error as Error).message });
      process.exit(1);
    });
  });
}
