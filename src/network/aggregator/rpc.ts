/**
 * The aggregator's public JSON-RPC: `bls_rewards_request {address}`, `bls_exit_liquidation_request
 * {pubkey, liquidate}`, `bls_exit_liquidation_list`. Answers are ready to submit: decimal strings for
 * integers, the signature as the four `BLSSignatureParams` words in hex, non-signer ids ascending.
 */
import { methodNotFound } from "../errors";
import { serveRpc, type RpcServer, type RpcServerOptions } from "../rpc";
import { addressParam, boolParam, objectParams, paramsToJson, pubkeyParam, publicKeyToHex } from "../wire";
import type { Aggregator, SignedAnswer } from "./aggregator";

export const AGGREGATOR_METHODS = ["bls_rewards_request", "bls_exit_liquidation_request", "bls_exit_liquidation_list"] as const;

function common(answer: SignedAnswer): Record<string, unknown> {
  return {
    message: answer.message,
    signature: paramsToJson(answer.signature),
    non_signer_ids: answer.nonSignerIds.map(String),
    signers: answer.signers,
    registered: answer.registered,
    l2_height: answer.l2Height.toString(),
  };
}

export function aggregatorRpcHandler(aggregator: Aggregator): (method: string, params: unknown) => Promise<unknown> {
  return async (method, params) => {
    switch (method) {
      case "bls_rewards_request": {
        const p = objectParams(params, ["address"]);
        const a = await aggregator.rewardsRequest(addressParam(p, "address"));
        return { address: a.address, amount: a.amount.toString(), network_height: a.networkHeight.toString(), ...common(a) };
      }
      case "bls_exit_liquidation_request": {
        const p = objectParams(params, ["pubkey", "liquidate"]);
        const a = await aggregator.exitLiquidationRequest(pubkeyParam(p, "pubkey"), boolParam(p, "liquidate"));
        return { type: a.type, service_node_id: a.serviceNodeId.toString(), pubkey: publicKeyToHex(a.pubkey), timestamp: a.timestamp.toString(), ...common(a) };
      }
      case "bls_exit_liquidation_list": {
        objectParams(params ?? {}, []);
        return (await aggregator.exitLiquidationList()).map((c) => ({
          service_node_id: c.serviceNodeId.toString(),
          pubkey: c.pubkey,
          type: c.type,
          exit_requested_at: c.exitRequestedAt?.toString() ?? null,
          unlock_at: c.unlockAt?.toString() ?? null,
        }));
      }
      default:
        throw methodNotFound(`unknown method ${JSON.stringify(method)} (methods: ${AGGREGATOR_METHODS.join(", ")})`);
    }
  };
}

/** Serves the aggregator's JSON-RPC; `options` adds per-client limits and GET routes (health, metrics). */
export function serveAggregator(aggregator: Aggregator, port = 0, host?: string, options: Omit<RpcServerOptions, "port" | "host"> = {}): Promise<RpcServer> {
  return serveRpc(aggregatorRpcHandler(aggregator), { ...options, port, host });
}
