// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {BN254} from "../libraries/BN254.sol";
import {BLSSignatureParams} from "../libraries/BLS.sol";
import {IServiceNodeRewards, ServiceNodeParams} from "../interfaces/IServiceNodeRewards.sol";
import {IServiceNodeContributionSetup, Reservation} from "../interfaces/IServiceNodeContribution.sol";

/// @title ServiceNodeContributionFactory: creates pooled-node contracts
/// @notice {deploy} makes an EIP-1167 clone (with the operator and registration data as immutable args)
/// of the current {ServiceNodeContribution} implementation and initialises it in the same transaction;
/// the caller is the operator. The clone checks the fee and the proof of possession (with the registry's
/// verifier) before anyone can contribute. {owns} tells portals which pools this factory made.
///
/// Upgrades: UUPS behind an ERC-1967 proxy, authorised by the owner (Ownable2Step, renouncing disabled);
/// state in ERC-7201 namespaced storage. The owner can pause creation; existing pools are unaffected.
/// @custom:oz-upgrades-unsafe-allow constructor state-variable-immutable
contract ServiceNodeContributionFactory is Initializable, Ownable2StepUpgradeable, PausableUpgradeable, UUPSUpgradeable {
    /// @custom:storage-location erc7201:session.storage.ServiceNodeContributionFactory
    struct Layout {
        address implementation;
        mapping(address pool => bool) owns;
    }

    // keccak256(abi.encode(uint256(keccak256("session.storage.ServiceNodeContributionFactory")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _STORAGE_LOCATION = 0xab15ecc675840c3f80b9264c119c225b49a0ea2a07f75adef8ff6034376bf600;

    /// @notice The registry pools register with.
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    // solhint-disable-next-line immutable-vars-naming
    IServiceNodeRewards public immutable registry;

    /// @notice A pool was created for `operator` and the node with Ed25519 key `serviceNodePubkey` (as the
    /// reference; PROTOCOL.md §2: the ABI is fixed, only the pool is indexed).
    // solhint-disable-next-line gas-indexed-events
    event NewServiceNodeContributionContract(address indexed contributorContract, uint256 serviceNodePubkey, address operator);
    /// @notice New pools clone `implementation`.
    event ImplementationUpdated(address indexed implementation);

    /// @notice Renouncing ownership is disabled.
    error RenounceOwnershipDisabled();
    /// @notice The registry given to the constructor is the zero address.
    error InvalidRegistry(address registry);
    /// @notice No pool implementation is set.
    error ImplementationNotSet();
    /// @notice `implementation` is not a pool implementation for this factory and registry.
    error InvalidImplementation(address implementation);

    /// @custom:oz-upgrades-unsafe-allow constructor
    /// @param registry_ The ServiceNodeRewards proxy; fixed per implementation.
    constructor(IServiceNodeRewards registry_) {
        if (address(registry_) == address(0)) revert InvalidRegistry(address(registry_));
        registry = registry_;
        _disableInitializers();
    }

    /// @notice Initialises the proxy (once). Set the pool implementation with {setImplementation} next
    /// (it is deployed with this proxy's address).
    /// @param initialOwner Owner (implementation, pause, upgrades).
    function initialize(address initialOwner) external initializer {
        __Ownable_init(initialOwner);
        __Ownable2Step_init();
        __Pausable_init();
    }

    /// @notice Creates a pool operated by the caller and emits {NewServiceNodeContributionContract}.
    /// Reverts if paused, the fee exceeds 10,000, the proof of possession is invalid for the caller, or a
    /// reservation is invalid.
    /// @param pubkey The node's BLS key.
    /// @param proofOfPossession The key's signature of popTag ‖ X ‖ Y ‖ caller ‖ Ed25519 key.
    /// @param params Ed25519 key and signature, and the operator fee.
    /// @param reserved Reserved slots in slot order; the first may be the caller itself with the stake it
    /// commits to (≥ ceil(requirement / 4)), as the reference's portal always sends it.
    /// @param manualFinalize If true, the operator registers the filled node with `finalize`.
    /// @return pool The new pool.
    function deploy(
        BN254.G1Point calldata pubkey,
        BLSSignatureParams calldata proofOfPossession,
        ServiceNodeParams calldata params,
        Reservation[] calldata reserved,
        bool manualFinalize
    ) external whenNotPaused returns (address pool) {
        Layout storage $ = _layout();
        address impl = $.implementation;
        if (impl == address(0)) revert ImplementationNotSet();
        bytes memory args = abi.encodePacked(
            msg.sender,
            pubkey.X,
            pubkey.Y,
            proofOfPossession.sigs0,
            proofOfPossession.sigs1,
            proofOfPossession.sigs2,
            proofOfPossession.sigs3,
            params.ed25519Pubkey,
            params.ed25519Signature0,
            params.ed25519Signature1
        );
        pool = Clones.cloneWithImmutableArgs(impl, args);
        $.owns[pool] = true;
        emit NewServiceNodeContributionContract(pool, params.ed25519Pubkey, msg.sender);
        IServiceNodeContributionSetup(pool).initialize(params.fee, reserved, manualFinalize);
    }

    /// @notice Sets the implementation new pools clone (owner only). It must name this factory and the
    /// same registry. Existing pools keep theirs.
    /// @param newImplementation A {ServiceNodeContribution} deployed with this proxy's address.
    function setImplementation(address newImplementation) external onlyOwner {
        if (newImplementation.code.length == 0) revert InvalidImplementation(newImplementation);
        IServiceNodeContributionSetup impl = IServiceNodeContributionSetup(newImplementation);
        if (impl.factory() != address(this) || address(impl.registry()) != address(registry)) {
            revert InvalidImplementation(newImplementation);
        }
        _layout().implementation = newImplementation;
        emit ImplementationUpdated(newImplementation);
    }

    /// @notice Stops pool creation (owner only).
    function pause() external onlyOwner {
        _pause();
    }

    /// @notice Resumes pool creation (owner only).
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @notice Disabled: the factory must always have an owner.
    function renounceOwnership() public view override onlyOwner {
        revert RenounceOwnershipDisabled();
    }

    /// @notice Whether this factory created `pool`.
    /// @param pool An address.
    /// @return True for pools made by {deploy}.
    function owns(address pool) external view returns (bool) {
        return _layout().owns[pool];
    }

    /// @notice The implementation new pools clone.
    /// @return The implementation (zero until set).
    function implementation() external view returns (address) {
        return _layout().implementation;
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _layout() private pure returns (Layout storage $) {
        // Sets a storage pointer; touches no memory.
        assembly ("memory-safe") {
            $.slot := _STORAGE_LOCATION
        }
    }
}
