// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IRewardRatePool
/// @notice The reward reserve of the Session Network: releases 15.1 % per year simple interest on its
/// remaining balance to a beneficiary (the ServiceNodeRewards contract).
interface IRewardRatePool {
    // The reference's event (same topic): `amount` is not indexed, payouts are summed, never filtered on.
    /// @notice `amount` atomic units were paid out to the beneficiary by `payoutReleased`.
    // solhint-disable-next-line gas-indexed-events
    event FundsReleased(uint256 amount);

    /// @notice The beneficiary changed from `previousBeneficiary` to `newBeneficiary`.
    event BeneficiaryUpdated(address indexed previousBeneficiary, address indexed newBeneficiary);

    /// @notice `payoutReleased` was called while no beneficiary is set.
    error BeneficiaryNotSet();

    /// @notice `beneficiary` cannot receive the rewards (the zero address).
    error InvalidBeneficiary(address beneficiary);

    /// @notice `token` cannot be the reward token (the zero address).
    error InvalidToken(address token);

    /// @notice Renouncing ownership is disabled: the pool must always have an owner.
    error RenounceOwnershipDisabled();

    /// @notice A release was asked for `timestamp`, earlier than the last payout at `lastPaidOutTime`.
    error TimestampBeforeLastPayout(uint256 timestamp, uint256 lastPaidOutTime);

    /// @notice Pays everything released since the last payout to the beneficiary.
    /// @return amount Atomic units transferred.
    function payoutReleased() external returns (uint256 amount);

    /// @notice Sets the account that receives the released rewards (owner only).
    function setBeneficiary(address newBeneficiary) external;

    /// @notice The token held and released.
    function token() external view returns (IERC20);

    /// @notice The account that receives released rewards (zero until set).
    function beneficiary() external view returns (address);

    /// @notice Timestamp of the last payout (the initialisation time before the first one).
    function lastPaidOutTime() external view returns (uint256);

    /// @notice Sum of all payouts so far.
    function totalPaidOut() external view returns (uint256);

    /// @notice Release over one 2-minute block on what remains once the interest accrued since the last
    /// payout is paid out (the reference's formula; read by the node network at every block).
    function rewardRate() external view returns (uint256);

    /// @notice What `payoutReleased` would transfer now.
    function releasable() external view returns (uint256);

    /// @notice Cumulative amount released (paid out or payable) up to `timestamp`.
    function calculateReleasedAmount(uint256 timestamp) external view returns (uint256);

    /// @notice Cumulative amount released up to now (paid out or payable).
    function calculateReleasedAmount() external view returns (uint256);

    /// @notice Everything the pool has received: current balance plus total paid out.
    function calculateTotalDeposited() external view returns (uint256);

    /// @notice Simple interest at 15.1 % a year over `elapsed` seconds on `balance`, capped at `balance`.
    function calculatePayoutAmount(uint256 balance, uint256 elapsed) external pure returns (uint256);
}
