import { expect } from "chai";
import fc from "fast-check";
import { lowercase } from "../../src/tracker/lowercase";

describe("tracker lowercase", () => {
  it("equals toLowerCase for ASCII text: hex in any case, addresses, keys", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary-ascii" }), fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFxXgGzZ") })), (text) => {
        expect(lowercase(text)).to.equal(text.toLowerCase());
      }),
      { numRuns: 2000, seed: 20261201 },
    );
    expect(lowercase("0XABCDEF")).to.equal("0xabcdef");
    expect(lowercase("0x5fbdb2315678afecb367f032d93f642f64180aa3")).to.equal("0x5fbdb2315678afecb367f032d93f642f64180aa3");
  });
});
