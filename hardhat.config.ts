import { HardhatUserConfig, subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";
import "@nomicfoundation/hardhat-viem";
import "@openzeppelin/hardhat-upgrades";
import { networksFromEnv } from "./deploy/networks";
import "./tasks";

const SOLC_VERSION = "0.8.30";

// Offline build: use the emscripten solc shipped in the npm `solc` package instead of downloading one.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async ({ solcVersion }: { solcVersion: string }) => {
  const installed: string = require("solc/package.json").version;
  if (solcVersion !== installed) {
    throw new Error(`offline build: solc ${installed} is installed, but ${solcVersion} was requested`);
  }
  const longVersion: string = require("solc").version().replace(/\.Emscripten\.clang$/, "");
  return { compilerPath: require.resolve("solc/soljson.js"), isSolcJs: true, version: solcVersion, longVersion };
});

// Remote networks exist only when RPC_URL is set; a malformed PRIVATE_KEY fails here, clearly.
const envNetworks = networksFromEnv(process.env);

const config: HardhatUserConfig = {
  solidity: {
    compilers: [
      {
        version: SOLC_VERSION,
        settings: {
          evmVersion: "prague",
          viaIR: true,
          optimizer: { enabled: true, runs: 1_000_000 },
        },
      },
    ],
    overrides: {
      // The registry's own code is storage and control flow (its curve work is in BLSVerifier and the
      // precompiles); at runs 1e6 it would exceed the 24 KB limit.
      "contracts/staking/ServiceNodeRewards.sol": {
        version: SOLC_VERSION,
        settings: { evmVersion: "prague", viaIR: true, optimizer: { enabled: true, runs: 750 } },
      },
      // The pool implementation (cloned, never redeployed per pool) with the reference's views and kept
      // reservations: at runs 1e6 it exceeds the 24 KB limit; its curve work is in BLSVerifier too.
      "contracts/staking/ServiceNodeContribution.sol": {
        version: SOLC_VERSION,
        settings: { evmVersion: "prague", viaIR: true, optimizer: { enabled: true, runs: 2_000 } },
      },
    },
  },
  networks: {
    // Arbitrum is not on osaka; osaka's modexp repricing (EIP-7883) would distort the BLS gas figures.
    hardhat: { hardfork: "prague" },
    localhost: { url: envNetworks.localhost.url, hardfork: "prague" } as never,
    ...(envNetworks.arbitrumSepolia === undefined ? {} : { arbitrumSepolia: envNetworks.arbitrumSepolia }),
    ...(envNetworks.arbitrumOne === undefined ? {} : { arbitrumOne: envNetworks.arbitrumOne }),
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  gasReporter: { enabled: process.env.REPORT_GAS === "1", offline: true },
  mocha: { timeout: 120_000, reporter: require.resolve("./test/support/summaryReporter.js") },
};

export default config;
