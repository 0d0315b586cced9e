/** Loading the address book for a task, with errors that say which command fixes them. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { addressBookPath, readAddressBook, verifyAddressBook, type AddressBook, type ContractName } from "../../src/deployments/addressBook";
import { DEFAULT_LOCALHOST_URL } from "../../deploy/networks";
import { flavourForChain, type NetworkFlavour } from "../../deploy/flavours";
import { devnetAnswers, readDevnetRecord } from "./devnet";
import { TaskError } from "../../lib/errors";

export interface Deployment {
  readonly book: AddressBook;
  readonly file: string;
  readonly network: string;
  readonly chainId: number;
  readonly flavour: NetworkFlavour;
}

/** The network's chain id and flavour (no address book needed). */
export async function networkInfo(hre: HardhatRuntimeEnvironment): Promise<{ chainId: number; flavour: NetworkFlavour }> {
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  try {
    return { chainId, flavour: flavourForChain(chainId, hre.network.name) };
  } catch (error) {
    throw new TaskError((error as Error).message);
  }
}

/**
 * The error for a task run without `--network`: Hardhat then starts a throw-away in-process chain on
 * which nothing is deployed. Says so, and — when a devnet answers at LOCALHOST_URL — asks whether
 * `--network localhost` was meant; never advises deploying to (or deleting books of) that chain.
 */
export async function inProcessNetworkError(): Promise<TaskError> {
  const url = process.env.LOCALHOST_URL?.trim() || DEFAULT_LOCALHOST_URL;
  const prefix = url.replace(/\/$/, "") === DEFAULT_LOCALHOST_URL ? "" : `LOCALHOST_URL=${url} `;
  const running = readDevnetRecord() !== undefined || (await devnetAnswers(url));
  const base =
    "this ran on Hardhat's throw-away in-process chain (no --network was given, or --network hardhat), " +
    "which starts empty and disappears when the command ends: nothing is deployed on it.";
  return new TaskError(
    running
      ? `${base} A devnet is running at ${url}: did you mean --network localhost? Run the same command as ${prefix}npx hardhat --network localhost <task> …`
      : `${base} Start a devnet with \`npm start\` (in another terminal) and add --network localhost, or use --network arbitrumSepolia / arbitrumOne with RPC_URL set.`,
  );
}

/** Reads and checks (chain id, code at every address) the address book of the current network. */
export async function loadDeployment(hre: HardhatRuntimeEnvironment): Promise<Deployment> {
  const network = hre.network.name;
  const file = addressBookPath(network);
  let book: AddressBook | undefined;
  try {
    book = readAddressBook(network);
  } catch (error) {
    throw new TaskError((error as Error).message);
  }
  if (book === undefined) {
    if (network === "hardhat") throw await inProcessNetworkError();
    throw new TaskError(`no deployment for network ${network} (${file} does not exist): run \`npx hardhat deploy --network ${network}\``);
  }
  const { chainId, flavour } = await networkInfo(hre);
  try {
    await verifyAddressBook(book, chainId, hre.ethers.provider);
  } catch (error) {
    // A leftover hardhat.json describes some earlier in-process chain, never this one.
    if (network === "hardhat") throw await inProcessNetworkError();
    throw new TaskError((error as Error).message);
  }
  return { book, file, network, chainId, flavour };
}

/** The address of `name` in `deployment`; throws naming the command that deploys it. */
export function contractAddress(deployment: Deployment, name: ContractName): string {
  const record = deployment.book.contracts[name];
  if (record === undefined) {
    throw new TaskError(
      `the deployment for network ${deployment.network} has no ${name}: run \`npx hardhat deploy --network ${deployment.network}\``,
    );
  }
  return record.address;
}
