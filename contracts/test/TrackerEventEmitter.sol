// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// The event signatures and the (X, Y) struct field names are fixed by PROTOCOL.md §2 (the node network
// parses them), so the naming and indexing suggestions cannot be applied here.
/* solhint-disable var-name-mixedcase, gas-indexed-events */

/// @title TrackerEventEmitter
/// @notice TEST HARNESS ONLY. Emits the exact event signatures of PROTOCOL.md §2 with caller-given
/// arguments so the L2 tracker can be exercised before the real contracts exist. It keeps just enough
/// state (the registered ids and their G1 keys, the aggregate key, a reward rate) to answer the views
/// the tracker reconciles against. It is not a model of the registry: no checks, no tokens, no BLS.
contract TrackerEventEmitter {
    struct BLSPublicKey {
        uint256 X;
        uint256 Y;
    }

    struct ServiceNodeParams {
        uint256 ed25519Pubkey;
        uint256 ed25519Signature0;
        uint256 ed25519Signature1;
        uint16 fee;
    }

    struct Staker {
        address addr;
        address beneficiary;
    }

    struct Contributor {
        Staker staker;
        uint256 stakedAmount;
    }

    event NewServiceNodeV2(
        uint64 indexed serviceNodeID,
        address initiator,
        BLSPublicKey pubkey,
        ServiceNodeParams serviceNode,
        Contributor[] contributors
    );
    event ServiceNodeExitRequest(uint64 indexed serviceNodeID, address initiator, BLSPublicKey pubkey);
    event ServiceNodeExit(uint64 indexed serviceNodeID, address initiator, uint256 returnedAmount, BLSPublicKey pubkey);
    event StakingRequirementUpdated(uint256 newRequirement);
    event ServiceNodeLiquidated(uint64 indexed id, address initiator, BLSPublicKey pubkey);
    event RewardsBalanceUpdated(address indexed recipient, uint256 amount, uint256 previousBalance);
    event RewardsClaimed(address indexed recipient, uint256 amount);
    event NewServiceNodeContributionContract(
        address indexed contributorContract,
        uint256 serviceNodePubkey,
        address operator
    );
    event NewContribution(address indexed contributor, address beneficiary, uint256 amount);

    /// @notice The id given is not registered in this harness.
    error UnknownNode(uint64 id);
    /// @notice A log takes at most four topics; `count` were given.
    error TooManyTopics(uint256 count);
    /// @notice A bn254 precompile call failed.
    error PrecompileFailed(address precompile);

    uint64[] private _ids;
    mapping(uint64 id => BLSPublicKey) private _keys;
    mapping(uint64 id => uint256) private _indexPlusOne;
    BLSPublicKey private _aggregate;
    uint256 private _rewardRate;

    /// @notice Emits NewServiceNodeV2 and records the key for the views.
    /// @param id Service node id.
    /// @param initiator Initiator address put in the event.
    /// @param pubkey BLS G1 key (must be on the curve: it is added to the aggregate).
    /// @param params ed25519 key, signature and fee.
    /// @param contributors Contributors put in the event.
    function emitNewServiceNode(
        uint64 id,
        address initiator,
        BLSPublicKey calldata pubkey,
        ServiceNodeParams calldata params,
        Contributor[] calldata contributors
    ) external {
        _record(id, pubkey);
        emit NewServiceNodeV2(id, initiator, pubkey, params, contributors);
    }

    /// @notice Emits `count` NewServiceNodeV2 events with ids firstId.. and keys (seed + i)·G1.
    /// @param firstId First id.
    /// @param count Number of nodes.
    /// @param seed Scalar of the first key.
    /// @param operator Operator (contributor 0 and initiator).
    /// @param stake Staked amount of the operator.
    function emitNewServiceNodes(uint64 firstId, uint64 count, uint256 seed, address operator, uint256 stake) external {
        Contributor[] memory contributors = new Contributor[](1);
        contributors[0] = Contributor(Staker(operator, operator), stake);
        for (uint64 i = 0; i < count; ++i) {
            BLSPublicKey memory pubkey = _mulGenerator(seed + i);
            _record(firstId + i, pubkey);
            emit NewServiceNodeV2(
                firstId + i,
                operator,
                pubkey,
                ServiceNodeParams(seed + i, seed, i, 0),
                contributors
            );
        }
    }

    /// @notice Emits ServiceNodeExitRequest with the recorded key.
    /// @param id Service node id.
    /// @param initiator Initiator address.
    function emitExitRequest(uint64 id, address initiator) external {
        emit ServiceNodeExitRequest(id, initiator, _keyOf(id));
    }

    /// @notice Emits ServiceNodeExit and drops the node from the views.
    /// @param id Service node id.
    /// @param initiator Initiator address.
    /// @param returnedAmount Amount put in the event.
    function emitExit(uint64 id, address initiator, uint256 returnedAmount) external {
        BLSPublicKey memory pubkey = _keyOf(id);
        _remove(id);
        emit ServiceNodeExit(id, initiator, returnedAmount, pubkey);
    }

    /// @notice Emits ServiceNodeLiquidated and drops the node from the views.
    /// @param id Service node id.
    /// @param initiator Liquidator address.
    function emitLiquidated(uint64 id, address initiator) external {
        BLSPublicKey memory pubkey = _keyOf(id);
        _remove(id);
        emit ServiceNodeLiquidated(id, initiator, pubkey);
    }

    /// @notice Emits StakingRequirementUpdated.
    /// @param newRequirement Value put in the event.
    function emitStakingRequirementUpdated(uint256 newRequirement) external {
        emit StakingRequirementUpdated(newRequirement);
    }

    /// @notice Emits RewardsBalanceUpdated.
    /// @param recipient Recipient.
    /// @param amount New lifetime balance.
    /// @param previousBalance Previous lifetime balance.
    function emitRewardsBalanceUpdated(address recipient, uint256 amount, uint256 previousBalance) external {
        emit RewardsBalanceUpdated(recipient, amount, previousBalance);
    }

    /// @notice Emits `count` RewardsBalanceUpdated events for recipients first, first + 1, … (bulk load for benchmarks).
    /// @param first First recipient, as an integer.
    /// @param count Number of events.
    /// @param amount Lifetime balance put in every event.
    function emitRewardsBalanceBatch(uint160 first, uint160 count, uint256 amount) external {
        for (uint160 i = 0; i < count; ++i) {
            emit RewardsBalanceUpdated(address(first + i), amount, amount - 1);
        }
    }

    /// @notice Emits RewardsClaimed.
    /// @param recipient Recipient.
    /// @param amount Claimed amount.
    function emitRewardsClaimed(address recipient, uint256 amount) external {
        emit RewardsClaimed(recipient, amount);
    }

    /// @notice Emits NewServiceNodeContributionContract (as a factory would).
    /// @param pool Address of the contribution contract.
    /// @param serviceNodePubkey ed25519 key of the future node.
    /// @param operator Operator.
    function emitNewContributionContract(address pool, uint256 serviceNodePubkey, address operator) external {
        emit NewServiceNodeContributionContract(pool, serviceNodePubkey, operator);
    }

    /// @notice Emits NewContribution (as a pool would; point the tracker's pool at this address).
    /// @param contributor Contributor.
    /// @param beneficiary Beneficiary.
    /// @param amount Amount.
    function emitNewContribution(address contributor, address beneficiary, uint256 amount) external {
        emit NewContribution(contributor, beneficiary, amount);
    }

    /// @notice Emits one log with caller-encoded topics and data, so tests can produce any event the tracker
    /// mirrors beyond PROTOCOL.md §2 (name service, pool lifecycle, seeded nodes) with the real contracts' ABIs.
    /// @param topics Zero to four topics (topic 0 is the event selector).
    /// @param data ABI-encoded non-indexed arguments.
    function emitRaw(bytes32[] calldata topics, bytes calldata data) external {
        uint256 n = topics.length;
        if (n > 4) revert TooManyTopics(n);
        bytes memory payload = data;
        bytes32 t0 = n > 0 ? topics[0] : bytes32(0);
        bytes32 t1 = n > 1 ? topics[1] : bytes32(0);
        bytes32 t2 = n > 2 ? topics[2] : bytes32(0);
        bytes32 t3 = n > 3 ? topics[3] : bytes32(0);
        assembly ("memory-safe") {
            let ptr := add(payload, 0x20)
            let len := mload(payload)
            switch n
            case 0 { log0(ptr, len) }
            case 1 { log1(ptr, len, t0) }
            case 2 { log2(ptr, len, t0, t1) }
            case 3 { log3(ptr, len, t0, t1, t2) }
            default { log4(ptr, len, t0, t1, t2, t3) }
        }
    }

    /// @notice Sets the value returned by rewardRate().
    /// @param rate New value.
    function setRewardRate(uint256 rate) external {
        _rewardRate = rate;
    }

    /// @notice Adds a node to the views WITHOUT emitting an event (to provoke a reconciliation mismatch).
    /// @param id Service node id.
    /// @param pubkey G1 key.
    function recordSilently(uint64 id, BLSPublicKey calldata pubkey) external {
        _record(id, pubkey);
    }

    /// @notice Mirrors ServiceNodeRewards.allServiceNodeIDs().
    /// @return ids Registered ids.
    /// @return pubkeys Their G1 keys, same order.
    function allServiceNodeIDs() external view returns (uint64[] memory ids, BLSPublicKey[] memory pubkeys) {
        ids = _ids;
        pubkeys = new BLSPublicKey[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) pubkeys[i] = _keys[ids[i]];
    }

    /// @notice Mirrors ServiceNodeRewards.aggregatePubkey().
    /// @return The sum of the registered keys.
    function aggregatePubkey() external view returns (BLSPublicKey memory) {
        return _aggregate;
    }

    /// @notice Mirrors RewardRatePool.rewardRate().
    /// @return The value last set.
    function rewardRate() external view returns (uint256) {
        return _rewardRate;
    }

    function _record(uint64 id, BLSPublicKey memory pubkey) private {
        if (_indexPlusOne[id] != 0) _remove(id);
        _ids.push(id);
        _indexPlusOne[id] = _ids.length;
        _keys[id] = pubkey;
        _aggregate = _add(_aggregate, pubkey);
    }

    function _remove(uint64 id) private {
        uint256 indexPlusOne = _indexPlusOne[id];
        if (indexPlusOne == 0) revert UnknownNode(id);
        uint64 last = _ids[_ids.length - 1];
        _ids[indexPlusOne - 1] = last;
        _indexPlusOne[last] = indexPlusOne;
        _ids.pop();
        delete _indexPlusOne[id];
        BLSPublicKey memory pubkey = _keys[id];
        // Negation in G1: (X, p - Y); the zero point stays zero.
        uint256 p = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
        _aggregate = _add(_aggregate, BLSPublicKey(pubkey.X, pubkey.Y == 0 ? 0 : p - pubkey.Y));
        delete _keys[id];
    }

    function _keyOf(uint64 id) private view returns (BLSPublicKey memory) {
        if (_indexPlusOne[id] == 0) revert UnknownNode(id);
        return _keys[id];
    }

    function _add(BLSPublicKey memory a, BLSPublicKey memory b) private view returns (BLSPublicKey memory r) {
        (bool ok, bytes memory out) = address(0x06).staticcall(abi.encode(a.X, a.Y, b.X, b.Y));
        if (!ok) revert PrecompileFailed(address(0x06));
        (r.X, r.Y) = abi.decode(out, (uint256, uint256));
    }

    function _mulGenerator(uint256 k) private view returns (BLSPublicKey memory r) {
        (bool ok, bytes memory out) = address(0x07).staticcall(abi.encode(uint256(1), uint256(2), k));
        if (!ok) revert PrecompileFailed(address(0x07));
        (r.X, r.Y) = abi.decode(out, (uint256, uint256));
    }
}
