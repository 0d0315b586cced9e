/** The registry and pool ABI fragments the node network reads and submits (PROTOCOL.md §2). */
import { parseAbi } from "viem";

export const registryAbi = parseAbi([
  "struct G1Point { uint256 X; uint256 Y; }",
  "struct ServiceNodeParams { uint256 ed25519Pubkey; uint256 ed25519Signature0; uint256 ed25519Signature1; uint16 fee; }",
  "struct Staker { address addr; address beneficiary; }",
  "struct Contributor { Staker staker; uint256 stakedAmount; }",
  "struct BLSSignatureParams { uint256 sigs0; uint256 sigs1; uint256 sigs2; uint256 sigs3; }",
  "event NewServiceNodeV2(uint64 indexed serviceNodeID, address initiator, G1Point pubkey, ServiceNodeParams serviceNode, Contributor[] contributors)",
  "event NewSeededServiceNode(uint64 indexed serviceNodeID, G1Point pubkey, uint256 ed25519Pubkey, Contributor[] contributors)",
  "event ServiceNodeExitRequest(uint64 indexed serviceNodeID, address initiator, G1Point pubkey)",
  "event ServiceNodeExit(uint64 indexed serviceNodeID, address initiator, uint256 returnedAmount, G1Point pubkey)",
  "event ServiceNodeLiquidated(uint64 indexed serviceNodeID, address initiator, G1Point pubkey)",
  "function allServiceNodeIDs() view returns (uint64[] ids, G1Point[] pubkeys)",
  "function blsNonSignerThresholdMax() view returns (uint256)",
  "function rewardPool() view returns (address)",
  "function updateRewardsBalance(address recipient, uint256 lifetimeRewards, BLSSignatureParams blsSignature, uint64[] nonSigners)",
  "function exitBLSPublicKeyWithSignature(G1Point blsPubkey, uint256 timestamp, BLSSignatureParams blsSignature, uint64[] nonSigners)",
  "function liquidateBLSPublicKeyWithSignature(G1Point blsPubkey, uint256 timestamp, BLSSignatureParams blsSignature, uint64[] nonSigners)",
  // Same, with non-signers packed as `uint32 skip ‖ uint256 Y` (see nonSigners.ts): cheaper per non-signer.
  "function updateRewardsBalanceWithNonSignerKeys(address recipient, uint256 lifetimeRewards, BLSSignatureParams blsSignature, bytes nonSigners)",
  "function exitBLSPublicKeyWithSignatureAndNonSignerKeys(G1Point blsPubkey, uint256 timestamp, BLSSignatureParams blsSignature, bytes nonSigners)",
  "function liquidateBLSPublicKeyWithSignatureAndNonSignerKeys(G1Point blsPubkey, uint256 timestamp, BLSSignatureParams blsSignature, bytes nonSigners)",
]);

export const rewardRatePoolAbi = parseAbi([
  "function rewardRate() view returns (uint256)",
  "function lastPaidOutTime() view returns (uint256)",
  "function token() view returns (address)",
]);

export const erc20BalanceAbi = parseAbi(["function balanceOf(address account) view returns (uint256)"]);
