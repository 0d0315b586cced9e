// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ISessionNameService} from "../interfaces/ISessionNameService.sol";
import {ISessionNameRecords} from "../interfaces/ISessionNameRecords.sol";
import {IENSRegistryRead} from "../interfaces/IENSRegistryRead.sol";
import {
    IAddrResolver,
    IAddressResolver,
    ITextResolver,
    IExtendedResolver,
    IUniversalResolverRead
} from "../interfaces/IENSResolverProfiles.sol";
import {NameHash} from "./NameHash.sol";

/// @title ENS registry, resolver and universal-resolver view of the Session Name Service
/// @notice Stateless reader of the SessionNameService. It answers the ENS registry reads (`owner`, `resolver` →
/// this contract), the resolver profiles, ENSIP-10 `resolve` and the universal-resolver `resolveWithGateways`,
/// so ethers (`EnsPlugin(<this>)`) and viem (`universalResolverAddress: <this>`) resolve `alice.session`
/// unmodified. Non-upgradeable and stateless: a new one can be deployed at any time.
/// What ENS reads return: only PLAINTEXT records of LIVE names. `addr` is the plaintext wallet record;
/// `text(node, "session")` is the plaintext Session ID as 66 hex chars (`05…`); `text(node, "lokinet")` is the
/// plaintext Lokinet address (`<52 z-base-32 chars>.loki`); other keys are plaintext text records. Encrypted
/// records, unset records and expired names (from `expiry` on, grace included) read as the zero address / empty
/// string, exactly like "not set" in ENS. Encrypted values are read with `record` / `textRecord`.
contract SessionNameResolver is
    IERC165,
    IENSRegistryRead,
    IAddrResolver,
    IAddressResolver,
    ITextResolver,
    IExtendedResolver,
    IUniversalResolverRead
{
    uint8 private constant KIND_SESSION = 1;
    uint8 private constant KIND_LOKINET = 2;
    uint8 private constant KIND_WALLET = 3;
    bytes32 private constant SESSION_TEXT_KEY = keccak256("session");
    bytes32 private constant LOKINET_TEXT_KEY = keccak256("lokinet");

    /// @notice The name service whose records this resolver reads.
    ISessionNameRecords public immutable NAMES;

    /// @param names The SessionNameService (proxy).
    constructor(ISessionNameRecords names) {
        NAMES = names;
    }

    uint256 private constant COIN_TYPE_ETH = 60;
    bytes private constant HEX = "0123456789abcdef";
    bytes private constant ZBASE32 = "ybndrfg8ejkmcpqxot1uwisza345h769";

    /// @notice ENS registry read: holder of live `node`, else zero.
    function owner(bytes32 node) external view returns (address) {
        (address holder, uint256 expiry) = NAMES.nameOf(node);
        return block.timestamp < expiry ? holder : address(0);
    }

    /// @notice ENS registry read: this contract for live `node`, else zero.
    function resolver(bytes32 node) external view returns (address) {
        (, uint256 expiry) = NAMES.nameOf(node);
        return block.timestamp < expiry ? address(this) : address(0);
    }

    /// @notice ENS registry read: always 0 (no caching hint).
    function ttl(bytes32) external pure returns (uint64) {
        return 0;
    }

    /// @notice ENS registry read: whether `node` is a live name.
    function recordExists(bytes32 node) external view returns (bool) {
        (, uint256 expiry) = NAMES.nameOf(node);
        return block.timestamp < expiry;
    }

    /// @notice ENS `addr(bytes32)`: the plaintext wallet record of live `node`, else zero.
    function addr(bytes32 node) public view returns (address payable) {
        (bytes memory value, bool encrypted) = NAMES.record(node, KIND_WALLET);
        if (value.length != 20 || encrypted) return payable(address(0)); // unset, encrypted or not live
        return payable(address(bytes20(value)));
    }

    /// @notice ENS `addr(bytes32,uint256)`: for coin type 60 the 20 bytes of `addr(node)`; empty otherwise.
    function addr(bytes32 node, uint256 coinType) public view returns (bytes memory) {
        if (coinType != COIN_TYPE_ETH) return "";
        address a = addr(node);
        return a == address(0) ? bytes("") : abi.encodePacked(a);
    }

    /// @notice ENS `text(bytes32,string)`: plaintext text record `key` of live `node` (see contract notes for the
    /// `session` and `lokinet` keys); empty when unset, encrypted or expired.
    function text(bytes32 node, string calldata key) external view returns (string memory) {
        return _text(node, bytes(key));
    }

    function _text(bytes32 node, bytes memory key) private view returns (string memory) {
        bytes32 keyHash = keccak256(key);
        if (keyHash == SESSION_TEXT_KEY || keyHash == LOKINET_TEXT_KEY) {
            uint8 kind = keyHash == SESSION_TEXT_KEY ? KIND_SESSION : KIND_LOKINET;
            (bytes memory value, bool encrypted) = NAMES.record(node, kind);
            if (value.length != 32 || encrypted) return ""; // unset, encrypted or not live
            return kind == KIND_SESSION ? _sessionIdHex(bytes32(value)) : _lokinetAddress(bytes32(value));
        }
        bytes memory envelope = NAMES.textRecord(node, string(key));
        if (envelope.length == 0 || uint8(envelope[0]) != 0) return ""; // unset, encrypted or not live
        string memory body;
        // Drop the envelope byte in place: the new length word overlaps the old length word and the envelope
        // byte, and `envelope` is not used afterwards.
        assembly {
            body := add(envelope, 1)
            mstore(body, sub(mload(envelope), 1))
        }
        return body;
    }

    /// @notice ENSIP-10 wildcard resolution: answers `addr(bytes32)`, `addr(bytes32,uint256)` or
    /// `text(bytes32,string)` encoded in `data` for the DNS-encoded `dnsName`, whose namehash must be the node in
    /// `data`. Returns the ABI-encoded result of that call.
    function resolve(bytes calldata dnsName, bytes calldata data) public view returns (bytes memory) {
        (bytes32 nameNode, bool ok) = NameHash.dns(dnsName);
        if (!ok) revert ISessionNameService.MalformedName(dnsName);
        if (data.length < 36) revert ISessionNameService.UnsupportedResolverProfile(bytes4(data));
        bytes4 selector = bytes4(data[:4]);
        bytes32 node = bytes32(data[4:36]);
        if (node != nameNode) revert ISessionNameService.ResolverNodeMismatch(node, nameNode);
        if (selector == 0x3b3b57de) return abi.encode(addr(node));
        if (selector == 0xf1cb7e06) {
            (, uint256 coinType) = abi.decode(data[4:], (bytes32, uint256));
            return abi.encode(addr(node, coinType));
        }
        if (selector == 0x59d1d43c) {
            (, bytes memory key) = abi.decode(data[4:], (bytes32, bytes));
            return abi.encode(_text(node, key));
        }
        revert ISessionNameService.UnsupportedResolverProfile(selector);
    }

    /// @notice Universal-resolver entry point (what viem's `getEnsAddress` / `getEnsText` call): `resolve` with
    /// this contract as the resolver. No CCIP-read gateways are used; `gateways` is ignored.
    function resolveWithGateways(bytes calldata dnsName, bytes calldata data, string[] calldata)
        external
        view
        returns (bytes memory result, address resolverAddress)
    {
        return (resolve(dnsName, data), address(this));
    }

    /// @notice ERC-165: the ENS resolver profiles addr, addr-multicoin, text and ENSIP-10 `resolve`.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC165).interfaceId || interfaceId == type(IAddrResolver).interfaceId
            || interfaceId == type(IAddressResolver).interfaceId || interfaceId == type(ITextResolver).interfaceId
            || interfaceId == type(IExtendedResolver).interfaceId;
    }

    /// @dev "05" followed by the 64 lower-case hex digits of `key`.
    function _sessionIdHex(bytes32 key) private pure returns (string memory) {
        bytes memory out = new bytes(66);
        out[0] = "0";
        out[1] = "5";
        for (uint256 i = 0; i < 32; ++i) {
            out[2 + 2 * i] = HEX[uint8(key[i]) >> 4];
            out[3 + 2 * i] = HEX[uint8(key[i]) & 0x0f];
        }
        return string(out);
    }

    /// @dev z-base-32 of the 256 key bits (52 digits, the last carrying 1 bit and 4 zero bits) + ".loki".
    function _lokinetAddress(bytes32 key) private pure returns (string memory) {
        uint256 bits = uint256(key);
        bytes memory out = new bytes(57);
        for (uint256 i = 0; i < 51; ++i) {
            out[i] = ZBASE32[(bits >> (251 - 5 * i)) & 31];
        }
        out[51] = ZBASE32[(bits & 1) << 4];
        out[52] = ".";
        out[53] = "l";
        out[54] = "o";
        out[55] = "k";
        out[56] = "i";
        return string(out);
    }
}
