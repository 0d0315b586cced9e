// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Import-only file: makes Hardhat compile ERC1967Proxy so tests and scripts can deploy proxies.
// solhint-disable-next-line no-unused-import
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
