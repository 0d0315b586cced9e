// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IServiceNodeRewards} from "./IServiceNodeRewards.sol";

/// @notice A reserved slot: `addr` must contribute at least `amount` (atomic SESH). A first reservation
/// naming the pool's operator is the operator's own stake.
struct Reservation {
    address addr;
    uint256 amount;
}

/// @title IServiceNodeContributionSetup: what the factory calls on a pool implementation and its clones
/// @notice Kept apart from the pool so the factory compiles without the pool's code (ServiceNodeContribution
/// documents the full pool).
interface IServiceNodeContributionSetup {
    /// @notice Initialises a fresh clone (factory only, once).
    /// @param fee Operator fee, basis points of 10,000.
    /// @param reserved Reserved slots in slot order (the first may be the operator's own stake).
    /// @param manualFinalize If true, only the operator's `finalize` registers the filled node.
    function initialize(uint16 fee, Reservation[] calldata reserved, bool manualFinalize) external;

    /// @notice The only account allowed to initialise clones.
    /// @return The factory.
    function factory() external view returns (address);

    /// @notice The node registry pools register with.
    /// @return The registry.
    function registry() external view returns (IServiceNodeRewards);
}
