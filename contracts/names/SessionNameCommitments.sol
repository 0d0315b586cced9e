// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Time edges are specified inclusively or exclusively to the second (e.g. live while now < expiry, reveal
// while now <= committedAt + 24 h), so non-strict comparisons are deliberate here.
// solhint-disable gas-strict-inequalities

/// @title Commitment book of the Session Name Service (commit–reveal)
/// @notice A registrant first commits `makeCommitment(...)` (which binds label, owner, term, secret, records and
/// the registry), waits at least `MIN_COMMITMENT_AGE`, then reveals through the registry within
/// `MAX_COMMITMENT_AGE`. A watcher who copies the reveal can only register the name to the committed owner with
/// the committed records.
/// @dev Deliberately a tiny, non-upgradeable contract created by the registry: a commit is then one plain call
/// with no proxy hop (≈ 4.9k gas less), which keeps `commit` under 45k gas. Only the registry can consume.
contract SessionNameCommitments {
    /// @notice A commitment can be revealed this many seconds after it was made, not earlier.
    uint256 public constant MIN_COMMITMENT_AGE = 60;
    /// @notice A commitment can be revealed at most this many seconds after it was made.
    uint256 public constant MAX_COMMITMENT_AGE = 24 hours;

    /// @notice The registry (proxy) allowed to consume commitments.
    address public immutable REGISTRY;

    /// @notice Block timestamp at which each live commitment was made (0: none).
    mapping(bytes32 commitment => uint256) public committedAt;

    /// @notice `commitment` is still live until `expiresAt`; re-committing it would reset its timer.
    error CommitmentExists(bytes32 commitment, uint256 expiresAt);
    /// @notice No live commitment `commitment` (never made, already used, or made for other parameters).
    error CommitmentNotFound(bytes32 commitment);
    /// @notice `commitment` can be revealed from `readyAt` on.
    error CommitmentTooNew(bytes32 commitment, uint256 readyAt);
    /// @notice `commitment` could be revealed until `expiredAt` only.
    error CommitmentTooOld(bytes32 commitment, uint256 expiredAt);
    /// @notice Only the registry consumes commitments.
    error NotRegistry(address caller);

    /// @param registry The registry allowed to call `consume`.
    constructor(address registry) {
        REGISTRY = registry;
    }

    /// @notice Records `commitment` at the current block time. Anyone may commit; the hash reveals nothing.
    /// @dev No event: nothing a tracker mirrors changes until the reveal.
    function commit(bytes32 commitment) external {
        uint256 madeAt = committedAt[commitment];
        // A live commitment cannot be re-made: a watcher could otherwise reset its timer and block the reveal.
        if (madeAt != 0 && block.timestamp <= madeAt + MAX_COMMITMENT_AGE) {
            revert CommitmentExists(commitment, madeAt + MAX_COMMITMENT_AGE);
        }
        committedAt[commitment] = block.timestamp;
    }

    /// @notice Checks that `commitment` is between 60 s and 24 h old and deletes it. Registry only.
    function consume(bytes32 commitment) external {
        if (msg.sender != REGISTRY) revert NotRegistry(msg.sender);
        uint256 madeAt = committedAt[commitment];
        if (madeAt == 0) revert CommitmentNotFound(commitment);
        if (block.timestamp < madeAt + MIN_COMMITMENT_AGE) {
            revert CommitmentTooNew(commitment, madeAt + MIN_COMMITMENT_AGE);
        }
        if (block.timestamp > madeAt + MAX_COMMITMENT_AGE) {
            revert CommitmentTooOld(commitment, madeAt + MAX_COMMITMENT_AGE);
        }
        delete committedAt[commitment];
    }
}
