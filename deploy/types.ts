/**
 * Types shared by the deploy modules and the runner (`deploy/run.ts`).
 *
 * A deploy module (`deploy/<Contract>.ts`) exports one {@link DeployModule}. The runner orders modules by
 * `dependsOn`, runs every module's `deploy`, then every module's `wire`, then every `fund`, writing the
 * address book after each change. Everything a module does must be idempotent: look at the chain, act
 * only when it differs from what is wanted, and report what it did through `ctx.report`.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { AddressBook, ContractName, ContractRecord } from "../src/deployments/addressBook";
import type { NetworkFlavour } from "./flavours";

export type DeployActionKind = "deployed" | "unchanged" | "upgraded" | "wired" | "funded" | "skipped";

/** One line of the deploy summary. */
export interface DeployAction {
  readonly contract: ContractName;
  readonly action: DeployActionKind;
  readonly detail: string;
  readonly txHash?: string;
}

/** Options of one deploy run (the `deploy` task's arguments, already validated). */
export interface DeployOptions {
  /**
   * SESH (atomic units) the reward pool is topped up to, counting everything it ever received
   * (`calculateTotalDeposited`). Undefined: the flavour's default. 0: no funding.
   */
  readonly poolFunding?: bigint;
  /** Receiver of the SESH supply when SESH is deployed; default the deployer. */
  readonly seshReceiver?: string;
  /** Owner of the upgradeable contracts; default the deployer. */
  readonly owner?: string;
  /** Parent name of the Session Name Service (default `session`); fixed once the service is deployed. */
  readonly nameParent?: string;
  /** Yearly name fee, SESH atomic units. Undefined: the flavour's default (mainnet has none: required). */
  readonly nameFeePerYear?: bigint;
  /** Ignore (and replace) an existing address book; devnet flavours only. */
  readonly fresh?: boolean;
  /** Where progress lines go; default console.log. */
  readonly log?: (line: string) => void;
}

export interface DeployContext {
  readonly hre: HardhatRuntimeEnvironment;
  readonly network: string;
  readonly chainId: number;
  readonly flavour: NetworkFlavour;
  readonly deployer: HardhatEthersSigner;
  /** Resolved: owner of upgradeable contracts. */
  readonly owner: string;
  /** Resolved: receiver of the SESH supply. */
  readonly seshReceiver: string;
  /** Resolved: pool funding target in atomic units (0 = none). */
  readonly poolFunding: bigint;
  /** Resolved: parent name of the name service (`session` unless asked otherwise). */
  readonly nameParent: string;
  /** The yearly name fee asked for: undefined means the flavour's default (required when there is none). */
  readonly nameFeePerYear: bigint | undefined;
  /** The address book as it is now (after the changes made so far in this run). */
  book(): AddressBook;
  /** The record of `name`, if deployed. */
  get(name: ContractName): ContractRecord | undefined;
  /** The address of `name`; throws naming the missing dependency. */
  require(name: ContractName): string;
  /** Stores `record` for `name` and writes the address book atomically. */
  record(name: ContractName, record: ContractRecord): void;
  report(action: DeployAction): void;
  log(line: string): void;
}

export interface DeployModule {
  /** The contract this module deploys; also its address-book key and its file name under deploy/. */
  readonly name: ContractName;
  /** Modules whose `deploy` must run first. */
  readonly dependsOn: readonly ContractName[];
  /** Deploys the contract, or leaves it (unchanged) or upgrades it (changed implementation). */
  deploy(ctx: DeployContext): Promise<void>;
  /**
   * Connects this contract to others once every module has deployed (e.g. the pool's beneficiary once
   * ServiceNodeRewards exists). Must be a no-op when the wiring is already in place.
   */
  wire?(ctx: DeployContext): Promise<void>;
  /** Moves tokens the network needs (e.g. the reward pool's reserve); no-op when already done. */
  fund?(ctx: DeployContext): Promise<void>;
}
