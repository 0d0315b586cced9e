/** Minimal ABIs of the Session Name Service contracts, for viem. */
import { parseAbi } from "viem";

const RECORD = "(uint8 kind, string key, bytes value)";
const PERMIT = "(uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)";

export const sessionNameServiceAbi = parseAbi([
  `function makeCommitment(bytes32 labelhash, address nameOwner, uint256 years_, bytes32 secret, ${RECORD}[] records) view returns (bytes32)`,
  `function register(bytes32 labelhash, address nameOwner, uint256 years_, bytes32 secret, ${RECORD}[] records) returns (bytes32)`,
  `function registerWithPermit(bytes32 labelhash, address nameOwner, uint256 years_, bytes32 secret, ${RECORD}[] records, ${PERMIT} permit) returns (bytes32)`,
  "function renew(bytes32 node, uint256 years_) returns (uint64)",
  `function renewWithPermit(bytes32 node, uint256 years_, ${PERMIT} permit) returns (uint64)`,
  "function setRecord(bytes32 node, uint8 kind, bytes value)",
  "function setText(bytes32 node, string key, bytes value)",
  `function setRecords(bytes32 node, ${RECORD}[] records)`,
  "function record(bytes32 node, uint8 kind) view returns (bytes value, bool encrypted)",
  "function textRecord(bytes32 node, string key) view returns (bytes)",
  "function nameOf(bytes32 node) view returns (address holder, uint256 expiry)",
  "function commitments() view returns (address)",
  "function price(uint256 years_) view returns (uint256)",
  "function available(bytes32 labelhash) view returns (bool)",
  "function parentNode() view returns (bytes32)",
  "function SESH() view returns (address)",
]);

export const sessionNameCommitmentsAbi = parseAbi([
  "function commit(bytes32 commitment)",
  "function committedAt(bytes32 commitment) view returns (uint256)",
]);

export const sessionNameReverseAbi = parseAbi([
  "function setReverseName(bytes fullName)",
  "function setSessionReverseName(bytes32 sessionKey, bytes fullName, bytes32 ed25519Key, bytes signature)",
  "function sessionReverseNonce(bytes32 sessionKey) view returns (uint256)",
  "function reverseNameOf(address account) view returns (bytes)",
  "function sessionReverseNameOf(bytes32 sessionKey) view returns (bytes)",
]);

export const erc20PermitAbi = parseAbi([
  "function nonces(address owner) view returns (uint256)",
  "function name() view returns (string)",
]);
