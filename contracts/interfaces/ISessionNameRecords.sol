// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Raw record reads of the Session Name Service (what the ENS resolver and clients read)
interface ISessionNameRecords {
    /// @notice Holder and expiry of `node` (both zero when it has no holder); live while now < expiry.
    function nameOf(bytes32 node) external view returns (address holder, uint256 expiry);

    /// @notice Stored bytes of typed record `kind` (1 Session ID, 2 Lokinet, 3 wallet) of live `node`, and
    /// whether they are sealed; empty when unset or when the name is not live.
    function record(bytes32 node, uint8 kind) external view returns (bytes memory value, bool encrypted);

    /// @notice Stored envelope (0x00 ‖ UTF-8 or 0x01 ‖ sealed) of text record `key` of live `node`; empty when
    /// unset or when the name is not live.
    function textRecord(bytes32 node, string calldata key) external view returns (bytes memory);
}
