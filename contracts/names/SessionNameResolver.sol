// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ISessionNameService} from "../interfaces/ISessionNameService.sol";
import {ISessionNameRecords} from "../interfaces/ISessionNameRecords.sol";
import {ISessionNameReverse} from "../interfaces/ISessionNameReverse.sol";
import {IENSRegistryRead} from "../interfaces/IENSRegistryRead.sol";
import {
    IAddrResolver,
    IAddressResolver,
    ITextResolver,
    INameResolver,
    IExtendedResolver,
    IUniversalResolverRead
} from "../interfaces/IENSResolverProfiles.sol";
import {NameHash} from "./NameHash.sol";

/// @title ENS registry, resolver and universal-resolver view of the Session Name Service
/// @notice Stateless reader of the SessionNameService and its reverse records. It answers the ENS registry reads
/// (`owner`, `resolver` → this contract), the resolver profiles, ENSIP-10 `resolve` and the universal-resolver
/// `resolveWithGateways` / `reverseWithGateways`, so unmodified ethers (network `ensAddress: <this>`:
/// `resolveName`, `lookupAddress`) and viem (chain `contracts.ensUniversalResolver: <this>`: `getEnsAddress`,
/// `getEnsText`, `getEnsName`) resolve `alice.session` both ways. Non-upgradeable and stateless: a new one can be
/// deployed at any time.
/// Reverse resolution: `resolver(namehash("addr.reverse"))` is this contract, a wildcard resolver, so ethers asks
/// `resolve(<hex>.addr.reverse, name(node))`; the answer (and the universal resolver's) is the address's reverse
/// record only when that name is live and its PLAINTEXT wallet record is the same address, else empty.
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
    /// @dev namehash("addr.reverse").
    bytes32 private constant ADDR_REVERSE_NODE = 0x91d1777781884d03a6757a803996e38de2a42967fb37eeaca72729271025a9e2;
    /// @dev DNS encoding of the ".addr.reverse" suffix, after the 40-hex-digit label: 4 "addr" 7 "reverse" 0.
    bytes14 private constant ADDR_REVERSE_SUFFIX = 0x0461646472077265766572736500;

    /// @notice The name service whose records this resolver reads.
    ISessionNameRecords public immutable NAMES;
    /// @notice The reverse records this resolver answers reverse lookups from.
    ISessionNameReverse public immutable REVERSE;

    /// @param names The SessionNameService (proxy).
    /// @param reverseRecords Its SessionNameReverse.
    constructor(ISessionNameRecords names, ISessionNameReverse reverseRecords) {
        NAMES = names;
        REVERSE = reverseRecords;
    }

    uint256 private constant COIN_TYPE_ETH = 60;
    bytes private constant HEX = "0123456789abcdef";
    bytes private constant ZBASE32 = "ybndrfg8ejkmcpqxot1uwisza345h769";

    /// @notice ENS registry read: holder of live `node`, else zero.
    function owner(bytes32 node) external view returns (address) {
        (address holder, uint256 expiry) = NAMES.nameOf(node);
        return block.timestamp < expiry ? holder : address(0);
    }

    /// @notice ENS registry read: this contract for live `node` and for `addr.reverse` (wildcard reverse
    /// resolution of every address), else zero.
    function resolver(bytes32 node) external view returns (address) {
        if (node == ADDR_REVERSE_NODE) return address(this);
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
        // byte, and `envelope` is not used afterwards. Only memory `envelope` owns is written (its length ≥ 1).
        assembly ("memory-safe") {
            body := add(envelope, 1)
            mstore(body, sub(mload(envelope), 1))
        }
        return body;
    }

    /// @notice ENSIP-10 wildcard resolution: answers `addr(bytes32)`, `addr(bytes32,uint256)`,
    /// `text(bytes32,string)` or, for `<address hex>.addr.reverse`, `name(bytes32)` encoded in `data` for the
    /// DNS-encoded `dnsName`, whose namehash must be the node in `data`. Returns the ABI-encoded result of that
    /// call.
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
        if (selector == INameResolver.name.selector) return abi.encode(_reverseNameOfDns(dnsName));
        revert ISessionNameService.UnsupportedResolverProfile(selector);
    }

    /// @dev ENS `name(bytes32)` of a reverse node cannot invert the node's hash, so it is answered only through
    /// `resolve` (as ethers asks a wildcard resolver): the verified primary name of the DNS-encoded
    /// `<address hex>.addr.reverse`, or empty for any other name.
    function _reverseNameOfDns(bytes calldata dnsName) private view returns (string memory) {
        // 40 hex digits of the address, then the ".addr.reverse" suffix.
        if (dnsName.length != 55 || uint8(dnsName[0]) != 40 || bytes14(dnsName[41:]) != ADDR_REVERSE_SUFFIX) return "";
        uint160 account;
        for (uint256 i = 1; i < 41; ++i) {
            uint8 c = uint8(dnsName[i]);
            uint8 digit;
            if (c > 0x2f && c < 0x3a) digit = c - 0x30; // 0-9
            else if (c > 0x60 && c < 0x67) digit = c - 0x57; // a-f
            else if (c > 0x40 && c < 0x47) digit = c - 0x37; // A-F
            else return "";
            account = (account << 4) | digit;
        }
        return _primaryName(address(account));
    }

    /// @notice viem `getEnsName`: the primary name of the 20-byte address `lookupAddress` for coin type 60, when
    /// its reverse record names a live name whose plaintext wallet record is that address; otherwise an empty
    /// name (which viem returns as null). `gateways` is ignored.
    function reverseWithGateways(bytes calldata lookupAddress, uint256 coinType, string[] calldata)
        external
        view
        returns (string memory primary, address resolverAddress, address reverseResolver)
    {
        return reverse(lookupAddress, coinType);
    }

    /// @notice `reverseWithGateways` without gateways.
    function reverse(bytes calldata lookupAddress, uint256 coinType)
        public
        view
        returns (string memory primary, address resolverAddress, address reverseResolver)
    {
        if (lookupAddress.length != 20 || coinType != COIN_TYPE_ETH) return ("", address(0), address(0));
        primary = _primaryName(address(bytes20(lookupAddress)));
        if (bytes(primary).length != 0) (resolverAddress, reverseResolver) = (address(this), address(this));
    }

    /// @dev The reverse record of `account` if it forward-resolves (plaintext wallet record of a live name) to
    /// `account`, else empty.
    function _primaryName(address account) private view returns (string memory) {
        bytes memory stored = REVERSE.reverseNameOf(account);
        if (stored.length == 0) return "";
        (bytes32 node, bool ok) = NameHash.dotted(stored);
        if (!ok || addr(node) != account) return "";
        return string(stored);
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
