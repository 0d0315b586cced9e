// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RewardRatePool} from "../staking/RewardRatePool.sol";

/// @notice Test-only upgrade target: the pool plus a version marker, to check that upgrades keep state.
contract RewardRatePoolV2Mock is RewardRatePool {
    /// @notice Marker that only the upgraded implementation has.
    function version() external pure returns (uint256) {
        return 2;
    }
}
