// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Time edges are specified inclusively or exclusively to the second (e.g. live while now < expiry, reveal
// while now <= committedAt + 24 h), so non-strict comparisons are deliberate here.
// solhint-disable gas-strict-inequalities

import {ISessionNameService} from "../interfaces/ISessionNameService.sol";
import {ISessionNameRecords} from "../interfaces/ISessionNameRecords.sol";
import {NameHash} from "./NameHash.sol";
import {Ed25519} from "./Ed25519.sol";

/// @title SessionNameReverse: reverse records (opt-in), address or Session ID → name
/// @notice A reverse record stores the PLAINTEXT name, so it reveals the name (and, with it, the key to its
/// encrypted records) to anyone: it is the one place a plaintext name is written, and only on request.
/// Clients must show a reverse name only if the forward lookup of that name gives back the same address /
/// Session ID (the TypeScript client's `lookupReverse*` and the ENS reverse reads of SessionNameResolver do).
/// - Address reverse: written by the address itself, for itself only.
/// - Session ID reverse: written only with a signature by that Session ID's own key. A Session ID is `05` ‖ an
///   X25519 key that Session derives from the account's Ed25519 key; the caller presents that Ed25519 key
///   (checked to map to the X25519 key) and its Ed25519 signature over `sessionReverseMessage(...)`, which binds
///   chain, this contract, the Session key, a per-key nonce (no replay of an older choice) and the name. So no
///   one but the holder of a Session ID's key can set, change or clear what it reverse-resolves to; anyone may
///   relay the signed call. A non-empty name must also be live and hold that Session ID as its plaintext Session
///   ID record (its owner's consent to be named).
/// @dev A separate, non-upgradeable contract reading the name service through its public views (keeps the name
/// service under the 24 KB code limit). Holds only reverse records. The Ed25519 check costs ≈ 260k gas (a first Session reverse write ≈ 350k).
contract SessionNameReverse {
    uint8 private constant KIND_SESSION = 1;

    /// @notice Domain tag of the message a Session key signs for its reverse record.
    bytes32 public constant SESSION_REVERSE_TAG = keccak256("Session reverse name v1");

    /// @notice The name service (proxy).
    address public immutable NAMES;

    mapping(address account => bytes) private _reverseNames;
    mapping(bytes32 sessionKey => bytes) private _sessionReverseNames;

    /// @notice Number of reverse changes the Session key `sessionKey` has signed; the next one signs this value.
    mapping(bytes32 sessionKey => uint256) public sessionReverseNonce;

    /// @param names The SessionNameService (proxy).
    constructor(address names) {
        NAMES = names;
    }

    /// @notice Sets (or with an empty `fullName` clears) the caller's own reverse record, e.g. `alice.session`.
    function setReverseName(bytes calldata fullName) external {
        if (fullName.length != 0) {
            (, bool ok) = NameHash.dotted(fullName);
            if (!ok) revert ISessionNameService.MalformedName(fullName);
        }
        _reverseNames[msg.sender] = fullName;
        emit ISessionNameService.ReverseNameChanged(msg.sender, fullName);
    }

    /// @notice Sets the reverse record of the Session ID whose X25519 key is `sessionKey` to `fullName`, or clears
    /// it when `fullName` is empty. Authorised by the Session ID's key only: `ed25519Key` must be the Ed25519 key
    /// whose Montgomery form is `sessionKey`, and `signature` (R ‖ S, 64 bytes) its Ed25519 signature over
    /// `sessionReverseMessage(sessionKey, fullName, sessionReverseNonce(sessionKey))`. Anyone may send it. A
    /// non-empty `fullName` must be a live name whose Session ID record is plaintext `sessionKey`.
    function setSessionReverseName(
        bytes32 sessionKey,
        bytes calldata fullName,
        bytes32 ed25519Key,
        bytes calldata signature
    ) external {
        if (!Ed25519.isX25519Of(ed25519Key, sessionKey)) {
            revert ISessionNameService.SessionKeyMismatch(sessionKey, ed25519Key);
        }
        if (fullName.length != 0) {
            (bytes32 node, bool ok) = NameHash.dotted(fullName);
            if (!ok) revert ISessionNameService.MalformedName(fullName);
            (bytes memory value, bool encrypted) = ISessionNameRecords(NAMES).record(node, KIND_SESSION);
            if (value.length != 32 || encrypted || bytes32(value) != sessionKey) {
                revert ISessionNameService.SessionRecordMismatch(node, sessionKey);
            }
        }
        uint256 nonce = sessionReverseNonce[sessionKey];
        if (
            signature.length != 64
                || !Ed25519.verify(
                    ed25519Key,
                    bytes32(signature[:32]),
                    bytes32(signature[32:]),
                    sessionReverseMessage(sessionKey, fullName, nonce)
                )
        ) revert ISessionNameService.InvalidSessionSignature(sessionKey, nonce);
        sessionReverseNonce[sessionKey] = nonce + 1;
        if (fullName.length == 0) delete _sessionReverseNames[sessionKey];
        else _sessionReverseNames[sessionKey] = fullName;
        emit ISessionNameService.SessionReverseNameChanged(sessionKey, msg.sender, fullName);
    }

    /// @notice The 32-byte message the Session key `sessionKey` signs (Ed25519) to set its reverse record to
    /// `fullName` (empty: clear) as its change number `nonce`: keccak256(abi.encode(SESSION_REVERSE_TAG, chain id,
    /// this contract, sessionKey, nonce, keccak256(fullName))).
    function sessionReverseMessage(bytes32 sessionKey, bytes calldata fullName, uint256 nonce)
        public
        view
        returns (bytes32)
    {
        return keccak256(
            abi.encode(SESSION_REVERSE_TAG, block.chainid, address(this), sessionKey, nonce, keccak256(fullName))
        );
    }

    /// @notice The reverse name `account` opted in to (unverified: check the forward lookup).
    function reverseNameOf(address account) external view returns (bytes memory) {
        return _reverseNames[account];
    }

    /// @notice The reverse name of the Session ID with key `sessionKey` (check the forward lookup).
    function sessionReverseNameOf(bytes32 sessionKey) external view returns (bytes memory) {
        return _sessionReverseNames[sessionKey];
    }
}
