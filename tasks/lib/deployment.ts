/** Loading the address book for a task, with errors that say which command fixes them. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { addressBookPath, readAddressBook, verifyAddressBook, type AddressBook, type ContractName } from "../../deploy/addressBook";
import { flavourForChain, type NetworkFlavour } from "../../deploy/flavours";
import { TaskError } from "./errors";

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
    throw new TaskError(`no deployment for network ${network} (${file} does not exist): run \`npx hardhat deploy --network ${network}\``);
  }
  const { chainId, flavour } = await networkInfo(hre);
  try {
    await verifyAddressBook(book, chainId, hre.ethers.provider);
  } catch (error) {
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
