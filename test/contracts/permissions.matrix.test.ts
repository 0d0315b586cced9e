/**
 * Permission matrix (issue 21): every state-changing external function of every contract the deploy creates —
 * proxies, their implementations, the pool clones the factory makes and the name service's ProxyAdmin — is
 * listed from the compiled ABIs and called by a stranger (an account with no role, no stake, no name). Each
 * function has a decision below: `deny` with the exact custom error (and its arguments) the stranger must get,
 * or `pub` with one line on why anyone may call it. A function in an ABI with no decision fails ("add it to the
 * matrix"), and so does a decision naming a function that no longer exists.
 *
 * Calls are eth_calls from the stranger (no state changes), with well-formed dummy arguments built from the ABI
 * types (test/helpers/abiCalls.ts) unless a row gives its own, so each call reaches the access check. On
 * implementations (behind a proxy, or cloned) the rows that guard a role (`OWNER`, `OPERATOR`, initializers)
 * are checked again: an implementation must be unusable directly.
 */
import { expect } from "chai";
import hre from "hardhat";
import { takeSnapshot, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { getCreateAddress, type Interface } from "ethers";
import type { ContractName } from "../../deploy/addressBook";
import { permitTypes } from "../../src/token/permit";
import { callAs, compiledInterface, describeOutcome, dummyArgs, normalise, stateChangingFunctions } from "../helpers/abiCalls";
import { deploySuite, type DeployedSuite } from "../helpers/deployedSuite";

type Args = (s: DeployedSuite) => unknown[] | Promise<unknown[]>;

interface Denied {
  readonly error: string;
  /** Expected error arguments; omitted: not compared (use only where they are not knowable). */
  readonly errorArgs?: (s: DeployedSuite) => unknown[];
  /** Call arguments; omitted: dummy values from the ABI types. */
  readonly args?: Args;
  /** Guards a role: checked on implementations too. */
  readonly role?: boolean;
}
type Decision = { readonly deny: Denied } | { readonly pub: string };

const deny = (error: string, errorArgs?: (s: DeployedSuite) => unknown[], args?: Args, role = false): Decision => ({
  deny: { error, errorArgs, args, role },
});
const pub = (why: string): Decision => ({ pub: why });
const strangerArg = (s: DeployedSuite) => [s.stranger.address];

/** onlyOwner (OpenZeppelin Ownable): the stranger gets OwnableUnauthorizedAccount(stranger). */
const OWNER = deny("OwnableUnauthorizedAccount", strangerArg, undefined, true);
/** Pool functions of the operator only. */
const OPERATOR = deny("NotOperator", strangerArg, undefined, true);
/** OpenZeppelin `initializer`: a proxy is initialised at deployment, an implementation never. */
const INITIALIZED = deny("InvalidInitialization", () => [], undefined, true);
/** Ownable2Step: only the pending owner accepts. */
const ACCEPT = deny("OwnableUnauthorizedAccount", strangerArg, undefined, true);

/** Rows shared by the UUPS contracts (Ownable2Step, renouncing disabled or owner-only). */
const UUPS_OWNABLE: Record<string, Decision> = {
  initialize: INITIALIZED,
  upgradeToAndCall: OWNER,
  transferOwnership: OWNER,
  acceptOwnership: ACCEPT,
  renounceOwnership: OWNER,
};

const SIGNED = "authorised by the node network's aggregate BLS signature over the exact action, not by the caller";

/** The decisions, per matrix target. Keys: a function name, or its full signature where the name is overloaded. */
const MATRIX: Record<string, Record<string, Decision>> = {
  SESH: {
    approve: pub("sets the caller's own allowance"),
    transfer: pub("moves the caller's own balance"),
    transferFrom: deny(
      "ERC20InsufficientAllowance",
      (s) => [s.stranger.address, 0n, 1n],
      (s) => [s.owner.address, s.stranger.address, 1n],
    ),
    permit: deny(
      "ERC2612InvalidSigner",
      (s) => [s.stranger.address, s.owner.address],
      async (s) => {
        // The stranger signs a permit of the owner's tokens: the recovered signer is not the owner.
        const token = s.book.contracts.SESH!.address;
        const deadline = 2n ** 64n;
        const signature = await s.stranger.signTypedData(
          { name: "Session", version: "1", chainId: 31337n, verifyingContract: token },
          permitTypes(),
          { owner: s.owner.address, spender: s.stranger.address, value: 1n, nonce: 0n, deadline },
        );
        const { v, r, s: sigS } = hre.ethers.Signature.from(signature);
        return [s.owner.address, s.stranger.address, 1n, deadline, v, r, sigS];
      },
    ),
  },

  RewardRatePool: {
    ...UUPS_OWNABLE,
    renounceOwnership: deny("RenounceOwnershipDisabled", () => [], undefined, true),
    setBeneficiary: OWNER,
    payoutReleased: pub("releases what has accrued to the fixed beneficiary only; the amount depends on time, not the caller"),
  },

  ServiceNodeRewards: {
    ...UUPS_OWNABLE,
    start: OWNER,
    pause: OWNER,
    unpause: OWNER,
    setStakingRequirement: OWNER,
    setMaxContributors: OWNER,
    addBLSPublicKey: pub("registers a node whose stake the caller pays as its operator (or a pool of the configured factory for its operator), with the key's proof of possession for that operator"),
    "initiateExitBLSPublicKey(uint64)": deny(
      "CallerNotContributor",
      (s) => [s.soloNodeId, s.stranger.address],
      (s) => [s.soloNodeId],
    ),
    "initiateExitBLSPublicKey(uint64,((address,address),uint256)[])": deny(
      "CallerNotContributor",
      (s) => [s.pooledNodeId, s.stranger.address],
      (s) => [s.pooledNodeId, s.pooledContributors],
    ),
    exitBLSPublicKeyWithSignature: pub(SIGNED),
    exitBLSPublicKeyWithSignatureAndNonSignerKeys: pub(SIGNED),
    liquidateBLSPublicKeyWithSignature: pub(SIGNED),
    liquidateBLSPublicKeyWithSignatureAndNonSignerKeys: pub(SIGNED),
    updateRewardsBalance: pub(SIGNED),
    updateRewardsBalanceWithNonSignerKeys: pub(SIGNED),
    exitBLSPublicKeyAfterWaitTime: pub("anyone may remove a node 30 days after its exit request (no funds move)"),
    "claimRewards()": pub("pays the caller its own signed balance"),
    "claimRewards(uint256)": pub("pays the caller part of its own signed balance"),
  },

  /** The registry's extension functions, served at the registry's address through its fallback. */
  ServiceNodeRewardsExtension: {
    seedPublicKeyList: OWNER,
    setSignatureExpiry: OWNER,
    setBLSNonSignerThresholdMax: OWNER,
    setClaimLimit: OWNER,
    setClaimCycle: OWNER,
    setLiquidationRatios: OWNER,
    setRewardPool: OWNER,
    setServiceNodeContributionFactory: OWNER,
  },

  BLSVerifier: {},

  ServiceNodeContributionFactory: {
    ...UUPS_OWNABLE,
    setImplementation: OWNER,
    pause: OWNER,
    unpause: OWNER,
    deploy: pub("opens a pool whose operator is the caller, checked by the key's proof of possession for the caller"),
  },

  /** A pool clone made by the factory (open: its operator paid its quarter). */
  ServiceNodeContributionPool: {
    initialize: deny("NotFactory", strangerArg, undefined, true),
    "contributeFunds(uint256,address,uint256)": pub("anyone may join an open pool with at least the minimum, paying from its own balance, on the terms (epoch) it states"),
    "contributeFunds(uint256,address)": pub("the reference's selector: as above, once the terms have been settled for an hour"),
    contributeFundsWithPermit: pub("as contributeFunds, with the caller's own permit"),
    withdrawContribution: pub("returns only the caller's own contribution (the operator's resets the pool)"),
    updateBeneficiary: deny("NotContributor", strangerArg),
    finalize: OPERATOR,
    reset: OPERATOR,
    updateManualFinalize: OPERATOR,
    updateFee: OPERATOR,
    updatePubkeys: OPERATOR,
    updateReservedContributors: OPERATOR,
    resetUpdateAndContribute: OPERATOR,
    resetUpdateFeeReservedAndContribute: OPERATOR,
    rescueERC20: OPERATOR,
  },

  SessionNameService: {
    ...UUPS_OWNABLE,
    upgradeToAndCall: pub("not in this ABI (transparent proxy: upgrades go through the ProxyAdmin)"),
    register: pub("commit–reveal registration, the caller pays the fee"),
    registerWithPermit: pub("as register, with the caller's own permit"),
    registerFor: deny("NotRegistrar", strangerArg),
    releaseReserved: OWNER,
    renew: pub("anyone may extend a live name, paying the fee (in grace only its owner: tested in the name tests)"),
    renewWithPermit: pub("as renew, with the caller's own permit"),
    burn: deny("NotNameOwner", (s) => [s.name.node, s.stranger.address], (s) => [s.name.node]),
    setFeePerYear: OWNER,
    setFeeRecipient: OWNER,
    setRegistrar: OWNER,
    setReserved: OWNER,
    pause: OWNER,
    unpause: OWNER,
    approve: deny("ERC721InvalidApprover", strangerArg, (s) => [s.stranger.address, BigInt(s.name.node)]),
    setApprovalForAll: pub("sets the caller's own operators"),
    transferFrom: deny(
      "ERC721InsufficientApproval",
      (s) => [s.stranger.address, BigInt(s.name.node)],
      (s) => [s.alice.address, s.stranger.address, BigInt(s.name.node)],
    ),
    "safeTransferFrom(address,address,uint256)": deny(
      "ERC721InsufficientApproval",
      (s) => [s.stranger.address, BigInt(s.name.node)],
      (s) => [s.alice.address, s.stranger.address, BigInt(s.name.node)],
    ),
    "safeTransferFrom(address,address,uint256,bytes)": deny(
      "ERC721InsufficientApproval",
      (s) => [s.stranger.address, BigInt(s.name.node)],
      (s) => [s.alice.address, s.stranger.address, BigInt(s.name.node), "0x"],
    ),
    setRecord: deny("NotNameOwner", (s) => [s.name.node, s.stranger.address], (s) => [s.name.node, 3, "0x" + "22".repeat(20)]),
    setText: deny("NotNameOwner", (s) => [s.name.node, s.stranger.address], (s) => [s.name.node, "url", "0x0078"]),
    setRecords: deny("NotNameOwner", (s) => [s.name.node, s.stranger.address], (s) => [s.name.node, []]),
  },

  /** The ProxyAdmin the name service's transparent proxy created (OpenZeppelin Ownable). */
  SessionNameServiceProxyAdmin: {
    upgradeAndCall: OWNER,
    transferOwnership: OWNER,
    renounceOwnership: OWNER,
  },

  SessionNameCommitments: {
    commit: pub("anyone commits a hash that reveals nothing; a live commitment cannot be re-made"),
    consume: deny("NotRegistry", strangerArg),
  },

  SessionNameResolver: {},

  SessionNameReverse: {
    setReverseName: pub("writes the caller's own address record (unverified, clients check the forward lookup)"),
    // Authorised by an Ed25519 signature of the Session ID's own key (any caller may relay it): the stranger,
    // lacking that key, presents the real Ed25519 key with a signature it made up.
    setSessionReverseName: deny(
      "InvalidSessionSignature",
      (s) => [s.name.sessionKey, 1n],
      (s) => [s.name.sessionKey, hre.ethers.toUtf8Bytes(s.name.full), s.name.ed25519Key, "0x" + "5a".repeat(64)],
    ),
  },
};

interface Target {
  /** Key into MATRIX. */
  readonly matrix: string;
  /** Artifact whose ABI is called. */
  readonly artifact: string;
  readonly address: (s: DeployedSuite) => string;
}

const book = (name: ContractName) => (s: DeployedSuite) => s.book.contracts[name]!.address;
const implementationOf = (name: ContractName) => (s: DeployedSuite) => s.book.contracts[name]!.implementation!;

/**
 * What the stranger calls: every address-book entry (by its ContractName), plus what the deploy creates besides.
 * A contract reached through another's address (e.g. an extension the registry delegates to from its fallback)
 * is one more target: its own artifact's ABI, called at the address users call (the registry proxy).
 */
const TARGETS: Record<string, Target> = {
  SESH: { matrix: "SESH", artifact: "SESH", address: book("SESH") },
  RewardRatePool: { matrix: "RewardRatePool", artifact: "RewardRatePool", address: book("RewardRatePool") },
  ServiceNodeRewards: { matrix: "ServiceNodeRewards", artifact: "ServiceNodeRewards", address: book("ServiceNodeRewards") },
  ServiceNodeRewardsExtension: {
    matrix: "ServiceNodeRewardsExtension",
    artifact: "ServiceNodeRewardsExtension",
    address: book("ServiceNodeRewards"),
  },
  BLSVerifier: { matrix: "BLSVerifier", artifact: "BLSVerifier", address: book("BLSVerifier") },
  ServiceNodeContributionFactory: {
    matrix: "ServiceNodeContributionFactory",
    artifact: "ServiceNodeContributionFactory",
    address: book("ServiceNodeContributionFactory"),
  },
  ServiceNodeContributionPool: { matrix: "ServiceNodeContributionPool", artifact: "ServiceNodeContribution", address: (s) => s.pool },
  SessionNameService: { matrix: "SessionNameService", artifact: "SessionNameService", address: book("SessionNameService") },
  SessionNameServiceProxyAdmin: {
    matrix: "SessionNameServiceProxyAdmin",
    artifact: "@openzeppelin/contracts/proxy/transparent/ProxyAdmin.sol:ProxyAdmin",
    address: (s) => s.namesProxyAdmin,
  },
  SessionNameCommitments: { matrix: "SessionNameCommitments", artifact: "SessionNameCommitments", address: book("SessionNameCommitments") },
  SessionNameResolver: { matrix: "SessionNameResolver", artifact: "SessionNameResolver", address: book("SessionNameResolver") },
  SessionNameReverse: { matrix: "SessionNameReverse", artifact: "SessionNameReverse", address: book("SessionNameReverse") },
};

/** Implementations: their role rows again, with the expectations that differ on an implementation. */
const IMPLEMENTATIONS: Record<string, { readonly of: string; readonly address: (s: DeployedSuite) => string; readonly overrides: Record<string, Decision> }> = {
  "RewardRatePool implementation": {
    of: "RewardRatePool",
    address: implementationOf("RewardRatePool"),
    overrides: { upgradeToAndCall: deny("UUPSUnauthorizedCallContext", () => []) },
  },
  "ServiceNodeRewards implementation": {
    of: "ServiceNodeRewards",
    address: implementationOf("ServiceNodeRewards"),
    overrides: { upgradeToAndCall: deny("UUPSUnauthorizedCallContext", () => []) },
  },
  // The registry implementation's fallback runs the extension in the implementation's own (ownerless) storage.
  "ServiceNodeRewards implementation (extension)": {
    of: "ServiceNodeRewardsExtension",
    address: implementationOf("ServiceNodeRewards"),
    overrides: {},
  },
  "ServiceNodeContributionFactory implementation": {
    of: "ServiceNodeContributionFactory",
    address: implementationOf("ServiceNodeContributionFactory"),
    overrides: { upgradeToAndCall: deny("UUPSUnauthorizedCallContext", () => []) },
  },
  // The extension itself, called directly: its own storage has no owner.
  "ServiceNodeRewardsExtension (called directly)": {
    of: "ServiceNodeRewardsExtension",
    // Created by the registry implementation's constructor, its first contract creation (nonce 1).
    address: (s) => getCreateAddress({ from: s.book.contracts.ServiceNodeRewards!.implementation!, nonce: 1 }),
    overrides: {},
  },
  // The address book's ServiceNodeContribution is the implementation the factory clones.
  "ServiceNodeContribution implementation": { of: "ServiceNodeContributionPool", address: book("ServiceNodeContribution"), overrides: {} },
  "SessionNameService implementation": { of: "SessionNameService", address: implementationOf("SessionNameService"), overrides: {} },
};

/** Address-book names and the targets that cover them. */
const BOOK_COVERAGE: Record<ContractName, string> = {
  SESH: "SESH",
  RewardRatePool: "RewardRatePool",
  ServiceNodeRewards: "ServiceNodeRewards",
  BLSVerifier: "BLSVerifier",
  ServiceNodeContributionFactory: "ServiceNodeContributionFactory",
  ServiceNodeContribution: "ServiceNodeContribution implementation",
  SessionNameService: "SessionNameService",
  SessionNameCommitments: "SessionNameCommitments",
  SessionNameResolver: "SessionNameResolver",
  SessionNameReverse: "SessionNameReverse",
};

/** The decision for `signature` (full signature first, then the bare name if it is not overloaded). */
function decisionFor(iface: Interface, decisions: Record<string, Decision>, signature: string): Decision | undefined {
  if (decisions[signature] !== undefined) return decisions[signature];
  const name = signature.slice(0, signature.indexOf("("));
  const overloads = stateChangingFunctions(iface).filter((f) => f.name === name).length;
  return overloads === 1 ? decisions[name] : undefined;
}

async function expectDenied(s: DeployedSuite, iface: Interface, signature: string, to: string, denied: Denied): Promise<void> {
  const fragment = iface.getFunction(signature)!;
  const args = denied.args !== undefined ? await denied.args(s) : dummyArgs(fragment);
  const outcome = await callAs(s.stranger.address, to, iface.encodeFunctionData(fragment, args));
  const wanted = `${denied.error}(${denied.errorArgs === undefined ? "…" : denied.errorArgs(s).map(normalise).join(", ")})`;
  const message = `${signature} called by a stranger must revert with ${wanted}, but ${describeOutcome(outcome)}`;
  expect(outcome.ok, message).to.equal(false);
  if (outcome.ok) return;
  expect(outcome.error, message).to.equal(denied.error);
  if (denied.errorArgs !== undefined) expect(outcome.args, message).to.deep.equal(denied.errorArgs(s).map(normalise));
}

describe("permission matrix: every state-changing function of every deployed contract, called by a stranger", function () {
  let suite: DeployedSuite;
  let snapshot: SnapshotRestorer;

  before(async () => {
    snapshot = await takeSnapshot();
    suite = await deploySuite();
  });
  after(async () => {
    await snapshot.restore();
  });

  it("covers every contract the deploy records in the address book", () => {
    const recorded = Object.keys(suite.book.contracts).sort();
    const covered = Object.keys(BOOK_COVERAGE).sort();
    expect(recorded, "a contract the deploy records has no target in the permission matrix: add it to TARGETS and MATRIX").to.deep.equal(covered);
  });

  for (const [label, target] of Object.entries(TARGETS)) {
    describe(label, () => {
      const iface = compiledInterface(target.artifact);
      const decisions = MATRIX[target.matrix];
      const functions = stateChangingFunctions(iface);

      it("has a decision for every state-changing function and none for a function it lacks", () => {
        const signatures = functions.map((f) => f.format("sighash"));
        const missing = signatures.filter((sig) => decisionFor(iface, decisions, sig) === undefined);
        expect(missing, `${label}: no decision for these functions: add each to the permission matrix (deny with the error a stranger gets, or pub with why)`).to.deep.equal([]);
        const names = new Set(functions.map((f) => f.name));
        const stale = Object.keys(decisions).filter((key) => (key.includes("(") ? !signatures.includes(key) : !names.has(key)));
        // SessionNameService keeps an upgradeToAndCall row to say why it is absent (transparent proxy).
        const expectedAbsent = label === "SessionNameService" ? ["upgradeToAndCall"] : [];
        expect(stale.filter((key) => !expectedAbsent.includes(key)), `${label}: decisions for functions not in the ABI: remove them`).to.deep.equal([]);
      });

      for (const fragment of functions) {
        const signature = fragment.format("sighash");
        const decision = decisionFor(iface, decisions, signature);
        const title = decision === undefined ? `${signature}: NO DECISION` : "pub" in decision ? `${signature}: public — ${decision.pub}` : `${signature}: stranger → ${decision.deny.error}`;
        it(title, async () => {
          if (decision === undefined) expect.fail(`${label}.${signature} has no decision: add it to the permission matrix`);
          if ("pub" in decision) return;
          await expectDenied(suite, iface, signature, target.address(suite), decision.deny);
        });
      }
    });
  }

  for (const [label, impl] of Object.entries(IMPLEMENTATIONS)) {
    describe(label, () => {
      const target = TARGETS[impl.of];
      const iface = compiledInterface(target.artifact);
      const decisions = { ...MATRIX[target.matrix], ...impl.overrides };
      for (const fragment of stateChangingFunctions(iface)) {
        const signature = fragment.format("sighash");
        const decision = decisionFor(iface, decisions, signature);
        if (decision === undefined || "pub" in decision) continue;
        if (decision.deny.role !== true && impl.overrides[fragment.name] === undefined) continue;
        it(`${signature}: stranger → ${decision.deny.error}`, async () => {
          await expectDenied(suite, iface, signature, impl.address(suite), decision.deny);
        });
      }
    });
  }

  it("the name service proxy has no upgrade entry point for anyone but its ProxyAdmin", async () => {
    const uups = compiledInterface("ServiceNodeRewards");
    const data = uups.encodeFunctionData("upgradeToAndCall", [suite.book.contracts.SessionNameService!.implementation!, "0x"]);
    const outcome = await callAs(suite.stranger.address, suite.book.contracts.SessionNameService!.address, data);
    // Delegated to the implementation, which has no such function and no fallback.
    expect(outcome).to.deep.equal({ ok: false, data: "0x" });
  });
});
