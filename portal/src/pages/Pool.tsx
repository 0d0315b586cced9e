/**
 * One pool, read from the chain at this moment: contribute with a permit in one transaction (Max; a slot
 * reserved for me is detected and prefilled), top up, set the beneficiary, withdraw after the 1-day lock.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { formatEther, getAddress, isAddress, zeroAddress, type Address } from "viem";
import { useConnection } from "wagmi";
import { formatBasisPoints, formatSesh, formatSeshInput, parseSesh } from "../../../src/token/amounts";
import { signPermit } from "../../../src/token/signPermit";
import { AmountField, Sesh, TextField } from "../components";
import { contract } from "../config";
import { seshAbi, serviceNodeContributionAbi } from "../generated/abis";
import { usePortal } from "../client";
import { formatDuration, useNow } from "../portal";
import { Refusal, TxView, useTx } from "../tx";

const STATUS = ["waiting for the operator's stake", "open for contribution", "full, waiting for finalize", "finalized (registered)"] as const;
const PERMIT_SECONDS = 3_600n;

export default function PoolPage({ address }: { address: string }) {
  const { config, client } = usePortal();
  const { address: me } = useConnection();
  const now = useNow();
  const queries = useQueryClient();
  const tx = useTx();
  const [amount, setAmount] = useState("");
  const [beneficiary, setBeneficiary] = useState("");
  const [prefilled, setPrefilled] = useState(false);
  const valid = isAddress(address);
  const pool = valid ? getAddress(address) : zeroAddress;
  const sesh = contract(config, "SESH");

  const state = useQuery({
    queryKey: ["chain", "pool", pool, me],
    enabled: valid,
    refetchInterval: 5_000,
    queryFn: async () => {
      const who: Address = me ?? zeroAddress;
      const read = <T,>(functionName: string, args: readonly unknown[] = []) =>
        client.readContract({ address: pool, abi: serviceNodeContributionAbi, functionName, args } as never) as Promise<T>;
      const [epoch, status, operator, requirement, total, reserved, minimum, mine, reservations, registration, block] = await Promise.all([
        read<bigint>("epoch"),
        read<number>("status"),
        read<Address>("operator"),
        read<bigint>("stakingRequirement"),
        read<bigint>("totalContribution"),
        read<bigint>("totalReservedContribution"),
        read<bigint>("minimumContributionFor", [who]).catch(() => null),
        read<readonly [bigint, Address, bigint]>("contributionOf", [who]),
        read<readonly { addr: Address; amount: bigint }[]>("getReservations"),
        read<readonly [unknown, unknown, { fee: number }]>("registration"),
        client.getBlock(),
      ]);
      const [balance, eth] =
        me === undefined ? [0n, 0n] : await Promise.all([client.readContract({ address: sesh, abi: seshAbi, functionName: "balanceOf", args: [me] }), client.getBalance({ address: me })]);
      const reservation = reservations.find((r) => r.addr.toLowerCase() === who.toLowerCase()) ?? null;
      return { epoch, status, operator, requirement, total, reserved, minimum, mine: { amount: mine[0], beneficiary: mine[1], time: mine[2] }, reservation, fee: registration[2].fee, balance, eth, chainTime: block.timestamp };
    },
  });
  const s = state.data;

  // A slot reserved for me that I have not paid yet: prefill its amount once.
  useEffect(() => {
    if (s?.reservation != null && s.mine.amount === 0n && !prefilled) {
      setAmount(formatSeshInput(s.reservation.amount));
      setPrefilled(true);
    }
  }, [s, prefilled]);

  if (!valid) return <p className="problem" role="alert">“{address}” is not a pool address.</p>;
  if (state.error !== null) return <p className="problem" role="alert">Cannot read pool {address}: {(state.error as Error).message}</p>;
  if (s === undefined) return <p className="loading">Reading the pool from the chain…</p>;

  const open = s.requirement - s.total - (s.reservation !== null && s.mine.amount === 0n ? 0n : s.reserved);
  const available = s.requirement - s.total;
  const maxForMe = s.balance < available ? s.balance : available;
  const canContribute = s.status === 1 || (s.status === 0 && me?.toLowerCase() === s.operator.toLowerCase());
  const withdrawAt = s.mine.time + 86_400n;
  const refresh = () => queries.invalidateQueries({ queryKey: ["chain"] });

  const contribute = () =>
    tx.run(async (sender) => {
      const value = parseSesh(amount, { positive: true });
      const to = beneficiary.trim() === "" ? zeroAddress : beneficiary.trim();
      if (!isAddress(to)) throw new Refusal(`The beneficiary “${to}” is not an address.`);
      // Everything the contract checks, read again now: refuse before the wallet opens.
      const [fresh, epoch, minimum, balance, eth, block] = await Promise.all([
        sender.client.readContract({ address: pool, abi: serviceNodeContributionAbi, functionName: "status" }),
        sender.client.readContract({ address: pool, abi: serviceNodeContributionAbi, functionName: "epoch" }),
        sender.client.readContract({ address: pool, abi: serviceNodeContributionAbi, functionName: "minimumContributionFor", args: [sender.account] }).catch(() => null),
        sender.client.readContract({ address: sesh, abi: seshAbi, functionName: "balanceOf", args: [sender.account] }),
        sender.client.getBalance({ address: sender.account }),
        sender.client.getBlock(),
      ]);
      if (fresh !== s.status || epoch !== s.epoch) {
        await refresh();
        throw new Refusal("The pool changed since this page read it (status, fee, reservations or key): check it again above before contributing.");
      }
      if (minimum !== null && s.mine.amount === 0n && value < minimum) throw new Refusal(`The minimum contribution now is ${formatSesh(minimum)} SESH.`);
      if (value > balance) throw new Refusal(`Your wallet holds ${formatSesh(balance)} SESH, less than ${formatSesh(value)} SESH.`);
      if (eth === 0n) throw new Refusal("Your wallet has no ETH to pay the transaction fee.");
      const deadline = block.timestamp + PERMIT_SECONDS;
      const permit = await sender.sign("Sign the SESH permit", () =>
        signPermit({ wallet: sender.wallet, client: sender.client, token: sesh, owner: sender.account, spender: pool, value, deadline }),
      );
      await sender.send(`Contribute ${formatSesh(value)} SESH`, {
        address: pool,
        abi: serviceNodeContributionAbi,
        functionName: "contributeFundsWithPermit",
        // The terms this page showed: if the operator changed the fee, reservations or key since, the pool refuses.
        args: [value, to, s.epoch, deadline, permit.v, permit.r, permit.s],
      });
      setAmount("");
      await refresh();
      return `Contributed ${formatSesh(value)} SESH to the pool.`;
    });

  const setTheBeneficiary = () =>
    tx.run(async (sender) => {
      if (!isAddress(beneficiary.trim())) throw new Refusal("Enter the beneficiary's address (0x…).");
      await sender.send("Set beneficiary", { address: pool, abi: serviceNodeContributionAbi, functionName: "updateBeneficiary", args: [beneficiary.trim()] });
      await refresh();
      return `Rewards of your stake now go to ${beneficiary.trim()}.`;
    });

  const withdraw = () =>
    tx.run(async (sender) => {
      await sender.send("Withdraw contribution", { address: pool, abi: serviceNodeContributionAbi, functionName: "withdrawContribution" });
      await refresh();
      return `Withdrew ${formatSesh(s.mine.amount)} SESH.`;
    });

  return (
    <section aria-labelledby="pool-title">
      <h1 id="pool-title">Pool {pool}</h1>
      <dl className="stats" data-testid="pool-facts">
        <div>
          <dt>Status</dt>
          <dd data-stat="status">{STATUS[s.status] ?? s.status}</dd>
        </div>
        <div>
          <dt>Operator</dt>
          <dd>
            <code>{s.operator}</code>
          </dd>
        </div>
        <div>
          <dt>Fee</dt>
          <dd>{formatBasisPoints(s.fee)}</dd>
        </div>
        <div>
          <dt>Filled</dt>
          <dd data-stat="filled">
            <Sesh atomic={s.total} /> of <Sesh atomic={s.requirement} /> ({formatSesh(s.reserved)} more reserved)
          </dd>
        </div>
        <div>
          <dt>Minimum contribution now</dt>
          <dd data-stat="minimum">{s.status > 1 ? "closed" : s.minimum === null ? "no slot free" : <Sesh atomic={s.minimum} />}</dd>
        </div>
        {me !== undefined && (
          <div>
            <dt>Your stake</dt>
            <dd data-stat="mine">
              <Sesh atomic={s.mine.amount} />
              {s.reservation !== null && <> (slot of {formatSesh(s.reservation.amount)} SESH reserved for you)</>}
            </dd>
          </div>
        )}
      </dl>

      {canContribute && (
        <form
          className="card"
          aria-labelledby="contribute-title"
          onSubmit={(e) => {
            e.preventDefault();
            void contribute();
          }}
        >
          <h2 id="contribute-title">{s.mine.amount > 0n ? "Top up" : "Contribute"}</h2>
          <AmountField
            label="Amount"
            name="amount"
            value={amount}
            onChange={setAmount}
            max={me === undefined ? undefined : maxForMe}
            onMax={me === undefined ? undefined : () => setAmount(formatSeshInput(maxForMe))}
            hint={<>Your wallet: {formatSesh(s.balance)} SESH, {formatEther(s.eth)} ETH. Still open: {formatSesh(open > 0n ? open : 0n)} SESH.</>}
          />
          <TextField label="Beneficiary (optional)" name="beneficiary" value={beneficiary} onChange={setBeneficiary} placeholder="0x… (default: you)" hint="Who receives the rewards of this stake." />
          <p className="what">
            Your wallet asks you to sign a permit (no fee), then to send one transaction that moves the SESH into the pool.
          </p>
          <button type="submit" disabled={tx.state.running || me === undefined}>
            {s.mine.amount > 0n ? "Top up" : "Contribute"}
          </button>
        </form>
      )}

      {s.mine.amount > 0n && s.status !== 3 && (
        <div className="card" aria-label="Your contribution">
          <h2>Your contribution</h2>
          <p>
            Beneficiary: <code>{s.mine.beneficiary}</code>
          </p>
          <button type="button" disabled={tx.state.running || beneficiary.trim() === ""} onClick={() => void setTheBeneficiary()}>
            Set beneficiary to the address above
          </button>{" "}
          {s.chainTime < withdrawAt ? (
            <p className="hint" data-countdown="withdraw">
              Withdrawing opens in {formatDuration(withdrawAt - (now > s.chainTime ? now : s.chainTime))} (one day after your last contribution).
            </p>
          ) : (
            <button type="button" disabled={tx.state.running} onClick={() => void withdraw()}>
              Withdraw {formatSesh(s.mine.amount)} SESH
            </button>
          )}
        </div>
      )}
      <TxView state={tx.state} />
    </section>
  );
}
