/** `assertSignatureFresh`: a task sends exactly the signatures the registry accepts (issue 22 item 4, issue 18 item 1). */
import { expect } from "chai";
import { assertSignatureFresh } from "../../tasks/lib/serviceNodes";

describe("tasks: assertSignatureFresh", () => {
  const now = 1_000_000n;
  const expiry = 600n;

  it("accepts a signature from the network's clock ahead of the next block by up to the expiry, as the registry does", () => {
    expect(() => assertSignatureFresh(now + 1n, now, expiry)).to.not.throw();
    expect(() => assertSignatureFresh(now + expiry, now, expiry)).to.not.throw();
  });

  it("refuses one further ahead, saying how long to wait", () => {
    expect(() => assertSignatureFresh(now + expiry + 5n, now, expiry)).to.throw(/605 s after the chain's time .*at most 600 s ahead: wait 5 s and retry/);
  });

  it("refuses one too old to be mined in time, and accepts it without the send margin", () => {
    expect(() => assertSignatureFresh(now - expiry, now, expiry)).to.not.throw();
    expect(() => assertSignatureFresh(now - expiry + 10n, now, expiry, 30n)).to.throw(/590 s old .*needs 30 s to be mined/);
    expect(() => assertSignatureFresh(now - expiry - 1n, now, expiry)).to.throw(/601 s old/);
  });
});
