// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ENS resolver profile `addr(bytes32)` (ENSIP-1), interface id 0x3b3b57de
interface IAddrResolver {
    /// @notice The Ethereum address `node` resolves to, or zero.
    function addr(bytes32 node) external view returns (address payable);
}

/// @title ENS resolver profile `addr(bytes32,uint256)` (ENSIP-9), interface id 0xf1cb7e06
interface IAddressResolver {
    /// @notice The address of `node` on the chain of SLIP-44 `coinType`, as bytes (empty when unset).
    function addr(bytes32 node, uint256 coinType) external view returns (bytes memory);
}

/// @title ENS resolver profile `text(bytes32,string)` (ENSIP-5), interface id 0x59d1d43c
interface ITextResolver {
    /// @notice The text record `key` of `node` (empty when unset).
    function text(bytes32 node, string calldata key) external view returns (string memory);
}

/// @title ENS wildcard resolution `resolve(bytes,bytes)` (ENSIP-10), interface id 0x9061b923
interface IExtendedResolver {
    /// @notice Answers the resolver call `data` for the DNS-encoded `name`; returns that call's ABI-encoded result.
    function resolve(bytes calldata name, bytes calldata data) external view returns (bytes memory);
}

/// @title ENS resolver profile `name(bytes32)` (ENSIP-3, reverse resolution), interface id 0x691f3431
interface INameResolver {
    /// @notice The primary name of reverse node `node` (`<address hex>.addr.reverse`), or empty.
    function name(bytes32 node) external view returns (string memory);
}

/// @title The universal-resolver entry points viem's `getEnsAddress` / `getEnsText` / `getEnsName` call
interface IUniversalResolverRead {
    /// @notice Resolves `data` for the DNS-encoded `name`; returns the ABI-encoded result and the resolver used.
    function resolveWithGateways(bytes calldata name, bytes calldata data, string[] calldata gateways)
        external
        view
        returns (bytes memory result, address resolverAddress);

    /// @notice Primary name of the address `lookupAddress` (20 bytes) for `coinType`, verified by forward
    /// resolution, with the resolvers used; empty name when there is none. Gateways are not used.
    function reverseWithGateways(bytes calldata lookupAddress, uint256 coinType, string[] calldata gateways)
        external
        view
        returns (string memory primary, address resolverAddress, address reverseResolver);

    /// @notice `reverseWithGateways` without gateways (the form ethers' universal-resolver path calls).
    function reverse(bytes calldata lookupAddress, uint256 coinType)
        external
        view
        returns (string memory primary, address resolverAddress, address reverseResolver);
}
