// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {BN254} from "../libraries/BN254.sol";
import {BLSSignatureParams} from "../libraries/BLS.sol";
import {BLSVerifier} from "../staking/BLSVerifier.sol";

/// @notice Who staked: the account that owns the stake and the account its rewards are paid to.
struct Staker {
    address addr;
    address beneficiary;
}

/// @notice One contributor of a node and its share of the stake (atomic SESH).
struct Contributor {
    Staker staker;
    uint256 stakedAmount;
}

/// @notice The node's Ed25519 identity (key and its signature, checked by the node network) and the
/// operator's fee in basis points of 10,000.
struct ServiceNodeParams {
    uint256 ed25519Pubkey;
    uint256 ed25519Signature0;
    uint256 ed25519Signature1;
    uint16 fee;
}

/// @notice A node migrated from the existing network by {IServiceNodeRewardsExtension.seedPublicKeyList}, in the
/// reference's field order (selector 0x1f4c4930): key, original registration time (unix seconds, not in
/// the future), Ed25519 key, contributors (operator first).
struct SeedServiceNode {
    BN254.G1Point blsPubkey;
    uint256 addedTimestamp;
    uint256 ed25519Pubkey;
    Contributor[] contributors;
}

/// @notice What the contract stores about an active node (returned by
/// {IServiceNodeRewards.serviceNodes}). The full contributor list, the Ed25519 signature and the fee
/// are carried by the registration events only; `contributorsHash` commits to the list
/// (`keccak256(abi.encode(contributors))`, zero for a solo node whose only contributor is `operator`).
struct ServiceNode {
    BN254.G1Point pubkey;
    address operator;
    uint256 addedTimestamp;
    uint256 exitRequestTimestamp;
    uint256 lastExitRequestTimestamp;
    uint256 deposit;
    bytes32 contributorsHash;
}

// Event parameters are left unindexed on purpose: the node network's events have a fixed ABI, and the
// other values are read or summed, never filtered on.
/* solhint-disable gas-indexed-events */

/// @title IServiceNodeRewardsEvents: the events and errors of the registry and of its extension
/// @notice Shared by {IServiceNodeRewards} and {IServiceNodeRewardsExtension} (both run in the registry's
/// context: the extension is reached by delegatecall).
interface IServiceNodeRewardsEvents {
    // ---------------------------------------------------------------- events the node network parses
    /// @notice A node was registered (ABI fixed by the node network).
    event NewServiceNodeV2(
        uint64 indexed serviceNodeID,
        address initiator,
        BN254.G1Point pubkey,
        ServiceNodeParams serviceNode,
        Contributor[] contributors
    );
    /// @notice A contributor asked for the node to leave (repeatable, at least an hour apart).
    event ServiceNodeExitRequest(uint64 indexed serviceNodeID, address initiator, BN254.G1Point pubkey);
    /// @notice A node left the aggregate; `returnedAmount` is what the network credits back to its owners
    /// through signed reward balances (no tokens move here).
    event ServiceNodeExit(uint64 indexed serviceNodeID, address initiator, uint256 returnedAmount, BN254.G1Point pubkey);
    /// @notice The staking requirement for new registrations changed.
    event StakingRequirementUpdated(uint256 newRequirement);

    // ---------------------------------------------------------------- events read by portals/indexers
    /// @notice A node was liquidated by `initiator` with a network signature (followed by {ServiceNodeExit}).
    event ServiceNodeLiquidated(uint64 indexed serviceNodeID, address initiator, BN254.G1Point pubkey);
    /// @notice `recipient`'s signed lifetime reward total went from `previousBalance` to `amount`.
    event RewardsBalanceUpdated(address indexed recipient, uint256 amount, uint256 previousBalance);
    /// @notice `recipient` was paid `amount`.
    event RewardsClaimed(address indexed recipient, uint256 amount);

