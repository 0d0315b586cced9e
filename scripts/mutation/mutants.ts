/**
 * The planted bugs of `npm run mutation` (issue 21): one per security-relevant line — access checks on owner and
 * operator functions, threshold comparisons, rounding directions, replay and domain checks. Each names its file,
 * the exact ORIGINAL text (found by text, never by line number: a mutant whose text is gone is reported "stale";
 * if the text occurs more than once, `occurrence` picks which, 1-based) and the MUTATED text, and the test files
 * that must kill it (kept tight: every mutant recompiles and runs them).
 */
export interface Mutant {
  /** Short unique name, used by `--only`. */
  readonly id: string;
  readonly file: string;
  readonly original: string;
  readonly mutated: string;
  /** 1-based occurrence of `original` in the file when it is not unique. */
  readonly occurrence?: number;
  /** Test files that must fail with the mutant in place. */
  readonly tests: readonly string[];
  /** Optional mocha --grep to narrow the tests further. */
  readonly grep?: string;
}

const SNR = "contracts/staking/ServiceNodeRewards.sol";
const SNR_EXT = "contracts/staking/ServiceNodeRewardsExtension.sol";
const SNR_STORAGE = "contracts/staking/ServiceNodeRewardsStorage.sol";
const POOL = "contracts/staking/ServiceNodeContribution.sol";
const FACTORY = "contracts/staking/ServiceNodeContributionFactory.sol";
const RRP = "contracts/staking/RewardRatePool.sol";
const NAMES = "contracts/names/SessionNameService.sol";
const COMMITMENTS = "contracts/names/SessionNameCommitments.sol";
const TRANSFER = "contracts/names/NameTransfer.sol";

const MATRIX = ["test/contracts/permissions.matrix.test.ts"];
const REGISTRY_BOUNDS = ["test/contracts/staking/boundaries.registry.test.ts"];
const POOL_BOUNDS = ["test/contracts/staking/boundaries.pools.test.ts"];
const NAME_BOUNDS = ["test/contracts/names/boundaries.names.test.ts"];
const ROUNDING = ["test/contracts/staking/rounding.test.ts"];

/** `onlyOwner` dropped from `signature` (the text up to and including the modifier). */
function ownerCheck(id: string, file: string, signature: string): Mutant {
  return { id, file, original: `${signature} onlyOwner`, mutated: signature, tests: MATRIX };
}

