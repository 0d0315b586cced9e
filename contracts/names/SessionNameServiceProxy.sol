// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";

/// @title Transparent proxy the Session Name Service is deployed behind
/// @notice Deploy with the SessionNameService implementation, the upgrade authority (owner of the ProxyAdmin
/// this proxy creates) and the `initialize(...)` call data in one transaction, so nobody can initialise first.
contract SessionNameServiceProxy is TransparentUpgradeableProxy {
    /// @param implementation SessionNameService implementation.
    /// @param upgradeAuthority Owner of the ProxyAdmin that may upgrade.
    /// @param data Encoded `initialize` call.
    constructor(address implementation, address upgradeAuthority, bytes memory data)
        payable
        TransparentUpgradeableProxy(implementation, upgradeAuthority, data)
    {}
}
