// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Bounds checks compare offsets with lengths; non-strict comparisons are the natural form here.
// solhint-disable gas-strict-inequalities

/// @title ENS namehash of dotted (`alice.session`) and DNS-encoded (`\x05alice\x07session\x00`) names
/// @notice Used by the reverse records (to check a claimed name) and by ENSIP-10 `resolve`. Both return
/// `ok = false` for a malformed name (empty label, label over 255 bytes, truncated DNS encoding) instead of
/// reverting, so callers choose the error.
library NameHash {
    /// @notice Namehash of the dotted name `name`; the empty name hashes to zero.
    function dotted(bytes memory name) internal pure returns (bytes32 node, bool ok) {
        uint256 end = name.length;
        if (end == 0) return (bytes32(0), true);
        // Walk labels from the right: node = keccak(node ‖ keccak(label)).
        uint256 i = end;
        while (true) {
            uint256 start = i;
            while (start > 0 && name[start - 1] != ".") --start;
            if (start == i) return (bytes32(0), false); // empty label
            bytes32 label;
            // Reads name[start:i] in place (start ≤ i ≤ name.length); writes nothing.
            assembly ("memory-safe") {
                label := keccak256(add(add(name, 0x20), start), sub(i, start))
            }
            node = keccak256(abi.encodePacked(node, label));
            if (start == 0) return (node, true);
            i = start - 1; // skip the dot
            if (i == 0) return (bytes32(0), false); // leading dot
        }
    }

    /// @notice Namehash of the DNS-encoded name `name` (length-prefixed labels, ending with a zero byte).
    function dns(bytes calldata name) internal pure returns (bytes32 node, bool ok) {
        return _dns(name, 0);
    }

    function _dns(bytes calldata name, uint256 offset) private pure returns (bytes32, bool) {
        if (offset >= name.length) return (bytes32(0), false);
        uint256 len = uint8(name[offset]);
        if (len == 0) return (bytes32(0), offset + 1 == name.length);
        uint256 next = offset + 1 + len;
        if (next >= name.length) return (bytes32(0), false);
        (bytes32 parent, bool ok) = _dns(name, next);
        if (!ok) return (bytes32(0), false);
        return (keccak256(abi.encodePacked(parent, keccak256(name[offset + 1:next]))), true);
    }
}
