// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NameStorage} from "./NameStorage.sol";

/// @title Declaration of the name service's namespaced storage
/// @notice Inherited by the implementation (through `NameToken`) so that `@openzeppelin/hardhat-upgrades` sees the
/// ERC-7201 namespace and validates it on every upgrade; the library above only locates it.
abstract contract NameStorageLayout {
    /// @custom:storage-location erc7201:session.names.storage
    struct Layout {
        // ---- config word: read once per paid registration / renewal
        address feeRecipient;
        uint88 feePerYear;
        bool paused;
        // ----
        bytes32 parentNode;
        address commitments;
        mapping(bytes32 node => NameStorage.Name) names;
        mapping(address account => uint256) balances;
        mapping(bytes32 node => address) tokenApprovals;
        mapping(address owner => mapping(address operator => bool)) operatorApprovals;
        mapping(address account => bool) registrars;
        mapping(bytes32 recordsKey => mapping(uint256 kind => bytes32[2])) typedRecords;
        mapping(bytes32 recordsKey => mapping(bytes32 keyHash => bytes)) textRecords;
    }
}