    // ---------------------------------------------------------------- operations
    /// @notice A node was migrated by the owner before {start}.
    event NewSeededServiceNode(
        uint64 indexed serviceNodeID, BN254.G1Point pubkey, uint256 ed25519Pubkey, Contributor[] contributors
    );
    /// @notice The contract was started: registrations and signed actions are open, seeding is closed.
    event Started();
    /// @notice The owner paused state changes (see {pause} for what stays open).
    event Paused(address account);
    /// @notice The owner lifted the pause.
    event Unpaused(address account);
    /// @notice The maximum number of contributors per node changed.
    event MaxContributorsUpdated(uint256 newMax);
    /// @notice How long a network signature on an exit or liquidation stays valid changed (seconds).
    event SignatureExpiryUpdated(uint256 newExpiry);
    /// @notice The cap on non-signers (applied when a third of the nodes is larger) changed.
    event BLSNonSignerThresholdMaxUpdated(uint256 newMax);
    /// @notice The global claim limit per cycle changed.
    event ClaimLimitUpdated(uint256 newLimit);
    /// @notice The claim cycle length changed (seconds).
    event ClaimCycleUpdated(uint256 newCycle);
    /// @notice The liquidation split changed (parts of `liquidator + pool + recipient`).
    event LiquidationRatiosUpdated(uint256 liquidator, uint256 pool, uint256 recipient);
    /// @notice The reward pool (source of released rewards, receiver of liquidation pool shares) changed.
    event RewardPoolUpdated(address indexed previousPool, address indexed newPool);
    /// @notice The pooled-node factory whose pools may register for their operator changed.
    event ServiceNodeContributionFactoryUpdated(address indexed previousFactory, address indexed newFactory);

