// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Live while now < expiry, to the second, as everywhere in the name service.
// solhint-disable gas-strict-inequalities

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ISessionNameService} from "../interfaces/ISessionNameService.sol";
import {NameStorage} from "./NameStorage.sol";
import {NameStorageLayout} from "./NameStorageLayout.sol";

/// @title ERC-721 transfer of a name, shared by the implementation and the proxy
/// @notice One body for `transferFrom`: `NameToken` uses it behind `safeTransferFrom`, and
/// `SessionNameServiceProxy` runs it in the proxy itself for plain `transferFrom` calls, which saves the
/// implementation-slot read and the cold delegatecall (≈ 4.7k gas) on the most frequent user action.
/// @dev Works on the ERC-7201 `NameStorage` layout only (names, balances, token approvals, operators), whose
/// positions every upgrade must keep anyway (hardhat-upgrades validates namespaced layouts append-only).
library NameTransfer {
    /// @notice Time after expiry during which only the owner can renew (mirrored by `NameToken.GRACE_PERIOD`).
    uint256 internal constant GRACE_PERIOD = 90 days;

    /// @dev Moves live name `tokenId` from `from` to `to` for `operator` (the caller), checking ownership and
    /// approval; clears a token approval only when one is set. Records stay with the name.
    function transfer(address operator, address from, address to, uint256 tokenId) internal {
        if (to == address(0)) revert IERC721Errors.ERC721InvalidReceiver(address(0));
        bytes32 node = bytes32(tokenId);
        NameStorageLayout.Layout storage $ = NameStorage.layout();
        NameStorage.Name memory n = $.names[node];
        if (n.owner == address(0)) revert IERC721Errors.ERC721NonexistentToken(tokenId);
        if (n.owner != from) revert IERC721Errors.ERC721IncorrectOwner(from, tokenId, n.owner);
        bool approved = n.flags & NameStorage.FLAG_TOKEN_APPROVAL != 0;
        if (operator != from && !$.operatorApprovals[from][operator]) {
            if (!approved || $.tokenApprovals[node] != operator) {
                revert IERC721Errors.ERC721InsufficientApproval(operator, tokenId);
            }
        }
        requireLive(node, n.expiry);
        if (approved) delete $.tokenApprovals[node];
        // The balance of `from` is at least 1 because it holds this token; total tokens fit in uint256.
        unchecked {
            --$.balances[from];
            ++$.balances[to];
        }
        NameStorage.store($.names[node], to, n.expiry, n.epoch, n.flags & ~NameStorage.FLAG_TOKEN_APPROVAL);
        emit IERC721.Transfer(from, to, tokenId);
    }

    /// @dev Reverts unless `expiry` is in the future: in grace with NameInGracePeriod, after it with NameExpired.
    function requireLive(bytes32 node, uint256 expiry) internal view {
        if (block.timestamp >= expiry) {
            uint256 graceEnd = expiry + GRACE_PERIOD;
            if (block.timestamp < graceEnd) revert ISessionNameService.NameInGracePeriod(node, graceEnd);
            revert ISessionNameService.NameExpired(node, graceEnd);
        }
    }
}
