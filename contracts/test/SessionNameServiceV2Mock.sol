// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SessionNameService} from "../names/SessionNameService.sol";

/// @notice Test-only upgrade target: the name service plus a version marker, to check that upgrades keep state.
contract SessionNameServiceV2Mock is SessionNameService {
    /// @param sesh The SESH token.
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(IERC20 sesh) SessionNameService(sesh) {}

    /// @notice Marker that only the upgraded implementation has.
    function version() external pure returns (uint256) {
        return 2;
    }
}
