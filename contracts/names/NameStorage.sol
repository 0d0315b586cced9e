// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NameStorageLayout} from "./NameStorageLayout.sol";

// The name word (`NameStorage.Name`, Solidity's packing, first member lowest):
// owner [0, 160) | expiry [160, 224) | epoch [224, 248) | flags [248, 256).
uint256 constant NAME_OWNER_MASK = 0x00ffffffffffffffffffffffffffffffffffffffff;
uint256 constant NAME_EXPIRY_OFFSET = 160;
uint256 constant NAME_EXPIRY_MASK = 0xffffffffffffffff;
uint256 constant NAME_EPOCH_OFFSET = 224;
uint256 constant NAME_EPOCH_MASK = 0xffffff;
uint256 constant NAME_FLAGS_OFFSET = 248;
uint256 constant NAME_FLAGS_MASK = 0xff;

// The config word (first word of `NameStorageLayout.Layout`): feeRecipient [0, 160) | feePerYear [160, 248) | paused [248, 256).
uint256 constant CONFIG_FEE_RECIPIENT_MASK = 0x00ffffffffffffffffffffffffffffffffffffffff;
uint256 constant CONFIG_FEE_PER_YEAR_OFFSET = 160;
uint256 constant CONFIG_FEE_PER_YEAR_MASK = 0xffffffffffffffffffffff;

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
            let word := or(and(owner, NAME_OWNER_MASK), shl(NAME_EXPIRY_OFFSET, and(expiry, NAME_EXPIRY_MASK)))
            word := or(word, or(shl(NAME_EPOCH_OFFSET, and(epoch, NAME_EPOCH_MASK)), shl(NAME_FLAGS_OFFSET, and(flags, NAME_FLAGS_MASK))))
            sstore(slot.slot, word)
        }
    }

    /// @notice Fee recipient and yearly fee from the config word in one SLOAD (Solidity reads each field apart).
    function feeConfig() internal view returns (address recipient, uint256 feePerYear) {
        // One SLOAD of the config word; touches no memory.
        assembly ("memory-safe") {
            let word := sload(LOCATION)
            recipient := and(word, CONFIG_FEE_RECIPIENT_MASK)
            feePerYear := and(shr(CONFIG_FEE_PER_YEAR_OFFSET, word), CONFIG_FEE_PER_YEAR_MASK)
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
