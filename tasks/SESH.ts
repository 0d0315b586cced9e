/** SESH token tasks: `sesh:balance`, `sesh:transfer`, and `sesh:faucet` (devnets and testnets only). */
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatSesh, parseAddress, parseSesh } from "./lib/args";
import { contractAddress, loadDeployment, networkInfo } from "./lib/deployment";
import { TaskError } from "./lib/errors";
import { out } from "./lib/output";
import { send } from "./lib/send";

async function sender(hre: HardhatRuntimeEnvironment) {
  const [signer] = await hre.ethers.getSigners();
  if (signer === undefined) throw new TaskError(`network ${hre.network.name} has no account to send from: set PRIVATE_KEY`);
  return signer;
}

async function seshToken(hre: HardhatRuntimeEnvironment) {
  const deployment = await loadDeployment(hre);
  return hre.ethers.getContractAt("SESH", contractAddress(deployment, "SESH"));
}

/** Refuses the faucet on networks whose flavour disables it (mainnet). */
export function assertFaucetAllowed(network: string, flavour: { kind: string; faucet: boolean; chainId: number }): void {
  if (!flavour.faucet) {
    throw new TaskError(
      `sesh:faucet is for devnets and testnets; ${network} (chain id ${flavour.chainId}) is ${flavour.kind}: ` +
        "move real SESH with `npx hardhat sesh:transfer` instead",
    );
  }
}

task("sesh:balance", "Prints an account's SESH balance")
  .addOptionalParam("account", "account to look at (default: your account)")
  .setAction(async (args: { account?: string }, hre) => {
    const account = args.account === undefined ? (await sender(hre)).address : parseAddress("--account", args.account, { allowZero: true });
    const token = await seshToken(hre);
    const balance = await token.balanceOf(account);
    out(`${account}: ${formatSesh(balance)}`);
    return balance;
  });

async function transfer(hre: HardhatRuntimeEnvironment, to: string, amount: bigint, description: string) {
  const token = await seshToken(hre);
  const from = await sender(hre);
  const balance = await token.balanceOf(from.address);
  if (balance < amount) {
    throw new TaskError(
      `${from.address} holds ${formatSesh(balance)}, less than the ${formatSesh(amount)} asked for: lower --amount`,
    );
  }
  await send(hre, { description, contract: token, contractName: "SESH", method: "transfer", args: [to, amount], signer: from });
  const after = await token.balanceOf(to);
  out(`  ${to} now holds ${formatSesh(after)}`);
  return after;
}

task("sesh:transfer", "Sends SESH from your account")
  .addParam("to", "receiving account")
  .addParam("amount", "SESH to send, e.g. 25000 or 0.5")
  .setAction(async (args: { to: string; amount: string }, hre) => {
    const to = parseAddress("--to", args.to);
    const amount = parseSesh("--amount", args.amount);
    return transfer(hre, to, amount, `send ${formatSesh(amount)} to ${to}`);
  });

task("sesh:faucet", "Devnets and testnets: hands out SESH from the deployer's account")
  .addParam("to", "receiving account")
  .addOptionalParam("amount", "SESH to hand out", "25000")
  .setAction(async (args: { to: string; amount: string }, hre) => {
    const to = parseAddress("--to", args.to);
    const { flavour } = await networkInfo(hre);
    assertFaucetAllowed(hre.network.name, flavour);
    const amount = parseSesh("--amount", args.amount, { max: flavour.faucetMax });
    return transfer(hre, to, amount, `faucet: ${formatSesh(amount)} to ${to}`);
  });
