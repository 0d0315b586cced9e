// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {NameTransfer} from "./NameTransfer.sol";

/// @title Transparent proxy the Session Name Service is deployed behind
/// @notice Deploy with the SessionNameService implementation, the upgrade authority (owner of the ProxyAdmin
/// this proxy creates) and the `initialize(...)` call data in one transaction, so nobody can initialise first.
/// @dev Plain ERC-721 `transferFrom` is executed here, with the same `NameTransfer` body the implementation uses,
/// instead of being delegated: no implementation-slot read and no cold delegatecall, which brings a transfer to
/// a first-time holder under 60k gas. Consequence: an upgrade of the implementation does not change
/// `transferFrom` (its rules are ERC-721's, plus "live names only"); everything else, `safeTransferFrom`
/// included, is delegated as usual. The ProxyAdmin is still only ever dispatched to `upgradeToAndCall`.
contract SessionNameServiceProxy is TransparentUpgradeableProxy {
    /// @param implementation SessionNameService implementation.
    /// @param upgradeAuthority Owner of the ProxyAdmin that may upgrade.
    /// @param data Encoded `initialize` call.
    constructor(address implementation, address upgradeAuthority, bytes memory data)
        payable
        TransparentUpgradeableProxy(implementation, upgradeAuthority, data)
    {}

    /// @dev `transferFrom` (non-payable, like the implementation's) runs here; every other call takes the
    /// transparent-proxy path.
    function _fallback() internal override {
        if (msg.sig == IERC721.transferFrom.selector && msg.value == 0 && msg.sender != _proxyAdmin()) {
            (address from, address to, uint256 tokenId) = abi.decode(msg.data[4:], (address, address, uint256));
            NameTransfer.transfer(msg.sender, from, to, tokenId);
            // Ends the call with empty return data (transferFrom returns nothing); touches no memory.
            assembly ("memory-safe") {
                return(0, 0)
            }
        }
        super._fallback();
    }
}
