/**
 * BLS gas suite: hash-to-G2, a full verify transaction with 0 non-signers, and the G1 helpers, measured
 * on the in-process Hardhat network (prague) through `contracts/test/BLSHarness.sol`.
 */
import hre from "hardhat";
import { bn254 } from "@noble/curves/bn254";
import { GasRow, GasSuite } from "./types";

const G1 = bn254.G1.ProjectivePoint;
const G2 = bn254.G2.ProjectivePoint;
const Fp2 = bn254.fields.Fp2;

/** Fixed inputs so the snapshot is reproducible. */
const SECRET_KEY = 0x1234567890abcdef1234567890abcdef1234567890abcdefn;
const DST = "0xff54977c9d08fb9098f6beae0e4634cb9b2d4c2b9c86f0b3e2f2f0073b73f51c";

function messageOfLength(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
}

async function measure(): Promise<GasRow[]> {
  const { ethers } = hre;
  const harness = await ethers.deployContract("BLSHarness");
  const rows: GasRow[] = [];

  // Hash-to-G2: eth_estimateGas of the view call = gas of a transaction calling it (21k base + calldata
  // included). The try-and-increment counter varies per message, so several messages are shown.
  for (const length of [0, 32, 116, 200]) {
    const message = messageOfLength(length);
    const [, counter] = await harness.mapToCurve(message, DST);
    const gas = await harness.hashToG2.estimateGas(message, DST);
    rows.push({
      operation: `hashToG2 (${length}-byte message)`,
      gas,
      note: `estimateGas of a tx calling hashToG2 (incl. 21k base + calldata); counter ${counter}`,
    });
  }
  for (const [i, v] of [
    ["asdf", "0x61736466"],
    ["20 bytes", "0x1dded74a746fb06e4bd22a53d21e988eadd67e00"],
  ] as const) {
    const gas = await harness.hashToG2.estimateGas(v, DST);
    const [, counter] = await harness.mapToCurve(v, DST);
    rows.push({ operation: `hashToG2 (vector "${i}")`, gas, note: `estimateGas, counter ${counter}` });
  }

  // Full verify transaction with 0 non-signers: a reward-style message (tag ‖ address ‖ uint256 = 84 bytes).
  const message = ethers.concat([
    ethers.keccak256(ethers.toUtf8Bytes("reward tag")),
    "0x1dded74a746fb06e4bd22a53d21e988eadd67e00",
    ethers.zeroPadValue("0x0de0b6b3a7640000", 32),
  ]);
  const h = await harness.hashToG2(message, DST);
  const sigPoint = G2.fromAffine({ x: Fp2.create({ c0: h[0], c1: h[1] }), y: Fp2.create({ c0: h[2], c1: h[3] }) })
    .multiply(SECRET_KEY)
    .toAffine();
  const pkPoint = G1.BASE.multiply(SECRET_KEY).toAffine();
  const pk = { X: pkPoint.x, Y: pkPoint.y };
  const sig = { sigs0: sigPoint.x.c0, sigs1: sigPoint.x.c1, sigs2: sigPoint.y.c0, sigs3: sigPoint.y.c1 };
  if (!(await harness.verify(pk, sig, message, DST))) throw new Error("bench signature does not verify");
  const receipt = await (await harness.verifyTx(pk, sig, message, DST)).wait();
  if (!receipt) throw new Error("verifyTx: no receipt");
  const [, counter] = await harness.mapToCurve(message, DST);
  rows.push({
    operation: "verify tx, 0 non-signers",
    gas: receipt.gasUsed,
    note: `receipt gasUsed of BLSHarness.verifyTx (84-byte message, counter ${counter}, incl. 113k pairing + event)`,
    target: 260_000n,
  });

  // G1 helpers (view calls: estimateGas = gas of a transaction calling them).
  const a = G1.BASE.multiply(7n).toAffine();
  const b = G1.BASE.multiply(11n).toAffine();
  rows.push({
    operation: "G1 add",
    gas: await harness.g1Add.estimateGas({ X: a.x, Y: a.y }, { X: b.x, Y: b.y }),
    note: "estimateGas of a tx calling g1Add (incl. 21k base)",
  });
  rows.push({
    operation: "G1 mul",
    gas: await harness.g1Mul.estimateGas({ X: a.x, Y: a.y }, SECRET_KEY),
    note: "estimateGas of a tx calling g1Mul (incl. 21k base)",
  });
  rows.push({
    operation: "G1 validatePublicKey",
    gas: await harness.validatePublicKey.estimateGas(pk),
    note: "estimateGas of a tx calling validatePublicKey (incl. 21k base)",
  });
  return rows;
}

export const blsSuite: GasSuite = { name: "bls", measure };