    // ---------------------------------------------------------------- errors
    /// @notice The call needs {start} to have been called.
    error ContractNotStarted();
    /// @notice Seeding and {start} are only possible before the start.
    error ContractAlreadyStarted();
    /// @notice The contract is paused.
    error ContractPaused();
    /// @notice {unpause} was called while not paused.
    error ContractNotPaused();
    /// @notice Renouncing ownership is disabled.
    error RenounceOwnershipDisabled();
    /// @notice The token or the BLS verifier given to the constructor is the zero address.
    error InvalidConstructorAddress(address token, address verifier);
    /// @notice The reward pool cannot be the zero address.
    error InvalidRewardPool(address pool);
    /// @notice Rewards cannot be credited to the zero address.
    error InvalidRecipient(address recipient);
    /// @notice The staking requirement must be above 0 and below 2^96 atomic SESH.
    error InvalidStakingRequirement(uint256 requirement);
    /// @notice The maximum number of contributors must be 1 to 255.
    error InvalidMaxContributors(uint256 max);
    /// @notice The signature expiry must be 1 second to 1 day.
    error InvalidSignatureExpiry(uint256 expiry);
    /// @notice The non-signer cap must be 1 to 65,535.
    error InvalidNonSignerThresholdMax(uint256 max);
    /// @notice The claim limit must be above 0 and below 2^88 atomic SESH.
    error InvalidClaimLimit(uint256 limit);
    /// @notice The claim cycle must be 1 second to 2^32 - 1 seconds.
    error InvalidClaimCycle(uint256 cycle);
    /// @notice The recipient parts must be 1 to 2^32 - 1 and at least three times liquidator + pool parts.
    error InvalidLiquidationRatios(uint256 liquidator, uint256 pool, uint256 recipient);
    /// @notice The pooled-node factory must be a contract (or zero, to allow only direct registrations).
    error InvalidContributionFactory(address factory);
    /// @notice `count` contributors exceed the maximum `max`.
    error MaxContributorsExceeded(uint256 count, uint256 max);
    /// @notice The contributions sum to `provided` instead of the staking requirement `required`.
    error ContributionTotalMismatch(uint256 required, uint256 provided);
    /// @notice The operator (contributor 0) stakes `amount`, less than a quarter of `required`.
    error OperatorStakeTooLow(uint256 amount, uint256 required);
    /// @notice Contributor `index` has a zero address or beneficiary.
    error InvalidContributor(uint256 index);
    /// @notice Contributor `index` repeats the address `addr` of an earlier contributor: list each staker once
    /// (sum its stakes into one entry).
    error DuplicateContributor(uint256 index, address addr);
    /// @notice The operator fee `fee` exceeds 10,000 basis points.
    error InvalidFee(uint256 fee);
    /// @notice The Ed25519 key is zero.
    error NullEd25519Pubkey();
    /// @notice The BLS key is already registered to node `serviceNodeID`.
    error BLSPubkeyAlreadyExists(uint64 serviceNodeID);
    /// @notice `caller` may not register a node operated by `operator`: only the operator itself (paying the
    /// stake) or a pool made by the configured factory whose operator is `operator` can.
    error RegistrantNotOperator(address caller, address operator);
    /// @notice Seeded node `index` has an added timestamp of 0 or after `currentTime`.
    error InvalidSeedTimestamp(uint256 index, uint256 timestamp, uint256 currentTime);
    /// @notice The proof of possession does not verify for this key, operator and Ed25519 key.
    error InvalidProofOfPossession();
    /// @notice More than `limit` keys were added to the aggregate in this block.
    error MaxPubkeyAggregationsExceeded(uint256 limit);
    /// @notice No active node has id `serviceNodeID`.
    error ServiceNodeDoesNotExist(uint64 serviceNodeID);
    /// @notice No active node has this BLS key.
    error BLSPubkeyNotFound(uint256 x, uint256 y);
    /// @notice `caller` is not a contributor of node `serviceNodeID` (or the list given does not match).
    error CallerNotContributor(uint64 serviceNodeID, address caller);
    /// @notice A contributor with less than 25 % may only request an exit from `allowedAt`.
    error SmallContributorLeaveTooEarly(uint64 serviceNodeID, address contributor, uint256 allowedAt);
    /// @notice A repeated exit request is only possible from `allowedAt`.
    error ExitRequestTooSoon(uint64 serviceNodeID, uint256 allowedAt);
    /// @notice The node has not requested an exit, or its wait ends at `allowedAt` (0: no request).
    error ExitWaitNotOver(uint64 serviceNodeID, uint256 allowedAt);
    /// @notice The signature's `timestamp` is older than the expiry allows at `currentTime`.
    error SignatureExpired(uint64 serviceNodeID, uint256 timestamp, uint256 currentTime);
    /// @notice The signature's `timestamp` is further after `currentTime` than the signature expiry allows.
    error SignatureFromFuture(uint64 serviceNodeID, uint256 timestamp, uint256 currentTime);
    /// @notice The signature's `timestamp` is not after node `serviceNodeID`'s registration at `addedTimestamp`:
    /// it was made for an earlier registration of the same key.
    error SignatureBeforeRegistration(uint64 serviceNodeID, uint256 timestamp, uint256 addedTimestamp);
    /// @notice The node is younger than the minimum age; it may be removed from `allowedAt`.
    error ServiceNodeTooYoung(uint64 serviceNodeID, uint256 allowedAt);
    /// @notice `count` non-signers exceed the allowed `max`.
    error TooManyNonSigners(uint256 count, uint256 max);
    /// @notice Non-signer `id` at `index` of an id list is not greater than the one before it (duplicate or out
    /// of order).
    error NonSignersNotAscending(uint256 index, uint256 id);
    /// @notice Non-signer `id` was never registered (a removed node counts as the point at infinity).
    error UnknownNonSigner(uint256 id);
    /// @notice The Y supplied for non-signer `id` is not the Y of its stored key (≥ P, off the curve for
    /// the stored X, or the other root): pass the key's Y exactly as {allServiceNodeIDs} returns it.
    error InvalidNonSignerY(uint256 id, uint256 y);
    /// @notice Packed non-signers must be 34-byte entries (`uint16 skip ‖ uint256 Y`); `length` is not a multiple of 34.
    error InvalidNonSignerEntries(uint256 length);
    /// @notice The network's aggregate signature does not verify.
    error InvalidBLSSignature();
    /// @notice The new lifetime total `amount` does not exceed the current `previous`.
    error RewardsNotIncreased(uint256 amount, uint256 previous);
    /// @notice The claim `amount` exceeds the unclaimed `available`.
    error ClaimExceedsBalance(uint256 amount, uint256 available);
    /// @notice There is nothing to claim.
    error NothingToClaim();
    /// @notice The claim would bring this cycle's claims to `total`, above `limit`.
    error ClaimLimitExceeded(uint256 total, uint256 limit);
}

