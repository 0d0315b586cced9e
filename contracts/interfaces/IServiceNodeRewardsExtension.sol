// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {BLSSignatureParams} from "../libraries/BLS.sol";
import {IServiceNodeRewardsEvents, SeedServiceNode} from "./IServiceNodeRewards.sol";

/// @title IServiceNodeRewardsExtension: the registry's rarely used functions
/// @notice Served by the registry's address like its other functions (its fallback delegates them to
/// {ServiceNodeRewardsExtension}, keeping the registry under the 24 KB code limit and its dispatcher short
/// for the hot paths). Clients call them at the registry's address with this ABI.
interface IServiceNodeRewardsExtension is IServiceNodeRewardsEvents {
    /// @notice Migrates nodes of the existing network (owner only, before the start), pulling the tokens
    /// behind every recorded stake from the owner (approve the registry first): afterwards the registry's
    /// balance covers each seeded deposit. No proof of possession is checked: the owner vouches for the list.
    /// Each node keeps its original added timestamp (not zero, not in the future); its contributors follow
    /// the registration rules (sum = staking requirement, operator first with at least a quarter).
    /// @param nodes Keys, added timestamps, Ed25519 keys and contributor lists.
    function seedPublicKeyList(SeedServiceNode[] calldata nodes) external;

    /// @notice Sets how long exit and liquidation signatures stay valid, and how far ahead of the block
    /// their timestamp may be (owner only; 1 s to 1 day).
    /// @param newExpiry Seconds.
    function setSignatureExpiry(uint256 newExpiry) external;

    /// @notice Sets the cap on non-signers, applied when a third of the nodes is larger (owner only;
    /// 1 to 65,535).
    /// @param newMax The new cap.
    function setBLSNonSignerThresholdMax(uint256 newMax) external;

    /// @notice Sets the global claim limit per cycle (owner only; > 0, < 2^88).
    /// @param newLimit Atomic SESH.
    function setClaimLimit(uint256 newLimit) external;

    /// @notice Sets the claim cycle length (owner only; 1 s to 2^32 − 1 s). The cycle in progress is
    /// re-indexed, so claims counted in it are forgotten.
    /// @param newCycle Seconds.
    function setClaimCycle(uint256 newCycle) external;

    /// @notice Sets the liquidation split in parts (owner only): each < 2^32, recipient > 0 and
    /// (liquidator + pool) · 3 ≤ recipient, so owners keep at least three quarters.
    /// @param liquidator Parts paid to the liquidator.
    /// @param pool Parts paid to the reward pool.
    /// @param recipient Parts credited back to the node's owners.
    function setLiquidationRatios(uint256 liquidator, uint256 pool, uint256 recipient) external;

    /// @notice Sets the reward pool (owner only).
    /// @param newPool The RewardRatePool whose beneficiary is this contract.
    function setRewardPool(address newPool) external;

    /// @notice Sets the pooled-node factory (owner only; a contract, or zero to allow only direct
    /// registrations): a pool it made ({owns}) may register a node whose contributor 0 is the pool's operator.
    /// @param newFactory The ServiceNodeContributionFactory proxy.
    function setServiceNodeContributionFactory(address newFactory) external;

    /// @notice The pooled-node factory (zero if none).
    /// @return The factory.
    function serviceNodeContributionFactory() external view returns (address);

    /// @notice Keys that may enter the aggregate in the current block in total: max(20, 2 % of nodes).
    /// @return The limit.
    function maxPermittedPubkeyAggregations() external view returns (uint256);

    /// @notice The global claim limit, cycle length, index of the cycle last claimed in and what was
    /// claimed in it.
    /// @return limit Atomic SESH per cycle.
    /// @return cycleLength Seconds.
    /// @return cycleIndex `timestamp / cycleLength` of the cycle last claimed in.
    /// @return claimedInCycle Claimed in that cycle.
    function claimState()
        external
        view
        returns (uint256 limit, uint256 cycleLength, uint256 cycleIndex, uint256 claimedInCycle);

    /// @notice The global claim limit per cycle (atomic SESH), as the reference names it.
    /// @return The limit.
    function claimThreshold() external view returns (uint256);

    /// @notice The claim cycle length in seconds, as the reference names it.
    /// @return The length.
    function claimCycle() external view returns (uint256);

    /// @notice What has been claimed in the current cycle (0 when nothing was claimed since it began).
    /// @return Atomic SESH.
    function currentClaimTotal() external view returns (uint256);

    /// @notice The index of the current claim cycle, `block.timestamp / claimCycle()`; it ends at
    /// `(index + 1) · claimCycle()`.
    /// @return The index.
    function currentClaimCycle() external view returns (uint256);

    /// @notice Reverts with {InvalidProofOfPossession} unless `proofOfPossession` is `blsPubkey`'s
    /// signature of popTag ‖ X ‖ Y ‖ operator ‖ ed25519Pubkey, the check registration makes.
    /// @param blsPubkey The node's BLS key.
    /// @param proofOfPossession Its signature of the proof-of-possession message.
    /// @param operator The operator the key is bound to (contributor 0, or the solo registrant).
    /// @param ed25519Pubkey The node's Ed25519 key.
    function validateProofOfPossession(
        BN254.G1Point calldata blsPubkey,
        BLSSignatureParams calldata proofOfPossession,
        address operator,
        uint256 ed25519Pubkey
    ) external view;
}
