// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NameStorage} from "./NameStorage.sol";
import {NameToken} from "./NameToken.sol";
import {ISessionNameRecords} from "../interfaces/ISessionNameRecords.sol";

/// @title Records of a name: Session ID, Lokinet, wallet and free-form text
/// @notice Values arrive already encoded (and, by default, encrypted) by the client; the contract checks only
/// sizes and the text envelope byte. Typed records take one storage word as plaintext and two when encrypted
/// (16-byte random nonce ‖ ciphertext ‖ 16-byte Poly1305 tag). Only the owner of a live name writes records.
/// Records belong to the registration: re-registration after grace starts from an empty record set.
abstract contract NameRecords is NameToken, ISessionNameRecords {
    /// @notice Typed record kinds (kind 0 = text record).
    uint8 public constant KIND_TEXT = 0;
    uint8 public constant KIND_SESSION = 1;
    uint8 public constant KIND_LOKINET = 2;
    uint8 public constant KIND_WALLET = 3;

    /// @dev Text envelope bytes.
    uint8 internal constant ENVELOPE_PLAIN = 0;
    uint8 internal constant ENVELOPE_ENCRYPTED = 1;
    /// @dev Encryption overhead: 16-byte nonce + 16-byte tag.
    uint256 internal constant SEAL_OVERHEAD = 32;

    bytes32 internal constant SESSION_TEXT_KEY = keccak256("session");
    bytes32 internal constant LOKINET_TEXT_KEY = keccak256("lokinet");

    /// @inheritdoc ISessionNameRecords
    function nameOf(bytes32 node) external view returns (address holder, uint256 expiry) {
        NameStorage.Name storage n = NameStorage.layout().names[node];
        return (n.owner, n.expiry);
    }

    /// @notice Sets typed record `kind` (1 Session ID, 2 Lokinet, 3 wallet) of `node`; empty `value` clears it.
    function setRecord(bytes32 node, uint8 kind, bytes calldata value) external {
        NameStorage.Name memory n = _requireOwnerLive(node);
        uint8 flags = _writeTyped(node, NameStorage.recordsKey(node, n.epoch), n.flags, kind, value);
        if (flags != n.flags) NameStorage.layout().names[node].flags = flags;
    }

    /// @notice Sets text record `key` of `node` to the envelope `value` (0x00 ‖ UTF-8 or 0x01 ‖ sealed); empty
    /// `value` clears it.
    function setText(bytes32 node, string calldata key, bytes calldata value) external {
        NameStorage.Name memory n = _requireOwnerLive(node);
        _writeText(node, NameStorage.recordsKey(node, n.epoch), key, value);
    }

    /// @notice Writes several records of `node` in one transaction.
    function setRecords(bytes32 node, RecordInput[] calldata records) external {
        NameStorage.Name memory n = _requireOwnerLive(node);
        uint8 flags = _writeRecords(node, n.epoch, n.flags, records);
        if (flags != n.flags) NameStorage.layout().names[node].flags = flags;
    }

    /// @inheritdoc ISessionNameRecords
    function record(bytes32 node, uint8 kind) external view returns (bytes memory value, bool encrypted) {
        if (kind == KIND_TEXT || kind > KIND_WALLET) revert InvalidRecordKind(kind);
        (NameStorage.Name memory n, bool live) = _load(node);
        if (!live) return ("", false);
        return _readTyped(NameStorage.recordsKey(node, n.epoch), n.flags, kind);
    }

    /// @inheritdoc ISessionNameRecords
    function textRecord(bytes32 node, string calldata key) external view returns (bytes memory) {
        (NameStorage.Name memory n, bool live) = _load(node);
        if (!live) return "";
        return NameStorage.layout().textRecords[NameStorage.recordsKey(node, n.epoch)][keccak256(bytes(key))];
    }

    // ------------------------------------------------------------------ internal

    /// @dev The name word of `node` and whether it is live (has a holder and is not expired).
    function _load(bytes32 node) internal view returns (NameStorage.Name memory n, bool live) {
        n = NameStorage.layout().names[node];
        live = n.owner != address(0) && block.timestamp < n.expiry;
    }

    /// @dev Writes `records` under `node`'s `epoch`; returns the updated typed-record flags.
    function _writeRecords(bytes32 node, uint24 epoch, uint8 flags, RecordInput[] calldata records)
        internal
        returns (uint8)
    {
        bytes32 recordsKey = NameStorage.recordsKey(node, epoch);
        for (uint256 i = 0; i < records.length; ++i) {
            RecordInput calldata r = records[i];
            if (r.kind == KIND_TEXT) {
                _writeText(node, recordsKey, r.key, r.value);
            } else {
                if (bytes(r.key).length != 0) revert InvalidRecordKey(r.kind, r.key);
                flags = _writeTyped(node, recordsKey, flags, r.kind, r.value);
            }
        }
        return flags;
    }

    function _writeTyped(bytes32 node, bytes32 recordsKey, uint8 flags, uint8 kind, bytes calldata value)
        internal
        returns (uint8)
    {
        if (kind == KIND_TEXT || kind > KIND_WALLET) revert InvalidRecordKind(kind);
        uint256 plainLength = kind == KIND_WALLET ? 20 : 32;
        uint8 setBit = uint8(1 << (2 * (kind - 1)));
        uint8 encryptedBit = setBit << 1;
        bytes32[2] storage words = NameStorage.layout().typedRecords[recordsKey][kind];
        if (value.length == 0) {
            flags &= ~(setBit | encryptedBit);
            delete words[0];
            delete words[1];
        } else if (value.length == plainLength) {
            words[0] = bytes32(value);
            flags = (flags | setBit) & ~encryptedBit;
        } else if (value.length == plainLength + SEAL_OVERHEAD) {
            words[0] = bytes32(value[:32]);
            words[1] = bytes32(value[32:]);
            flags |= setBit | encryptedBit;
        } else {
            revert InvalidRecordLength(kind, value.length);
        }
        emit RecordChanged(node, kind, value);
        return flags;
    }

    function _writeText(bytes32 node, bytes32 recordsKey, string calldata key, bytes calldata value) internal {
        if (bytes(key).length == 0) revert InvalidRecordKey(KIND_TEXT, key);
        bytes32 keyHash = keccak256(bytes(key));
        if (keyHash == SESSION_TEXT_KEY || keyHash == LOKINET_TEXT_KEY) revert ReservedTextKey(key);
        if (value.length != 0) {
            uint8 envelope = uint8(value[0]);
            if (envelope > ENVELOPE_ENCRYPTED) revert InvalidTextEnvelope(envelope);
            if (envelope == ENVELOPE_ENCRYPTED && value.length < 1 + SEAL_OVERHEAD) {
                revert InvalidRecordLength(KIND_TEXT, value.length);
            }
        }
        NameStorage.layout().textRecords[recordsKey][keyHash] = value;
        emit TextChanged(node, key, key, value);
    }

    function _readTyped(bytes32 recordsKey, uint8 flags, uint8 kind)
        internal
        view
        returns (bytes memory value, bool encrypted)
    {
        uint8 setBit = uint8(1 << (2 * (kind - 1)));
        if (flags & setBit == 0) return ("", false);
        encrypted = flags & (setBit << 1) != 0;
        uint256 length = (kind == KIND_WALLET ? 20 : 32) + (encrypted ? SEAL_OVERHEAD : 0);
        bytes32[2] storage words = NameStorage.layout().typedRecords[recordsKey][kind];
        bytes32 w0 = words[0];
        bytes32 w1 = encrypted ? words[1] : bytes32(0);
        value = new bytes(length);
        // `value` owns ceil(length / 32) data words: one for plaintext, two when encrypted; only those are written.
        assembly ("memory-safe") {
            mstore(add(value, 0x20), w0)
            if encrypted { mstore(add(value, 0x40), w1) }
        }
    }
}