/// @title IServiceNodeRewards
/// @notice The Session Network node registry: stakes, the aggregate BLS key of all active nodes, and the
/// network-signed exits, liquidations and lifetime reward balances (PROTOCOL.md §1–§3).
interface IServiceNodeRewards is IServiceNodeRewardsEvents {

    // ---------------------------------------------------------------- registration
    /// @notice Registers a node. The stake (exactly the staking requirement) is pulled from the caller.
    /// @param blsPubkey The node's BLS key (G1), validated on the curve and not infinity.
    /// @param proofOfPossession The node key's signature (G2) of the proof-of-possession message.
    /// @param serviceNodeParams Ed25519 key and signature (checked by the node network), fee ≤ 10,000 bps.
    /// @param contributors The stakers, operator first; empty for a solo operator.
    function addBLSPublicKey(
        BN254.G1Point calldata blsPubkey,
        BLSSignatureParams calldata proofOfPossession,
        ServiceNodeParams calldata serviceNodeParams,
        Contributor[] calldata contributors
    ) external;

    // ---------------------------------------------------------------- exits and liquidation
    /// @notice Any contributor asks for its node to leave (emits {ServiceNodeExitRequest}); contributors of
    /// less than 25 % only 30 days after registration. Open while paused.
    /// @param serviceNodeID The node.
    function initiateExitBLSPublicKey(uint64 serviceNodeID) external;
    /// @notice Any contributor asks for the node to leave, passing the node's contributor list exactly as
    /// registered (from {NewServiceNodeV2}). Contributors of less than 25 % may do so only 30 days after
    /// registration. Open while paused.
    /// @param serviceNodeID The node.
    /// @param contributors The registered list; the caller must be one of its addresses.
    function initiateExitBLSPublicKey(uint64 serviceNodeID, Contributor[] calldata contributors) external;
    /// @notice Removes a node with the network's signature of exitTag ‖ X ‖ Y ‖ timestamp. The signature
    /// must be at most {signatureExpiry} old and at most {signatureExpiry} ahead of the block (the aggregator's clock), and not older than the registration; the node at least 2 hours old.
    /// @param blsPubkey The node's key.
    /// @param timestamp When the network signed.
    /// @param blsSignature The aggregate signature.
    /// @param nonSigners Ids of the nodes that did not sign, ascending.
    function exitBLSPublicKeyWithSignature(
        BN254.G1Point calldata blsPubkey,
        uint256 timestamp,
        BLSSignatureParams calldata blsSignature,
        uint64[] calldata nonSigners
    ) external;
    /// @notice {exitBLSPublicKeyWithSignature} with the non-signers' Y coordinates supplied (cheaper per
    /// non-signer: no square root is computed on chain).
    /// @param blsPubkey The node's key.
    /// @param timestamp When the network signed.
    /// @param blsSignature The aggregate signature.
    /// @param nonSigners Packed entries `uint16 skip ‖ uint256 Y` (34 bytes each): each non-signer's id is
    /// the previous one's (0 before the first) plus skip + 1, so ids ascend by construction.
    function exitBLSPublicKeyWithSignatureAndNonSignerKeys(
        BN254.G1Point calldata blsPubkey,
        uint256 timestamp,
        BLSSignatureParams calldata blsSignature,
        bytes calldata nonSigners
    ) external;
    /// @notice Removes a node 30 days after its first exit request; anyone may call.
    /// @param serviceNodeID The node.
    function exitBLSPublicKeyAfterWaitTime(uint64 serviceNodeID) external;
    /// @notice Liquidates a node with the network's signature of liquidateTag ‖ X ‖ Y ‖ timestamp (same
    /// time rules as {exitBLSPublicKeyWithSignature}). The deposit is split liquidator / pool / owners by
    /// the liquidation ratios (pool share rounded up); the caller and the pool are paid now, the owners'
    /// share is credited by the network through signed reward balances.
    /// @param blsPubkey The node's key.
    /// @param timestamp When the network signed.
    /// @param blsSignature The aggregate signature.
    /// @param nonSigners Ids of the nodes that did not sign, ascending.
    function liquidateBLSPublicKeyWithSignature(
        BN254.G1Point calldata blsPubkey,
        uint256 timestamp,
        BLSSignatureParams calldata blsSignature,
        uint64[] calldata nonSigners
    ) external;
    /// @notice {liquidateBLSPublicKeyWithSignature} with the non-signers' Y coordinates supplied.
    /// @param blsPubkey The node's key.
    /// @param timestamp When the network signed.
    /// @param blsSignature The aggregate signature.
    /// @param nonSigners Packed entries `uint16 skip ‖ uint256 Y` (34 bytes each), as for
    /// {exitBLSPublicKeyWithSignatureAndNonSignerKeys}.
    function liquidateBLSPublicKeyWithSignatureAndNonSignerKeys(
        BN254.G1Point calldata blsPubkey,
        uint256 timestamp,
        BLSSignatureParams calldata blsSignature,
        bytes calldata nonSigners
    ) external;

