// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Raw record reads of the Session Name Service (what the ENS resolver and clients read)
interface ISessionNameRecords {
    /// @notice Holder and expiry (unix seconds) of `node`, without reverting; both zero when it has no holder.
    /// The name is live while `block.timestamp < expiry`.
    function nameOf(bytes32 node) external view returns (address holder, uint256 expiry);

    /// @notice Stored bytes of typed record `kind` of live `node` (plaintext or sealed; empty when unset).
    function record(bytes32 node, uint8 kind) external view returns (bytes memory value, bool encrypted);

    /// @notice Stored envelope of text record `key` of live `node` (empty when unset).
    function textRecord(bytes32 node, string calldata key) external view returns (bytes memory);
}
