// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The read half of the ENS registry (ENSIP-1)
/// @notice What ENS clients (ethers `EnsResolver.fromName`, universal resolvers) call on a registry to find a
/// name's owner and resolver.
interface IENSRegistryRead {
    /// @notice Owner of `node` (zero when the node has no live owner).
    function owner(bytes32 node) external view returns (address);

    /// @notice Resolver of `node` (zero when the node has none).
    function resolver(bytes32 node) external view returns (address);

    /// @notice Caching time-to-live of `node`'s records, in seconds.
    function ttl(bytes32 node) external view returns (uint64);

    /// @notice Whether the registry holds a record for `node`.
    function recordExists(bytes32 node) external view returns (bool);
}
