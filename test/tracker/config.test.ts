import { expect } from "chai";
import { ConfigError, helpText, parseConfig, type TrackerConfig } from "../../src/tracker/config";

const REWARDS = "0x00000000000000000000000000000000000000aA";

function parse(argv: string[], env: NodeJS.ProcessEnv = {}): TrackerConfig {
  const config = parseConfig(argv, env);
  if (config === "help") throw new Error("unexpected help");
  return config;
}

function fails(argv: string[], env: NodeJS.ProcessEnv, message: string): void {
  expect(() => parseConfig(argv, env)).to.throw(ConfigError, message);
}

describe("tracker configuration (flags and env)", () => {
  it("parses flags, repeats and comma lists, with defaults for the rest", () => {
    const c = parse(["--rpc", "http://a:1", "--rpc=http://b:2,http://c:3", "--rewards", REWARDS, "--safe-head", "depth", "--confirmations", "12", "--port", "0"]);
    expect(c.rpcUrls).to.deep.equal(["http://a:1", "http://b:2", "http://c:3"]);
    expect(c.contracts.serviceNodeRewards).to.equal(REWARDS.toLowerCase());
    expect(c.safeHead).to.deep.equal({ mode: "depth", confirmations: 12n });
    expect(c.api).to.deep.equal({ host: "127.0.0.1", port: 0 });
    expect(c.batch).to.deep.equal({ initial: 2000n, min: 1n, max: 10000n });
    expect(c.chainId).to.equal(undefined);
    expect(parse(["--rpc", "http://a", "--rewards", REWARDS]).safeHead).to.deep.equal({ mode: "auto", confirmations: 280n });
  });

  it("reads the environment, and flags override it", () => {
    const env = { TRACKER_RPC_URLS: "http://e:1", TRACKER_REWARDS_ADDRESS: REWARDS, TRACKER_CHAIN_ID: "42161", TRACKER_SAFE_HEAD: "finalized", TRACKER_NO_API: "1" };
    const c = parse([], env);
    expect(c).to.deep.include({ rpcUrls: ["http://e:1"], chainId: 42161, api: null, safeHead: { mode: "tag", tag: "finalized" } });
    expect(parse(["--rpc", "http://f:1"], env).rpcUrls).to.deep.equal(["http://f:1"]);
  });

  it("rejects bad input with a message naming the option", () => {
    fails([], {}, "--rpc is required");
    fails(["--rpc", "ftp://x", "--rewards", REWARDS], {}, '--rpc "ftp://x" is not an http(s) URL');
    fails(["--rpc", "http://a"], {}, "--rewards (env TRACKER_REWARDS_ADDRESS) is required");
    fails(["--rpc", "http://a", "--rewards", "0x12"], {}, '--rewards (env TRACKER_REWARDS_ADDRESS) must be a 20-byte hex address, got "0x12"');
    fails(["--rpc", "http://a", "--rewards", REWARDS, "--confirmations", "-1"], {}, "--confirmations (env TRACKER_CONFIRMATIONS) must be a non-negative integer");
    fails(["--rpc", "http://a", "--rewards", REWARDS, "--safe-head", "latest"], {}, "--safe-head must be auto, depth, safe or finalized");
    fails(["--rpc", "http://a", "--rewards", REWARDS, "--batch-min", "10", "--batch-max", "5"], {}, "--batch-max (5) is below --batch-min (10)");
    fails(["--rpc", "http://a", "--rpc", "http://a", "--rewards", REWARDS], {}, "--rpc lists the same URL twice");
    fails(["--frobnicate"], {}, "unknown option --frobnicate");
    fails(["--rpc"], {}, "--rpc needs a value");
  });

  it("has --help listing every option with its environment variable", () => {
    expect(parseConfig(["--help"], {})).to.equal("help");
    const text = helpText();
    for (const word of ["--rpc", "TRACKER_RPC_URLS", "--confirmations", "[default 280]", "--safe-head", "--db", "--port"]) expect(text).to.contain(word);
  });

  it("the Hardhat task takes contract addresses and the start block from the network's address book", async () => {
    const { trackerEnvFromAddressBook } = await import("../../tasks/tracker");
    const record = (address: string, blockNumber: number) => ({ kind: "uups" as const, address, implementation: null, txHash: "0x01", blockNumber, deployer: "0x02", chainId: 31337 });
    const env = trackerEnvFromAddressBook({
      network: "localhost",
      chainId: 31337,
      contracts: {
        ServiceNodeRewards: record(REWARDS, 12),
        ServiceNodeContributionFactory: record("0x00000000000000000000000000000000000000f1", 15),
        RewardRatePool: record("0x00000000000000000000000000000000000000f2", 9),
        SessionNameService: record("0x00000000000000000000000000000000000000f3", 20),
      },
    });
    expect(env).to.deep.equal({
      TRACKER_REWARDS_ADDRESS: REWARDS,
      TRACKER_FACTORY_ADDRESS: "0x00000000000000000000000000000000000000f1",
      TRACKER_REWARD_RATE_POOL: "0x00000000000000000000000000000000000000f2",
      TRACKER_NAME_SERVICE: "0x00000000000000000000000000000000000000f3",
      TRACKER_START_BLOCK: "9",
    });
    const config = parseConfig(["--rpc", "http://a"], env);
    expect(config).to.not.equal("help");
    if (config !== "help") expect(config.contracts.nameService).to.equal("0x00000000000000000000000000000000000000f3");
    expect(trackerEnvFromAddressBook({ network: "x", chainId: 1, contracts: {} })).to.deep.equal({});
  });
});
