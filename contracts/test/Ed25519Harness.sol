// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ed25519} from "../names/Ed25519.sol";

/// @title Test harness exposing the Ed25519 library (tests and gas figures only)
contract Ed25519Harness {
    bool public lastResult;

    function verify(bytes32 publicKey, bytes32 sigR, bytes32 sigS, bytes32 message) external view returns (bool) {
        return Ed25519.verify(publicKey, sigR, sigS, message);
    }

    function isX25519Of(bytes32 publicKey, bytes32 x25519Key) external pure returns (bool) {
        return Ed25519.isX25519Of(publicKey, x25519Key);
    }

    /// @dev A transaction, so its gas can be measured.
    function verifyTx(bytes32 publicKey, bytes32 sigR, bytes32 sigS, bytes32 message) external {
        lastResult = Ed25519.verify(publicKey, sigR, sigS, message);
    }
}
