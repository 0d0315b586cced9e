// SPDX-License-Identifier: MIT
// Test doubles kept together: neither is deployed outside the tests.
// solhint-disable one-contract-per-file
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {BN254} from "../libraries/BN254.sol";
import {BLSSignatureParams} from "../libraries/BLS.sol";
import {ServiceNodeParams} from "../interfaces/IServiceNodeRewards.sol";
import {ServiceNodeContributionFactory} from "../staking/ServiceNodeContributionFactory.sol";
import {Reservation} from "../interfaces/IServiceNodeContribution.sol";

/// @notice Test only: a contract operator (shows the factory takes msg.sender, never tx.origin).
contract PoolDeployer {
    /// @notice Forwards to {ServiceNodeContributionFactory.deploy}; this contract becomes the operator.
    function deploy(
        ServiceNodeContributionFactory factory,
        BN254.G1Point calldata pubkey,
        BLSSignatureParams calldata pop,
        ServiceNodeParams calldata params,
        Reservation[] calldata reserved
    ) external returns (address) {
        return factory.deploy(pubkey, pop, params, reserved, false);
    }
}

/// @notice Test only: an ERC-20 that calls `target` with `data` on every transfer, recording whether the
/// re-entrant call succeeded (it must not).
contract ReentrantToken is ERC20 {
    /// @notice Contract re-entered on transfer.
    address public reentryTarget;
    /// @notice Calldata of the re-entrant call.
    bytes public data;
    /// @notice Whether a re-entrant call was attempted.
    bool public attempted;
    /// @notice Whether the last re-entrant call succeeded.
    bool public succeeded;

    constructor() ERC20("Reentrant", "RE") {
        _mint(msg.sender, 1e30);
    }

    /// @notice Arms the hook.
    /// @param target_ Contract to call.
    /// @param data_ Calldata.
    function arm(address target_, bytes calldata data_) external {
        reentryTarget = target_;
        data = data_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (reentryTarget != address(0) && from == reentryTarget) {
            attempted = true;
            // solhint-disable-next-line avoid-low-level-calls
            (succeeded,) = reentryTarget.call(data);
        }
    }
}