export const MUTANTS: readonly Mutant[] = [
  // ----------------------------------------------------------------------------- access: registry
  ownerCheck("snr.setRewardPool.onlyOwner", SNR_EXT, "function setRewardPool(address newPool) external"),
  ownerCheck("snr.pause.onlyOwner", SNR, "function pause() external"),
  ownerCheck("snr.setStakingRequirement.onlyOwner", SNR, "function setStakingRequirement(uint256 newRequirement) external"),
  ownerCheck("snr.setLiquidationRatios.onlyOwner", SNR_EXT, "function setLiquidationRatios(uint256 liquidator, uint256 pool, uint256 recipient) external"),
  ownerCheck("snr.seedPublicKeyList.onlyOwner", SNR_EXT, "function seedPublicKeyList(SeedServiceNode[] calldata nodes) external"),
  ownerCheck("snr.authorizeUpgrade.onlyOwner", SNR, "function _authorizeUpgrade(address) internal override"),
  {
    id: "snr.initiateExit.operatorCheck",
    file: SNR,
    original: "if (!found) revert CallerNotContributor(serviceNodeID, msg.sender);",
    mutated: "",
    occurrence: 1, // the one-argument form (the two-argument one follows)
    tests: MATRIX,
  },
  // ----------------------------------------------------------------------------- thresholds: registry
  { id: "snr.smallContributor.quarterIncluded", file: SNR, original: "small = stake * 4 < total;", mutated: "small = stake * 4 <= total;", tests: REGISTRY_BOUNDS },
  { id: "snr.operatorStake.quarterIncluded", file: SNR_STORAGE, original: "if (operatorStake * 4 < requirement)", mutated: "if (operatorStake * 4 <= requirement)", tests: REGISTRY_BOUNDS },
  { id: "snr.smallContributor.delayEdge", file: SNR, original: "if (small && block.timestamp < allowedAt)", mutated: "if (small && block.timestamp <= allowedAt)", tests: REGISTRY_BOUNDS },
  { id: "snr.exitRequestInterval.edge", file: SNR, original: "if (block.timestamp < allowedAt) revert ExitRequestTooSoon", mutated: "if (block.timestamp <= allowedAt) revert ExitRequestTooSoon", tests: REGISTRY_BOUNDS },
  { id: "snr.exitWait.edge", file: SNR, original: "if (block.timestamp < requested + EXIT_WAIT_TIME)", mutated: "if (block.timestamp <= requested + EXIT_WAIT_TIME)", tests: REGISTRY_BOUNDS },
  { id: "snr.nodeAge.edge", file: SNR, original: "if (block.timestamp < oldEnough) revert ServiceNodeTooYoung", mutated: "if (block.timestamp <= oldEnough) revert ServiceNodeTooYoung", tests: REGISTRY_BOUNDS },
  { id: "snr.signatureExpiry.edge", file: SNR, original: "if (block.timestamp > timestamp + expiry) revert SignatureExpired", mutated: "if (block.timestamp >= timestamp + expiry) revert SignatureExpired", tests: REGISTRY_BOUNDS },
  { id: "snr.nonSigners.countEdge", file: SNR, original: "if (count > max) revert TooManyNonSigners(count, max);", mutated: "if (count >= max) revert TooManyNonSigners(count, max);", tests: REGISTRY_BOUNDS },
  { id: "snr.nonSigners.capIgnored", file: SNR, original: "return third < cap ? third : cap;", mutated: "return third;", tests: REGISTRY_BOUNDS },
  { id: "snr.maxContributors.edge", file: SNR_STORAGE, original: "if (n > max) revert MaxContributorsExceeded(n, max);", mutated: "if (n >= max) revert MaxContributorsExceeded(n, max);", tests: REGISTRY_BOUNDS },
  { id: "snr.aggregations.percentage", file: SNR_EXT, original: "result = uint256(_layout().state.totalNodes) * 2 / 100;", mutated: "result = uint256(_layout().state.totalNodes) * 2 / 99;", tests: REGISTRY_BOUNDS },
  { id: "snr.claimLimit.edge", file: SNR, original: "if gt(total, limit) {", mutated: "if gt(total, add(limit, 1)) {", tests: REGISTRY_BOUNDS },
  // ----------------------------------------------------------------------------- rounding: registry
  {
    id: "snr.liquidation.poolShareFloor",
    file: SNR,
    original: "uint256 poolAmount = (uint256(record.deposit) * cfg.poolRatio + ratioSum - 1) / ratioSum;",
    mutated: "uint256 poolAmount = uint256(record.deposit) * cfg.poolRatio / ratioSum;",
    tests: ROUNDING,
  },
  // ----------------------------------------------------------------------------- pools
  { id: "pool.initialize.factoryOnly", file: POOL, original: "if (msg.sender != factory) revert NotFactory(msg.sender);", mutated: "", tests: MATRIX },
  {
    id: "pool.onlyOperator",
    file: POOL,
    original: "if (msg.sender != op) revert NotOperator(msg.sender);",
    mutated: "",
    tests: MATRIX,
  },
  {
    id: "pool.updateFee.operatorOnly",
    file: POOL,
    original: "_onlyOperator();\n        Header memory h = _header;\n        _updateFee(h, fee);",
    mutated: "Header memory h = _header;\n        _updateFee(h, fee);",
    tests: MATRIX,
  },
  { id: "pool.operatorMinimum.floor", file: POOL, original: "minimum = (uint256(h.requirement) + 3) / 4;", mutated: "minimum = uint256(h.requirement) / 4;", tests: ROUNDING },
  { id: "pool.operatorMinimum.edge", file: POOL, original: "if (amount < minimum) revert ContributionBelowMinimum(amount, minimum);\n                h.status", mutated: "if (amount <= minimum) revert ContributionBelowMinimum(amount, minimum);\n                h.status", tests: POOL_BOUNDS },
  { id: "pool.publicMinimum.floor", file: POOL, original: "return (remaining + slots - 1) / slots;", mutated: "return remaining / slots;", tests: ROUNDING },
  { id: "pool.contributorsFull.edge", file: POOL, original: "if (taken >= max) revert ContributorsFull(max);", mutated: "if (taken > max) revert ContributorsFull(max);", tests: POOL_BOUNDS },
  { id: "pool.withdrawalDelay.edge", file: POOL, original: "if (block.timestamp < allowedAt) revert WithdrawalTooEarly(allowedAt);", mutated: "if (block.timestamp <= allowedAt) revert WithdrawalTooEarly(allowedAt);", tests: POOL_BOUNDS },
  { id: "pool.reservations.operatorFloor", file: POOL, original: "uint256 operatorStake = (requirement + 3) / 4;", mutated: "uint256 operatorStake = requirement / 4;", tests: ROUNDING },
  { id: "pool.reservations.count", file: POOL, original: "if (others + 1 > max) revert TooManyReservations(others, max);", mutated: "if (others > max) revert TooManyReservations(others, max);", tests: POOL_BOUNDS },
  // ----------------------------------------------------------------------------- factory and reward pool
  ownerCheck("factory.setImplementation.onlyOwner", FACTORY, "function setImplementation(address newImplementation) external"),
  ownerCheck("factory.authorizeUpgrade.onlyOwner", FACTORY, "function _authorizeUpgrade(address) internal override"),
  ownerCheck("rrp.setBeneficiary.onlyOwner", RRP, "function setBeneficiary(address newBeneficiary) external"),
  {
    id: "rrp.release.roundsUp",
    file: RRP,
    original: "return Math.mulDiv(balance, elapsed * ANNUAL_SIMPLE_PAYOUT_RATE, BASIS_POINTS * YEAR);",
    mutated: "return Math.mulDiv(balance, elapsed * ANNUAL_SIMPLE_PAYOUT_RATE, BASIS_POINTS * YEAR, Math.Rounding.Ceil);",
    tests: ROUNDING,
  },
  // ----------------------------------------------------------------------------- names
  ownerCheck("names.setRegistrar.onlyOwner", NAMES, "function setRegistrar(address account, bool enabled) external"),
  { id: "names.registerFor.registrarOnly", file: NAMES, original: "if (!$.registrars[msg.sender]) revert NotRegistrar(msg.sender);", mutated: "", tests: MATRIX },
  { id: "names.consume.registryOnly", file: COMMITMENTS, original: "if (msg.sender != REGISTRY) revert NotRegistry(msg.sender);", mutated: "", tests: MATRIX },
  { id: "names.commitment.minAgeEdge", file: COMMITMENTS, original: "if (block.timestamp < madeAt + MIN_COMMITMENT_AGE) {", mutated: "if (block.timestamp <= madeAt + MIN_COMMITMENT_AGE) {", tests: NAME_BOUNDS },
  { id: "names.commitment.maxAgeEdge", file: COMMITMENTS, original: "if (block.timestamp > madeAt + MAX_COMMITMENT_AGE) {", mutated: "if (block.timestamp >= madeAt + MAX_COMMITMENT_AGE) {", tests: NAME_BOUNDS },
  { id: "names.live.expiryEdge", file: TRANSFER, original: "if (block.timestamp >= expiry) {", mutated: "if (block.timestamp > expiry) {", tests: NAME_BOUNDS },
  { id: "names.renew.graceOwnerOnly", file: NAMES, original: "if (msg.sender != nameOwner) revert NameInGracePeriod(node, graceEnd);", mutated: "", tests: NAME_BOUNDS },
  { id: "names.register.graceEndEdge", file: NAMES, original: "block.timestamp < old.expiry + GRACE_PERIOD) {", mutated: "block.timestamp <= old.expiry + GRACE_PERIOD) {", tests: NAME_BOUNDS },
];
