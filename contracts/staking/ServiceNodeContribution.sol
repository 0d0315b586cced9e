// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {BN254} from "../libraries/BN254.sol";
import {BLS, BLSSignatureParams} from "../libraries/BLS.sol";
import {IServiceNodeRewards, Contributor, Staker, ServiceNodeParams} from "../interfaces/IServiceNodeRewards.sol";
import {BLSVerifier} from "./BLSVerifier.sol";
import {IServiceNodeContributionSetup, Reservation} from "../interfaces/IServiceNodeContribution.sol";

/// @notice The registry views a pool reads (ServiceNodeRewards exposes them; its interface does not list them).
interface IServiceNodeRewardsViews {
    /// @notice The stake for new registrations (atomic SESH).
    function stakingRequirement() external view returns (uint256);
    /// @notice Maximum contributors per node.
    function maxContributors() external view returns (uint256);
    /// @notice The staking token.
    function designatedToken() external view returns (IERC20);
    /// @notice The registry's stateless BLS verifier.
    function blsVerifier() external view returns (BLSVerifier);
}

/// @title ServiceNodeContribution: a pooled node collecting stakes from up to `maxContributors` accounts
/// @notice The operator opens the pool with at least a quarter of the staking requirement; others join
/// with at least an even share of what is left per free slot (reserved slots count as taken and their
/// amounts as staked); reserved contributors pay at least their reservation. When the stake is complete
/// the pool registers the node with ServiceNodeRewards (contributor 0 = operator), automatically unless
/// `manualFinalize`. A non-operator may withdraw a day after its last contribution (a filled pool then
/// re-opens); the operator withdrawing or calling {reset} refunds everyone.
///
/// Deployment: EIP-1167 clones with immutable args made by {ServiceNodeContributionFactory}. The args
/// hold the operator and the registration data (operator ‖ BLS key X, Y ‖ proof of possession (4 words) ‖
/// Ed25519 key ‖ Ed25519 signature (2 words)) — 308 bytes of code cost far less than 10 storage words. If
/// the operator changes the keys ({updatePubkeys}), the new ones are stored and used instead.
///
/// Storage: one header word (requirement and max snapshots, paid and reserved totals, status, flags,
/// fee, slot count), one word per contributor (address, amount, time of its last contribution; a
/// reserved slot not yet paid has time 0), a bitmap of contributors with their own beneficiary, and
/// those beneficiaries. Contributors are found by scanning at most `maxContributors` words.
///
/// Token safety: the pool only ever moves the registry's token (SESH, a plain OpenZeppelin ERC-20 without
/// hooks) and every state change happens before the transfer, so a recipient can neither re-enter nor
/// block a transfer; refunds on {reset} are therefore pushed, not pulled. {rescueERC20} moves any other
/// token, or SESH beyond the recorded contributions, and changes no state.
contract ServiceNodeContribution is IServiceNodeContributionSetup {
    using SafeERC20 for IERC20;

    /// @notice Lifecycle of a pool; {reset} returns to `WaitForOperatorContrib` from any state.
    enum Status {
        WaitForOperatorContrib,
        OpenForPublicContrib,
        WaitForFinalized,
        Finalized
    }

    /// @notice A non-operator may withdraw this long after its last contribution.
    uint256 public constant WITHDRAWAL_DELAY = 1 days;
    /// @notice The operator fee is in basis points of this.
    uint256 public constant MAX_FEE = 10_000;
    /// @notice A contribution through the reference's `contributeFunds(uint256,address)`, which states no
    /// epoch, is refused (for anyone but the operator) this long after the pool's terms last changed.
    uint256 public constant TERMS_SETTLE_DELAY = 1 hours;

    /// @dev One word. Amounts fit in 64 bits (the requirement snapshot is checked at every refresh).
    /// `customBeneficiaries`: the beneficiary bitmap may be non-zero (saves its read in the common case).
    /// 3 · 64 + 5 · 8 + 16 = 248 bits: one slot (the linter's packing heuristic misreads the enum).
    // solhint-disable-next-line gas-struct-packing
    struct Header {
        uint64 requirement;
        uint64 paid;
        uint64 reserved;
        Status status;
        bool manualFinalize;
        bool keysUpdated;
        bool customBeneficiaries;
        uint16 fee;
        uint8 count;
        uint8 maxContributors;
    }

    /// @dev One word per slot; `time == 0`: a reservation (or the operator's slot) not paid yet.
    struct Entry {
        address addr;
        uint64 amount;
        uint32 time;
    }

    /// @dev `epoch` counts the changes of the pool's terms (every {PoolReset}, {FeeUpdated}, {PubkeysUpdated}
    /// and {ReservedContributorsUpdated}); it never repeats. `changedAt` is the time of the last change.
    struct Terms {
        uint64 epoch;
        uint64 changedAt;
    }

    /// @dev Registration data replacing the clone args after {updatePubkeys}.
    struct Keys {
        BN254.G1Point pubkey;
        BLSSignatureParams proofOfPossession;
        uint256 ed25519Pubkey;
        uint256 ed25519Signature0;
        uint256 ed25519Signature1;
    }

    /// @notice The node registry.
    // solhint-disable-next-line immutable-vars-naming
    IServiceNodeRewards public immutable registry;
    /// @notice The staking token (the registry's designated token).
    // solhint-disable-next-line immutable-vars-naming
    IERC20 public immutable token;
    /// @notice The only account allowed to initialise clones.
    // solhint-disable-next-line immutable-vars-naming
    address public immutable factory;

    Header private _header;
    mapping(uint256 index => Entry) private _entries;
    uint256 private _customBeneficiaries;
    mapping(uint256 index => address) private _beneficiaries;
    Keys private _keys;
    /// @dev The terms contributors agree to; a word of its own (the header is full).
    Terms private _terms;
    /// @dev A paid reserved slot's reservation, kept so that a withdrawal restores it; zero otherwise.
    mapping(uint256 index => uint256) private _reservations;

    // ------------------------------------------------------------------------------------ events
    // Only addresses are indexed (filtered on by portals); amounts and flags are read, never filtered.
    /* solhint-disable gas-indexed-events */
    /// @notice `contributor` paid `amount`; its rewards go to `beneficiary` (PROTOCOL.md §2).
    event NewContribution(address indexed contributor, address beneficiary, uint256 amount);
    /// @notice The operator's first contribution opened the pool to others.
    event OpenForPublicContribution(uint256 indexed serviceNodePubkey, address indexed operator, uint16 fee);
    /// @notice The stake is complete.
    event Filled(uint256 indexed serviceNodePubkey, address indexed operator);
    /// @notice The node was registered with the registry.
    event Finalized(uint256 indexed serviceNodePubkey);
    /// @notice `contributor` got `amount` back (withdrawal, or refund by {reset}).
    event WithdrawContribution(address indexed contributor, uint256 amount);
    /// @notice The pool was reset to `WaitForOperatorContrib` with the registry's current parameters.
    event PoolReset(uint256 stakingRequirement, uint256 maxContributors);
    /// @notice `contributor`'s rewards now go to `beneficiary`.
    event BeneficiaryUpdated(address indexed contributor, address beneficiary);
    /// @notice The operator fee changed.
    event FeeUpdated(uint16 fee);
    /// @notice The node keys changed.
    event PubkeysUpdated(uint256 indexed serviceNodePubkey, uint256 ed25519Pubkey);
    /// @notice The reservations were replaced.
    event ReservedContributorsUpdated(Reservation[] reserved);
    /// @notice Auto-finalize was switched.
    event ManualFinalizeUpdated(bool manualFinalize);
    /// @notice `amount` of a stray `erc20` was sent to the operator.
    event ERC20Rescued(address indexed erc20, uint256 amount);
    /* solhint-enable gas-indexed-events */

    // ------------------------------------------------------------------------------------ errors
    /// @notice Only the factory initialises pools.
    error NotFactory(address caller);
    /// @notice The pool (or the implementation) is already initialised.
    error AlreadyInitialized();
    /// @notice Only the operator may do this.
    error NotOperator(address caller);
    /// @notice The operator must contribute before anyone else.
    error WaitingForOperatorContribution();
    /// @notice The action is not allowed while the pool is in `status`.
    error InvalidStatus(Status status);
    /// @notice The registry's staking requirement changed from `poolValue` to `registryValue` since the
    /// pool opened: the operator must {reset} it.
    error StakingRequirementChanged(uint256 poolValue, uint256 registryValue);
    /// @notice The registry's maximum contributors changed from `poolValue` to `registryValue` since the
    /// pool opened: the operator must {reset} it.
    error MaxContributorsChanged(uint256 poolValue, uint256 registryValue);
    /// @notice The registry's staking requirement does not fit the pool's 64-bit amounts.
    error UnsupportedStakingRequirement(uint256 requirement);
    /// @notice The pool's terms changed since the contributor read them: it agreed to epoch `expected`, the
    /// pool is at `actual` (read the fee, keys and reservations again, then contribute with the new epoch).
    error PoolEpochChanged(uint256 expected, uint256 actual);
    /// @notice A contribution that states no epoch while the terms changed less than {TERMS_SETTLE_DELAY}
    /// ago (at `changedAt`); possible from `allowedAt`, or at once with the epoch stated.
    error PoolTermsRecentlyChanged(uint256 changedAt, uint256 allowedAt);
    /// @notice A contribution of zero.
    error ZeroAmount();
    /// @notice `amount` is below the minimum `minimum` for this contributor now.
    error ContributionBelowMinimum(uint256 amount, uint256 minimum);
    /// @notice A reserved contributor paid `amount`, less than its reservation `reserved`.
    error ContributionBelowReservation(uint256 amount, uint256 reserved);
    /// @notice `amount` exceeds the `available` stake (requirement minus paid and reserved).
    error ContributionExceedsRequirement(uint256 amount, uint256 available);
    /// @notice All `max` slots are taken.
    error ContributorsFull(uint256 max);
    /// @notice `caller` has no contribution here.
    error NotContributor(address caller);
    /// @notice A withdrawal is possible from `allowedAt`.
    error WithdrawalTooEarly(uint256 allowedAt);
    /// @notice The fee exceeds 10,000 basis points.
    error InvalidFee(uint256 fee);
    /// @notice The proof of possession does not verify for this key, operator and Ed25519 key.
    error InvalidProofOfPossession();
    /// @notice The Ed25519 key is zero.
    error NullEd25519Pubkey();
    /// @notice Reservation `index` is invalid: zero address, the operator other than first, a duplicate or a
    /// zero amount.
    error InvalidReservation(uint256 index);
    /// @notice `count` reservations plus the operator exceed `max` contributors.
    error TooManyReservations(uint256 count, uint256 max);
    /// @notice Reservation `index` of `amount` is below the minimum `minimum` for its slot.
    error ReservationBelowMinimum(uint256 index, uint256 amount, uint256 minimum);
    /// @notice Reservation `index` of `amount` exceeds the `available` stake.
    error ReservationExceedsRequirement(uint256 index, uint256 amount, uint256 available);
    /// @notice No `erc20` can be rescued (SESH: only the balance above the recorded contributions).
    error NothingToRescue(address erc20);

    // ------------------------------------------------------------------------------- construction
    /// @notice The implementation: fixes the registry, its token and the factory for every clone, and
    /// marks itself initialised so it can never be used as a pool.
    /// @param registry_ The ServiceNodeRewards proxy.
    /// @param factory_ The factory proxy that initialises clones.
    constructor(IServiceNodeRewards registry_, address factory_) {
        registry = registry_;
        token = IServiceNodeRewardsViews(address(registry_)).designatedToken();
        factory = factory_;
        _header.status = Status.Finalized;
        _header.maxContributors = type(uint8).max;
    }

    /// @inheritdoc IServiceNodeContributionSetup
    /// @dev Checks the fee and the proof of possession in the clone args against the registry's verifier,
    /// snapshots the registry's staking requirement and maximum contributors, records the reservations.
    function initialize(uint16 fee, Reservation[] calldata reserved, bool manualFinalize_) external {
        if (msg.sender != factory) revert NotFactory(msg.sender);
        Header memory h = _header;
        if (h.maxContributors != 0) revert AlreadyInitialized();
        if (fee > MAX_FEE) revert InvalidFee(fee);
        (BN254.G1Point memory pk, BLSSignatureParams memory pop, ServiceNodeParams memory params) = _registration(h);
        _checkProofOfPossession(pk, pop, params.ed25519Pubkey);
        _snapshotRegistry(h, true);
        h.fee = fee;
        h.manualFinalize = manualFinalize_;
        h.count = 1;
        if (reserved.length != 0) _setReservations(h, reserved);
        _header = h;
    }

    // ------------------------------------------------------------------------------- contributions
    /// @notice Contributes `amount` (pulled with `transferFrom`; approve first) on the terms of `epoch`: the
    /// operator first (≥ ceil(requirement / 4), or its reservation); a reserved contributor at least its
    /// reservation; anyone else at least {minimumContribution}; top-ups of any size. Fills and, unless
    /// manual, registers the node when the requirement is reached. Reverts with {PoolEpochChanged} if the
    /// pool's terms (fee, keys, reservations, or a reset) changed since the caller read {epoch}, so a
    /// contribution in flight can never be taken on terms its sender did not see.
    /// @param amount Atomic SESH.
    /// @param beneficiary Where this contributor's rewards go; zero keeps the current one (new: itself).
    /// @param expectedEpoch The {epoch} the caller read together with the terms it agreed to.
    function contributeFunds(uint256 amount, address beneficiary, uint256 expectedEpoch) external {
        _checkEpoch(expectedEpoch);
        _contribute(msg.sender, amount, beneficiary);
    }

    /// @notice The reference ABI (`contributeFunds(uint256,address)`, kept for existing portals): as the
    /// 3-argument form but stating no epoch. It therefore refuses anyone but the operator for
    /// {TERMS_SETTLE_DELAY} after the terms last changed ({PoolTermsRecentlyChanged}), so that a change
    /// made just before an in-flight contribution cannot capture it; state the epoch to avoid the wait.
    /// @param amount Atomic SESH.
    /// @param beneficiary Where this contributor's rewards go; zero keeps the current one (new: itself).
    function contributeFunds(uint256 amount, address beneficiary) external {
        if (msg.sender != _operator()) {
            Terms memory t = _terms;
            uint256 allowedAt = uint256(t.changedAt) + TERMS_SETTLE_DELAY;
            // changedAt == 0: the terms never changed since creation.
            if (t.changedAt != 0 && block.timestamp < allowedAt) revert PoolTermsRecentlyChanged(t.changedAt, allowedAt);
        }
        _contribute(msg.sender, amount, beneficiary);
    }

    /// @notice {contributeFunds} (with the epoch) plus an ERC-2612 permit for `amount`, in one transaction.
    /// A permit that fails (e.g. front-run by someone submitting it first) is ignored when the allowance
    /// already suffices.
    /// @param amount Atomic SESH.
    /// @param beneficiary As in {contributeFunds}.
    /// @param expectedEpoch As in {contributeFunds}.
    /// @param deadline Permit deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    function contributeFundsWithPermit(
        uint256 amount,
        address beneficiary,
        uint256 expectedEpoch,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _checkEpoch(expectedEpoch);
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {}
        catch {
            // Proceeds if the allowance is there anyway; otherwise transferFrom reverts with the token's error.
        }
        _contribute(msg.sender, amount, beneficiary);
    }

    /// @notice Sets the caller's beneficiary while the pool is open or filled (not before the operator
    /// opened it — no contributions exist — and not after finalize, when the registry holds the list).
    /// @param beneficiary The new beneficiary; zero means the contributor itself.
    function updateBeneficiary(address beneficiary) external {
        Header memory h = _header;
        if (h.status != Status.OpenForPublicContrib && h.status != Status.WaitForFinalized) {
            revert InvalidStatus(h.status);
        }
        (uint256 i, Entry memory e) = _find(h, msg.sender);
        if (i == h.count || e.time == 0) revert NotContributor(msg.sender);
        address effective = _setBeneficiary(h, i, msg.sender, beneficiary == address(0) ? msg.sender : beneficiary);
        _header = h;
        emit BeneficiaryUpdated(msg.sender, effective);
    }

    /// @notice Takes the caller's contribution back. The operator's withdrawal is a {reset} (everyone is
    /// refunded); anyone else may withdraw {WITHDRAWAL_DELAY} after its last contribution, which re-opens a
    /// filled pool. A reserved contributor's slot becomes its reservation again (as in the reference);
    /// anyone else's slot is freed. A caller with nothing paid in changes nothing (no revert, as the
    /// reference).
    function withdrawContribution() external {
        Header memory h = _header;
        if (msg.sender == _operator()) {
            if (h.status == Status.Finalized) revert InvalidStatus(h.status);
            _reset(h);
            return;
        }
        (uint256 i, Entry memory e) = _find(h, msg.sender);
        if (i == h.count || e.time == 0) return;
        if (h.status != Status.OpenForPublicContrib && h.status != Status.WaitForFinalized) {
            revert InvalidStatus(h.status);
        }
        uint256 allowedAt = uint256(e.time) + WITHDRAWAL_DELAY;
        if (block.timestamp < allowedAt) revert WithdrawalTooEarly(allowedAt);

        uint256 reservation = _reservations[i];
        // Cannot underflow: i ≥ 1 (not the operator) so count ≥ 2; e.amount is part of paid; a restored
        // reservation is at most the amount paid on it, so paid + reserved does not grow.
        unchecked {
            uint256 mask = h.customBeneficiaries ? _customBeneficiaries : 0;
            uint256 bit = 1 << i;
            if (reservation != 0) {
                _entries[i] = Entry(e.addr, uint64(reservation), 0);
                delete _reservations[i];
                h.reserved += uint64(reservation);
                if (mask & bit != 0) {
                    delete _beneficiaries[i];
                    _customBeneficiaries = mask & ~bit;
                }
            } else {
                _freeSlot(h, i, mask);
            }
            h.paid -= e.amount;
        }
        if (h.status == Status.WaitForFinalized) h.status = Status.OpenForPublicContrib;
        _header = h;
        emit WithdrawContribution(msg.sender, e.amount);
        token.safeTransfer(msg.sender, e.amount);
    }

    /// @dev Frees non-operator slot `i` of an unreserved contributor: the last slot (with its kept
    /// reservation and custom beneficiary) moves into it; `h.count` shrinks by one. `mask` is the current
    /// beneficiary bitmap (0 if none).
    function _freeSlot(Header memory h, uint256 i, uint256 mask) private {
        // Cannot underflow: i ≥ 1 so count ≥ 2.
        unchecked {
            uint256 bit = 1 << i;
            uint256 last = h.count - 1;
            if (i != last) {
                _entries[i] = _entries[last];
                uint256 moved = _reservations[last];
                if (moved != 0) {
                    _reservations[i] = moved;
                    delete _reservations[last];
                }
            }
            delete _entries[last];
            if (mask != 0) {
                uint256 lastBit = 1 << last;
                if (mask & bit != 0) delete _beneficiaries[i];
                if (mask & lastBit != 0 && i != last) {
                    _beneficiaries[i] = _beneficiaries[last];
                    delete _beneficiaries[last];
                    mask |= bit;
                } else {
                    mask &= ~bit;
                }
                _customBeneficiaries = mask & ~lastBit;
            }
            h.count = uint8(last);
        }
    }

    /// @notice Registers the filled node with the registry (operator only; the only way when
    /// `manualFinalize`). Contributor 0 is the operator. The registry's parameters are not re-read here
    /// (gas): if its staking requirement changed since the pool filled, the registry itself rejects the
    /// list with `ContributionTotalMismatch` (a lowered maximum: `MaxContributorsExceeded`) and the
    /// operator resets.
    function finalize() external {
        _onlyOperator();
        Header memory h = _header;
        if (h.status != Status.WaitForFinalized) revert InvalidStatus(h.status);
        _finalize(h);
    }

    // ------------------------------------------------------------------------------- operator
    /// @notice Refunds every contribution (none after finalize: the stake is in the registry), drops the
    /// reservations and returns to `WaitForOperatorContrib` with the registry's current staking requirement
    /// and maximum contributors (operator only, any state). Keys, fee and manualFinalize are kept.
    function reset() external {
        _onlyOperator();
        _reset(_header);
    }

    /// @notice Switches auto-finalize (operator only, any state before finalize). Turning it off never
    /// registers by itself; {finalize} does.
    /// @param manualFinalize_ True: only {finalize} registers the filled node.
    function updateManualFinalize(bool manualFinalize_) external {
        _onlyOperator();
        Header memory h = _header;
        if (h.status == Status.Finalized) revert InvalidStatus(h.status);
        _header.manualFinalize = manualFinalize_;
        emit ManualFinalizeUpdated(manualFinalize_);
    }

    /// @notice Sets the fee (operator only, before its first contribution — contributors are protected
    /// from fee changes).
    /// @param fee Basis points of 10,000.
    function updateFee(uint16 fee) external {
        _onlyOperator();
        Header memory h = _header;
        _updateFee(h, fee);
        _header = h;
    }

    /// @notice Replaces the node keys (operator only, before its first contribution); the proof of
    /// possession is verified with the registry's verifier for the operator.
    /// @param pubkey BLS key.
    /// @param proofOfPossession The key's signature of the proof-of-possession message.
    /// @param ed25519Pubkey Ed25519 key.
    /// @param ed25519Signature0 First half of the Ed25519 signature.
    /// @param ed25519Signature1 Second half of the Ed25519 signature.
    function updatePubkeys(
        BN254.G1Point calldata pubkey,
        BLSSignatureParams calldata proofOfPossession,
        uint256 ed25519Pubkey,
        uint256 ed25519Signature0,
        uint256 ed25519Signature1
    ) external {
        _onlyOperator();
        Header memory h = _header;
        _updatePubkeys(h, pubkey, proofOfPossession, ed25519Pubkey, ed25519Signature0, ed25519Signature1);
        _header = h;
    }

    /// @notice Replaces the reservations (operator only, before its first contribution).
    /// @param reserved Reserved slots in slot order (the first may be the operator's own); empty clears them.
    function updateReservedContributors(Reservation[] calldata reserved) external {
        _onlyOperator();
        Header memory h = _header;
        if (h.status != Status.WaitForOperatorContrib) revert InvalidStatus(h.status);
        _clearEntries(h.count);
        h.count = 1;
        h.reserved = 0;
        _setReservations(h, reserved);
        _bumpEpoch();
        _header = h;
    }

    /// @notice One transaction to re-register after an exit (or to start over): {reset}, new keys, fee and
    /// reservations, and the operator's contribution if `amount` is non-zero (operator only).
    /// @param pubkey BLS key.
    /// @param proofOfPossession The key's proof of possession for the operator.
    /// @param params Ed25519 key and signature, and the fee.
    /// @param reserved Reserved slots (the first may be the operator's own).
    /// @param amount The operator's contribution (0: none yet).
    /// @param beneficiary The operator's beneficiary (zero: itself).
    function resetUpdateAndContribute(
        BN254.G1Point calldata pubkey,
        BLSSignatureParams calldata proofOfPossession,
        ServiceNodeParams calldata params,
        Reservation[] calldata reserved,
        uint256 amount,
        address beneficiary
    ) external {
        _onlyOperator();
        Header memory h = _header;
        _reset(h);
        _updatePubkeys(h, pubkey, proofOfPossession, params.ed25519Pubkey, params.ed25519Signature0, params.ed25519Signature1);
        _updateFee(h, params.fee);
        if (reserved.length != 0) {
            _setReservations(h, reserved);
            _bumpEpoch();
        }
        _header = h;
        if (amount != 0) _contribute(msg.sender, amount, beneficiary);
    }

    /// @notice {resetUpdateAndContribute} keeping the node keys (re-registering the same node after an
    /// exit): {reset}, fee, reservations and the operator's contribution if `amount` is non-zero.
    /// @param fee Basis points of 10,000.
    /// @param reserved Reserved slots (the first may be the operator's own).
    /// @param amount The operator's contribution (0: none yet).
    /// @param beneficiary The operator's beneficiary (zero: itself).
    function resetUpdateFeeReservedAndContribute(
        uint16 fee,
        Reservation[] calldata reserved,
        uint256 amount,
        address beneficiary
    ) external {
        _onlyOperator();
        Header memory h = _header;
        _reset(h);
        _updateFee(h, fee);
        if (reserved.length != 0) {
            _setReservations(h, reserved);
            _bumpEpoch();
        }
        _header = h;
        if (amount != 0) _contribute(msg.sender, amount, beneficiary);
    }

    /// @notice Sends the operator a token sent here by mistake, never contributors' funds: any other
    /// token in full; SESH only above the recorded contributions (all of it once finalized).
    /// @param erc20 The token.
    function rescueERC20(IERC20 erc20) external {
        address op = _onlyOperator();
        Header memory h = _header;
        uint256 amount = erc20.balanceOf(address(this));
        if (address(erc20) == address(token) && h.status != Status.Finalized) {
            amount = amount > h.paid ? amount - h.paid : 0;
        }
        if (amount == 0) revert NothingToRescue(address(erc20));
        emit ERC20Rescued(address(erc20), amount);
        erc20.safeTransfer(op, amount);
    }

    // ------------------------------------------------------------------------------- views
    /// @notice The operator (contributor 0), fixed at creation.
    /// @return The operator.
    function operator() external view returns (address) {
        return _operator();
    }

    /// @notice The version of the pool's terms: changes with every reset, fee change, key update and
    /// reservation change (one per {PoolReset}, {FeeUpdated}, {PubkeysUpdated} and
    /// {ReservedContributorsUpdated} after creation) and never repeats. Contributors state it.
    /// @return The epoch (0 until the first change).
    function epoch() external view returns (uint256) {
        return _terms.epoch;
    }

    /// @notice The lifecycle status.
    /// @return The status.
    function status() external view returns (Status) {
        return _header.status;
    }

    /// @notice Whether only {finalize} registers the filled node.
    /// @return The flag.
    function manualFinalize() external view returns (bool) {
        return _header.manualFinalize;
    }

    /// @notice The staking requirement snapshotted from the registry (at creation or the last reset).
    /// @return Atomic SESH.
    function stakingRequirement() external view returns (uint256) {
        return _header.requirement;
    }

    /// @notice The maximum contributors snapshotted from the registry (at creation or the last reset).
    /// @return The maximum, operator included.
    function maxContributors() external view returns (uint256) {
        return _header.maxContributors;
    }

    /// @notice Sum of the contributions paid (held here until finalize, then in the registry).
    /// @return Atomic SESH.
    function totalContribution() external view returns (uint256) {
        return _header.paid;
    }

    /// @notice Sum of the reservations not yet paid.
    /// @return Atomic SESH.
    function totalReservedContribution() external view returns (uint256) {
        return _header.reserved;
    }

    /// @notice Slots taken: the operator's, paid contributors' and unpaid reservations.
    /// @return The count.
    function contributorSlots() external view returns (uint256) {
        return _header.count;
    }

    /// @notice What the operator has paid.
    /// @return Atomic SESH.
    function operatorContribution() external view returns (uint256) {
        Entry memory e = _entries[0];
        return e.time == 0 ? 0 : e.amount;
    }

    /// @notice The operator's share of the requirement in basis points (rounded down).
    /// @return Basis points of 10,000.
    function operatorShare() external view returns (uint256) {
        Header memory h = _header;
        return uint256(_entries[0].amount) * MAX_FEE / h.requirement;
    }

    /// @notice The minimum a new, unreserved contributor must pay now: ceil(available / free slots); before
    /// the operator's first contribution the operator's minimum (its reservation, or ceil(requirement / 4)),
    /// as the reference; 0 if the pool does not take contributions now (filled, finalized, no free slot).
    /// @return Atomic SESH.
    function minimumContribution() external view returns (uint256) {
        Header memory h = _header;
        if (h.status == Status.WaitForOperatorContrib) return _operatorMinimum(h, _entries[0]);
        // solhint-disable-next-line gas-strict-inequalities
        if (h.status != Status.OpenForPublicContrib || h.count >= h.maxContributors) return 0;
        return calcMinimumContribution(uint256(h.requirement) - h.paid - h.reserved, h.count, h.maxContributors);
    }

    /// @notice The minimum `who` must pay now: the operator's quarter before it opened the pool, its
    /// reservation, 1 for a top-up, else {minimumContribution}; 0 if `who` cannot contribute now.
    /// @param who The account.
    /// @return Atomic SESH.
    function minimumContributionFor(address who) external view returns (uint256) {
        Header memory h = _header;
        if (h.status == Status.WaitForOperatorContrib) {
            return who == _operator() ? _operatorMinimum(h, _entries[0]) : 0;
        }
        if (h.status != Status.OpenForPublicContrib) return 0;
        (uint256 i, Entry memory e) = _find(h, who);
        if (i < h.count) return e.time == 0 ? e.amount : 1;
        // solhint-disable-next-line gas-strict-inequalities
        if (h.count >= h.maxContributors) return 0;
        return calcMinimumContribution(uint256(h.requirement) - h.paid - h.reserved, h.count, h.maxContributors);
    }

    /// @notice Paid contributions in slot order (operator first once it paid), with beneficiaries and the
    /// time of each contributor's last contribution.
    /// @return contributors Staker address and beneficiary, and amount, as the registry receives them.
    /// @return times Last contribution timestamps.
    function getContributors() external view returns (Contributor[] memory contributors, uint256[] memory times) {
        Header memory h = _header;
        contributors = new Contributor[](h.count);
        times = new uint256[](h.count);
        uint256 n;
        for (uint256 i = 0; i < h.count; ++i) {
            Entry memory e = _entries[i];
            if (e.time == 0) continue;
            contributors[n] = Contributor(Staker(e.addr, _beneficiary(h, i, e.addr)), e.amount);
            times[n] = e.time;
            ++n;
        }
        // Shortens the arrays to the n ≤ allocated entries filled: length words only.
        assembly ("memory-safe") {
            mstore(contributors, n)
            mstore(times, n)
        }
    }

    /// @notice Paid contributions in slot order (operator first once it paid), in the reference's shape
    /// (the staking backend reads it).
    /// @return addrs Contributors.
    /// @return beneficiaries Their reward recipients.
    /// @return amounts Their contributions (atomic SESH).
    function getContributions()
        external
        view
        returns (address[] memory addrs, address[] memory beneficiaries, uint256[] memory amounts)
    {
        Header memory h = _header;
        addrs = new address[](h.count);
        beneficiaries = new address[](h.count);
        amounts = new uint256[](h.count);
        uint256 n;
        for (uint256 i = 0; i < h.count; ++i) {
            Entry memory e = _entries[i];
            if (e.time == 0) continue;
            addrs[n] = e.addr;
            beneficiaries[n] = _beneficiary(h, i, e.addr);
            amounts[n] = e.amount;
            ++n;
        }
        // Shortens the arrays to the n ≤ allocated entries filled: length words only.
        assembly ("memory-safe") {
            mstore(addrs, n)
            mstore(beneficiaries, n)
            mstore(amounts, n)
        }
    }

    /// @notice The node's BLS key (the reference's `blsPubkey()`).
    /// @return The key the pool will register.
    function blsPubkey() external view returns (BN254.G1Point memory) {
        (BN254.G1Point memory pk,,) = _registration(_header);
        return pk;
    }

    /// @notice The node's Ed25519 key and signature and the fee (the reference's `serviceNodeParams()`).
    /// @return The parameters the pool will register.
    function serviceNodeParams() external view returns (ServiceNodeParams memory) {
        (,, ServiceNodeParams memory params) = _registration(_header);
        return params;
    }

    /// @notice Reservations not yet paid, in slot order.
    /// @return reserved Addresses and amounts.
    function getReservations() external view returns (Reservation[] memory reserved) {
        Header memory h = _header;
        reserved = new Reservation[](h.count);
        uint256 n;
        for (uint256 i = 1; i < h.count; ++i) {
            Entry memory e = _entries[i];
            if (e.time != 0) continue;
            reserved[n] = Reservation(e.addr, e.amount);
            ++n;
        }
        // Shortens the array to the n ≤ allocated entries filled: its length word only.
        assembly ("memory-safe") {
            mstore(reserved, n)
        }
    }

    /// @notice `who`'s paid contribution, beneficiary and last contribution time (zeros if none).
    /// @param who The account.
    /// @return amount Atomic SESH.
    /// @return beneficiary Reward recipient.
    /// @return time Last contribution timestamp.
    function contributionOf(address who) external view returns (uint256 amount, address beneficiary, uint256 time) {
        Header memory h = _header;
        (uint256 i, Entry memory e) = _find(h, who);
        if (i == h.count || e.time == 0) return (0, address(0), 0);
        return (e.amount, _beneficiary(h, i, e.addr), e.time);
    }

    /// @notice The registration the pool will submit: BLS key, proof of possession, Ed25519 key and
    /// signature, and the current fee.
    /// @return pubkey BLS key.
    /// @return proofOfPossession Its proof of possession.
    /// @return params Ed25519 key, signature and fee.
    function registration()
        external
        view
        returns (BN254.G1Point memory pubkey, BLSSignatureParams memory proofOfPossession, ServiceNodeParams memory params)
    {
        return _registration(_header);
    }

    /// @notice ceil(remaining / 4) for the first slot, else ceil(remaining / (max − taken)).
    /// @param remaining Stake not yet paid or reserved.
    /// @param taken Slots taken.
    /// @param max Maximum contributors.
    /// @return The minimum (reverts with {ContributorsFull} if no slot is free).
    function calcMinimumContribution(uint256 remaining, uint256 taken, uint256 max) public pure returns (uint256) {
        // solhint-disable-next-line gas-strict-inequalities
        if (taken >= max) revert ContributorsFull(max);
        uint256 slots = taken == 0 ? 4 : max - taken;
        return (remaining + slots - 1) / slots;
    }

    // ------------------------------------------------------------------------------- internals
    /// @dev The three cases (new slot, first payment of a reserved/operator slot, top-up) share the checks
    /// and the bookkeeping; split up they would pass the header and entry around in memory.
    // solhint-disable-next-line function-max-lines
    function _contribute(address caller, uint256 amount, address beneficiary) private {
        Header memory h = _header;
        if (h.status == Status.WaitForOperatorContrib) {
            if (caller != _operator()) revert WaitingForOperatorContribution();
        } else if (h.status != Status.OpenForPublicContrib) {
            revert InvalidStatus(h.status);
        }
        _checkRegistryUnchanged(h);
        if (amount == 0) revert ZeroAmount();
        (uint256 i, Entry memory e) = _find(h, caller);
        // paid + reserved ≤ requirement is kept by every change below.
        uint256 available = uint256(h.requirement) - h.paid - h.reserved;
        uint256 previous;
        bool isNew = i == h.count;
        if (isNew) {
            uint256 minimum = calcMinimumContribution(available, i, h.maxContributors);
            if (amount < minimum) revert ContributionBelowMinimum(amount, minimum);
            // Cannot overflow: i < maxContributors ≤ 255.
            unchecked {
                h.count = uint8(i + 1);
            }
            e.addr = caller;
        } else if (e.time == 0) {
            if (i == 0) {
                // The operator's own reservation (if any) is at least the quarter.
                uint256 minimum = _operatorMinimum(h, e);
                if (amount < minimum) revert ContributionBelowMinimum(amount, minimum);
                h.status = Status.OpenForPublicContrib;
                e.addr = caller;
            } else {
                if (amount < e.amount) revert ContributionBelowReservation(amount, e.amount);
                // Kept so that a withdrawal gives the slot back as a reservation (as the reference).
                _reservations[i] = e.amount;
                // The reservation becomes part of what this contribution may use; e.amount ≤ reserved.
                unchecked {
                    available += e.amount;
                    h.reserved -= e.amount;
                }
            }
        } else {
            previous = e.amount;
        }
        if (amount > available) revert ContributionExceedsRequirement(amount, available);
        // Cannot overflow: amount ≤ available ≤ requirement < 2^64, and previous + amount ≤ requirement.
        unchecked {
            e.amount = uint64(previous + amount);
            h.paid += uint64(amount);
        }
        e.time = uint32(block.timestamp);
        _entries[i] = e;
        address effective;
        if (beneficiary != address(0)) {
            effective = _setBeneficiary(h, i, caller, beneficiary);
        } else {
            effective = isNew ? caller : _beneficiary(h, i, caller);
        }
        emit NewContribution(caller, effective, amount);
        if (i == 0 && previous == 0) emit OpenForPublicContribution(_pubkeyX(h), caller, h.fee);

        bool filled = h.paid == h.requirement;
        if (filled) {
            h.status = Status.WaitForFinalized;
            emit Filled(_pubkeyX(h), _operator());
        }
        _header = h;
        token.safeTransferFrom(caller, address(this), amount);
        if (filled && !h.manualFinalize) _finalize(h);
    }

    function _finalize(Header memory h) private {
        h.status = Status.Finalized;
        _header.status = Status.Finalized;
        uint256 count = h.count;
        Contributor[] memory contributors = new Contributor[](count);
        uint256 mask = h.customBeneficiaries ? _customBeneficiaries : 0;
        for (uint256 i = 0; i < count; ++i) {
            Entry memory e = _entries[i];
            address beneficiary = mask & (1 << i) == 0 ? e.addr : _beneficiaries[i];
            contributors[i] = Contributor(Staker(e.addr, beneficiary), e.amount);
        }
        (BN254.G1Point memory pk, BLSSignatureParams memory pop, ServiceNodeParams memory params) = _registration(h);
        emit Finalized(pk.X);
        token.forceApprove(address(registry), h.requirement);
        registry.addBLSPublicKey(pk, pop, params, contributors);
    }

    /// @dev Refunds (unless finalized), clears entries and beneficiaries, refreshes the snapshots; `h` is
    /// updated and written.
    function _reset(Header memory h) private {
        uint256 count = h.count;
        bool refund = h.status != Status.Finalized;
        address[] memory to = new address[](count);
        uint256[] memory amounts = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            Entry memory e = _entries[i];
            if (refund && e.time != 0) {
                to[i] = e.addr;
                amounts[i] = e.amount;
            }
            // Only a paid slot other than the operator's can hold a kept reservation.
            if (i != 0 && e.time != 0 && _reservations[i] != 0) delete _reservations[i];
            delete _entries[i];
        }
        uint256 mask = h.customBeneficiaries ? _customBeneficiaries : 0;
        if (mask != 0) {
            for (uint256 i = 0; i < count; ++i) {
                if (mask & (1 << i) != 0) delete _beneficiaries[i];
            }
            _customBeneficiaries = 0;
        }
        h.customBeneficiaries = false;
        h.status = Status.WaitForOperatorContrib;
        h.paid = 0;
        h.reserved = 0;
        h.count = 1;
        _snapshotRegistry(h, false);
        _header = h;
        _bumpEpoch();
        emit PoolReset(h.requirement, h.maxContributors);
        for (uint256 i = 0; i < count; ++i) {
            if (amounts[i] != 0) {
                emit WithdrawContribution(to[i], amounts[i]);
                token.safeTransfer(to[i], amounts[i]);
            }
        }
    }

    function _updateFee(Header memory h, uint16 fee) private {
        if (h.status != Status.WaitForOperatorContrib) revert InvalidStatus(h.status);
        if (fee > MAX_FEE) revert InvalidFee(fee);
        h.fee = fee;
        _bumpEpoch();
        emit FeeUpdated(fee);
    }

    function _updatePubkeys(
        Header memory h,
        BN254.G1Point calldata pubkey,
        BLSSignatureParams calldata proofOfPossession,
        uint256 ed25519Pubkey,
        uint256 ed25519Signature0,
        uint256 ed25519Signature1
    ) private {
        if (h.status != Status.WaitForOperatorContrib) revert InvalidStatus(h.status);
        _checkProofOfPossession(pubkey, proofOfPossession, ed25519Pubkey);
        _keys = Keys(pubkey, proofOfPossession, ed25519Pubkey, ed25519Signature0, ed25519Signature1);
        h.keysUpdated = true;
        _bumpEpoch();
        emit PubkeysUpdated(pubkey.X, ed25519Pubkey);
    }

    /// @dev Validates and stores reservations; `h.count` is 1 and no reservation is stored. A first
    /// reservation naming the operator is the operator's own stake (slot 0, at least ceil(requirement / 4),
    /// not counted in `h.reserved`: the operator pays before anyone else). Every other reservation must meet
    /// the minimum of its slot assuming the operator pays its minimum (or its reservation) and earlier
    /// reservations their amounts.
    function _setReservations(Header memory h, Reservation[] calldata reserved) private {
        uint256 n = reserved.length;
        uint256 max = h.maxContributors;
        address op = _operator();
        uint256 requirement = h.requirement;
        uint256 operatorStake = (requirement + 3) / 4;
        uint256 first;
        if (n != 0 && reserved[0].addr == op) {
            uint256 amount = reserved[0].amount;
            if (amount < operatorStake) revert ReservationBelowMinimum(0, amount, operatorStake);
            if (amount > requirement) revert ReservationExceedsRequirement(0, amount, requirement);
            operatorStake = amount;
            // amount ≤ requirement < 2^64.
            _entries[0] = Entry(op, uint64(amount), 0);
            first = 1;
        }
        // Cannot underflow: first ≤ n.
        uint256 others;
        unchecked {
            others = n - first;
        }
        if (others + 1 > max) revert TooManyReservations(others, max);
        uint256 available = requirement - operatorStake;
        for (uint256 j = first; j < n; ++j) {
            address addr = reserved[j].addr;
            uint256 amount = reserved[j].amount;
            if (addr == address(0) || addr == op || amount == 0) revert InvalidReservation(j);
            for (uint256 k = first; k < j; ++k) {
                if (reserved[k].addr == addr) revert InvalidReservation(j);
            }
            // Cannot overflow or underflow: first ≤ j < n ≤ 255.
            uint256 slot;
            unchecked {
                slot = j - first + 1;
            }
            uint256 minimum = calcMinimumContribution(available, slot, max);
            if (amount < minimum) revert ReservationBelowMinimum(j, amount, minimum);
            if (amount > available) revert ReservationExceedsRequirement(j, amount, available);
            // Cannot underflow: checked just above.
            unchecked {
                available -= amount;
            }
            // amount ≤ requirement < 2^64.
            _entries[slot] = Entry(addr, uint64(amount), 0);
        }
        // Cannot overflow: others < max ≤ 255 and the sum is at most the requirement.
        unchecked {
            h.count = uint8(others + 1);
            h.reserved = uint64(requirement - operatorStake - available);
        }
        emit ReservedContributorsUpdated(reserved);
    }

    /// @dev Before the operator's first contribution: drops every reservation, the operator's own too.
    function _clearEntries(uint256 count) private {
        for (uint256 i = 0; i < count; ++i) delete _entries[i];
    }

    /// @dev Records `beneficiary` for slot `i` (the contributor itself clears the record); returns it.
    function _setBeneficiary(Header memory h, uint256 i, address contributor, address beneficiary)
        private
        returns (address)
    {
        uint256 mask = h.customBeneficiaries ? _customBeneficiaries : 0;
        uint256 bit = 1 << i;
        if (beneficiary == contributor) {
            if (mask & bit != 0) {
                _customBeneficiaries = mask & ~bit;
                delete _beneficiaries[i];
            }
        } else {
            if (mask & bit == 0) _customBeneficiaries = mask | bit;
            _beneficiaries[i] = beneficiary;
            h.customBeneficiaries = true;
        }
        return beneficiary;
    }

    function _beneficiary(Header memory h, uint256 i, address contributor) private view returns (address) {
        if (!h.customBeneficiaries) return contributor;
        return _customBeneficiaries & (1 << i) == 0 ? contributor : _beneficiaries[i];
    }

    /// @dev The operator's first contribution: ceil(requirement / 4), or its own reservation in slot 0 `e`.
    function _operatorMinimum(Header memory h, Entry memory e) private pure returns (uint256 minimum) {
        minimum = (uint256(h.requirement) + 3) / 4;
        if (e.time == 0 && e.amount > minimum) minimum = e.amount;
    }

    /// @dev Slot of `who` (0 for the operator) and its entry; `h.count` and an empty entry if absent.
    function _find(Header memory h, address who) private view returns (uint256, Entry memory) {
        if (who == _operator()) return (0, _entries[0]);
        uint256 count = h.count;
        for (uint256 i = 1; i < count; ++i) {
            Entry memory e = _entries[i];
            if (e.addr == who) return (i, e);
        }
        return (count, Entry(address(0), 0, 0));
    }

    function _checkEpoch(uint256 expected) private view {
        uint256 actual = _terms.epoch;
        if (expected != actual) revert PoolEpochChanged(expected, actual);
    }

    /// @dev Records a change of the terms (called once per terms event).
    function _bumpEpoch() private {
        Terms memory t = _terms;
        // Checked: 2^64 changes cannot be paid for, and the epoch must never wrap to a value seen before.
        ++t.epoch;
        t.changedAt = uint64(block.timestamp);
        _terms = t;
    }

    function _onlyOperator() private view returns (address op) {
        op = _operator();
        if (msg.sender != op) revert NotOperator(msg.sender);
    }

    function _checkRegistryUnchanged(Header memory h) private view {
        IServiceNodeRewardsViews views = IServiceNodeRewardsViews(address(registry));
        uint256 requirement = views.stakingRequirement();
        if (requirement != h.requirement) revert StakingRequirementChanged(h.requirement, requirement);
        uint256 max = views.maxContributors();
        if (max != h.maxContributors) revert MaxContributorsChanged(h.maxContributors, max);
    }

    /// @dev At creation an oversized requirement reverts; on reset it must not block the refunds, so it is
    /// clamped (contributions then revert with {StakingRequirementChanged} until the registry fits again).
    function _snapshotRegistry(Header memory h, bool strict) private view {
        IServiceNodeRewardsViews views = IServiceNodeRewardsViews(address(registry));
        uint256 requirement = views.stakingRequirement();
        if (requirement > type(uint64).max) {
            if (strict) revert UnsupportedStakingRequirement(requirement);
            requirement = type(uint64).max;
        }
        h.requirement = uint64(requirement);
        // The registry keeps its maximum in a uint8 (1 to 255).
        h.maxContributors = uint8(views.maxContributors());
    }

    function _checkProofOfPossession(BN254.G1Point memory pk, BLSSignatureParams memory pop, uint256 ed25519Pubkey)
        private
        view
    {
        if (ed25519Pubkey == 0) revert NullEd25519Pubkey();
        address rewards = address(registry);
        bytes memory message =
            abi.encodePacked(BLS.tag(BLS.PROOF_OF_POSSESSION_TAG, rewards), pk.X, pk.Y, _operator(), ed25519Pubkey);
        BLSVerifier verifier = IServiceNodeRewardsViews(rewards).blsVerifier();
        if (!verifier.verify(pk, pop, message, BLS.tag(BLS.HASH_TO_FIELD_TAG, rewards))) {
            revert InvalidProofOfPossession();
        }
    }

    /// @dev The operator: the first 20 bytes of the clone args (after the 45-byte EIP-1167 code).
    function _operator() private view returns (address op) {
        // Copies the clone argument into the scratch word at 0x00.
        assembly ("memory-safe") {
            extcodecopy(address(), 0, 0x2d, 0x14)
            op := shr(96, mload(0))
        }
    }

    function _pubkeyX(Header memory h) private view returns (uint256 x) {
        if (h.keysUpdated) return _keys.pubkey.X;
        // Copies the clone argument into the scratch word at 0x00.
        assembly ("memory-safe") {
            extcodecopy(address(), 0, 0x41, 0x20)
            x := mload(0)
        }
    }

    /// @dev The registration data: from storage after {updatePubkeys}, else from the clone args.
    function _registration(Header memory h)
        private
        view
        returns (BN254.G1Point memory pk, BLSSignatureParams memory pop, ServiceNodeParams memory params)
    {
        if (h.keysUpdated) {
            Keys memory k = _keys;
            return (k.pubkey, k.proofOfPossession, ServiceNodeParams(k.ed25519Pubkey, k.ed25519Signature0, k.ed25519Signature1, h.fee));
        }
        uint256[9] memory w;
        // Copies 9 words of clone arguments into `w`, which owns exactly 9 words.
        assembly ("memory-safe") {
            // Args after the operator: X, Y, sigs0..3, ed25519 key, signature 0 and 1 (9 words at 0x2d + 0x14).
            extcodecopy(address(), w, 0x41, 0x120)
        }
        pk = BN254.G1Point(w[0], w[1]);
        pop = BLSSignatureParams(w[2], w[3], w[4], w[5]);
        params = ServiceNodeParams(w[6], w[7], w[8], h.fee);
    }
}
