// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Session Name Service: shared types, events and errors
/// @notice Names are ERC-721 tokens whose token id is the ENS namehash of `<label>.<parent>`. The contract never
/// sees a plaintext label: callers pass `labelhash = keccak256(label)` (the TypeScript client normalises first).
interface ISessionNameService {
    /// @notice One record written during registration. `kind` 0 is a text record (`key` names it, `value` is a
    /// text envelope: 0x00 ‖ UTF-8 or 0x01 ‖ ciphertext); kinds 1–3 are typed records (`key` must be empty):
    /// 1 Session ID (32-byte X25519 key, the `05` prefix is implied), 2 Lokinet (32-byte ed25519 key),
    /// 3 wallet (20-byte address). A typed value of the plain length is plaintext; plain length + 32
    /// (16-byte nonce ‖ ciphertext ‖ 16-byte tag) is encrypted; an empty value clears the record.
    struct RecordInput {
        uint8 kind;
        string key;
        bytes value;
    }

    /// @notice An ERC-2612 permit for the SESH fee, signed by the payer for spender = this contract.
    struct PermitInput {
        uint256 value;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice `node` was registered to `owner` until `expiry`; `payer` paid `fee` SESH (0 for the registrar and
    /// reserved-release paths). Always follows an ERC-721 `Transfer` from the zero address.
    event NameRegistered(bytes32 indexed node, address indexed owner, address indexed payer, uint64 expiry, uint256 fee);
    /// @notice `node` now expires at `expiry`. Who paid and how much is the SESH `Transfer` log of the same
    /// transaction (payer → fee recipient, `years × feePerYear`); leaving it out keeps renew under 55k gas.
    // solhint-disable-next-line gas-indexed-events
    event NameRenewed(bytes32 indexed node, uint64 expiry);
    /// @notice `node` was burnt by its owner (also signalled by an ERC-721 `Transfer` to the zero address).
    event NameBurned(bytes32 indexed node, address indexed owner);
    /// @notice Typed record `kind` of `node` was set to `value` (empty: cleared). Value is stored bytes as given.
    event RecordChanged(bytes32 indexed node, uint8 indexed kind, bytes value);
    /// @notice Text record `key` of `node` was set to the envelope `value` (empty: cleared).
    event TextChanged(bytes32 indexed node, string indexed indexedKey, string key, bytes value);
    /// @notice `account` opted in to (or, with an empty name, out of) a reverse record naming `name`.
    event ReverseNameChanged(address indexed account, bytes name);
    /// @notice The Session ID with X25519 key `sessionKey` now reverse-resolves to `name` (empty: cleared), as
    /// signed by its key; `setter` relayed the signed change.
    event SessionReverseNameChanged(bytes32 indexed sessionKey, address indexed setter, bytes name);
    /// @notice The flat yearly fee changed.
    // solhint-disable-next-line gas-indexed-events
    event FeePerYearChanged(uint256 previousFee, uint256 newFee);
    /// @notice Fees now go to `recipient` (the RewardRatePool).
    event FeeRecipientChanged(address indexed previousRecipient, address indexed newRecipient);
    /// @notice `account` gained or lost the registrar role (registration without commitment or fee).
    // solhint-disable-next-line gas-indexed-events
    event RegistrarChanged(address indexed account, bool enabled);
    /// @notice Label `labelhash` was held back from (or returned to) public registration.
    // solhint-disable-next-line gas-indexed-events
    event LabelReservationChanged(bytes32 indexed labelhash, bool reserved);
    /// @notice Public and registrar registration was paused by `account`.
    // solhint-disable-next-line gas-indexed-events
    event Paused(address account);
    /// @notice Registration was resumed by `account`.
    // solhint-disable-next-line gas-indexed-events
    event Unpaused(address account);

    /// @notice Registration is paused.
    error RegistrationPaused();
    /// @notice The term must be 1..MAX_YEARS whole years.
    error InvalidTerm(uint256 yearsGiven);
    /// @notice `node` is held until `availableAt` (end of its grace period).
    error NameNotAvailable(bytes32 node, uint256 availableAt);
    /// @notice `labelhash` is reserved; only the owner can release it.
    error NameReserved(bytes32 labelhash);
    /// @notice `labelhash` is not reserved.
    error NameNotReserved(bytes32 labelhash);
    /// @notice `caller` does not own `node`.
    error NotNameOwner(bytes32 node, address caller);
    /// @notice `node` expired and is in its grace period until `graceEndsAt`: only its owner may renew it.
    error NameInGracePeriod(bytes32 node, uint256 graceEndsAt);
    /// @notice `node`'s grace period ended at `graceEndedAt`; it can only be registered anew.
    error NameExpired(bytes32 node, uint256 graceEndedAt);
    /// @notice `caller` lacks the registrar role.
    error NotRegistrar(address caller);
    /// @notice Unknown record kind.
    error InvalidRecordKind(uint8 kind);
    /// @notice A typed record value of `length` bytes is neither plaintext nor encrypted size for `kind`.
    error InvalidRecordLength(uint8 kind, uint256 length);
    /// @notice Typed records take no key; text records need one.
    error InvalidRecordKey(uint8 kind, string key);
    /// @notice A text value must start with envelope byte 0x00 (plaintext) or 0x01 (encrypted); got `envelope`.
    error InvalidTextEnvelope(uint8 envelope);
    /// @notice `key` is answered from a typed record (`session`, `lokinet`) and cannot be set as text.
    error ReservedTextKey(string key);
    /// @notice A Session reverse record needs `node`'s Session ID record to be plaintext `sessionKey`.
    error SessionRecordMismatch(bytes32 node, bytes32 sessionKey);
    /// @notice `ed25519Key` is not the Ed25519 key of the Session ID with X25519 key `sessionKey`.
    error SessionKeyMismatch(bytes32 sessionKey, bytes32 ed25519Key);
    /// @notice The signature is not the Session key's Ed25519 signature of its reverse change number `nonce`.
    error InvalidSessionSignature(bytes32 sessionKey, uint256 nonce);
    /// @notice The zero address cannot receive fees.
    error InvalidFeeRecipient(address recipient);
    /// @notice The fee does not fit in 88 bits.
    error FeeTooLarge(uint256 fee);
    /// @notice A name is not a well-formed dotted (`alice.session`) or DNS-encoded name.
    error MalformedName(bytes name);
    /// @notice `resolve` was asked for `node` but the DNS name hashes to `nameNode`.
    error ResolverNodeMismatch(bytes32 node, bytes32 nameNode);
    /// @notice The service must always have an owner: `renounceOwnership` is disabled.
    error RenounceOwnershipDisabled();
    /// @notice `resolve` only answers `addr(bytes32)`, `addr(bytes32,uint256)` and `text(bytes32,string)`.
    error UnsupportedResolverProfile(bytes4 selector);
}
