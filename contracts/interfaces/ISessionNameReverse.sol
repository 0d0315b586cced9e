// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Reads of the Session Name Service's reverse records (what the ENS resolver reads)
interface ISessionNameReverse {
    /// @notice The dotted name `account` published as its reverse record (empty: none). Unverified: a client shows
    /// it only if the name's plaintext wallet record is `account`.
    function reverseNameOf(address account) external view returns (bytes memory);

    /// @notice The dotted name the Session ID with X25519 key `sessionKey` published, signed by its key (empty:
    /// none). A client shows it only if the name's Session ID record is that Session ID.
    function sessionReverseNameOf(bytes32 sessionKey) external view returns (bytes memory);
}
