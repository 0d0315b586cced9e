/**
 * Gas of the Session Name Service hot paths: whole-transaction gasUsed on the in-process network (prague),
 * through the transparent proxy. Fee recipient and payers already hold SESH (as the RewardRatePool does).
 */
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ContractTransactionResponse, Signature } from "ethers";
import { Hex, hexToBytes, stringToHex } from "viem";
import { GasRow, GasSuite } from "./types";
import { FEE_PER_YEAR, MIN_AGE, NamesFixture, deployNames, secretOf } from "../../test/helpers/sessionNameService";
import { RecordSpec, encodeRecord, prepareRegistration, sessionKeyPair, sessionReverseMessage, signSessionReverse } from "../../src/names";
import { permitTypes } from "../../src/token/permit";

const SESSION_ID = "05" + "3c".repeat(32);

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt.gasUsed;
}

async function measure(): Promise<GasRow[]> {
  const f: NamesFixture = await deployNames();
  const [, , , , , , , ...fresh] = await hre.ethers.getSigners();
  const rows: GasRow[] = [];
  const register = async (name: string, owner: string, records: RecordSpec[], permit: boolean) => {
    const p = prepareRegistration({ names: f.namesAddress, name, owner: owner as Hex, years: 1n, secret: secretOf(name), records });
    const payer = f.alice;
    const commitGas = await gasOf(f.commitments.connect(payer).commit(p.commitment));
    await time.increase(MIN_AGE);
    const args: [Hex, Hex, bigint, Hex, { kind: number; key: string; value: Hex }[]] = [p.ids.labelhash, p.owner, 1n, p.secret, [...p.records]];
    if (!permit) {
      await f.sesh.connect(payer).approve(f.namesAddress, FEE_PER_YEAR);
      return { p, commitGas, gas: await gasOf(f.names.connect(payer).register(...args)) };
    }
    const { chainId } = await hre.ethers.provider.getNetwork();
    const deadline = BigInt((await time.latest()) + 3600);
    const sig = Signature.from(
      await payer.signTypedData(
        { name: "Session", version: "1", chainId, verifyingContract: await f.sesh.getAddress() },
        permitTypes(),
        { owner: payer.address, spender: f.namesAddress, value: FEE_PER_YEAR, nonce: await f.sesh.nonces(payer.address), deadline },
      ),
    );
    const permitArg = { value: FEE_PER_YEAR, deadline, v: sig.v, r: sig.r, s: sig.s };
    return { p, commitGas, gas: await gasOf(f.names.connect(payer).registerWithPermit(...args, permitArg)) };
  };

  // Warm-up so the payer's allowance/nonces slots and the recipient's balance are non-zero as in steady state.
  await register("warmup", f.alice.address, [], false);

  const plain = await register("plainname", fresh[0].address, [], false);
  rows.push({ operation: "commit", gas: plain.commitGas, note: "fresh commitment, direct call to SessionNameCommitments; target ≤ 45k" });
  rows.push({ operation: "register 1 year (allowance, no records)", gas: plain.gas, note: "owner holds no name yet" });
  const sid = await register("alicename", fresh[1].address, [{ kind: "session", value: SESSION_ID }], false);
  rows.push({ operation: "register 1 year + encrypted Session ID (allowance)", gas: sid.gas, note: "target ≤ 160k" });
  const sidPermit = await register("permitname", fresh[2].address, [{ kind: "session", value: SESSION_ID }], true);
  rows.push({ operation: "register 1 year + encrypted Session ID (permit)", gas: sidPermit.gas, note: "fee allowance by ERC-2612 permit in the same call" });
  const full = await register("fullname", fresh[3].address, [
    { kind: "session", value: SESSION_ID },
    { kind: "wallet", value: fresh[3].address },
    { kind: "text", key: "url", value: "https://example.org" },
  ], false);
  rows.push({ operation: "register 1 year + 3 encrypted records (allowance)", gas: full.gas, note: "Session ID, wallet, text url" });

  // Renew.
  await f.sesh.connect(f.bob).approve(f.namesAddress, FEE_PER_YEAR);
  rows.push({ operation: "renew 1 year (exact allowance)", gas: await gasOf(f.names.connect(f.bob).renew(sid.p.ids.node, 1n)), note: "target ≤ 55k; by a third party" });
  await f.sesh.connect(f.bob).approve(f.namesAddress, hre.ethers.MaxUint256);
  rows.push({ operation: "renew 1 year (unlimited allowance)", gas: await gasOf(f.names.connect(f.bob).renew(sid.p.ids.node, 1n)), note: "target ≤ 55k; allowance not written, so no refund" });

  // Records on a name owned by Alice.
  const mine = await register("recordsname", f.alice.address, [], false);
  const { node, fullName } = mine.p.ids;
  const asAlice = f.names.connect(f.alice);
  const plainSid = encodeRecord({ kind: "session", value: SESSION_ID, plaintext: true }, fullName, node);
  rows.push({ operation: "set plaintext Session ID record (first write)", gas: await gasOf(asAlice.setRecord(node, 1, plainSid.value)), note: "target ≤ 60k" });
  const plainSid2 = encodeRecord({ kind: "session", value: "05" + "4d".repeat(32), plaintext: true }, fullName, node);
  rows.push({ operation: "set plaintext Session ID record (update)", gas: await gasOf(asAlice.setRecord(node, 1, plainSid2.value)) });
  const encWallet = encodeRecord({ kind: "wallet", value: f.alice.address }, fullName, node);
  rows.push({ operation: "set encrypted wallet record (first write)", gas: await gasOf(asAlice.setRecord(node, 3, encWallet.value)), note: "two storage words, like an encrypted Session ID" });
  const encSid = encodeRecord({ kind: "session", value: SESSION_ID }, fullName, node);
  rows.push({ operation: "set encrypted Session ID record (over plaintext)", gas: await gasOf(asAlice.setRecord(node, 1, encSid.value)), note: "target ≤ 95k" });
  const mine2 = await register("encname", f.alice.address, [], false);
  const encSidFresh = encodeRecord({ kind: "session", value: SESSION_ID }, mine2.p.ids.fullName, mine2.p.ids.node);
  rows.push({ operation: "set encrypted Session ID record (first write)", gas: await gasOf(asAlice.setRecord(mine2.p.ids.node, 1, encSidFresh.value)), note: "target ≤ 95k" });
  const text = encodeRecord({ kind: "text", key: "url", value: "https://alice.example", plaintext: true }, fullName, node);
  rows.push({ operation: "set plaintext text record (first write)", gas: await gasOf(asAlice.setText(node, "url", text.value)), note: "key url, 21-char value" });

  // Reverse.
  rows.push({ operation: "set reverse (address)", gas: await gasOf(f.reverse.connect(f.alice).setReverseName(stringToHex(fullName))), note: "SessionNameReverse, first write" });
  // A Session ID reverse record is signed by the Session key (Ed25519, verified on chain).
  const session = sessionKeyPair(hexToBytes(hre.ethers.id("gas session seed") as Hex));
  await asAlice.setRecord(node, 1, session.sessionKey);
  const reverse = (await f.reverse.getAddress()) as Hex;
  const { chainId } = await hre.ethers.provider.getNetwork();
  const signed = signSessionReverse(session, sessionReverseMessage({ chainId, reverse, sessionKey: session.sessionKey, fullName, nonce: 0n }));
  rows.push({ operation: "set reverse (Session ID)", gas: await gasOf(f.reverse.connect(f.alice).setSessionReverseName(session.sessionKey, stringToHex(fullName), signed.ed25519Key, signed.signature)), note: "signed by the Session ID's Ed25519 key (≈ 260k of on-chain Ed25519 verification) and a plaintext forward record; first write" });

  // Transfers.
  rows.push({ operation: "transfer (recipient holds no name)", gas: await gasOf(asAlice.transferFrom(f.alice.address, fresh[5].address, BigInt(node))), note: "target ≤ 60k; recipient balance slot written from zero; runs in the proxy (no delegatecall)" });
  rows.push({ operation: "transfer (recipient holds a name)", gas: await gasOf(asAlice.transferFrom(f.alice.address, fresh[1].address, BigInt(mine2.p.ids.node))), note: "target ≤ 60k" });
  return rows;
}

export const namesSuite: GasSuite = { name: "names", measure };
