// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IRewardRatePool} from "../interfaces/IRewardRatePool.sol";

/// @title RewardRatePool
/// @notice Holds the Session Network reward reserve (SESH sent to it by anyone: the deployer, later
/// name-service fees and liquidation penalties) and releases 15.1 % per year SIMPLE interest on its
/// balance to a beneficiary, the ServiceNodeRewards contract.
///
/// Accrual: a payout sends `balance * ANNUAL_SIMPLE_PAYOUT_RATE * elapsed / (BASIS_POINTS * YEAR)`
/// (151 / 1,000: 15.1 %; rounded down, never more than the balance), where `balance` is the pool's balance at payout time and `elapsed` the
/// seconds since the last payout. Tokens deposited between two payouts therefore accrue from the start
/// of that interval; a depositor who wants them to accrue only from the deposit calls `payoutReleased`
/// first. Rewards that accrued but were not paid out go to whoever is the beneficiary at payout time.
///
/// Rate: {rewardRate} is the reference's: one 120 s block of interest on what stays in the pool once the
/// interest accrued since the last payout is paid out (`totalDeposited − calculateReleasedAmount()`), so
/// the rate the node network reads does not depend on when someone last called {payoutReleased}.
///
/// Rounding: a call whose amount rounds down to zero on a non-empty pool changes nothing, so frequent
/// calls cannot starve the beneficiary; otherwise each payout loses less than one atomic unit.
///
/// Deployment: the pool is deployed before the rewards contract, so `initialize` accepts a zero
/// beneficiary; `payoutReleased` reverts with {BeneficiaryNotSet} until the owner sets one. Interest
/// accrues from initialisation.
///
/// Upgrades: UUPS behind an ERC-1967 proxy, authorised by the owner (Ownable2Step; renouncing is
/// disabled so the pool can always be upgraded and re-pointed). State lives in ERC-7201 namespaced
/// storage (`session.storage.RewardRatePool`), so no storage gap is needed.
///
/// Reentrancy: `payoutReleased` updates its state before its only state-changing external call (the
/// token transfer), so a re-entrant call would find zero elapsed time and pay nothing. With SESH, a plain
/// ERC-20 without transfer hooks, no re-entry is reachable at all.
/// @custom:oz-upgrades-unsafe-allow constructor
contract RewardRatePool is IRewardRatePool, Initializable, Ownable2StepUpgradeable, UUPSUpgradeable {
    using SafeERC20 for IERC20;

    /// @notice Annual simple-interest rate, per mille of {BASIS_POINTS} (the reference's name): 15.1 %.
    uint256 public constant ANNUAL_SIMPLE_PAYOUT_RATE = 151;
    /// @notice Denominator of {ANNUAL_SIMPLE_PAYOUT_RATE}: 1,000 (per mille, named as in the reference).
    uint256 public constant BASIS_POINTS = 1000;
    /// @notice Length of the interest year in seconds (365 days).
    uint256 public constant YEAR = 365 days;
    /// @notice Block time the node network assumes when sampling {rewardRate}: 2 minutes.
    uint256 public constant BLOCK_TIME = 120;
    /// @notice Elapsed seconds after which the closed form reaches the whole balance:
    /// ceil(BASIS_POINTS * YEAR / ANNUAL_SIMPLE_PAYOUT_RATE), about 6.6 years.
    uint256 public constant FULL_RELEASE_SECONDS =
        (BASIS_POINTS * YEAR + ANNUAL_SIMPLE_PAYOUT_RATE - 1) / ANNUAL_SIMPLE_PAYOUT_RATE;

    /// @custom:storage-location erc7201:session.storage.RewardRatePool
    struct RewardRatePoolStorage {
        IERC20 token;
        address beneficiary;
        // Packed in one slot: both are written by every payout.
        uint64 lastPaidOutTime;
        uint192 totalPaidOut;
    }

    // keccak256(abi.encode(uint256(keccak256("session.storage.RewardRatePool")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0x184d8091807a8114d403722961282b318f340f2933b5b66adf074f233ef45800;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initialises the proxy's state; callable once.
    /// @param initialOwner Owner (sets the beneficiary, authorises upgrades); must not be zero.
    /// @param token_ The reward token (SESH); must not be zero.
    /// @param beneficiary_ Receiver of released rewards; may be zero and set later with {setBeneficiary}.
    function initialize(address initialOwner, address token_, address beneficiary_) external initializer {
        if (token_ == address(0)) revert InvalidToken(token_);
        __Ownable_init(initialOwner);
        __Ownable2Step_init();
        RewardRatePoolStorage storage $ = _getStorage();
        $.token = IERC20(token_);
        $.lastPaidOutTime = SafeCast.toUint64(block.timestamp);
        if (beneficiary_ != address(0)) {
            $.beneficiary = beneficiary_;
            emit BeneficiaryUpdated(address(0), beneficiary_);
        }
    }

    /// @inheritdoc IRewardRatePool
    /// @dev Callable by anyone. Reverts with {BeneficiaryNotSet} while no beneficiary is set. Returns 0
    /// without changing state when the accrued amount rounds down to zero on a non-empty pool.
    function payoutReleased() external returns (uint256 amount) {
        RewardRatePoolStorage storage $ = _getStorage();
        address to = $.beneficiary;
        if (to == address(0)) revert BeneficiaryNotSet();
        IERC20 rewardToken = $.token;
        uint256 balance = rewardToken.balanceOf(address(this));
        amount = calculatePayoutAmount(balance, block.timestamp - $.lastPaidOutTime);
        // Keep accruing from the old timestamp rather than discarding a sub-unit amount.
        if (amount == 0 && balance != 0) return 0;

        // Effects before the interaction.
        $.lastPaidOutTime = SafeCast.toUint64(block.timestamp);
        $.totalPaidOut = SafeCast.toUint192(uint256($.totalPaidOut) + amount);
        emit FundsReleased(amount);

        if (amount != 0) rewardToken.safeTransfer(to, amount);
    }

    /// @inheritdoc IRewardRatePool
    /// @dev Only the owner. Rewards accrued but not yet paid out go to the new beneficiary.
    function setBeneficiary(address newBeneficiary) external onlyOwner {
        if (newBeneficiary == address(0)) revert InvalidBeneficiary(newBeneficiary);
        RewardRatePoolStorage storage $ = _getStorage();
        address previous = $.beneficiary;
        $.beneficiary = newBeneficiary;
        emit BeneficiaryUpdated(previous, newBeneficiary);
    }

    /// @notice Disabled: always reverts with {RenounceOwnershipDisabled}.
    function renounceOwnership() public pure override {
        revert RenounceOwnershipDisabled();
    }

    /// @inheritdoc IRewardRatePool
    function token() external view returns (IERC20) {
        return _getStorage().token;
    }

    /// @inheritdoc IRewardRatePool
    function beneficiary() external view returns (address) {
        return _getStorage().beneficiary;
    }

    /// @inheritdoc IRewardRatePool
    function lastPaidOutTime() external view returns (uint256) {
        return _getStorage().lastPaidOutTime;
    }

    /// @inheritdoc IRewardRatePool
    function totalPaidOut() external view returns (uint256) {
        return _getStorage().totalPaidOut;
    }

    /// @inheritdoc IRewardRatePool
    /// @dev `calculatePayoutAmount(balance − calculatePayoutAmount(balance, now − lastPaidOutTime), BLOCK_TIME)`,
    /// which equals the reference's `totalDeposited − calculateReleasedAmount()` form.
    function rewardRate() external view returns (uint256) {
        RewardRatePoolStorage storage $ = _getStorage();
        uint256 balance = $.token.balanceOf(address(this));
        // The accrued amount never exceeds the balance (calculatePayoutAmount is capped).
        return calculatePayoutAmount(balance - calculatePayoutAmount(balance, block.timestamp - $.lastPaidOutTime), BLOCK_TIME);
    }

    /// @inheritdoc IRewardRatePool
    function releasable() external view returns (uint256) {
        return calculateReleasedAmount(block.timestamp) - _getStorage().totalPaidOut;
    }

    /// @inheritdoc IRewardRatePool
    function calculateReleasedAmount() external view returns (uint256) {
        return calculateReleasedAmount(block.timestamp);
    }

    /// @inheritdoc IRewardRatePool
    function calculateTotalDeposited() external view returns (uint256) {
        RewardRatePoolStorage storage $ = _getStorage();
        return $.token.balanceOf(address(this)) + $.totalPaidOut;
    }

    /// @inheritdoc IRewardRatePool
    /// @dev `totalPaidOut` plus the interest on the current balance from the last payout to
    /// `timestamp`; reverts with {TimestampBeforeLastPayout} for a time before the last payout.
    function calculateReleasedAmount(uint256 timestamp) public view returns (uint256) {
        RewardRatePoolStorage storage $ = _getStorage();
        uint256 last = $.lastPaidOutTime;
        if (timestamp < last) revert TimestampBeforeLastPayout(timestamp, last);
        return $.totalPaidOut + calculatePayoutAmount($.token.balanceOf(address(this)), timestamp - last);
    }

    /// @inheritdoc IRewardRatePool
    /// @dev Equals min(balance, floor(balance * ANNUAL_SIMPLE_PAYOUT_RATE * elapsed / (BASIS_POINTS * YEAR)))
    /// for every input, without overflow (the reference's has no cap and overflows for huge inputs).
    function calculatePayoutAmount(uint256 balance, uint256 elapsed) public pure returns (uint256) {
        if (elapsed > FULL_RELEASE_SECONDS - 1) return balance;
        // elapsed < ceil(BASIS_POINTS * YEAR / RATE) implies elapsed * RATE < BASIS_POINTS * YEAR: the
        // product cannot overflow and the quotient is below `balance`.
        return Math.mulDiv(balance, elapsed * ANNUAL_SIMPLE_PAYOUT_RATE, BASIS_POINTS * YEAR);
    }

    /// @dev Upgrades are authorised by the owner only.
    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _getStorage() private pure returns (RewardRatePoolStorage storage $) {
        // Sets a storage pointer; touches no memory.
        assembly ("memory-safe") {
            $.slot := STORAGE_LOCATION
        }
    }
}
