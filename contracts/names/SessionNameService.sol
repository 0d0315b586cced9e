// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Time edges are specified inclusively or exclusively to the second (e.g. live while now < expiry, reveal
// while now <= committedAt + 24 h), so non-strict comparisons are deliberate here.
// solhint-disable gas-strict-inequalities

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {NameStorage, NAME_EXPIRY_MASK, NAME_EXPIRY_OFFSET} from "./NameStorage.sol";
import {NameStorageLayout} from "./NameStorageLayout.sol";
import {NameRecords} from "./NameRecords.sol";
import {SessionNameCommitments} from "./SessionNameCommitments.sol";

/// @title Session Name Service: permissionless, private names any ENS client can resolve
/// @notice Registration: `commitments().commit(makeCommitment(...))`, wait ≥ 60 s (≤ 24 h), then `register`
/// (SESH allowance) or `registerWithPermit`; the flat yearly fee goes straight to `feeRecipient()` (the
/// RewardRatePool). Trusted registrars register without commitment or fee; reserved labels are released by the
/// owner. Names live for whole years, can be renewed by anyone while live and by their owner during a 90-day
/// grace period, and can be registered anew by anyone after it (records are then wiped).
/// @dev Upgradeable behind an OpenZeppelin transparent proxy (`SessionNameServiceProxy`), whose ProxyAdmin owner
/// upgrades; initializers are disabled on the implementation. Transparent rather than UUPS because the upgrade
/// code then lives in the proxy, which keeps this contract under 24 KB (the admin check is an immutable
/// comparison, so calls cost the same as through a UUPS proxy). The SESH token is an immutable of the implementation
/// (an upgrade must keep it). Three small non-upgradeable companions keep this contract under 24 KB and the
/// commit cheap: SessionNameCommitments (commit book), SessionNameResolver (ENS registry and resolver
/// reads) and SessionNameReverse (reverse records); each takes this proxy's address in its constructor.
contract SessionNameService is NameRecords, Ownable2StepUpgradeable {
    using SafeERC20 for IERC20;

    /// @notice Length of one registration year.
    uint256 public constant YEAR = 365 days;
    /// @notice Longest term (and longest renewal) per call, in years.
    uint256 public constant MAX_YEARS = 100;
    /// @notice namehash("session"), the default parent.
    bytes32 public constant SESSION_NODE = 0x2a33a9fe31141ee70e6f4efd49d1f1d96d80cad33bc54c1ada305ecc81cb0580;

    /// @notice The token fees are paid in.
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IERC20 public immutable SESH;

    /// @param sesh The SESH token.
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(IERC20 sesh) {
        SESH = sesh;
        _disableInitializers();
    }

    /// @notice Initialises the proxy: owner, parent node (zero: `session`), fee recipient, yearly fee and the
    /// commitment book (deployed for this proxy's address beforehand).
    function initialize(
        address initialOwner,
        bytes32 parent,
        address recipient,
        uint256 feePerYear_,
        address commitmentBook
    ) external initializer {
        __Ownable_init(initialOwner);
        NameStorageLayout.Layout storage $ = NameStorage.layout();
        $.parentNode = parent == bytes32(0) ? SESSION_NODE : parent;
        $.commitments = commitmentBook;
        _setFeeRecipient(recipient);
        _setFeePerYear(feePerYear_);
    }

    // ------------------------------------------------------------------ registration

    /// @notice The commitment to make before `register`: binds this registry, the label, owner, term, secret and
    /// the exact records, so a copied reveal cannot change any of them.
    function makeCommitment(
        bytes32 labelhash,
        address nameOwner,
        uint256 years_,
        bytes32 secret,
        RecordInput[] calldata records
    ) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), labelhash, nameOwner, years_, secret, _recordsHash(records)));
    }

    /// @notice Registers `keccak256(label) = labelhash` under the parent to `nameOwner` for `years_` years and
    /// writes `records`, after a matching commitment; the caller pays `years_ × feePerYear()` SESH from its
    /// allowance to this contract. Returns the name's node (= token id).
    function register(
        bytes32 labelhash,
        address nameOwner,
        uint256 years_,
        bytes32 secret,
        RecordInput[] calldata records
    ) external returns (bytes32 node) {
        return _registerPaid(labelhash, nameOwner, years_, secret, records);
    }

    /// @notice `register`, with the fee allowance granted by an ERC-2612 permit of the caller in the same call.
    /// A permit that fails (e.g. already used by a front-runner) is ignored; the allowance must then suffice.
    function registerWithPermit(
        bytes32 labelhash,
        address nameOwner,
        uint256 years_,
        bytes32 secret,
        RecordInput[] calldata records,
        PermitInput calldata permit
    ) external returns (bytes32 node) {
        _permit(permit);
        return _registerPaid(labelhash, nameOwner, years_, secret, records);
    }

    /// @notice Registrar path (trusted backend): registers without commitment or fee. Not for reserved labels.
    function registerFor(bytes32 labelhash, address nameOwner, uint256 years_, RecordInput[] calldata records)
        external
        returns (bytes32 node)
    {
        NameStorageLayout.Layout storage $ = NameStorage.layout();
        if (!$.registrars[msg.sender]) revert NotRegistrar(msg.sender);
        if ($.paused) revert RegistrationPaused();
        uint64 expiry;
        (node, expiry) = _registerWithRecords(labelhash, nameOwner, years_, records);
        emit NameRegistered(node, nameOwner, msg.sender, expiry, 0);
    }

    /// @notice Owner only: releases reserved `labelhash` to `to` for `years_` years, free of charge.
    function releaseReserved(bytes32 labelhash, address to, uint256 years_) external onlyOwner returns (bytes32 node) {
        if (NameStorage.layout().names[nodeOf(labelhash)].flags & NameStorage.FLAG_RESERVED == 0) {
            revert NameNotReserved(labelhash);
        }
        emit LabelReservationChanged(labelhash, false);
        uint64 expiry;
        // Minting clears the name word's flags, the reservation included.
        (node, expiry,) = _register(labelhash, to, years_, true);
        emit NameRegistered(node, to, msg.sender, expiry, 0);
    }

    /// @notice Extends `node` by `years_` years from its current expiry; the caller pays the fee. Anyone may renew
    /// a live name; during the grace period only its owner may; after it, nobody (register it anew).
    function renew(bytes32 node, uint256 years_) external returns (uint64 expiry) {
        return _renew(node, years_);
    }

    /// @notice `renew` with the fee allowance granted by an ERC-2612 permit of the caller.
    function renewWithPermit(bytes32 node, uint256 years_, PermitInput calldata permit)
        external
        returns (uint64 expiry)
    {
        _permit(permit);
        return _renew(node, years_);
    }

    /// @notice Burns `node`: its holder gives it up at once (allowed at any time, grace included).
    function burn(bytes32 node) external {
        NameStorage.Name memory n = NameStorage.layout().names[node];
        if (n.owner != msg.sender || n.owner == address(0)) revert NotNameOwner(node, msg.sender);
        _burnName(node, n);
    }

    // ------------------------------------------------------------------ views

    /// @notice The commitment book to `commit` to.
    function commitments() external view returns (SessionNameCommitments) {
        return SessionNameCommitments(NameStorage.layout().commitments);
    }

    /// @notice The parent node names are registered under.
    function parentNode() external view returns (bytes32) {
        return NameStorage.layout().parentNode;
    }

    /// @notice Node of `labelhash` under the parent.
    function nodeOf(bytes32 labelhash) public view returns (bytes32) {
        return keccak256(abi.encodePacked(NameStorage.layout().parentNode, labelhash));
    }

    /// @notice Whether `labelhash` can be registered now (free, or past grace, and not reserved).
    function available(bytes32 labelhash) external view returns (bool) {
        NameStorage.Name memory n = NameStorage.layout().names[nodeOf(labelhash)];
        return n.flags & NameStorage.FLAG_RESERVED == 0
            && (n.owner == address(0) || block.timestamp >= n.expiry + GRACE_PERIOD);
    }

    /// @notice Fee in SESH atomic units for `years_` years.
    function price(uint256 years_) external view returns (uint256) {
        return uint256(NameStorage.layout().feePerYear) * years_;
    }

    /// @notice Flat fee per year, in SESH atomic units.
    function feePerYear() external view returns (uint256) {
        return NameStorage.layout().feePerYear;
    }

    /// @notice Where fees go (the RewardRatePool).
    function feeRecipient() external view returns (address) {
        return NameStorage.layout().feeRecipient;
    }

    /// @notice Whether registration is paused.
    function paused() external view returns (bool) {
        return NameStorage.layout().paused;
    }

    /// @notice Whether `account` holds the registrar role.
    function isRegistrar(address account) external view returns (bool) {
        return NameStorage.layout().registrars[account];
    }

    /// @notice Whether `labelhash` is held back from registration.
    function isReserved(bytes32 labelhash) external view returns (bool) {
        return NameStorage.layout().names[nodeOf(labelhash)].flags & NameStorage.FLAG_RESERVED != 0;
    }

    // ------------------------------------------------------------------ owner

    /// @notice Owner only: sets the flat yearly fee (SESH atomic units, < 2^88).
    function setFeePerYear(uint256 fee) external onlyOwner {
        _setFeePerYear(fee);
    }

    /// @notice Owner only: sets the fee recipient (non-zero).
    function setFeeRecipient(address recipient) external onlyOwner {
        _setFeeRecipient(recipient);
    }

    /// @notice Owner only: grants or revokes the registrar role.
    function setRegistrar(address account, bool enabled) external onlyOwner {
        NameStorage.layout().registrars[account] = enabled;
        emit RegistrarChanged(account, enabled);
    }

    /// @notice Owner only: holds back (or returns) labels, e.g. for holders of existing Oxen names.
    function setReserved(bytes32[] calldata labelhashes, bool reserve) external onlyOwner {
        NameStorageLayout.Layout storage $ = NameStorage.layout();
        for (uint256 i = 0; i < labelhashes.length; ++i) {
            NameStorage.Name storage n = $.names[nodeOf(labelhashes[i])];
            n.flags = reserve ? n.flags | NameStorage.FLAG_RESERVED : n.flags & ~NameStorage.FLAG_RESERVED;
            emit LabelReservationChanged(labelhashes[i], reserve);
        }
    }

    /// @notice Disabled: the service must always have an owner (fees, registrars, reservations, pause), so this
    /// always reverts with {RenounceOwnershipDisabled}; ownership moves only by the two-step transfer.
    function renounceOwnership() public view override onlyOwner {
        revert RenounceOwnershipDisabled();
    }

    /// @notice Owner only: pauses registration (commit-reveal and registrar paths; renewals continue).
    function pause() external onlyOwner {
        NameStorage.layout().paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Owner only: resumes registration.
    function unpause() external onlyOwner {
        NameStorage.layout().paused = false;
        emit Unpaused(msg.sender);
    }

    // ------------------------------------------------------------------ internal

    function _registerPaid(
        bytes32 labelhash,
        address nameOwner,
        uint256 years_,
        bytes32 secret,
        RecordInput[] calldata records
    ) private returns (bytes32 node) {
        NameStorageLayout.Layout storage $ = NameStorage.layout();
        if ($.paused) revert RegistrationPaused();
        SessionNameCommitments($.commitments).consume(makeCommitment(labelhash, nameOwner, years_, secret, records));
        uint64 expiry;
        (node, expiry) = _registerWithRecords(labelhash, nameOwner, years_, records);
        uint256 fee = _collectFee(years_);
        emit NameRegistered(node, nameOwner, msg.sender, expiry, fee);
    }

    /// @dev `_register`, then writes `records` under the new epoch.
    function _registerWithRecords(
        bytes32 labelhash,
        address nameOwner,
        uint256 years_,
        RecordInput[] calldata records
    ) private returns (bytes32 node, uint64 expiry) {
        uint24 epoch;
        (node, expiry, epoch) = _register(labelhash, nameOwner, years_, false);
        if (records.length != 0) {
            uint8 flags = _writeRecords(node, epoch, 0, records);
            if (flags != 0) NameStorage.layout().names[node].flags = flags;
        }
    }

    /// @dev Checks term, reservation (unless `releasing`) and availability, and mints.
    function _register(bytes32 labelhash, address nameOwner, uint256 years_, bool releasing)
        private
        returns (bytes32 node, uint64 expiry, uint24 epoch)
    {
        if (years_ == 0 || years_ > MAX_YEARS) revert InvalidTerm(years_);
        NameStorageLayout.Layout storage $ = NameStorage.layout();
        node = nodeOf(labelhash);
        NameStorage.Name memory old = $.names[node];
        if (!releasing && old.flags & NameStorage.FLAG_RESERVED != 0) revert NameReserved(labelhash);
        if (old.owner != address(0) && block.timestamp < old.expiry + GRACE_PERIOD) {
            revert NameNotAvailable(node, old.expiry + GRACE_PERIOD);
        }
        // years_ ≤ MAX_YEARS, so the sum stays far below 2^64.
        expiry = uint64(block.timestamp + years_ * YEAR);
        epoch = _mintName(node, nameOwner, expiry);
    }

    /// @dev keccak256(abi.encode(records)) without re-encoding. In every function that hashes them, `records` is
    /// the last dynamic argument (anything after it is static and sits in the head), so its ABI encoding is the
    /// calldata from its length word to the end, preceded by the 0x20 offset word. A non-canonical encoding
    /// only yields a different hash, i.e. a commitment that does not match.
    function _recordsHash(RecordInput[] calldata records) private pure returns (bytes32 hash) {
        // Hashes a copy of the calldata tail past the free memory pointer (scratch, not advanced).
        assembly ("memory-safe") {
            let start := sub(records.offset, 0x20)
            let length := sub(calldatasize(), start)
            let ptr := mload(0x40)
            mstore(ptr, 0x20)
            calldatacopy(add(ptr, 0x20), start, length)
            hash := keccak256(ptr, add(length, 0x20))
        }
    }

    function _renew(bytes32 node, uint256 years_) private returns (uint64 expiry) {
        if (years_ == 0 || years_ > MAX_YEARS) revert InvalidTerm(years_);
        NameStorage.Name storage slot = NameStorage.layout().names[node];
        // The name word is read once and its expiry field replaced in place (layout in NameStorage.sol).
        uint256 word;
        // One SLOAD of the name word; touches no memory.
        assembly ("memory-safe") {
            word := sload(slot.slot)
        }
        uint256 oldExpiry = (word >> NAME_EXPIRY_OFFSET) & NAME_EXPIRY_MASK;
        if (block.timestamp >= oldExpiry) {
            // A word without owner (never registered, burnt, or only reserved) has expiry 0, so it lands here.
            address nameOwner = address(uint160(word));
            if (nameOwner == address(0)) revert ERC721NonexistentToken(uint256(node));
            uint256 graceEnd = oldExpiry + GRACE_PERIOD;
            if (block.timestamp >= graceEnd) revert NameExpired(node, graceEnd);
            if (msg.sender != nameOwner) revert NameInGracePeriod(node, graceEnd);
        }
        expiry = SafeCast.toUint64(oldExpiry + years_ * YEAR);
        // One SSTORE of the name word; touches no memory.
        assembly ("memory-safe") {
            sstore(slot.slot, or(and(word, not(shl(NAME_EXPIRY_OFFSET, NAME_EXPIRY_MASK))), shl(NAME_EXPIRY_OFFSET, expiry)))
        }
        _collectFee(years_);
        emit NameRenewed(node, expiry);
    }

    /// @dev Moves `years_ × feePerYear` SESH from the caller to the fee recipient.
    function _collectFee(uint256 years_) private returns (uint256 fee) {
        (address recipient, uint256 feePerYear_) = NameStorage.feeConfig();
        fee = feePerYear_ * years_;
        if (fee != 0) SESH.safeTransferFrom(msg.sender, recipient, fee);
    }

    function _permit(PermitInput calldata p) private {
        // A failed permit (front-run, or already granted) is ignored; transferFrom then checks the allowance.
        try IERC20Permit(address(SESH)).permit(msg.sender, address(this), p.value, p.deadline, p.v, p.r, p.s) {}
            catch {}
    }

    function _setFeePerYear(uint256 fee) private {
        if (fee > type(uint88).max) revert FeeTooLarge(fee);
        NameStorageLayout.Layout storage $ = NameStorage.layout();
        emit FeePerYearChanged($.feePerYear, fee);
        $.feePerYear = uint88(fee);
    }

    function _setFeeRecipient(address recipient) private {
        if (recipient == address(0)) revert InvalidFeeRecipient(recipient);
        NameStorageLayout.Layout storage $ = NameStorage.layout();
        emit FeeRecipientChanged($.feeRecipient, recipient);
        $.feeRecipient = recipient;
    }

}
