/**
 * Per-network deployment flavour: what a deploy and the tasks may do on each chain.
 *
 * The flavour is chosen by CHAIN ID, never by the network's name, so an RPC that points at Arbitrum One
 * always gets the mainnet flavour whatever the network entry is called.
 *
 * Delays: contracts that have time locks (exit waits, commitment ages, …) take them from
 * `flavour.delays`. A testnet flavour may shorten them; the mainnet flavour always uses
 * {@link PRODUCTION_DELAYS}, and {@link assertFlavourSafe} rejects a mainnet flavour with any delay
 * shorter than production. No contract deployed today has a delay, so the record is empty — add a key
 * to {@link Delays} and {@link PRODUCTION_DELAYS} together with the contract that needs it.
 */
import { SESH_UNIT, STAKING_REQUIREMENT } from "../src/protocol";
import { CHAIN_IDS } from "./networks";

/** Time-lock lengths in seconds, one key per delay a deployed contract is configured with. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Delays {}

/** The delays of the live network. */
export const PRODUCTION_DELAYS: Readonly<Delays> = Object.freeze({});

export type FlavourKind = "devnet" | "testnet" | "mainnet";

export interface NetworkFlavour {
  readonly kind: FlavourKind;
  /** Chain id the flavour belongs to. */
  readonly chainId: number;
  /** Whether `sesh:faucet` may hand out SESH from the deployer (never on mainnet). */
  readonly faucet: boolean;
  /** Largest single faucet payout, atomic units. */
  readonly faucetMax: bigint;
  /** Default SESH (atomic units) the deploy tops the reward pool up to; 0 = fund only when asked. */
  readonly poolFunding: bigint;
  /** Whether `deploy --fresh` may ignore an existing address book (chains that reset). */
  readonly allowFresh: boolean;
  /**
   * Default yearly fee of the Session Name Service, SESH atomic units; undefined: no default, the deploy
   * must be given one (mainnet pricing is a deliberate act: `deploy --name-fee <SESH>`).
   */
  readonly nameFeePerYear: bigint | undefined;
  /** Whether the deployer gets the name service's registrar role (no commitment, no fee): devnets only. */
  readonly nameRegistrarIsDeployer: boolean;
  /** Block confirmations to wait for after each deploy transaction. */
  readonly confirmations: number;
  readonly delays: Readonly<Delays>;
  /** ServiceNodeRewards: stake per node (atomic SESH) it is initialised with. */
  readonly stakingRequirement: bigint;
  /**
   * Whether the deploy calls ServiceNodeRewards.start(). Mainnet: no — the owner seeds the existing
   * network's nodes first (seeding closes at start), then starts it deliberately.
   */
  readonly startRegistry: boolean;
}


const DEVNET: NetworkFlavour = Object.freeze({
  kind: "devnet",
  chainId: CHAIN_IDS.hardhat,
  faucet: true,
  faucetMax: 1_000_000n * SESH_UNIT,
  poolFunding: 40_000_000n * SESH_UNIT,
  allowFresh: true,
  nameFeePerYear: 10n * SESH_UNIT,
  nameRegistrarIsDeployer: true,
  confirmations: 1,
  delays: PRODUCTION_DELAYS,
  stakingRequirement: STAKING_REQUIREMENT,
  startRegistry: true,
});

const ARBITRUM_SEPOLIA: NetworkFlavour = Object.freeze({
  kind: "testnet",
  chainId: CHAIN_IDS.arbitrumSepolia,
  faucet: true,
  faucetMax: 100_000n * SESH_UNIT,
  poolFunding: 40_000_000n * SESH_UNIT,
  allowFresh: false,
  nameFeePerYear: 10n * SESH_UNIT,
  nameRegistrarIsDeployer: false,
  confirmations: 1,
  // A testnet may shorten delays here (e.g. `{ ...PRODUCTION_DELAYS, exitWait: 600 }`).
  delays: PRODUCTION_DELAYS,
  stakingRequirement: STAKING_REQUIREMENT,
  startRegistry: true,
});

const ARBITRUM_ONE: NetworkFlavour = Object.freeze({
  kind: "mainnet",
  chainId: CHAIN_IDS.arbitrumOne,
  faucet: false,
  faucetMax: 0n,
  // Mainnet funding is a deliberate act: `deploy --fund-pool <SESH>` or `pool:fund`.
  poolFunding: 0n,
  allowFresh: false,
  nameFeePerYear: undefined,
  nameRegistrarIsDeployer: false,
  confirmations: 2,
  delays: PRODUCTION_DELAYS,
  stakingRequirement: STAKING_REQUIREMENT,
  startRegistry: false,
});

const FLAVOURS: ReadonlyMap<number, NetworkFlavour> = new Map([
  [DEVNET.chainId, DEVNET],
  [ARBITRUM_SEPOLIA.chainId, ARBITRUM_SEPOLIA],
  [ARBITRUM_ONE.chainId, ARBITRUM_ONE],
]);

/** Throws if a mainnet flavour has any delay shorter than production. */
export function assertFlavourSafe(flavour: NetworkFlavour): void {
  if (flavour.kind !== "mainnet") return;
  const delays = flavour.delays as Record<string, number>;
  const production = PRODUCTION_DELAYS as Record<string, number>;
  for (const [key, seconds] of Object.entries(production)) {
    if (delays[key] === undefined || delays[key] < seconds) {
      throw new Error(`mainnet flavour shortens delay ${key} to ${delays[key]} s (production: ${seconds} s)`);
    }
  }
  if (flavour.faucet) throw new Error("mainnet flavour must not enable the faucet");
  if (flavour.stakingRequirement !== STAKING_REQUIREMENT) {
    throw new Error(`mainnet flavour must use the production staking requirement (${STAKING_REQUIREMENT} atomic SESH)`);
  }
  if (flavour.nameRegistrarIsDeployer) throw new Error("mainnet flavour must not make the deployer a name registrar");
}

/** The flavour of chain `chainId`; throws for a chain this suite does not know. */
export function flavourForChain(chainId: bigint | number, networkName: string): NetworkFlavour {
  const flavour = FLAVOURS.get(Number(chainId));
  if (flavour === undefined) {
    const known = [...FLAVOURS.values()].map((f) => `${f.chainId} (${f.kind})`).join(", ");
    throw new Error(
      `network ${networkName} has chain id ${chainId}, which this suite has no flavour for (known: ${known}): ` +
        "point the network at one of those chains or add a flavour in deploy/flavours.ts",
    );
  }
  assertFlavourSafe(flavour);
  return flavour;
}
