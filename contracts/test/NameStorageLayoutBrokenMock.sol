// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test-only: the name service's ERC-7201 namespace with a field inserted at the front, which an upgrade
/// validation must reject.
contract NameStorageLayoutBrokenMock {
    /// @custom:storage-location erc7201:session.names.storage
    struct Layout {
        uint256 inserted;
        address feeRecipient;
        uint88 feePerYear;
        bool paused;
        bytes32 parentNode;
        address commitments;
    }

    /// @notice Same constructor shape as the name service (its argument is ignored).
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(address) {}

    /// @notice Marker so the contract has code.
    function broken() external pure returns (bool) {
        return true;
    }
}
