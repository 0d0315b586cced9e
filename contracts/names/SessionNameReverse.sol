// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Time edges are specified inclusively or exclusively to the second (e.g. live while now < expiry, reveal
// while now <= committedAt + 24 h), so non-strict comparisons are deliberate here.
// solhint-disable gas-strict-inequalities

import {ISessionNameService} from "../interfaces/ISessionNameService.sol";
import {ISessionNameRecords} from "../interfaces/ISessionNameRecords.sol";
import {NameHash} from "./NameHash.sol";

/// @title SessionNameReverse: reverse records (opt-in), address or Session ID → name
/// @notice A reverse record stores the PLAINTEXT name, so it reveals the name (and, with it, the key to its
/// encrypted records) to anyone: it is the one place a plaintext name is written, and only on request.
/// Clients must show a reverse name only if the forward lookup of that name gives back the same address /
/// Session ID (the TypeScript client's `lookupReverse*` does this check).
/// - Address reverse: written by the address itself for any name; the forward check happens in clients.
/// - Session ID reverse: no one can prove control of a Session key on chain, so it can only be written by the
///   owner of a live name whose Session ID record is plaintext and equal to that key. This stops anyone from
///   overwriting another user's Session reverse record.
/// @dev A separate, non-upgradeable contract reading the name service through its public views (keeps the name
/// service under the 24 KB code limit). Holds only reverse records.
contract SessionNameReverse {
    uint8 private constant KIND_SESSION = 1;

    /// @notice The name service (proxy).
    address public immutable NAMES;

    mapping(address account => bytes) private _reverseNames;
    mapping(bytes32 sessionKey => bytes) private _sessionReverseNames;

    /// @param names The SessionNameService (proxy).
    constructor(address names) {
        NAMES = names;
    }

    /// @notice Sets (or with an empty `fullName` clears) the caller's reverse record, e.g. `alice.session`.
    function setReverseName(bytes calldata fullName) external {
        if (fullName.length != 0) {
            (, bool ok) = NameHash.dotted(fullName);
            if (!ok) revert ISessionNameService.MalformedName(fullName);
        }
        _reverseNames[msg.sender] = fullName;
        emit ISessionNameService.ReverseNameChanged(msg.sender, fullName);
    }

    /// @notice Sets the reverse record of the Session ID whose X25519 key is `sessionKey` to `fullName`. The caller
    /// must own live `fullName`, whose Session ID record must be plaintext `sessionKey`.
    function setSessionReverseName(bytes32 sessionKey, bytes calldata fullName) external {
        (bytes32 node, bool ok) = NameHash.dotted(fullName);
        if (!ok || fullName.length == 0) revert ISessionNameService.MalformedName(fullName);
        _requireLiveOwner(node);
        (bytes memory value, bool encrypted) = ISessionNameRecords(NAMES).record(node, KIND_SESSION);
        if (value.length != 32 || encrypted || bytes32(value) != sessionKey) {
            revert ISessionNameService.SessionRecordMismatch(node, sessionKey);
        }
        _sessionReverseNames[sessionKey] = fullName;
        emit ISessionNameService.SessionReverseNameChanged(sessionKey, msg.sender, fullName);
    }

    /// @notice Clears the reverse record of `sessionKey`; only the owner of the live name it points to may.
    function clearSessionReverseName(bytes32 sessionKey) external {
        (bytes32 node,) = NameHash.dotted(_sessionReverseNames[sessionKey]);
        _requireLiveOwner(node);
        delete _sessionReverseNames[sessionKey];
        emit ISessionNameService.SessionReverseNameChanged(sessionKey, msg.sender, "");
    }

    /// @notice The reverse name `account` opted in to (unverified: check the forward lookup).
    function reverseNameOf(address account) external view returns (bytes memory) {
        return _reverseNames[account];
    }

    /// @notice The reverse name of the Session ID with key `sessionKey` (check the forward lookup).
    function sessionReverseNameOf(bytes32 sessionKey) external view returns (bytes memory) {
        return _sessionReverseNames[sessionKey];
    }

    /// @dev Reverts with NotNameOwner unless the caller holds live `node` (grace counts as not live).
    function _requireLiveOwner(bytes32 node) private view {
        (address holder, uint256 expiry) = ISessionNameRecords(NAMES).nameOf(node);
        if (holder != msg.sender || block.timestamp >= expiry) {
            revert ISessionNameService.NotNameOwner(node, msg.sender);
        }
    }
}
