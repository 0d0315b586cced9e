/** SESH token tasks: `sesh:balance`, `sesh:transfer`, and `sesh:faucet` (devnets and testnets only). */
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatSesh, parseAddress, parseSesh } from "./lib/args";
import { contractAddress, loadDeployment, networkInfo } from "./lib/deployment";
import { TaskArgumentError, TaskError } from "../lib/errors";
import { out } from "../lib/output";
import { send } from "../lib/send";

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

task("devnet:faucet", "Devnets only: sends SESH and ETH (for gas) from the deployer's account")
  .addParam("to", "receiving account")
  .addOptionalParam("amount", "SESH to send", "25000")
  .addOptionalParam("eth", "ETH to send for gas", "1")
  .setAction(async (args: { to: string; amount: string; eth: string }, hre) => {
    const to = parseAddress("--to", args.to);
    const { flavour } = await networkInfo(hre);
    if (flavour.kind !== "devnet") {
      throw new TaskError(
        `devnet:faucet hands out ETH and is for devnets only; ${hre.network.name} (chain id ${flavour.chainId}) is a ${flavour.kind}: ` +
          (flavour.faucet ? "use `npx hardhat sesh:faucet` for SESH" : "move real SESH with `npx hardhat sesh:transfer`"),
      );
    }
    const amount = parseSesh("--amount", args.amount, { max: flavour.faucetMax });
    if (!/^\d+(\.\d{1,18})?$/.test(args.eth.trim()) || hre.ethers.parseEther(args.eth.trim()) > hre.ethers.parseEther("100")) {
      throw new TaskArgumentError("--eth", `"${args.eth}" is not an ETH amount of at most 100: write e.g. 1 or 0.5`);
    }
    const eth = hre.ethers.parseEther(args.eth.trim());
    const from = await sender(hre);
    const ethBalance = await hre.ethers.provider.getBalance(from.address);
    if (ethBalance < eth) throw new TaskError(`${from.address} holds ${hre.ethers.formatEther(ethBalance)} ETH, less than --eth ${args.eth}: lower --eth`);
    const seshAfter = await transfer(hre, to, amount, `faucet: ${formatSesh(amount)} to ${to}`);
    let ethTx: string | undefined;
    if (eth > 0n) {
      out(`→ faucet: ${args.eth} ETH to ${to}`);
      const tx = await from.sendTransaction({ to, value: eth });
      const receipt = await tx.wait();
      ethTx = receipt?.hash;
      out(`  tx ${receipt?.hash}  block ${receipt?.blockNumber}  gas used ${receipt?.gasUsed}`);
    }
    const ethAfter = await hre.ethers.provider.getBalance(to);
    out(`  ${to} now holds ${formatSesh(seshAfter)} and ${hre.ethers.formatEther(ethAfter)} ETH`);
    return { sesh: seshAfter, eth: ethAfter, ethTx };
  });
