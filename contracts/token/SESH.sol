// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title SESH, the Session Network token
/// @notice Fixed-supply ERC-20 with ERC-2612 permit and 9 decimals. The whole supply is minted once, at
/// deployment, to `receiver`; the contract has no mint function, so the supply can never grow.
contract SESH is ERC20, ERC20Permit {
    /// @notice The whole supply: 240,000,000 SESH in atomic units (9 decimals).
    uint256 public constant TOTAL_SUPPLY = 240_000_000 * 10 ** 9;

    /// @param receiver Account that receives the entire fixed supply (the zero address reverts with
    /// OpenZeppelin's `ERC20InvalidReceiver`).
    constructor(address receiver) ERC20("Session", "SESH") ERC20Permit("Session") {
        _mint(receiver, TOTAL_SUPPLY);
    }

    /// @notice SESH uses 9 decimals, like the Oxen/Session coin it replaces.
    function decimals() public pure override returns (uint8) {
        return 9;
    }
}
