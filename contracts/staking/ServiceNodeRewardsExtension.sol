// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {BN254} from "../libraries/BN254.sol";
import {BLSSignatureParams} from "../libraries/BLS.sol";
import {SeedServiceNode} from "../interfaces/IServiceNodeRewards.sol";
import {IServiceNodeRewardsExtension} from "../interfaces/IServiceNodeRewardsExtension.sol";
import {ServiceNodeRewardsStorage} from "./ServiceNodeRewardsStorage.sol";
import {PackedG1} from "./PackedG1.sol";
import {BLSVerifier} from "./BLSVerifier.sol";

/// @title ServiceNodeRewardsExtension: the registry's rarely used functions
/// @notice Runs only by delegatecall from {ServiceNodeRewards}'s fallback, in the registry's storage; the
/// registry's constructor deploys it, so each registry implementation has exactly one. Called directly it
/// acts on its own empty storage (no owner: every owner function reverts), so it needs no guard.
/// @custom:oz-upgrades-unsafe-allow constructor state-variable-immutable
contract ServiceNodeRewardsExtension is IServiceNodeRewardsExtension, ServiceNodeRewardsStorage {
    using SafeERC20 for IERC20;

    /// @dev OpenZeppelin's OwnableUpgradeable namespace (erc7201:openzeppelin.storage.Ownable); its first
    /// word is the owner.
    bytes32 private constant _OWNABLE_LOCATION = 0x9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300;

    /// @notice The caller is not the owner (OpenZeppelin's Ownable error, same selector).
    error OwnableUnauthorizedAccount(address account);

    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    // solhint-disable-next-line immutable-vars-naming
    IERC20 private immutable _token;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    // solhint-disable-next-line immutable-vars-naming
    BLSVerifier private immutable _verifier;

    /// @param token The registry's token (seeded stakes are pulled in it).
    /// @param verifier The registry's BLS verifier.
    constructor(IERC20 token, BLSVerifier verifier) {
        _token = token;
        _verifier = verifier;
    }

    modifier onlyOwner() {
        address owner;
        // OwnableUpgradeable's owner, read from its ERC-7201 slot (the registry's storage, under delegatecall).
        assembly ("memory-safe") {
            owner := sload(_OWNABLE_LOCATION)
        }
        if (msg.sender != owner) revert OwnableUnauthorizedAccount(msg.sender);
        _;
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function seedPublicKeyList(SeedServiceNode[] calldata nodes) external onlyOwner {
        Layout storage $ = _layout();
        State memory s = $.state;
        if (s.started) revert ContractAlreadyStarted();
        Config memory cfg = $.config;
        BN254.G1Point memory aggregate = PackedG1.unpack($.aggregateKey);
        uint256 requirement = cfg.stakingRequirement;
        for (uint256 i = 0; i < nodes.length; ++i) {
            SeedServiceNode calldata node = nodes[i];
            if (node.contributors.length == 0) revert InvalidContributor(0);
            uint256 added = node.addedTimestamp;
            if (added == 0 || added > block.timestamp) revert InvalidSeedTimestamp(i, added, block.timestamp);
            bytes32 contributorsHash = _validateContributors(node.contributors, requirement, cfg.maxContributors);
            BN254.G1Point memory pk = node.blsPubkey;
            uint256 packed = _checkNewKey($, pk, node.ed25519Pubkey);
            uint64 id = _storeNode(
                $, s, packed, node.contributors[0].staker.addr, added, requirement, contributorsHash
            );
            if (contributorsHash != 0) _storeContributorList($, id, node.contributors, requirement);
            aggregate = BN254.add(aggregate, pk);
            emit NewSeededServiceNode(id, pk, node.ed25519Pubkey, node.contributors);
        }
        $.aggregateKey = PackedG1.pack(aggregate);
        $.state = s;
        // The stakes the network will return on exit: the registry holds them like registered stakes.
        if (nodes.length != 0) _token.safeTransferFrom(msg.sender, address(this), requirement * nodes.length);
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function setSignatureExpiry(uint256 newExpiry) external onlyOwner {
        if (newExpiry == 0 || newExpiry > 1 days) revert InvalidSignatureExpiry(newExpiry);
        _layout().config.signatureExpiry = uint32(newExpiry);
        emit SignatureExpiryUpdated(newExpiry);
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function setBLSNonSignerThresholdMax(uint256 newMax) external onlyOwner {
        if (newMax == 0 || newMax > type(uint16).max) revert InvalidNonSignerThresholdMax(newMax);
        _layout().state.nonSignerMax = uint16(newMax);
        emit BLSNonSignerThresholdMaxUpdated(newMax);
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function setClaimLimit(uint256 newLimit) external onlyOwner {
        if (newLimit == 0 || newLimit > type(uint88).max) revert InvalidClaimLimit(newLimit);
        _layout().claims.limit = uint88(newLimit);
        emit ClaimLimitUpdated(newLimit);
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function setClaimCycle(uint256 newCycle) external onlyOwner {
        if (newCycle == 0 || newCycle > type(uint32).max) revert InvalidClaimCycle(newCycle);
        ClaimState storage claims = _layout().claims;
        claims.cycleLength = uint32(newCycle);
        claims.claimedInCycle = 0;
        claims.cycleIndex = uint40(block.timestamp / newCycle);
        emit ClaimCycleUpdated(newCycle);
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function setLiquidationRatios(uint256 liquidator, uint256 pool, uint256 recipient) external onlyOwner {
        if (recipient == 0 || recipient > type(uint32).max || (liquidator + pool) * 3 > recipient) {
            revert InvalidLiquidationRatios(liquidator, pool, recipient);
        }
        Config storage cfg = _layout().config;
        cfg.liquidatorRatio = uint32(liquidator);
        cfg.poolRatio = uint32(pool);
        cfg.recipientRatio = uint32(recipient);
        emit LiquidationRatiosUpdated(liquidator, pool, recipient);
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function setRewardPool(address newPool) external onlyOwner {
        if (newPool == address(0)) revert InvalidRewardPool(newPool);
        Layout storage $ = _layout();
        emit RewardPoolUpdated($.rewardPool, newPool);
        $.rewardPool = newPool;
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function setServiceNodeContributionFactory(address newFactory) external onlyOwner {
        if (newFactory != address(0) && newFactory.code.length == 0) {
            revert InvalidContributionFactory(newFactory);
        }
        Layout storage $ = _layout();
        emit ServiceNodeContributionFactoryUpdated($.contributionFactory, newFactory);
        $.contributionFactory = newFactory;
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function serviceNodeContributionFactory() external view returns (address) {
        return _layout().contributionFactory;
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function maxPermittedPubkeyAggregations() external view returns (uint256 result) {
        result = uint256(_layout().state.totalNodes) * 2 / 100;
        if (result < MIN_AGGREGATIONS_PER_BLOCK) result = MIN_AGGREGATIONS_PER_BLOCK;
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function claimState()
        external
        view
        returns (uint256 limit, uint256 cycleLength, uint256 cycleIndex, uint256 claimedInCycle)
    {
        ClaimState memory c = _layout().claims;
        return (c.limit, c.cycleLength, c.cycleIndex, c.claimedInCycle);
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function claimThreshold() external view returns (uint256) {
        return _layout().claims.limit;
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function claimCycle() external view returns (uint256) {
        return _layout().claims.cycleLength;
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function currentClaimTotal() external view returns (uint256) {
        ClaimState memory c = _layout().claims;
        // The stored index is truncated to 40 bits, as the claim path compares it.
        return uint40(block.timestamp / c.cycleLength) == c.cycleIndex ? c.claimedInCycle : 0;
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function currentClaimCycle() external view returns (uint256) {
        return block.timestamp / _layout().claims.cycleLength;
    }

    /// @inheritdoc IServiceNodeRewardsExtension
    function validateProofOfPossession(
        BN254.G1Point calldata blsPubkey,
        BLSSignatureParams calldata proofOfPossession,
        address operator,
        uint256 ed25519Pubkey
    ) external view {
        _checkProofOfPossession(_verifier, blsPubkey, proofOfPossession, operator, ed25519Pubkey);
    }
}
