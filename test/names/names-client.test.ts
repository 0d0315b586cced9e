import { expect } from "chai";
import { hexToBytes, keccak256, namehash as viemNamehash, toBytes, toHex } from "viem";
import { ed25519, edwardsToMontgomeryPub } from "@noble/curves/ed25519";
import {
  NameError,
  RecordDecryptionError,
  RecordKind,
  RecordValueError,
  childNode,
  decodeTextRecord,
  decodeTypedRecord,
  encodeRecord,
  formatLokinetAddress,
  labelhash,
  makeCommitment,
  nameIds,
  normaliseLabel,
  normaliseName,
  open,
  parseLokinetAddress,
  LOKINET_LAST_CHARACTERS,
  parseSessionId,
  parseSessionSeed,
  parseWalletAddress,
  sessionKeyPair,
  sessionReverseMessage,
  signSessionReverse,
  recordAad,
  recordKey,
  recordsHash,
  seal,
  zbase32Encode,
} from "../../src/names";

const SESSION_ID = "05" + "ab".repeat(32);

describe("names client (pure)", () => {
  describe("normalisation", () => {
    it("lower-cases and accepts a-z 0-9 _ - labels of 1–64 characters", () => {
      expect(normaliseLabel("Alice_01-x")).to.equal("alice_01-x");
      expect(normaliseLabel("a".repeat(64))).to.equal("a".repeat(64));
      expect(normaliseName("ALICE.session")).to.deep.equal({ label: "alice", fullName: "alice.session" });
      expect(normaliseName("bob")).to.deep.equal({ label: "bob", fullName: "bob.session" });
    });

    const rejections: [string, RegExp][] = [
      ["", /name is empty/],
      ["a".repeat(65), /is 65 characters long: at most 64/],
      ["al ice", /invalid character " " at position 3/],
      ["alïce", /invalid character "ï" at position 3/],
      ["bob!", /invalid character "!" at position 4/],
      ["-alice", /must not start with "-"/],
      ["alice-", /must not end with "-"/],
      ["a.b.session", /"\." at position 2: subdomains are not supported/],
    ];
    for (const [input, message] of rejections) {
      it(`rejects ${JSON.stringify(input.length > 20 ? input.slice(0, 8) + "…" : input)} naming the problem`, () => {
        expect(() => normaliseName(input)).to.throw(NameError, message);
      });
    }

    it("rejects names under another parent", () => {
      expect(() => normaliseName("alice.eth")).to.throw(NameError, /not under "\.session" \(it ends in "\.eth"\)/);
    });
  });

  describe("hashes", () => {
    it("labelhash / namehash / child node agree with viem and ENS", () => {
      const ids = nameIds("Alice");
      expect(ids.labelhash).to.equal(keccak256(toBytes("alice")));
      expect(ids.node).to.equal(viemNamehash("alice.session"));
      expect(childNode(viemNamehash("session"), "alice")).to.equal(ids.node);
      expect(labelhash("alice")).to.equal(ids.labelhash);
    });

    it("commitment binds every parameter", () => {
      const base = {
        registry: "0x0000000000000000000000000000000000000001" as const,
        labelhash: labelhash("alice"),
        owner: "0x0000000000000000000000000000000000000002" as const,
        years: 1n,
        secret: keccak256(toBytes("s")),
        records: [],
      };
      const c = makeCommitment(base);
      expect(makeCommitment({ ...base, owner: "0x0000000000000000000000000000000000000003" })).to.not.equal(c);
      expect(makeCommitment({ ...base, years: 2n })).to.not.equal(c);
      expect(makeCommitment({ ...base, registry: "0x0000000000000000000000000000000000000004" })).to.not.equal(c);
      expect(makeCommitment({ ...base, records: [{ kind: 0, key: "a", value: "0x00" }] })).to.not.equal(c);
      expect(recordsHash([])).to.equal(keccak256(("0x" + "20".padStart(64, "0") + "0".repeat(64)) as `0x${string}`));
    });
  });

  describe("record values", () => {
    it("parses and validates Session IDs", () => {
      expect(toHex(parseSessionId(SESSION_ID))).to.equal("0x" + "ab".repeat(32));
      expect(() => parseSessionId("05ab")).to.throw(RecordValueError, /66 hex characters.*got 4/);
      expect(() => parseSessionId("15" + "ab".repeat(32))).to.throw(RecordValueError, /must start with "05", got "15"/);
      expect(() => parseSessionId("05" + "zz".repeat(32))).to.throw(RecordValueError, /non-hex/);
    });

    it("round-trips Lokinet addresses of real ed25519 keys and rejects bad ones", () => {
      for (let i = 0; i < 20; i++) {
        const key = ed25519.getPublicKey(ed25519.utils.randomPrivateKey());
        const address = formatLokinetAddress(key);
        expect(address).to.match(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}\.loki$/);
        expect(toHex(parseLokinetAddress(address))).to.equal(toHex(key));
      }
      expect(zbase32Encode(new Uint8Array([0xff]))).to.equal("9h");
      expect(() => parseLokinetAddress("abc.loki")).to.throw(RecordValueError, /52 z-base-32 characters.*got 3/);
      expect(() => parseLokinetAddress("y".repeat(52))).to.throw(RecordValueError, /must end with "\.loki"/);
      expect(() => parseLokinetAddress("l".repeat(52) + ".loki")).to.throw(RecordValueError, /invalid character "l" at position 1/);
      expect(() => parseLokinetAddress("y".repeat(51) + "b.loki")).to.throw(RecordValueError, /non-zero padding bits: its 52nd character must be "y" or "o", got "b"/);
    });

    it("Lokinet: last character y or o, any case accepted, canonical ed25519 keys only", () => {
      // 256 bits in 52 digits: the last one is the key's last bit then four zero bits.
      const ends = new Set<string>();
      for (let i = 0; i < 64; i++) ends.add(formatLokinetAddress(ed25519.getPublicKey(ed25519.utils.randomPrivateKey())).at(-6)!);
      expect([...ends].sort()).to.deep.equal(["o", "y"]);
      for (const ch of "ybndrfg8ejkmcpqxot1uwisza345h769") {
        const candidate = "y".repeat(51) + ch + ".loki";
        if (LOKINET_LAST_CHARACTERS.includes(ch)) expect(() => parseLokinetAddress(candidate)).to.not.throw(/padding/);
        else expect(() => parseLokinetAddress(candidate)).to.throw(RecordValueError, /52nd character must be "y" or "o"/);
      }
      // Known encodings: all-zero key (a valid point, y = 0) → 52 × "y"; the MSB-first bit order.
      expect(formatLokinetAddress(new Uint8Array(32))).to.equal("y".repeat(52) + ".loki");
      expect(toHex(parseLokinetAddress("y".repeat(52) + ".loki"))).to.equal(toHex(new Uint8Array(32)));
      const top = new Uint8Array(32);
      top[0] = 0x80;
      expect(formatLokinetAddress(top)).to.equal("o" + "y".repeat(51) + ".loki");
      const key = ed25519.getPublicKey(ed25519.utils.randomPrivateKey());
      expect(toHex(parseLokinetAddress(formatLokinetAddress(key).toUpperCase().replace(".LOKI", ".Loki")))).to.equal(toHex(key));
      // y ≥ p is not a canonical point: "9" × 51 + "o" is the all-ones key.
      expect(() => parseLokinetAddress("9".repeat(51) + "o.loki")).to.throw(RecordValueError, /is not an ed25519 public key/);
    });

    it("requires EIP-55 checksummed wallet addresses", () => {
      const good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
      expect(toHex(parseWalletAddress(good))).to.equal(good.toLowerCase());
      expect(() => parseWalletAddress(good.toLowerCase())).to.throw(RecordValueError, /not EIP-55 checksummed \(expected 0x5aAeb/);
      expect(() => parseWalletAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")).to.throw(RecordValueError, /checksummed/);
      expect(() => parseWalletAddress("0x1234")).to.throw(RecordValueError, /not 0x followed by 40 hex digits/);
    });

    it("refuses reserved text keys and empty keys", () => {
      const { fullName, node } = nameIds("alice");
      expect(() => encodeRecord({ kind: "text", key: "session", value: "x" }, fullName, node)).to.throw(RecordValueError, /reserved/);
      expect(() => encodeRecord({ kind: "text", key: "", value: "x" }, fullName, node)).to.throw(RecordValueError, /key is empty/);
    });
  });

  describe("encryption", () => {
    const alice = nameIds("alice");

    it("round-trips typed and text records; sizes match the contract's slots", () => {
      const sid = encodeRecord({ kind: "session", value: SESSION_ID }, alice.fullName, alice.node);
      expect(hexToBytes(sid.value).length).to.equal(64);
      expect(decodeTypedRecord(RecordKind.Session, sid.value, true, alice.fullName, alice.node)).to.equal(SESSION_ID);
      const wallet = encodeRecord({ kind: "wallet", value: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" }, alice.fullName, alice.node);
      expect(hexToBytes(wallet.value).length).to.equal(52);
      const text = encodeRecord({ kind: "text", key: "bio", value: "héllo ✓" }, alice.fullName, alice.node);
      expect(hexToBytes(text.value)[0]).to.equal(1);
      expect(decodeTextRecord("bio", text.value, alice.fullName, alice.node)).to.equal("héllo ✓");
      const plain = encodeRecord({ kind: "text", key: "bio", value: "hi", plaintext: true }, alice.fullName, alice.node);
      expect(plain.value).to.equal("0x006869");
      // Random nonces: the same value encrypts differently each time.
      expect(encodeRecord({ kind: "session", value: SESSION_ID }, alice.fullName, alice.node).value).to.not.equal(sid.value);
    });

    it("a wrong name cannot decrypt", () => {
      const sid = encodeRecord({ kind: "session", value: SESSION_ID }, alice.fullName, alice.node);
      const bob = nameIds("bob");
      expect(() => decodeTypedRecord(RecordKind.Session, sid.value, true, bob.fullName, alice.node)).to.throw(
        RecordDecryptionError,
        /cannot decrypt record of "bob.session": wrong name or tampered value/,
      );
      expect(toHex(recordKey("alice.session"))).to.not.equal(toHex(recordKey("bob.session")));
    });

    it("a tampered value, nonce or slot fails authentication", () => {
      const aad = recordAad(alice.node, toHex(RecordKind.Session, { size: 32 }));
      const sealed = seal(new Uint8Array(32).fill(7), alice.fullName, aad);
      expect(open(sealed, alice.fullName, aad)).to.deep.equal(new Uint8Array(32).fill(7));
      for (const index of [0, 20, sealed.length - 1]) {
        const bad = sealed.slice();
        bad[index] ^= 1;
        expect(() => open(bad, alice.fullName, aad)).to.throw(RecordDecryptionError);
      }
      const otherSlot = recordAad(alice.node, toHex(RecordKind.Lokinet, { size: 32 }));
      expect(() => open(sealed, alice.fullName, otherSlot)).to.throw(RecordDecryptionError);
      expect(() => open(sealed.subarray(0, 31), alice.fullName, aad)).to.throw(RecordDecryptionError, /shorter than nonce \+ tag/);
    });
  });

  describe("Session keys", () => {
    it("derives the Session ID from an Ed25519 seed as Session does; a 16-byte Session seed is zero-padded", () => {
      const seed = "0x" + "42".repeat(32);
      const key = sessionKeyPair(parseSessionSeed(seed));
      const pub = ed25519.getPublicKey(hexToBytes(seed as `0x${string}`));
      expect(key.ed25519Key).to.equal(toHex(pub));
      expect(key.sessionKey).to.equal(toHex(edwardsToMontgomeryPub(pub)));
      expect(key.sessionId).to.equal("05" + key.sessionKey.slice(2));
      expect(parseSessionId(key.sessionId)).to.deep.equal(hexToBytes(key.sessionKey));
      const short = parseSessionSeed("ab".repeat(16));
      expect(toHex(short)).to.equal("0x" + "ab".repeat(16) + "00".repeat(16));
      expect(parseSessionSeed(" 0X" + "42".repeat(32) + "\n")).to.deep.equal(hexToBytes(seed as `0x${string}`));
      expect(() => parseSessionSeed("12")).to.throw(RecordValueError, /must be 32 bytes \(64 hex digits\) or a 16-byte Session seed/);
      expect(() => parseSessionSeed("zz".repeat(32))).to.throw(RecordValueError);
    });

    it("the signed reverse message binds chain, contract, key, nonce and name", () => {
      const key = sessionKeyPair(parseSessionSeed("07".repeat(32)));
      const base = { chainId: 31337, reverse: "0x00000000000000000000000000000000000000aa", sessionKey: key.sessionKey, fullName: "alice.session", nonce: 0n } as const;
      const m = sessionReverseMessage(base);
      for (const change of [{ chainId: 1 }, { reverse: "0x00000000000000000000000000000000000000bb" }, { nonce: 1n }, { fullName: "bob.session" }, { fullName: "" }, { sessionKey: ("0x" + "11".repeat(32)) as `0x${string}` }]) {
        expect(sessionReverseMessage({ ...base, ...change } as typeof base)).to.not.equal(m);
      }
      const { ed25519Key, signature } = signSessionReverse(key, m);
      expect(ed25519.verify(hexToBytes(signature), hexToBytes(m), hexToBytes(ed25519Key))).to.equal(true);
    });
  });
});
