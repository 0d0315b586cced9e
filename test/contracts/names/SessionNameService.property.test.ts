import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { SnapshotRestorer, loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256 } from "ethers";
import { GRACE, NamesFixture, YEAR, deployNames } from "../../helpers/sessionNameService";
import { nameIds } from "../../../src/names";

const NAMES = ["alpha", "beta", "gamma"].map((n) => nameIds(n));

type Op =
  | { kind: "register"; name: number; user: number; years: number }
  | { kind: "renew"; name: number; user: number; years: number }
  | { kind: "transfer"; name: number; user: number }
  | { kind: "burn"; name: number }
  | { kind: "advance"; seconds: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("register" as const), name: fc.nat(2), user: fc.nat(3), years: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant("renew" as const), name: fc.nat(2), user: fc.nat(3), years: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant("transfer" as const), name: fc.nat(2), user: fc.nat(3) }),
  fc.record({ kind: fc.constant("burn" as const), name: fc.nat(2) }),
  fc.record({
    kind: fc.constant("advance" as const),
    seconds: fc.oneof(fc.constantFrom(1, 59, YEAR - 1, YEAR, GRACE - 1, GRACE), fc.integer({ min: 1, max: 2 * YEAR })),
  }),
);

async function setup(): Promise<NamesFixture> {
  const f = await deployNames();
  await f.names.connect(f.admin).setRegistrar(f.registrar.address, true);
  for (const user of [f.alice, f.bob, f.carol, f.registrar]) await f.sesh.connect(user).approve(f.namesAddress, MaxUint256);
  return f;
}

describe("SessionNameService property: ownership stays consistent", () => {
  // These tests move the chain clock by years; put it back so later test files see a normal clock.
  let clock: SnapshotRestorer;
  before(async () => {
    clock = await takeSnapshot();
  });
  after(async () => {
    await clock.restore();
  });

  it("over random register / renew / transfer / burn / expire sequences, one owner per name and balances match", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 18 }), async (ops) => {
        const f = await loadFixture(setup);
        const users = [f.alice, f.bob, f.carol, f.registrar];
        const model = NAMES.map(() => ({ owner: -1, expiry: 0 }));
        let now = await time.latest();
        const send = async (tx: () => Promise<unknown>): Promise<boolean> => {
          now += 1;
          await time.setNextBlockTimestamp(now);
          try {
            await tx();
            return true;
          } catch {
            return false;
          }
        };
        for (const op of ops) {
          if (op.kind === "advance") {
            now += op.seconds;
            continue;
          }
          const m = model[op.name];
          const ids = NAMES[op.name];
          const t = now + 1;
          let expected: boolean;
          let ok: boolean;
          if (op.kind === "register") {
            expected = m.owner < 0 || t >= m.expiry + GRACE;
            ok = await send(() => f.names.connect(f.registrar).registerFor(ids.labelhash, users[op.user].address, op.years, []).then((r) => r.wait()));
            if (ok) Object.assign(m, { owner: op.user, expiry: t + op.years * YEAR });
          } else if (op.kind === "renew") {
            expected = m.owner >= 0 && (t < m.expiry || (t < m.expiry + GRACE && op.user === m.owner));
            ok = await send(() => f.names.connect(users[op.user]).renew(ids.node, op.years).then((r) => r.wait()));
            if (ok) m.expiry += op.years * YEAR;
          } else if (op.kind === "transfer") {
            expected = m.owner >= 0 && t < m.expiry;
            const from = users[Math.max(m.owner, 0)];
            ok = await send(() => f.names.connect(from).transferFrom(from.address, users[op.user].address, BigInt(ids.node)).then((r) => r.wait()));
            if (ok) m.owner = op.user;
          } else {
            expected = m.owner >= 0;
            const from = users[Math.max(m.owner, 0)];
            ok = await send(() => f.names.connect(from).burn(ids.node).then((r) => r.wait()));
            if (ok) Object.assign(m, { owner: -1, expiry: 0 });
          }
          expect(ok, `${JSON.stringify(op)} at t=${t}`).to.equal(expected);
          // Invariants: each name has exactly the model's owner; balances equal the names each user holds.
          for (const [i, ids2] of NAMES.entries()) {
            const [holder, expiry] = await f.names.nameOf(ids2.node);
            expect(holder).to.equal(model[i].owner < 0 ? hre.ethers.ZeroAddress : users[model[i].owner].address);
            expect(Number(expiry)).to.equal(model[i].expiry);
          }
          let total = 0n;
          for (const [u, user] of users.entries()) {
            const balance = await f.names.balanceOf(user.address);
            expect(balance).to.equal(BigInt(model.filter((x) => x.owner === u).length));
            total += balance;
          }
          expect(total).to.equal(BigInt(model.filter((x) => x.owner >= 0).length));
        }
      }),
      { seed: 20240605, numRuns: 40 },
    );
  });
});
