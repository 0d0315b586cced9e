// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {BN254} from "../libraries/BN254.sol";
import {BLS, BLSSignatureParams} from "../libraries/BLS.sol";
import {IRewardRatePool} from "../interfaces/IRewardRatePool.sol";
import {IServiceNodeRewards, Contributor, Staker, ServiceNodeParams, ServiceNode} from "../interfaces/IServiceNodeRewards.sol";
import {PackedG1} from "./PackedG1.sol";
import {BLSVerifier} from "./BLSVerifier.sol";
import {ServiceNodeRewardsStorage} from "./ServiceNodeRewardsStorage.sol";
import {ServiceNodeRewardsExtension} from "./ServiceNodeRewardsExtension.sol";

/// @notice What the registry asks the configured factory about a registering pool.
interface IContributionFactoryOwns {
    /// @notice Whether the factory created `pool`.
    function owns(address pool) external view returns (bool);
}

/// @notice What the registry asks a registering pool.
interface IContributionPoolOperator {
    /// @notice The pool's operator (contributor 0), fixed at creation.
    function operator() external view returns (address);
}

/// @title ServiceNodeRewards: the Session Network node registry
/// @notice Operators stake SESH to register a node with its BLS key (proved by a proof of possession);
/// the contract keeps the aggregate key of all active nodes, and the node network co-signs exits,
/// liquidations and lifetime reward balances, checked as one aggregate signature against the aggregate
/// key minus the listed non-signers (PROTOCOL.md §1). Exits move no tokens: the network credits the stake
/// back into the owners' signed lifetime reward balances, which they claim here.
///
/// Storage (the gas lever besides the one BLS verify per signed call): per node only what later calls
/// read — the key packed in one word ({PackedG1}), one word with operator and timestamps, a key → (id,
/// deposit) word, a bit in the active-id bitmap, and for pooled nodes the hash of the contributor list
/// and the address of a code-only copy of its addresses (so any contributor can request an exit). Events
/// carry the rest for the tracker. Ed25519 keys are not indexed: the node network refuses impostors.
///
/// Rarely used functions (seeding, most owner setters, some views: {IServiceNodeRewardsExtension}) live in
/// {ServiceNodeRewardsExtension}, which this contract's constructor deploys and its fallback delegates to.
///
/// Non-signers are sent in the order {allServiceNodeIDs} lists nodes, which is ascending id: duplicates
/// and unknown ids are rejected with one comparison and the key lookup per id.
///
/// Pause ({pause}) blocks every state change except: exit requests ({initiateExitBLSPublicKey}), which
/// move no funds and change no keys but start the owners' 30-day unconditional exit timer — a pause must
/// not be able to lengthen lock-ups; and the owner's own functions (setters, unpause, upgrades).
///
/// Token accounting: the contract's SESH balance always equals the stakes received by {addBLSPublicKey}
/// and seeding plus the rewards released to it by the pool, minus claims paid and liquidation payouts.
///
/// Upgrades: UUPS behind an ERC-1967 proxy, authorised by the owner (Ownable2Step, renouncing disabled).
/// State lives in ERC-7201 namespaced storage; the token is an immutable of the implementation.
/// @custom:oz-upgrades-unsafe-allow constructor state-variable-immutable delegatecall
contract ServiceNodeRewards is
    IServiceNodeRewards,
    ServiceNodeRewardsStorage,
    Initializable,
    Ownable2StepUpgradeable,
    UUPSUpgradeable
{
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @dev Where a call's non-signers are in calldata: `count` ids (`uint64[]` words) or, `hinted`,
    /// `count` packed `uint16 skip ‖ uint256 Y` entries ({PackedG1-sumStoredKeysHinted}). Not stored.
    struct NonSigners {
        uint256 offset;
        uint256 count;
        bool hinted;
    }

    /// @notice The staking and reward token (SESH).
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    // solhint-disable-next-line immutable-vars-naming
    IERC20 public immutable designatedToken;

    /// @notice The stateless BLS verifier (kept out of this contract's code for the 24 KB limit).
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    // solhint-disable-next-line immutable-vars-naming
    BLSVerifier public immutable blsVerifier;

    /// @dev The {ServiceNodeRewardsExtension} this implementation's fallback delegates to.
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    // solhint-disable-next-line immutable-vars-naming
    address private immutable _extension;

    /// @custom:oz-upgrades-unsafe-allow constructor
    /// @param token The staking and reward token (SESH); fixed per implementation.
    /// @param verifier The {BLSVerifier}; fixed per implementation.
    constructor(IERC20 token, BLSVerifier verifier) {
        if (address(token) == address(0) || address(verifier) == address(0)) {
            revert InvalidConstructorAddress(address(token), address(verifier));
        }
        designatedToken = token;
        blsVerifier = verifier;
        _extension = address(new ServiceNodeRewardsExtension(token, verifier));
        _disableInitializers();
    }

    /// @notice Serves {IServiceNodeRewardsExtension} (seeding, most owner setters, claim-cycle and other
    /// rarely used views) by delegatecall to the extension, in this contract's storage; anything else the
    /// extension does not know reverts.
    /// @custom:oz-upgrades-unsafe-allow delegatecall
    // A plain delegating proxy fallback: the extension's own functions do the work (and their checks).
    // solhint-disable-next-line no-complex-fallback
    fallback() external {
        address extension = _extension;
        // Not memory-safe, on purpose: calldata and return data are copied over memory from 0, and the block
        // always ends the call (return or revert), so Solidity never reads that memory again.
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), extension, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @notice Initialises the proxy's state; callable once. Defaults: 10 contributors, signatures valid
    /// 10 minutes, at most 4,000 non-signers, liquidation split 3 / 17 / 9,980, claims limited to
    /// 1,000,000 SESH per 12 hours. The contract starts closed: seed, then {start}.
    /// @param initialOwner Owner (parameters, pause, seeding, upgrades).
    /// @param rewardPool_ The RewardRatePool: source of released rewards, receiver of liquidation pool shares.
    /// @param stakingRequirement_ Stake per node in atomic SESH.
    function initialize(address initialOwner, address rewardPool_, uint256 stakingRequirement_)
        external
        initializer
    {
        if (rewardPool_ == address(0)) revert InvalidRewardPool(rewardPool_);
        __Ownable_init(initialOwner);
        __Ownable2Step_init();
        Layout storage $ = _layout();
        $.state.nextId = 1;
        $.state.nonSignerMax = 4000;
        $.rewardPool = rewardPool_;
        $.config = Config({
            stakingRequirement: _checkedRequirement(stakingRequirement_),
            maxContributors: 10,
            signatureExpiry: 10 minutes,
            liquidatorRatio: 3,
            poolRatio: 17,
            recipientRatio: 9980
        });
        $.claims = ClaimState({
            limit: uint88(1_000_000 * 1e9), cycleLength: 12 hours, claimedInCycle: 0, cycleIndex: 0, paused: false
        });
        emit StakingRequirementUpdated(stakingRequirement_);
        emit RewardPoolUpdated(address(0), rewardPool_);
    }

    // ------------------------------------------------------------------------------- registration
    /// @inheritdoc IServiceNodeRewards
    /// @dev A solo operator passes an empty `contributors`: the caller is then the operator and only
    /// contributor (beneficiary itself). Otherwise contributor 0 is the operator (at least a quarter of
    /// the stake), there are at most {maxContributors}, and the amounts sum to the requirement. The proof
    /// of possession is the node key's signature of popTag ‖ X ‖ Y ‖ operator ‖ Ed25519 key, which binds
    /// the key to its operator and Ed25519 identity and defeats rogue-key attacks on the aggregate. It is
    /// verified here for a direct registration; a pool of the configured factory verified it, for its key
    /// and operator against this registry, when the key was set (`initialize`, `updatePubkeys`: no other path
    /// changes it), so its registration is not charged the pairing (~230k gas) twice.
    function addBLSPublicKey(
        BN254.G1Point calldata blsPubkey,
        BLSSignatureParams calldata proofOfPossession,
        ServiceNodeParams calldata serviceNodeParams,
        Contributor[] calldata contributors
    ) external {
        Layout storage $ = _layout();
        State memory s = _startedAndNotPaused($);
        uint256 requirement = $.config.stakingRequirement;
        address operator = msg.sender;
        bytes32 contributorsHash;
        if (contributors.length != 0) {
            contributorsHash = _validateContributors(contributors, requirement, $.config.maxContributors);
            operator = contributors[0].staker.addr;
            // Only the operator the proof of possession binds registers its key: itself, or a pool of the
            // configured factory that it operates.
            if (operator != msg.sender) _checkRegisteringPool($, operator);
        }
        if (serviceNodeParams.fee > MAX_FEE) revert InvalidFee(serviceNodeParams.fee);

        // Flash-loan defence: at most max(20, 2 % of the nodes) new keys per block.
        if (s.aggregationBlock != block.number) {
            s.aggregationBlock = uint64(block.number);
            s.aggregationsInBlock = 0;
        }
        uint256 limit = _maxAggregations(s.totalNodes);
        // Cannot overflow: the count is at most `limit` (≤ 2^64 · 2 / 100) before the check below.
        unchecked {
            ++s.aggregationsInBlock;
        }
        if (s.aggregationsInBlock > limit) revert MaxPubkeyAggregationsExceeded(limit);

        BN254.G1Point memory pk = blsPubkey;
        uint256 ed25519Pubkey = serviceNodeParams.ed25519Pubkey;
        uint256 packed = _checkNewKey($, pk, ed25519Pubkey);
        // A factory pool verified this proof when its key was set (initialize, updatePubkeys): see @dev.
        if (operator == msg.sender) _checkProofOfPossession(blsVerifier, pk, proofOfPossession, operator, ed25519Pubkey);

        uint64 id = _storeNode($, s, packed, operator, block.timestamp, requirement, contributorsHash);
        if (contributorsHash != 0) _storeContributorList($, id, contributors, requirement);
        $.aggregateKey = PackedG1.pack(BN254.add(PackedG1.unpack($.aggregateKey), pk));
        $.state = s;

        if (contributors.length == 0) {
            Contributor[] memory solo = new Contributor[](1);
            solo[0] = Contributor(Staker(msg.sender, msg.sender), requirement);
            emit NewServiceNodeV2(id, msg.sender, pk, serviceNodeParams, solo);
        } else {
            emit NewServiceNodeV2(id, msg.sender, pk, serviceNodeParams, contributors);
        }
        designatedToken.safeTransferFrom(msg.sender, address(this), requirement);
    }

    /// @dev Reverts unless the caller is a pool the configured factory made and `operator` operates it.
    function _checkRegisteringPool(Layout storage $, address operator) private view {
        address factory = $.contributionFactory;
        if (
            factory == address(0) || !IContributionFactoryOwns(factory).owns(msg.sender)
                || IContributionPoolOperator(msg.sender).operator() != operator
        ) revert RegistrantNotOperator(msg.sender, operator);
    }

    // ---------------------------------------------------------------------------------- exits
    /// @inheritdoc IServiceNodeRewards
    /// @dev The first request starts the 30-day timer of {exitBLSPublicKeyAfterWaitTime}; repeats (at
    /// least an hour apart) only re-emit the event, in case the network missed it. The operator is checked
    /// against the node's word; other contributors against the node's contributor list (one cold code read).
    function initiateExitBLSPublicKey(uint64 serviceNodeID) external {
        Layout storage $ = _layout();
        Node storage node = $.nodes[serviceNodeID];
        // An active node's operator is never zero; a removed node's word is. The operator holds at least a
        // quarter of the stake, so it is never a small contributor.
        bool small;
        if (node.operator != msg.sender) {
            if (node.operator == address(0)) revert ServiceNodeDoesNotExist(serviceNodeID);
            bool found;
            (found, small) = _listedContributor($, serviceNodeID, msg.sender);
            if (!found) revert CallerNotContributor(serviceNodeID, msg.sender);
        }
        _requestExit($, node, serviceNodeID, small);
    }

    /// @inheritdoc IServiceNodeRewards
    function initiateExitBLSPublicKey(uint64 serviceNodeID, Contributor[] calldata contributors) external {
        Layout storage $ = _layout();
        Node storage node = $.nodes[serviceNodeID];
        if (node.operator == address(0)) revert ServiceNodeDoesNotExist(serviceNodeID);
        bytes32 stored = $.contributorsHash[serviceNodeID];
        bool small;
        if (stored == 0) {
            // Solo node: the operator is the only contributor.
            if (node.operator != msg.sender) revert CallerNotContributor(serviceNodeID, msg.sender);
        } else {
            if (keccak256(abi.encode(contributors)) != stored) revert CallerNotContributor(serviceNodeID, msg.sender);
            uint256 total;
            uint256 stake;
            bool found;
            for (uint256 i = 0; i < contributors.length; ++i) {
                uint256 amount = contributors[i].stakedAmount;
                total += amount;
                if (!found && contributors[i].staker.addr == msg.sender) {
                    found = true;
                    stake = amount;
                }
            }
            if (!found) revert CallerNotContributor(serviceNodeID, msg.sender);
            small = stake * 4 < total;
        }
        _requestExit($, node, serviceNodeID, small);
    }

    /// @inheritdoc IServiceNodeRewards
    function exitBLSPublicKeyWithSignature(
        BN254.G1Point calldata blsPubkey,
        uint256 timestamp,
        BLSSignatureParams calldata blsSignature,
        uint64[] calldata nonSigners
    ) external {
        _exit(blsPubkey, timestamp, blsSignature, _ids(nonSigners));
    }

    /// @inheritdoc IServiceNodeRewards
    function exitBLSPublicKeyWithSignatureAndNonSignerKeys(
        BN254.G1Point calldata blsPubkey,
        uint256 timestamp,
        BLSSignatureParams calldata blsSignature,
        bytes calldata nonSigners
    ) external {
        _exit(blsPubkey, timestamp, blsSignature, _hinted(nonSigners));
    }

    function _exit(
        BN254.G1Point calldata blsPubkey,
        uint256 timestamp,
        BLSSignatureParams calldata blsSignature,
        NonSigners memory nonSigners
    ) private {
        Layout storage $ = _layout();
        State memory s = _startedAndNotPaused($);
        BN254.G1Point memory pk = blsPubkey;
        (uint256 packed, KeyRecord memory record, BN254.G1Point memory aggregate) =
            _verifyRemoval($, s, pk, timestamp, BLS.EXIT_TAG, blsSignature, nonSigners);
        _removeNode($, s, record, packed, pk, aggregate, record.deposit);
    }

    /// @inheritdoc IServiceNodeRewards
    function exitBLSPublicKeyAfterWaitTime(uint64 serviceNodeID) external {
        Layout storage $ = _layout();
        State memory s = _startedAndNotPaused($);
        Node storage node = $.nodes[serviceNodeID];
        uint256 packed = _keyOf(serviceNodeID);
        if (packed == 0) revert ServiceNodeDoesNotExist(serviceNodeID);
        uint256 requested = node.exitRequestTimestamp;
        if (requested == 0) revert ExitWaitNotOver(serviceNodeID, 0);
        if (block.timestamp < requested + EXIT_WAIT_TIME) revert ExitWaitNotOver(serviceNodeID, requested + EXIT_WAIT_TIME);
        KeyRecord memory record = $.keys[packed];
        _removeNode(
            $, s, record, packed, PackedG1.unpack(packed), PackedG1.unpack($.aggregateKey), record.deposit
        );
    }

    /// @inheritdoc IServiceNodeRewards
    function liquidateBLSPublicKeyWithSignature(
        BN254.G1Point calldata blsPubkey,
        uint256 timestamp,
        BLSSignatureParams calldata blsSignature,
        uint64[] calldata nonSigners
    ) external {
        _liquidate(blsPubkey, timestamp, blsSignature, _ids(nonSigners));
    }

    /// @inheritdoc IServiceNodeRewards
    function liquidateBLSPublicKeyWithSignatureAndNonSignerKeys(
        BN254.G1Point calldata blsPubkey,
        uint256 timestamp,
        BLSSignatureParams calldata blsSignature,
        bytes calldata nonSigners
    ) external {
        _liquidate(blsPubkey, timestamp, blsSignature, _hinted(nonSigners));
    }

    function _liquidate(
        BN254.G1Point calldata blsPubkey,
        uint256 timestamp,
        BLSSignatureParams calldata blsSignature,
        NonSigners memory nonSigners
    ) private {
        Layout storage $ = _layout();
        State memory s = _startedAndNotPaused($);
        BN254.G1Point memory pk = blsPubkey;
        (uint256 packed, KeyRecord memory record, BN254.G1Point memory aggregate) =
            _verifyRemoval($, s, pk, timestamp, BLS.LIQUIDATE_TAG, blsSignature, nonSigners);
        Config storage cfg = $.config;
        uint256 ratioSum = uint256(cfg.liquidatorRatio) + cfg.poolRatio + cfg.recipientRatio;
        uint256 liquidatorAmount = uint256(record.deposit) * cfg.liquidatorRatio / ratioSum;
        uint256 poolAmount = (uint256(record.deposit) * cfg.poolRatio + ratioSum - 1) / ratioSum;
        emit ServiceNodeLiquidated(record.id, msg.sender, pk);
        // Cannot underflow: (liquidator + pool) · 3 ≤ recipient parts, so both shares are below the deposit.
        unchecked {
            _removeNode($, s, record, packed, pk, aggregate, record.deposit - liquidatorAmount - poolAmount);
        }
        address pool = $.rewardPool;
        if (liquidatorAmount != 0) _pay($, msg.sender, liquidatorAmount);
        if (poolAmount != 0) _pay($, pool, poolAmount);
    }

    // -------------------------------------------------------------------------------- rewards
    /// @inheritdoc IServiceNodeRewards
    function updateRewardsBalance(
        address recipient,
        uint256 lifetimeRewards,
        BLSSignatureParams calldata blsSignature,
        uint64[] calldata nonSigners
    ) external {
        _updateRewardsBalance(recipient, lifetimeRewards, blsSignature, _ids(nonSigners));
    }

    /// @inheritdoc IServiceNodeRewards
    function updateRewardsBalanceWithNonSignerKeys(
        address recipient,
        uint256 lifetimeRewards,
        BLSSignatureParams calldata blsSignature,
        bytes calldata nonSigners
    ) external {
        _updateRewardsBalance(recipient, lifetimeRewards, blsSignature, _hinted(nonSigners));
    }

    function _updateRewardsBalance(
        address recipient,
        uint256 lifetimeRewards,
        BLSSignatureParams calldata blsSignature,
        NonSigners memory nonSigners
    ) private {
        Layout storage $ = _layout();
        State memory s = _startedAndNotPaused($);
        if (recipient == address(0)) revert InvalidRecipient(recipient);
        uint256 previous = $.recipients[recipient].rewards;
        // solhint-disable-next-line gas-strict-inequalities
        if (lifetimeRewards <= previous) revert RewardsNotIncreased(lifetimeRewards, previous);
        bytes memory message =
            abi.encodePacked(BLS.tag(BLS.REWARD_TAG, address(this)), recipient, lifetimeRewards);
        _verifyNetwork($, s, message, blsSignature, nonSigners);
        $.recipients[recipient].rewards = lifetimeRewards.toUint128();
        emit RewardsBalanceUpdated(recipient, lifetimeRewards, previous);
    }

    /// @inheritdoc IServiceNodeRewards
    function claimRewards() external {
        _claim(type(uint256).max);
    }

    /// @inheritdoc IServiceNodeRewards
    function claimRewards(uint256 amount) external {
        if (amount == 0) revert NothingToClaim();
        _claim(amount);
    }

    // ----------------------------------------------------------------------------- operations
    /// @notice Opens registrations and signed actions and closes seeding (owner only, once).
    function start() external onlyOwner {
        Layout storage $ = _layout();
        if ($.state.started) revert ContractAlreadyStarted();
        $.state.started = true;
        emit Started();
    }

    /// @notice Pauses registrations, exits, liquidations, reward updates and claims (owner only). Exit
    /// requests stay open (they only signal and start the 30-day timer) as do the owner's functions.
    function pause() external onlyOwner {
        Layout storage $ = _layout();
        if ($.state.paused) revert ContractPaused();
        $.state.paused = true;
        $.claims.paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Lifts the pause (owner only).
    function unpause() external onlyOwner {
        Layout storage $ = _layout();
        if (!$.state.paused) revert ContractNotPaused();
        $.state.paused = false;
        $.claims.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @notice Sets the stake for new registrations (owner only; > 0, < 2^96).
    /// @param newRequirement Atomic SESH.
    function setStakingRequirement(uint256 newRequirement) external onlyOwner {
        _layout().config.stakingRequirement = _checkedRequirement(newRequirement);
        emit StakingRequirementUpdated(newRequirement);
    }

    /// @notice Sets the maximum number of contributors per node (owner only; 1 to 255).
    /// @param newMax The new maximum.
    function setMaxContributors(uint256 newMax) external onlyOwner {
        if (newMax == 0 || newMax > type(uint8).max) revert InvalidMaxContributors(newMax);
        _layout().config.maxContributors = uint8(newMax);
        emit MaxContributorsUpdated(newMax);
    }

    /// @notice Disabled: the contract must always have an owner.
    function renounceOwnership() public view override onlyOwner {
        revert RenounceOwnershipDisabled();
    }

    // ---------------------------------------------------------------------------------- views
    /// @inheritdoc IServiceNodeRewards
    function allServiceNodeIDs() external view returns (uint64[] memory ids, BN254.G1Point[] memory pubkeys) {
        Layout storage $ = _layout();
        State memory s = $.state;
        ids = new uint64[](s.totalNodes);
        pubkeys = new BN254.G1Point[](s.totalNodes);
        uint256 count;
        uint256 lastWord = uint256(s.nextId) >> 8;
        for (uint256 w = 0; w < lastWord + 1 && count < s.totalNodes; ++w) {
            uint256 bits = $.activeIds[w];
            for (uint256 bit = 0; bits != 0; ++bit) {
                if (bits & 1 == 1) {
                    uint64 id = uint64((w << 8) | bit);
                    ids[count] = id;
                    pubkeys[count] = PackedG1.unpack(_keyOf(id));
                    ++count;
                }
                bits >>= 1;
            }
        }
    }

    /// @inheritdoc IServiceNodeRewards
    function aggregatePubkey() external view returns (BN254.G1Point memory) {
        return PackedG1.unpack(_layout().aggregateKey);
    }

    /// @inheritdoc IServiceNodeRewards
    function serviceNodes(uint64 serviceNodeID) external view returns (ServiceNode memory node) {
        Layout storage $ = _layout();
        uint256 packed = _keyOf(serviceNodeID);
        if (packed == 0) return node;
        Node memory stored = $.nodes[serviceNodeID];
        node.pubkey = PackedG1.unpack(packed);
        node.operator = stored.operator;
        node.addedTimestamp = stored.addedTimestamp;
        node.exitRequestTimestamp = stored.exitRequestTimestamp;
        node.lastExitRequestTimestamp = stored.lastExitRequestTimestamp;
        node.deposit = $.keys[packed].deposit;
        node.contributorsHash = $.contributorsHash[serviceNodeID];
    }

    /// @notice The id of the active node with this 64-byte key X ‖ Y (0 if none or not a valid key).
    /// @param blsPubkey The key, as 64 bytes.
    /// @return The node id.
    function serviceNodeIDs(bytes calldata blsPubkey) external view returns (uint64) {
        if (blsPubkey.length != 64) return 0;
        BN254.G1Point memory pk = BN254.G1Point(uint256(bytes32(blsPubkey[:32])), uint256(bytes32(blsPubkey[32:])));
        if (!BN254.isOnCurve(pk)) return 0;
        return _layout().keys[PackedG1.pack(pk)].id;
    }

    /// @notice A recipient's signed lifetime total and what it has been paid.
    /// @param recipient The account.
    /// @return rewards Lifetime total.
    /// @return claimed Paid so far.
    function recipients(address recipient) external view returns (uint256 rewards, uint256 claimed) {
        Recipient memory r = _layout().recipients[recipient];
        return (r.rewards, r.claimed);
    }

    /// @notice Number of active nodes.
    /// @return The count.
    function totalNodes() external view returns (uint256) {
        return _layout().state.totalNodes;
    }

    /// @notice The id the next registration gets.
    /// @return The id.
    function nextServiceNodeID() external view returns (uint64) {
        return _layout().state.nextId;
    }

    /// @notice Whether {start} has been called.
    /// @return True once started.
    function isStarted() external view returns (bool) {
        return _layout().state.started;
    }

    /// @notice Whether the contract is paused.
    /// @return True while paused.
    function paused() external view returns (bool) {
        return _layout().state.paused;
    }

    /// @notice The reward pool.
    /// @return The pool address.
    function rewardPool() external view returns (address) {
        return _layout().rewardPool;
    }

    /// @inheritdoc IServiceNodeRewards
    function stakingRequirement() external view returns (uint256) {
        return _layout().config.stakingRequirement;
    }

    /// @inheritdoc IServiceNodeRewards
    function maxContributors() external view returns (uint256) {
        return _layout().config.maxContributors;
    }

    /// @notice How long exit and liquidation signatures stay valid (seconds).
    /// @return The expiry.
    function signatureExpiry() external view returns (uint256) {
        return _layout().config.signatureExpiry;
    }

    /// @notice The owner-set cap on non-signers.
    /// @return The cap.
    function blsNonSignerThresholdMax() external view returns (uint256) {
        return _layout().state.nonSignerMax;
    }

    /// @notice How many non-signers a signature may list now: min(nodes / 3, cap).
    /// @return The threshold.
    function blsNonSignerThreshold() external view returns (uint256) {
        Layout storage $ = _layout();
        return _nonSignerThreshold($.state.totalNodes, $.state.nonSignerMax);
    }

    /// @notice The liquidation split in parts.
    /// @return liquidator Parts to the liquidator.
    /// @return pool Parts to the pool.
    /// @return recipient Parts credited to the owners.
    function liquidationRatios() external view returns (uint256 liquidator, uint256 pool, uint256 recipient) {
        Config storage cfg = _layout().config;
        return (cfg.liquidatorRatio, cfg.poolRatio, cfg.recipientRatio);
    }

    /// @dev max(20, 2 % of `nodes`): keys that may enter the aggregate in one block.
    function _maxAggregations(uint256 nodes) private pure returns (uint256 result) {
        result = nodes * 2 / 100;
        if (result < MIN_AGGREGATIONS_PER_BLOCK) result = MIN_AGGREGATIONS_PER_BLOCK;
    }

    // ------------------------------------------------------------------------------- internals
    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _startedAndNotPaused(Layout storage $) private view returns (State memory s) {
        s = $.state;
        if (!s.started) revert ContractNotStarted();
        if (s.paused) revert ContractPaused();
    }

    /// @dev Verifies with the hash-to-field tag of this contract (the proxy's address).
    function _verify(BN254.G1Point memory apk, BLSSignatureParams memory sig, bytes memory message)
        private
        view
        returns (bool)
    {
        return blsVerifier.verify(apk, sig, message, BLS.tag(BLS.HASH_TO_FIELD_TAG, address(this)));
    }

    function _checkedRequirement(uint256 requirement) private pure returns (uint96) {
        if (requirement == 0 || requirement > type(uint96).max) {
            revert InvalidStakingRequirement(requirement);
        }
        return uint96(requirement);
    }

    function _nonSignerThreshold(uint256 nodes, uint256 cap) private pure returns (uint256) {
        uint256 third = nodes / 3;
        return third < cap ? third : cap;
    }

    function _requestExit(Layout storage $, Node storage node, uint64 serviceNodeID, bool small) private {
        if (!$.state.started) revert ContractNotStarted();
        uint256 first = node.exitRequestTimestamp;
        if (first == 0) {
            uint256 allowedAt = uint256(node.addedTimestamp) + SMALL_CONTRIBUTOR_LEAVE_DELAY;
            if (small && block.timestamp < allowedAt) {
                revert SmallContributorLeaveTooEarly(serviceNodeID, msg.sender, allowedAt);
            }
            node.exitRequestTimestamp = uint32(block.timestamp);
        } else {
            uint256 allowedAt = uint256(node.lastExitRequestTimestamp) + EXIT_REQUEST_INTERVAL;
            if (block.timestamp < allowedAt) revert ExitRequestTooSoon(serviceNodeID, allowedAt);
        }
        node.lastExitRequestTimestamp = uint32(block.timestamp);
        emit ServiceNodeExitRequest(serviceNodeID, msg.sender, PackedG1.unpack(_keyOf(serviceNodeID)));
    }

    /// @dev Looks the key up, applies the time rules and verifies the network's signature of
    /// tag ‖ X ‖ Y ‖ timestamp. Returns the packed key, its record and the current aggregate.
    function _verifyRemoval(
        Layout storage $,
        State memory s,
        BN254.G1Point memory pk,
        uint256 timestamp,
        string memory tagBase,
        BLSSignatureParams calldata blsSignature,
        NonSigners memory nonSigners
    ) private view returns (uint256 packed, KeyRecord memory record, BN254.G1Point memory aggregate) {
        // On the curve, X and the parity of Y determine the point, so the packed lookup is exact.
        if (!BN254.isOnCurve(pk)) revert BLSPubkeyNotFound(pk.X, pk.Y);
        packed = PackedG1.pack(pk);
        record = $.keys[packed];
        uint64 id = record.id;
        if (id == 0) revert BLSPubkeyNotFound(pk.X, pk.Y);
        // The aggregator's clock may run ahead of the chain's: a timestamp up to the expiry ahead is valid.
        uint256 expiry = $.config.signatureExpiry;
        if (timestamp > block.timestamp + expiry) revert SignatureFromFuture(id, timestamp, block.timestamp);
        if (block.timestamp > timestamp + expiry) revert SignatureExpired(id, timestamp, block.timestamp);
        uint256 added = $.nodes[id].addedTimestamp;
        // Bound to this registration: a signature made for an earlier registration of the same key (which
        // the network stamped before this one was added) is refused whatever the expiry.
        // solhint-disable-next-line gas-strict-inequalities
        if (timestamp <= added) revert SignatureBeforeRegistration(id, timestamp, added);
        uint256 oldEnough = added + MIN_NODE_AGE;
        if (block.timestamp < oldEnough) revert ServiceNodeTooYoung(id, oldEnough);
        bytes memory message = abi.encodePacked(BLS.tag(tagBase, address(this)), pk.X, pk.Y, timestamp);
        aggregate = _verifyNetwork($, s, message, blsSignature, nonSigners);
    }

    /// @dev Verifies the network's aggregate signature of `message` against the aggregate key minus the
    /// non-signers; returns the (full) aggregate key.
    function _verifyNetwork(
        Layout storage $,
        State memory s,
        bytes memory message,
        BLSSignatureParams calldata blsSignature,
        NonSigners memory nonSigners
    ) private view returns (BN254.G1Point memory aggregate) {
        aggregate = PackedG1.unpack($.aggregateKey);
        BN254.G1Point memory signers = aggregate;
        uint256 count = nonSigners.count;
        if (count != 0) {
            uint256 max = _nonSignerThreshold(s.totalNodes, s.nonSignerMax);
            if (count > max) revert TooManyNonSigners(count, max);
            // A non-signer removed since the network aggregated counts as infinity (its key already left the
            // aggregate); an id never registered (≥ nextId) is refused.
            BN254.G1Point memory missing = nonSigners.hinted
                ? PackedG1.sumStoredKeysHinted(
                    nonSigners.offset,
                    count,
                    _NODE_KEYS_LOCATION,
                    s.nextId,
                    UnknownNonSigner.selector,
                    InvalidNonSignerY.selector
                )
                : PackedG1.sumStoredKeys(
                    nonSigners.offset,
                    count,
                    _NODE_KEYS_LOCATION,
                    s.nextId,
                    NonSignersNotAscending.selector,
                    UnknownNonSigner.selector
                );
            signers = BN254.add(aggregate, BN254.negate(missing));
        }
        if (!_verify(signers, blsSignature, message)) revert InvalidBLSSignature();
    }

    function _ids(uint64[] calldata ids) private pure returns (NonSigners memory) {
        return NonSigners(_offset(ids), ids.length, false);
    }

    function _offset(uint64[] calldata ids) private pure returns (uint256 offset) {
        // The calldata offset of the ids; touches no memory.
        assembly ("memory-safe") {
            offset := ids.offset
        }
    }

    function _hinted(bytes calldata entries) private pure returns (NonSigners memory) {
        if (entries.length % PackedG1.HINTED_ENTRY_SIZE != 0) revert InvalidNonSignerEntries(entries.length);
        uint256 offset;
        // The calldata offset of the entries; touches no memory.
        assembly ("memory-safe") {
            offset := entries.offset
        }
        return NonSigners(offset, entries.length / PackedG1.HINTED_ENTRY_SIZE, true);
    }

    /// @dev Deletes the node, subtracts its key from the aggregate and emits {ServiceNodeExit}.
    function _removeNode(
        Layout storage $,
        State memory s,
        KeyRecord memory record,
        uint256 packed,
        BN254.G1Point memory pk,
        BN254.G1Point memory aggregate,
        uint256 returnedAmount
    ) private {
        uint64 id = record.id;
        delete $.nodes[id];
        _setKeyOf(id, 0);
        delete $.keys[packed];
        if (record.pooled) delete $.contributorsHash[id];
        $.activeIds[id >> 8] &= ~(1 << (id & 0xff));
        $.aggregateKey = PackedG1.pack(BN254.add(aggregate, BN254.negate(pk)));
        // Cannot underflow: the node was active, so it is counted.
        unchecked {
            --s.totalNodes;
        }
        $.state = s;
        emit ServiceNodeExit(id, msg.sender, returnedAmount, pk);
    }

    /// @dev The hot path in assembly on the two raw words it needs (claim state, recipient): one SLOAD
    /// and one SSTORE each, fields read through the offsets and masks of ServiceNodeRewardsStorage. Both slots are fixed offsets in the
    /// namespace, derived from one opaque copy (`shr(255, gas())` is 0) so that the optimizer keeps them
    /// on the stack instead of re-reading constants from code. The cycle index is truncated to the stored
    /// 40 bits, which only have to tell consecutive cycles apart; cycleLength > 0 (initializer, setter).
    /// The transfer of {_pay} is inlined for the common case, its call data built in the scratch words
    /// (no memory growth): selector at 0x10, caller at 0x20, amount at 0x34 (over the free memory
    /// pointer, restored after the call). Checks in order: paused, nothing to claim, above the balance,
    /// above the cycle limit.
    function _claim(uint256 requested) private {
        Layout storage $ = _layout();
        ClaimState storage claims = $.claims;
        mapping(address => Recipient) storage recipients_ = $.recipients;
        uint256 amount;
        bool paid;
        IERC20 token = designatedToken;
        bytes4 paused_ = ContractPaused.selector;
        bytes4 nothing = NothingToClaim.selector;
        bytes4 exceeds = ClaimExceedsBalance.selector;
        bytes4 overLimit = ClaimLimitExceeded.selector;
        bytes32 claimedEvent = RewardsClaimed.selector;
        // Scratch 0x00-0x3f for the hashes and the log; the transfer's call data spills over the free memory pointer, restored before leaving.
        assembly ("memory-safe") {
            let recipientsMapSlot := or(recipients_.slot, shr(255, gas()))
            let claimsSlot := sub(recipientsMapSlot, sub(recipients_.slot, claims.slot))
            mstore(0x00, caller())
            mstore(0x20, recipientsMapSlot)
            let recipientSlot := keccak256(0x00, 0x40)
            let c := sload(claimsSlot)
            let r := sload(recipientSlot)
            // Cannot underflow: claimed never exceeds rewards (enforced below on every claim).
            let available := sub(and(r, _RECIPIENT_REWARDS_MASK), shr(_RECIPIENT_CLAIMED_OFFSET, r))
            amount := requested
            if eq(requested, not(0)) { amount := available }
            let cycleIndex := and(div(timestamp(), and(shr(_CYCLE_LENGTH_OFFSET, c), _CYCLE_LENGTH_MASK)), _CYCLE_INDEX_MASK)
            let limit := and(c, _CLAIM_LIMIT_MASK)
            let total := amount
            // Only used once amount ≤ available < 2^128, so the sum cannot overflow then.
            if eq(cycleIndex, and(shr(_CYCLE_INDEX_OFFSET, c), _CYCLE_INDEX_MASK)) { total := add(amount, and(shr(_CLAIMED_IN_CYCLE_OFFSET, c), _CLAIMED_IN_CYCLE_MASK)) }
            let m := mload(0x40)
            if shr(_CLAIMS_PAUSED_OFFSET, c) { mstore(m, paused_) revert(m, 0x04) }
            if iszero(amount) { mstore(m, nothing) revert(m, 0x04) }
            if gt(amount, available) { mstore(m, exceeds) mstore(add(m, 0x04), amount) mstore(add(m, 0x24), available) revert(m, 0x44) }
            if gt(total, limit) { mstore(m, overLimit) mstore(add(m, 0x04), total) mstore(add(m, 0x24), limit) revert(m, 0x44) }
            // total ≤ limit < 2^88 fits its field; claimed + amount ≤ rewards < 2^128 fits its half.
            c := and(c, not(shl(_CLAIMED_IN_CYCLE_OFFSET, _CLAIMED_IN_CYCLE_AND_INDEX_MASK)))
            sstore(claimsSlot, or(c, or(shl(_CLAIMED_IN_CYCLE_OFFSET, total), shl(_CYCLE_INDEX_OFFSET, cycleIndex))))
            sstore(recipientSlot, add(r, shl(_RECIPIENT_CLAIMED_OFFSET, amount)))
            mstore(0x00, amount)
            log2(0x00, 0x20, claimedEvent, caller()) // RewardsClaimed(msg.sender, amount)
            mstore(0x14, caller())
            mstore(0x34, amount)
            mstore(0x00, 0xa9059cbb000000000000000000000000) // transfer(address,uint256), ends at 0x14
            paid := call(gas(), token, 0, 0x10, 0x44, 0x00, 0x20)
            // Accepted as SafeERC20 does: returned true, or returned nothing from an account with code.
            if iszero(and(eq(mload(0x00), 1), paid)) { paid := and(paid, and(iszero(returndatasize()), gt(extcodesize(token), 0))) }
            mstore(0x40, m)
        }
        // Short balance (or a failed transfer): pull from the pool and retry.
        if (!paid) _pullAndPay($, msg.sender, amount);
    }

    /// @dev Transfers `amount` to `to`. If the transfer fails (the balance is short), pulls what the pool
    /// has released (its beneficiary is this contract) and transfers again, reverting if still short.
    /// Stakes and rewards are one fungible balance; the network only signs totals it covers. The first
    /// attempt is a plain call so that the common case pays no balance check and no pool lookup.
    function _pay(Layout storage $, address to, uint256 amount) private {
        IERC20 token = designatedToken;
        bool ok;
        // A plain call (a failing transfer must trigger the pull below, not revert), accepted as SafeERC20
        // does: the call succeeded and returned true, or returned nothing from an account with code.
        // The call data is built in the scratch words (no memory growth): selector at 0x10, `to` at 0x20,
        // `amount` at 0x34 (overlapping the free memory pointer, restored after the call).
        assembly ("memory-safe") {
            let fmp := mload(0x40)
            mstore(0x14, to)
            mstore(0x34, amount)
            mstore(0x00, 0xa9059cbb000000000000000000000000) // transfer(address,uint256), ends at 0x14
            ok := call(gas(), token, 0, 0x10, 0x44, 0x00, 0x20)
            if iszero(and(eq(mload(0x00), 1), ok)) {
                ok := and(ok, and(iszero(returndatasize()), gt(extcodesize(token), 0)))
            }
            mstore(0x40, fmp)
        }
        if (!ok) _pullAndPay($, to, amount);
    }

    /// @dev The slow path of {_pay}: pulls what the pool has released, then transfers (reverting if short).
    function _pullAndPay(Layout storage $, address to, uint256 amount) private {
        IRewardRatePool($.rewardPool).payoutReleased();
        designatedToken.safeTransfer(to, amount);
    }
}
