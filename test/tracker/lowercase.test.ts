import { expect } from "chai";
import fc from "fast-check";
import { lowercase } from "../../src/tracker/lowercase";

describe("tracker lowercase", () => {
  it("equals toLowerCase for any text: ASCII, non-ASCII, mixed-case hex", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFxXİßΣÄ") })), (text) => {
        expect(lowercase(text)).to.equal(text.toLowerCase());
      }),
      { numRuns: 2000, seed: 20261201 },
    );
    expect(lowercase("0XABCDEF")).to.equal("0xabcdef");
    expect(lowercase("ÄİΣ")).to.equal("ÄİΣ".toLowerCase());
  });
});