    // ---------------------------------------------------------------- rewards
    /// @notice Sets `recipient`'s lifetime reward total (rewards plus returned stakes) with the network's
    /// signature of rewardTag ‖ recipient ‖ lifetimeRewards. The total must strictly increase.
    /// @param recipient Whose balance.
    /// @param lifetimeRewards New lifetime total (atomic SESH).
    /// @param blsSignature The aggregate signature.
    /// @param nonSigners Ids of the nodes that did not sign, ascending.
    function updateRewardsBalance(
        address recipient,
        uint256 lifetimeRewards,
        BLSSignatureParams calldata blsSignature,
        uint64[] calldata nonSigners
    ) external;
    /// @notice {updateRewardsBalance} with the non-signers' Y coordinates supplied (cheaper per
    /// non-signer: no square root is computed on chain).
    /// @param recipient Whose balance.
    /// @param lifetimeRewards New lifetime total (atomic SESH).
    /// @param blsSignature The aggregate signature.
    /// @param nonSigners Packed entries `uint16 skip ‖ uint256 Y` (34 bytes each), as for
    /// {exitBLSPublicKeyWithSignatureAndNonSignerKeys}.
    function updateRewardsBalanceWithNonSignerKeys(
        address recipient,
        uint256 lifetimeRewards,
        BLSSignatureParams calldata blsSignature,
        bytes calldata nonSigners
    ) external;
    /// @notice Pays the caller all of its unclaimed rewards.
    function claimRewards() external;
    /// @notice Pays the caller `amount` of its unclaimed rewards.
    /// @param amount Atomic SESH, at most the unclaimed balance.
    function claimRewards(uint256 amount) external;

    // ---------------------------------------------------------------- views the network calls
    /// @notice Ids of all active nodes, ascending (the order the network sends non-signers in), and keys.
    /// @return ids Node ids.
    /// @return pubkeys Their BLS keys.
    function allServiceNodeIDs() external view returns (uint64[] memory ids, BN254.G1Point[] memory pubkeys);
    /// @notice Sum of the keys of all active nodes; (0, 0) when there are none.
    /// @return The aggregate key.
    function aggregatePubkey() external view returns (BN254.G1Point memory);
    /// @notice What is stored about an active node (all zero for an unknown or removed id).
    /// @param serviceNodeID The node.
    /// @return node Key, operator, timestamps, deposit and contributor-list hash.
    function serviceNodes(uint64 serviceNodeID) external view returns (ServiceNode memory);

    // ---------------------------------------------------------------- views pooled nodes and portals call
    /// @notice The stake for new registrations (atomic SESH).
    /// @return The requirement.
    function stakingRequirement() external view returns (uint256);
    /// @notice Maximum contributors per node.
    /// @return The maximum.
    function maxContributors() external view returns (uint256);
    /// @notice The staking and reward token (SESH).
    function designatedToken() external view returns (IERC20);
    /// @notice The stateless BLS verifier the registry uses.
    function blsVerifier() external view returns (BLSVerifier);
}
/* solhint-enable gas-indexed-events */
