// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Time edges are specified inclusively or exclusively to the second (e.g. live while now < expiry, reveal
// while now <= committedAt + 24 h), so non-strict comparisons are deliberate here.
// solhint-disable gas-strict-inequalities

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ERC721Utils} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Utils.sol";
import {ISessionNameService} from "../interfaces/ISessionNameService.sol";
import {NameStorage} from "./NameStorage.sol";
import {NameStorageLayout} from "./NameStorageLayout.sol";
import {NameTransfer} from "./NameTransfer.sol";

/// @title Names as ERC-721 tokens with expiry
/// @notice Token id = uint256(namehash). A name is live while `block.timestamp < expiry`; from `expiry` it is in
/// its grace period for `GRACE_PERIOD` (only the owner may renew; nothing can be transferred, approved or
/// changed); after that anyone may register it anew, which moves the token. `ownerOf` keeps answering the last
/// holder of an expired name until it is re-registered or burnt, so `balanceOf` always matches `ownerOf`.
/// @dev Written against OpenZeppelin's IERC721 / IERC6093 errors rather than inheriting OZ's ERC721 because the
/// owner, expiry, record epoch and flags share one storage word here (OZ keeps owners in its own mapping):
/// that saves a 22.1k-gas slot per registration and a cold read per transfer.
abstract contract NameToken is NameStorageLayout, IERC721, IERC721Metadata, IERC721Errors, ISessionNameService {
    /// @notice Time after expiry during which only the owner can renew.
    uint256 public constant GRACE_PERIOD = NameTransfer.GRACE_PERIOD;

    /// @notice ERC-721 collection name.
    function name() external pure returns (string memory) {
        return "Session Names";
    }

    /// @notice ERC-721 collection symbol.
    function symbol() external pure returns (string memory) {
        return "SNS";
    }

    /// @notice No off-chain metadata: the empty string for every existing name.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        _requireOwned(tokenId);
        return "";
    }

    /// @notice Number of names held by `owner` (expired but not yet re-registered names included).
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert ERC721InvalidOwner(address(0));
        return NameStorage.layout().balances[owner];
    }

    /// @notice Holder of name `tokenId`; reverts for names never registered or burnt.
    function ownerOf(uint256 tokenId) external view returns (address) {
        return _requireOwned(tokenId);
    }

    /// @notice Approves `to` to transfer `tokenId`. Owner or operator only, and only while the name is live.
    function approve(address to, uint256 tokenId) external {
        bytes32 node = bytes32(tokenId);
        NameStorageLayout.Layout storage $ = NameStorage.layout();
        NameStorage.Name memory n = $.names[node];
        if (n.owner == address(0)) revert ERC721NonexistentToken(tokenId);
        if (msg.sender != n.owner && !$.operatorApprovals[n.owner][msg.sender]) {
            revert ERC721InvalidApprover(msg.sender);
        }
        _requireLive(node, n.expiry);
        $.tokenApprovals[node] = to;
        uint8 flags = to == address(0)
            ? n.flags & ~NameStorage.FLAG_TOKEN_APPROVAL
            : n.flags | NameStorage.FLAG_TOKEN_APPROVAL;
        if (flags != n.flags) $.names[node].flags = flags;
        emit Approval(n.owner, to, tokenId);
    }

    /// @notice Account approved for `tokenId` (zero if none).
    function getApproved(uint256 tokenId) external view returns (address) {
        _requireOwned(tokenId);
        return NameStorage.layout().tokenApprovals[bytes32(tokenId)];
    }

    /// @notice Lets `operator` transfer (not re-configure) all of the caller's names.
    function setApprovalForAll(address operator, bool approved) external {
        if (operator == address(0)) revert ERC721InvalidOperator(operator);
        NameStorage.layout().operatorApprovals[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    /// @notice Whether `operator` may transfer all of `owner`'s names.
    function isApprovedForAll(address owner, address operator) external view returns (bool) {
        return NameStorage.layout().operatorApprovals[owner][operator];
    }

    /// @notice Transfers live name `tokenId` from `from` to `to`. Records stay with the name.
    /// @dev Through the proxy, plain `transferFrom` calls run the same `NameTransfer` body in the proxy itself;
    /// this copy serves `safeTransferFrom`.
    function transferFrom(address from, address to, uint256 tokenId) public {
        NameTransfer.transfer(msg.sender, from, to, tokenId);
    }

    /// @notice `transferFrom` plus the ERC-721 receiver check.
    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        safeTransferFrom(from, to, tokenId, "");
    }

    /// @notice `transferFrom` plus the ERC-721 receiver check with `data`.
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data) public {
        transferFrom(from, to, tokenId);
        ERC721Utils.checkOnERC721Received(msg.sender, from, to, tokenId, data);
    }

    /// @notice ERC-165: ERC-721 and its metadata extension (resolver profiles are added by the resolver part).
    function supportsInterface(bytes4 interfaceId) public view virtual returns (bool) {
        return interfaceId == type(IERC165).interfaceId || interfaceId == type(IERC721).interfaceId
            || interfaceId == type(IERC721Metadata).interfaceId;
    }

    // ------------------------------------------------------------------ internal

    function _requireOwned(uint256 tokenId) internal view returns (address owner) {
        owner = NameStorage.layout().names[bytes32(tokenId)].owner;
        if (owner == address(0)) revert ERC721NonexistentToken(tokenId);
    }

    /// @dev Reverts unless `expiry` is in the future: in grace with NameInGracePeriod, after it with NameExpired.
    function _requireLive(bytes32 node, uint256 expiry) internal view {
        NameTransfer.requireLive(node, expiry);
    }

    /// @dev Loads `node` and checks the caller owns it and it is live; returns the loaded word.
    function _requireOwnerLive(bytes32 node) internal view returns (NameStorage.Name memory n) {
        n = NameStorage.layout().names[node];
        if (n.owner != msg.sender || n.owner == address(0)) revert NotNameOwner(node, msg.sender);
        _requireLive(node, n.expiry);
    }

    /// @dev Gives `node` to `to` until `expiry` with a fresh record epoch. The caller has checked availability;
    /// a previous holder (expired past grace) loses the token first.
    function _mintName(bytes32 node, address to, uint64 expiry) internal returns (uint24 epoch) {
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        NameStorageLayout.Layout storage $ = NameStorage.layout();
        NameStorage.Name memory old = $.names[node];
        if (old.owner != address(0)) {
            if (old.flags & NameStorage.FLAG_TOKEN_APPROVAL != 0) delete $.tokenApprovals[node];
            // The old holder's balance counts this token, so it is at least 1.
            unchecked {
                --$.balances[old.owner];
            }
            emit Transfer(old.owner, address(0), uint256(node));
        }
        // One more token than before; cannot overflow uint256.
        unchecked {
            ++$.balances[to];
        }
        // The epoch wraps after 2^24 registrations of one name; a wrapped epoch only revisits records that were
        // unreachable for 16.7M registrations, which cannot happen within any name's lifetime of fees.
        unchecked {
            epoch = old.epoch + 1;
        }
        NameStorage.store($.names[node], to, expiry, epoch, 0);
        emit Transfer(address(0), to, uint256(node));
    }

    /// @dev Removes `node` from its holder (who has been checked). The epoch is kept so records stay unreachable.
    function _burnName(bytes32 node, NameStorage.Name memory n) internal {
        NameStorageLayout.Layout storage $ = NameStorage.layout();
        if (n.flags & NameStorage.FLAG_TOKEN_APPROVAL != 0) delete $.tokenApprovals[node];
        // The holder's balance counts this token, so it is at least 1.
        unchecked {
            --$.balances[n.owner];
        }
        $.names[node] = NameStorage.Name(address(0), 0, n.epoch, n.flags & NameStorage.FLAG_RESERVED);
        emit Transfer(n.owner, address(0), uint256(node));
        emit NameBurned(node, n.owner);
    }
}
