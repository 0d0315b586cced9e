// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NameStorageLayout} from "./NameStorageLayout.sol";

/// @title Storage layout of the Session Name Service (ERC-7201 namespace `session.names.storage`)
/// @notice One struct at a fixed slot so the upgradeable contract and its abstract parts share storage safely.
/// A name is one packed word: owner, expiry, epoch and record flags, so the hot paths (transfer, renew, record
/// writes) touch a single slot. Records live under `recordsKey(node, epoch)`: a new registration bumps the
/// epoch, which makes every record of the previous holder unreachable without clearing them one by one.
library NameStorage {
    /// @dev Flag bits in `Name.flags`: for typed kind k (1..3) bit 2(k-1) = set, bit 2(k-1)+1 = encrypted.
    uint8 internal constant FLAG_TOKEN_APPROVAL = 0x80;
    /// @dev Set on a node whose label the owner holds back from registration. Kept in the name word so the
    /// registration path checks it without another storage read; survives transfer and burn, cleared on release.
    uint8 internal constant FLAG_RESERVED = 0x40;

    struct Name {
        address owner; // zero: never registered or burnt
        uint64 expiry; // unix seconds; the name is live while block.timestamp < expiry
        uint24 epoch; // bumped at every registration; keys the records
        uint8 flags; // typed-record flags, FLAG_RESERVED and FLAG_TOKEN_APPROVAL
    }

    // keccak256(abi.encode(uint256(keccak256("session.names.storage")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant LOCATION = 0x6035503f273171529118b3692b4dfe496862ab26debf00de5088cab7b4ad3a00;

    /// @notice The storage struct.
    function layout() internal pure returns (NameStorageLayout.Layout storage $) {
        // Sets a storage pointer; touches no memory.
        assembly ("memory-safe") {
            $.slot := LOCATION
        }
    }

    /// @notice Writes a whole name word in one SSTORE. Solidity's struct assignment stores member by member
    /// (a read-modify-write of the slot per field); this packs the four fields in the struct's own order.
    function store(Name storage slot, address owner, uint64 expiry, uint24 epoch, uint8 flags) internal {
        // Each field is masked: inline assembly cannot rely on clean upper bits of narrower types.
        assembly ("memory-safe") {
            let word := or(and(owner, 0xffffffffffffffffffffffffffffffffffffffff), shl(160, and(expiry, 0xffffffffffffffff)))
            word := or(word, or(shl(224, and(epoch, 0xffffff)), shl(248, and(flags, 0xff))))
            sstore(slot.slot, word)
        }
    }

    /// @notice Fee recipient and yearly fee from the config word in one SLOAD (Solidity reads each field apart).
    function feeConfig() internal view returns (address recipient, uint256 feePerYear) {
        assembly ("memory-safe") {
            let word := sload(LOCATION)
            recipient := and(word, 0xffffffffffffffffffffffffffffffffffffffff)
            feePerYear := and(shr(160, word), 0xffffffffffffffffffffff)
        }
    }

    /// @notice Key of the records of `node` in registration `epoch`.
    function recordsKey(bytes32 node, uint24 epoch) internal pure returns (bytes32 key) {
        // Hashes in the scratch space (0x00-0x3f) only.
        assembly ("memory-safe") {
            mstore(0x00, node)
            mstore(0x20, epoch)
            key := keccak256(0x00, 0x40)
        }
    }
}
