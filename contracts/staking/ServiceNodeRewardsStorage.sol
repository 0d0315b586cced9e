// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {BLS, BLSSignatureParams} from "../libraries/BLS.sol";
import {IServiceNodeRewardsEvents, Contributor} from "../interfaces/IServiceNodeRewards.sol";
import {PackedG1} from "./PackedG1.sol";
import {BLSVerifier} from "./BLSVerifier.sol";

/// @title ServiceNodeRewardsStorage: the registry's state and the rules both of its halves apply
/// @notice Inherited by {ServiceNodeRewards} and by {ServiceNodeRewardsExtension}, which runs in the
/// registry's context (delegatecall): one ERC-7201 namespace, one set of registration rules.
abstract contract ServiceNodeRewardsStorage is IServiceNodeRewardsEvents {
    /// @notice A node must be this old before a signed exit or liquidation.
    uint256 public constant MIN_NODE_AGE = 2 hours;
    /// @dev Anyone may remove a node this long after its first exit request, without a signature. Not
    /// public: its getter's selector would sort before claimRewards() in the dispatcher.
    uint256 internal constant EXIT_WAIT_TIME = 30 days;
    /// @notice A contributor of less than a quarter may only request an exit this long after registration.
    uint256 public constant SMALL_CONTRIBUTOR_LEAVE_DELAY = 30 days;
    /// @notice Minimum time between two exit requests of one node.
    uint256 public constant EXIT_REQUEST_INTERVAL = 1 hours;
    /// @notice The operator fee is in basis points of this.
    uint256 public constant MAX_FEE = 10_000;
    /// @notice Keys that may always enter the aggregate in one block (else 2 % of the nodes).
    uint256 public constant MIN_AGGREGATIONS_PER_BLOCK = 20;

    /// @dev Written by registrations and removals; read by every signed call.
    struct State {
        uint64 nextId;
        uint64 totalNodes;
        uint64 aggregationBlock;
        uint32 aggregationsInBlock;
        bool started;
        bool paused;
        // Here rather than in Config: every signed call with non-signers reads it, and this word is loaded
        // anyway (a cold Config read would cost those calls 2.1k).
        uint16 nonSignerMax;
    }

    /// @dev Owner-set parameters, one word.
    struct Config {
        uint96 stakingRequirement;
        uint8 maxContributors;
        uint32 signatureExpiry;
        uint32 liquidatorRatio;
        uint32 poolRatio;
        uint32 recipientRatio;
    }

    /// @dev Everything a claim reads besides the recipient, one word (`paused` mirrors `State.paused`).
    struct ClaimState {
        uint88 limit;
        uint88 claimedInCycle;
        uint40 cycleIndex;
        uint32 cycleLength;
        bool paused;
    }

    /// @dev Per node id; 1 word, zero for no active node. The node's packed key is kept apart, at
    /// `_NODE_KEYS_LOCATION + id` ({_keyOf}). Timestamps are uint32 (valid to 2106).
    struct Node {
        address operator;
        uint32 addedTimestamp;
        uint32 exitRequestTimestamp;
        uint32 lastExitRequestTimestamp;
    }

    /// @dev Per packed BLS key; 1 word.
    struct KeyRecord {
        uint64 id;
        uint96 deposit;
        bool pooled;
    }

    /// @dev Lifetime signed total and amount paid, 1 word.
    struct Recipient {
        uint128 rewards;
        uint128 claimed;
    }

    /// @custom:storage-location erc7201:session.storage.ServiceNodeRewards
    struct Layout {
        State state;
        Config config;
        ClaimState claims;
        uint256 aggregateKey;
        address rewardPool;
        mapping(uint64 id => Node) nodes;
        mapping(uint64 id => bytes32) contributorsHash;
        mapping(uint256 packedKey => KeyRecord) keys;
        // Formerly the Ed25519 → id index; Ed25519 uniqueness is no longer enforced on chain (the node
        // network refuses impostors). Kept so that the members after it keep their slots.
        mapping(uint256 => uint64) unusedEd25519Ids;
        mapping(uint256 word => uint256) activeIds;
        mapping(address recipient => Recipient) recipients;
        // The factory whose pools may register nodes for their operators (zero: direct registrations only).
        address contributionFactory;
        // Pooled nodes: a code-only contract holding the contributors after the operator ({_storeContributorList}).
        mapping(uint64 id => address) contributorLists;
    }

    // keccak256(abi.encode(uint256(keccak256("session.storage.ServiceNodeRewards")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant _STORAGE_LOCATION = 0xd089b1bc32a293e5ca0f40b2ec81b802b8a44cbbc0e67e6e3b27370e8c944300;

    /// @dev Node id `i`'s packed key is at this slot + i: no hash per lookup, so the non-signer loops step
    /// from one key to the next with an addition. Ids are below 2^64, a sliver of the slot space away from
    /// any other hashed location. The base is the ERC-7201 location of the namespace
    /// "session.storage.ServiceNodeRewards.nodeKeys":
    // keccak256(abi.encode(uint256(keccak256("session.storage.ServiceNodeRewards.nodeKeys")) - 1)) & ~bytes32(uint256(0xff))
    uint256 internal constant _NODE_KEYS_LOCATION = 0xe2ce4faf3bdde3e7f7c55ecd223a6dafb674ab6135aef9224d9d12d5e1f2ad00;

    /// @dev Bytes per contributor in a contributor list: address ‖ 1 if it staked under a quarter.
    uint256 internal constant _LIST_ENTRY_SIZE = 21;

    // The {ClaimState} word (Solidity's packing, first member lowest): limit [0, 88) | claimedInCycle
    // [88, 176) | cycleIndex [176, 216) | cycleLength [216, 248) | paused [248, 256).
    uint256 internal constant _CLAIM_LIMIT_MASK = 0xffffffffffffffffffffff;
    uint256 internal constant _CLAIMED_IN_CYCLE_OFFSET = 88;
    uint256 internal constant _CLAIMED_IN_CYCLE_MASK = 0xffffffffffffffffffffff;
    /// @dev claimedInCycle and cycleIndex together (both rewritten by a claim).
    uint256 internal constant _CLAIMED_IN_CYCLE_AND_INDEX_MASK = 0xffffffffffffffffffffffffffffffff;
    uint256 internal constant _CYCLE_INDEX_OFFSET = 176;
    uint256 internal constant _CYCLE_INDEX_MASK = 0xffffffffff;
    uint256 internal constant _CYCLE_LENGTH_OFFSET = 216;
    uint256 internal constant _CYCLE_LENGTH_MASK = 0xffffffff;
    uint256 internal constant _CLAIMS_PAUSED_OFFSET = 248;

    // The {Recipient} word: rewards [0, 128) | claimed [128, 256).
    uint256 internal constant _RECIPIENT_REWARDS_MASK = 0xffffffffffffffffffffffffffffffff;
    uint256 internal constant _RECIPIENT_CLAIMED_OFFSET = 128;

    function _layout() internal pure returns (Layout storage $) {
        // Sets a storage pointer; touches no memory.
        assembly ("memory-safe") {
            $.slot := _STORAGE_LOCATION
        }
    }

    /// @dev Node `id`'s packed key; 0 when no node with that id is active.
    function _keyOf(uint256 id) internal view returns (uint256 packed) {
        // Slot _NODE_KEYS_LOCATION + id holds node id's key: ids are below 2^64, so the range never meets another slot.
        assembly ("memory-safe") {
            packed := sload(add(_NODE_KEYS_LOCATION, id))
        }
    }

    function _setKeyOf(uint256 id, uint256 packed) internal {
        // The slot of {_keyOf}; touches no memory.
        assembly ("memory-safe") {
            sstore(add(_NODE_KEYS_LOCATION, id), packed)
        }
    }

    /// @dev Checks the list; returns keccak256(abi.encode(list)) for a pooled node, 0 for a single
    /// contributor (membership is then the stored operator).
    function _validateContributors(Contributor[] calldata contributors, uint256 requirement, uint256 max)
        internal
        pure
        returns (bytes32)
    {
        uint256 n = contributors.length;
        if (n > max) revert MaxContributorsExceeded(n, max);
        uint256 total;
        // Duplicate addresses: a 256-bit filter on the low address byte; only a hit (rare for ≤ 10
        // contributors) pays for a scan of the earlier entries.
        uint256 seen;
        for (uint256 i = 0; i < n; ++i) {
            Contributor calldata c = contributors[i];
            address addr = c.staker.addr;
            if (addr == address(0) || c.staker.beneficiary == address(0)) revert InvalidContributor(i);
            uint256 bit = 1 << (uint160(addr) & 0xff);
            if (seen & bit != 0) {
                for (uint256 j = 0; j < i; ++j) {
                    if (contributors[j].staker.addr == addr) revert DuplicateContributor(i, addr);
                }
            }
            seen |= bit;
            total += c.stakedAmount;
        }
        if (total != requirement) revert ContributionTotalMismatch(requirement, total);
        uint256 operatorStake = contributors[0].stakedAmount;
        if (operatorStake * 4 < requirement) revert OperatorStakeTooLow(operatorStake, (requirement + 3) / 4);
        return n == 1 ? bytes32(0) : keccak256(abi.encode(contributors));
    }

    /// @dev Validates the key and checks it is not in use; returns the packed key. Ed25519 keys are not
    /// unique on chain (see contracts/README.md): only a zero key is refused.
    function _checkNewKey(Layout storage $, BN254.G1Point memory pk, uint256 ed25519Pubkey)
        internal
        view
        returns (uint256 packed)
    {
        BN254.validatePublicKey(pk);
        if (ed25519Pubkey == 0) revert NullEd25519Pubkey();
        packed = PackedG1.pack(pk);
        uint64 existing = $.keys[packed].id;
        if (existing != 0) revert BLSPubkeyAlreadyExists(existing);
    }

    /// @dev Writes a new node's records and marks it active; the caller updates the aggregate and `s`.
    function _storeNode(
        Layout storage $,
        State memory s,
        uint256 packed,
        address operator,
        uint256 addedTimestamp,
        uint256 deposit,
        bytes32 contributorsHash
    ) internal returns (uint64 id) {
        id = s.nextId;
        // Cannot overflow: ids and node counts are bounded by the number of registrations (< 2^64).
        unchecked {
            s.nextId = id + 1;
            ++s.totalNodes;
        }
        _setKeyOf(id, packed);
        // Timestamps fit in uint32 until 2106 (seeded ones are checked to be in the past).
        $.nodes[id] = Node({
            operator: operator,
            addedTimestamp: uint32(addedTimestamp),
            exitRequestTimestamp: 0,
            lastExitRequestTimestamp: 0
        });
        // deposit < 2^96: the requirement is stored as uint96.
        $.keys[packed] = KeyRecord({id: id, deposit: uint96(deposit), pooled: contributorsHash != 0});
        if (contributorsHash != 0) $.contributorsHash[id] = contributorsHash;
        $.activeIds[id >> 8] |= 1 << (id & 0xff);
    }

    /// @dev For a node with several contributors, writes the contributors after the operator as the code of
    /// a new contract (CREATE; 200 gas per byte instead of 22,100 per storage word) and records its address:
    /// byte 0 is 0x00 (STOP, so the contract does nothing if called), then per contributor its address and
    /// one byte, 1 when it staked under a quarter of `total`. The operator (contributor 0) is the node's
    /// stored operator and never small. Lets any contributor request an exit by address alone.
    function _storeContributorList(Layout storage $, uint64 id, Contributor[] calldata contributors, uint256 total)
        internal
    {
        uint256 n = contributors.length;
        uint256 size = 1 + _LIST_ENTRY_SIZE * (n - 1);
        // Init code: PUSH2 size, DUP1, PUSH1 10, PUSH0, CODECOPY, PUSH0, RETURN (10 bytes), then the data.
        bytes memory init = new bytes(10 + size);
        // Writes the init code header into the first data word `init` owns.
        assembly ("memory-safe") {
            let p := add(init, 0x20)
            mstore(p, or(shl(248, 0x61), or(shl(232, size), shl(176, 0x80600a5f395ff3))))
        }
        for (uint256 i = 1; i < n; ++i) {
            address addr = contributors[i].staker.addr;
            uint256 small = contributors[i].stakedAmount * 4 < total ? 1 : 0;
            // Entries are written in order; each 32-byte store's zero tail is overwritten by the next entry
            // (the last one's spills into free memory, which is scratch).
            assembly ("memory-safe") {
                mstore(add(add(init, 0x2b), mul(sub(i, 1), 21)), or(shl(96, addr), shl(88, small)))
            }
        }
        address list;
        // Deploys from `init` in place; writes no memory.
        assembly ("memory-safe") {
            list := create(0, add(init, 0x20), mload(init))
        }
        if (list == address(0)) revert InvalidContributor(0);
        $.contributorLists[id] = list;
    }

    /// @dev Whether `who` is a contributor (after the operator) in node `id`'s list, and if so whether it
    /// staked under a quarter. `found` is false for a node without a list.
    function _listedContributor(Layout storage $, uint64 id, address who)
        internal
        view
        returns (bool found, bool small)
    {
        address list = $.contributorLists[id];
        if (list == address(0)) return (false, false);
        bytes memory data = list.code;
        uint256 size = data.length;
        // Reads `data` in place (entries within its length); writes nothing.
        assembly ("memory-safe") {
            // Entry i starts at byte 1 + 21 i: its address is the word there shifted right by 96.
            for { let at := 1 } iszero(gt(add(at, 21), size)) { at := add(at, 21) } {
                let word := mload(add(add(data, 0x20), at))
                if eq(shr(96, word), who) {
                    found := 1
                    small := iszero(iszero(byte(20, word)))
                    break
                }
            }
        }
    }

    /// @dev Reverts with {InvalidProofOfPossession} unless `pop` is `pk`'s signature of popTag ‖ X ‖ Y ‖
    /// operator ‖ ed25519Pubkey. The verifier returns false (never reverts) for points off their curves.
    function _checkProofOfPossession(
        BLSVerifier verifier,
        BN254.G1Point memory pk,
        BLSSignatureParams memory pop,
        address operator,
        uint256 ed25519Pubkey
    ) internal view {
        bytes memory message =
            abi.encodePacked(BLS.tag(BLS.PROOF_OF_POSSESSION_TAG, address(this)), pk.X, pk.Y, operator, ed25519Pubkey);
        if (!verifier.verify(pk, pop, message, BLS.tag(BLS.HASH_TO_FIELD_TAG, address(this)))) {
            revert InvalidProofOfPossession();
        }
    }
}
