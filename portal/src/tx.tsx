/**
 * Sending transactions: every call is simulated first (a revert is refused with the contract's error in
 * words before the wallet opens), then signed in the wallet, then shown pending → confirmed with its hash.
 */
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useConfig, useConnection } from "wagmi";
import { getWalletClient } from "wagmi/actions";
import type { Abi, Address, Hex, PublicClient, TransactionReceipt, WalletClient } from "viem";
import { describeMinedRevert, describeProblem, type Problem } from "./errors";
import { allErrorsAbi } from "./generated/abis";
import { usePortal } from "./client";

export interface ContractCall {
  readonly address: Address;
  readonly abi: Abi | readonly unknown[];
  readonly functionName: string;
  readonly args?: readonly unknown[];
}

export interface TxStep {
  readonly label: string;
  readonly status: "wallet" | "pending" | "confirmed" | "failed";
  readonly hash?: Hex;
  readonly block?: bigint;
}

export interface TxState {
  readonly running: boolean;
  readonly steps: readonly TxStep[];
  readonly problem: Problem | null;
  readonly done: string | null;
}

export interface Sender {
  readonly account: Address;
  readonly wallet: WalletClient;
  readonly client: PublicClient;
  /** Simulates, asks the wallet, waits for the receipt; throws (decoded) on any failure. */
  send(label: string, call: ContractCall): Promise<TransactionReceipt>;
  /** A wallet prompt that is not a transaction (a permit signature). */
  sign<T>(label: string, prompt: () => Promise<T>): Promise<T>;
}

const IDLE: TxState = { running: false, steps: [], problem: null, done: null };

export class Refusal extends Error {}

/** A transaction that was mined and reverted, with why in words. */
class MinedRevert extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

/**
 * Why a mined transaction reverted, in words. A receipt says only that it did, so the same call is replayed
 * on the state it met: the end of the block before its own (exact when it was its block's first
 * transaction, as on the devnet and usually on Arbitrum), else the end of its own block. Neither reverting
 * means the state moved on since, or it ran out of gas (all of its gas limit used).
 */
async function explainMinedRevert(client: PublicClient, receipt: TransactionReceipt): Promise<Problem> {
  const hash = receipt.transactionHash;
  try {
    const tx = await client.getTransaction({ hash });
    const blocks = receipt.blockNumber > 0n ? [receipt.blockNumber - 1n, receipt.blockNumber] : [receipt.blockNumber];
    for (const blockNumber of blocks) {
      try {
        await client.call({ account: tx.from, to: tx.to, data: tx.input, value: tx.value, gas: tx.gas, blockNumber });
      } catch (error) {
        return describeMinedRevert(hash, error, false);
      }
    }
    return describeMinedRevert(hash, null, receipt.gasUsed >= tx.gas);
  } catch {
    return describeMinedRevert(hash, null, false);
  }
}

export function useTx(): { state: TxState; run(flow: (sender: Sender) => Promise<string | void>): Promise<boolean>; reset(): void } {
  const { config, client } = usePortal();
  const wagmi = useConfig();
  const connection = useConnection();
  const queries = useQueryClient();
  const [state, setState] = useState<TxState>(IDLE);

  async function run(flow: (sender: Sender) => Promise<string | void>): Promise<boolean> {
    const steps: TxStep[] = [];
    const update = (patch: Partial<TxState> = {}) => setState((s) => ({ ...s, steps: [...steps], ...patch }));
    setState({ running: true, steps: [], problem: null, done: null });
    try {
      if (connection.address === undefined) throw new Refusal("Connect a wallet first (the Connect button at the top).");
      if (connection.chainId !== config.chainId) throw new Refusal(`Your wallet is on another network: switch it to ${config.chainName} first.`);
      const wallet = await getWalletClient(wagmi, { chainId: config.chainId });
      const account = connection.address;
      const setStep = (i: number, step: TxStep) => {
        steps[i] = step;
        update();
      };
      const sender: Sender = {
        account,
        wallet,
        client,
        async sign(label, prompt) {
          const i = steps.length;
          setStep(i, { label, status: "wallet" });
          try {
            const result = await prompt();
            setStep(i, { label, status: "confirmed" });
            return result;
          } catch (error) {
            setStep(i, { label, status: "failed" });
            throw error;
          }
        },
        async send(label, call) {
          const i = steps.length;
          setStep(i, { label, status: "wallet" });
          try {
            const abi = [...(call.abi as Abi), ...(allErrorsAbi as Abi)];
            const { request } = await client.simulateContract({ ...call, abi, args: call.args ?? [], account } as Parameters<PublicClient["simulateContract"]>[0]);
            const hash = await wallet.writeContract({ ...(request as Parameters<WalletClient["writeContract"]>[0]), account, chain: wallet.chain });
            setStep(i, { label, status: "pending", hash });
            const receipt = await client.waitForTransactionReceipt({ hash });
            if (receipt.status !== "success") {
              setStep(i, { label, status: "failed", hash, block: receipt.blockNumber });
              throw new MinedRevert(await explainMinedRevert(client, receipt));
            }
            setStep(i, { label, status: "confirmed", hash, block: receipt.blockNumber });
            return receipt;
          } catch (error) {
            if (steps[i].status !== "failed") setStep(i, { ...steps[i], status: "failed" });
            throw error;
          }
        },
      };
      const done = await flow(sender);
      update({ running: false, done: done ?? "Done." });
      return true;
    } catch (error) {
      const problem: Problem =
        error instanceof Refusal ? { kind: "failed", message: error.message } : error instanceof MinedRevert ? error.problem : describeProblem(error);
      update({ running: false, problem });
      // The chain refused it: what the page shows is out of date (a pool that filled, a name taken): read it again.
      if (problem.kind === "reverted") void queries.invalidateQueries({ queryKey: ["chain"] });
      return false;
    }
  }

  return { state, run, reset: () => setState(IDLE) };
}

const STATUS_WORDS: Record<TxStep["status"], string> = {
  wallet: "waiting for your wallet…",
  pending: "pending…",
  confirmed: "confirmed",
  failed: "failed",
};

/** The progress and outcome of a flow: announced to screen readers as it changes. */
export function TxView({ state }: { state: TxState }) {
  const { config } = usePortal();
  if (state.steps.length === 0 && state.problem === null && state.done === null) return null;
  return (
    <div className="tx" role="status" aria-live="polite">
      {state.steps.length > 0 && (
        <ol className="tx-steps">
          {state.steps.map((step, i) => (
            <li key={i} className={`tx-step tx-${step.status}`} data-status={step.status}>
              <span>{step.label}: {STATUS_WORDS[step.status]}</span>
              {step.hash !== undefined && (
                <span className="tx-hash">
                  {" "}
                  {config.explorerUrl !== null ? (
                    <a href={`${config.explorerUrl}/tx/${step.hash}`} target="_blank" rel="noreferrer noopener">
                      {step.hash}
                    </a>
                  ) : (
                    <code>{step.hash}</code>
                  )}
                  {step.block !== undefined && ` (block ${step.block})`}
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
      {state.problem !== null && (
        <p className={`problem problem-${state.problem.kind}`} data-kind={state.problem.kind} data-error={state.problem.kind === "reverted" ? state.problem.error : undefined}>
          {state.problem.message}
        </p>
      )}
      {state.done !== null && <p className="done">{state.done}</p>}
    </div>
  );
}
