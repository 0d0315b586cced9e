/**
 * The deploy runner behind `npx hardhat deploy`: checks the address book against the chain, runs every
 * module's deploy (dependency order), then wiring, then funding, and writes the address book after each
 * change. A second run on the same chain changes nothing unless the compiled code changed.
 */
import { existsSync, readFileSync } from "node:fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import {
  addressBookPath,
  deploymentsDir,
  emptyAddressBook,
  readAddressBook,
  serialiseAddressBook,
  verifyAddressBook,
  withRecord,
  writeAddressBook,
  type AddressBook,
  type ContractName,
} from "../src/deployments/addressBook";
import { flavourForChain } from "./flavours";
import { DEPLOY_MODULES, orderModules } from "./index";
import type { DeployAction, DeployContext, DeployModule, DeployOptions } from "./types";

export interface DeployResult {
  readonly book: AddressBook;
  readonly file: string;
  readonly actions: readonly DeployAction[];
  /** Whether this run wrote the address book. */
  readonly wrote: boolean;
}

function writeIfChanged(book: AddressBook, dir: string): boolean {
  const file = addressBookPath(book.network, dir);
  if (existsSync(file) && readFileSync(file, "utf8") === serialiseAddressBook(book)) return false;
  writeAddressBook(book, dir);
  return true;
}

/** Runs `modules` (default: all of deploy/index.ts) against `hre`'s network. */
export async function runDeploy(
  hre: HardhatRuntimeEnvironment,
  options: DeployOptions = {},
  modules: readonly DeployModule[] = DEPLOY_MODULES,
): Promise<DeployResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const network = hre.network.name;
  const dir = deploymentsDir();
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const flavour = flavourForChain(chainId, network);
  const [deployer] = await hre.ethers.getSigners();
  if (deployer === undefined) {
    throw new Error(`network ${network} has no account to deploy from: set PRIVATE_KEY (0x + 64 hex digits)`);
  }
  if (options.fresh === true && !flavour.allowFresh) {
    throw new Error(`--fresh ignores the address book and is only for devnets; ${network} is a ${flavour.kind}`);
  }

  let book = emptyAddressBook(network, chainId);
  if (options.fresh !== true) {
    const existing = readAddressBook(network, dir);
    if (existing !== undefined) {
      if (existing.network !== network) {
        throw new Error(`address book ${addressBookPath(network, dir)} says network "${existing.network}": fix or delete it`);
      }
      await verifyAddressBook(existing, chainId, hre.ethers.provider, dir);
      book = existing;
    }
  }

  let wrote = false;
  const actions: DeployAction[] = [];
  const ctx: DeployContext = {
    hre,
    network,
    chainId,
    flavour,
    deployer,
    owner: options.owner ?? deployer.address,
    seshReceiver: options.seshReceiver ?? deployer.address,
    poolFunding: options.poolFunding ?? flavour.poolFunding,
    nameParent: options.nameParent ?? "session",
    nameFeePerYear: options.nameFeePerYear,
    book: () => book,
    get: (name: ContractName) => book.contracts[name],
    require(name: ContractName): string {
      const record = book.contracts[name];
      if (record === undefined) throw new Error(`${name} is not deployed on ${network}; a module needs it first (check dependsOn)`);
      return record.address;
    },
    record(name, record) {
      book = withRecord(book, name, record);
      wrote = writeIfChanged(book, dir) || wrote;
    },
    report(action) {
      actions.push(action);
      log(`  ${action.contract.padEnd(20)} ${action.action.padEnd(9)} ${action.detail}${action.txHash ? `  (tx ${action.txHash})` : ""}`);
    },
    log: (line) => log(`  ${line}`),
  };

  log(`deploying to ${network} (chain id ${chainId}, ${flavour.kind}) from ${deployer.address}`);
  const ordered = orderModules(modules);
  for (const module of ordered) await module.deploy(ctx);
  for (const module of ordered) if (module.wire !== undefined) await module.wire(ctx);
  for (const module of ordered) if (module.fund !== undefined) await module.fund(ctx);
  wrote = writeIfChanged(book, dir) || wrote;
  const file = addressBookPath(network, dir);
  log(wrote ? `address book written: ${file}` : `address book unchanged: ${file}`);
  return { book, file, actions, wrote };
}
