/**
 * Our own injected EIP-1193 test wallet for the portal's browser test. The page side (an init script) is a
 * tiny provider announced by EIP-6963; every request crosses to Node through a Playwright binding, where a
 * devnet account signs with viem and everything else is forwarded to the Hardhat node. The test steers it:
 * which account, which chain it starts on, "reject the next prompt" (EIP-1193 code 4001), someone else's
 * transaction landing just before the next one is broadcast, and a gas limit the user set by hand.
 *
 * Like MetaMask, it estimates the gas of a transaction itself and refuses one whose estimate reverts,
 * with the node's error (the revert data in `data.data`); a transaction sent with the user's own gas limit
 * is broadcast unestimated and its hash returned even if it is mined and reverts.
 */
import { createWalletClient, http, keccak256, numberToHex, type Hex, type LocalAccount, type TypedDataDefinition } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** Hardhat's default accounts (the devnet's #0…#19). */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

export const TEST_WALLET_INFO = {
  uuid: "4b3f8ad6-1f0e-4bf5-9d0a-5e55e55e5e55",
  name: "Session Test Wallet",
  rdns: "org.getsession.testwallet",
  // A 1×1 SVG: the announcement requires an icon data URI.
  icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E",
} as const;

/** The provider as the page sees it; `__testWalletRequest` is the Node binding, `__testWalletEmit` lets Node fire events. */
export const TEST_WALLET_INIT_SCRIPT = `(() => {
  const listeners = {};
  const provider = {
    isSessionTestWallet: true,
    async request({ method, params }) {
      const answer = JSON.parse(await window.__testWalletRequest(JSON.stringify({ method, params: params ?? [] })));
      if (answer.error) {
        const error = new Error(answer.error.message);
        error.code = answer.error.code;
        if (answer.error.data !== undefined) error.data = answer.error.data;
        throw error;
      }
      return answer.result;
    },
    on(event, listener) { (listeners[event] ??= []).push(listener); return provider; },
    removeListener(event, listener) { listeners[event] = (listeners[event] ?? []).filter((l) => l !== listener); return provider; },
  };
  window.__testWalletEmit = (event, data) => { for (const l of listeners[event] ?? []) l(data); };
  const detail = Object.freeze({ info: Object.freeze(${JSON.stringify(TEST_WALLET_INFO)}), provider });
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();`;

interface RpcError {
  readonly code: number;
  readonly message: string;
}

class WalletRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

const REVERT_HEX = /^0x[0-9a-fA-F]{8}/;
/** The revert data in a node's error `data` (a hex string, or an object with one in `data`). */
const revertHex = (data: unknown): Hex | undefined => {
  if (typeof data === "string" && REVERT_HEX.test(data)) return data as Hex;
  const inner = (data as { data?: unknown } | null | undefined)?.data;
  return typeof inner === "string" && REVERT_HEX.test(inner) ? (inner as Hex) : undefined;
};

export interface TestWalletOptions {
  /** The Hardhat node's JSON-RPC URL. */
  readonly rpcUrl: string;
  /** The devnet account index (#1 holds SESH). */
  readonly accountIndex: number;
  /** The chain the wallet starts on (1: the portal must prompt to switch). */
  readonly startChainId?: number;
}

/** What the test can see and steer. */
export class TestWallet {
  account: LocalAccount;
  chainId: number;
  /** Chains the wallet knows; switching to another asks to add it (4902). */
  readonly knownChains = new Set<number>([1]);
  connected = false;
  /** Methods whose next prompt the user "declines" (4001). */
  readonly rejectNext = new Set<string>();
  /** Every method asked, in order (for assertions). */
  readonly log: string[] = [];
  /** Runs once, right before the next transaction is estimated and broadcast: someone else's transaction lands first. */
  frontRunNext: (() => Promise<void>) | undefined;
  /** The next transaction goes out with this gas limit, unestimated (the user set it by hand). */
  gasLimitNext: bigint | undefined;
  private emitters: ((event: string, data: unknown) => Promise<void>)[] = [];
  private wallet;
  private nextId = 1;

  constructor(private readonly options: TestWalletOptions) {
    this.account = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: options.accountIndex });
    this.chainId = options.startChainId ?? 31337;
    this.knownChains.add(this.chainId);
    this.wallet = createWalletClient({ account: this.account, transport: http(options.rpcUrl) });
  }

  /** A page to tell about account and chain changes. */
  addEmitter(emit: (event: string, data: unknown) => Promise<void>): void {
    this.emitters.push(emit);
  }

  private async emit(event: string, data: unknown): Promise<void> {
    await Promise.all(this.emitters.map((e) => e(event, data).catch(() => undefined)));
  }

  private async node(method: string, params: unknown): Promise<unknown> {
    const response = await fetch(this.options.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: this.nextId++, method, params }),
    });
    const body = (await response.json()) as { result?: unknown; error?: RpcError & { data?: unknown } };
    if (body.error !== undefined) {
      throw new WalletRpcError(body.error.code, body.error.message, body.error.data);
    }
    return body.result;
  }

  private prompt(method: string): void {
    if (this.rejectNext.delete(method)) throw new WalletRpcError(4001, "User rejected the request.");
  }

  private requireConnected(): void {
    if (!this.connected) throw new WalletRpcError(4100, "The requested account has not been authorized by the user.");
  }

  /** One EIP-1193 request from the page. */
  async request(method: string, params: readonly unknown[]): Promise<unknown> {
    this.log.push(method);
    switch (method) {
      case "eth_chainId":
        return numberToHex(this.chainId);
      case "net_version":
        return String(this.chainId);
      case "eth_accounts":
        return this.connected ? [this.account.address] : [];
      case "eth_requestAccounts":
        this.prompt(method);
        this.connected = true;
        return [this.account.address];
      case "wallet_requestPermissions":
        this.prompt(method);
        this.connected = true;
        return [{ parentCapability: "eth_accounts" }];
      case "wallet_getPermissions":
        return this.connected ? [{ parentCapability: "eth_accounts" }] : [];
      case "wallet_revokePermissions":
        this.connected = false;
        return null;
      case "wallet_switchEthereumChain": {
        const chainId = Number((params[0] as { chainId: string }).chainId);
        if (!this.knownChains.has(chainId)) throw new WalletRpcError(4902, `Unrecognized chain ID ${numberToHex(chainId)}. Try adding the chain using wallet_addEthereumChain first.`);
        this.prompt(method);
        await this.switchTo(chainId);
        return null;
      }
      case "wallet_addEthereumChain": {
        this.prompt(method);
        const chainId = Number((params[0] as { chainId: string }).chainId);
        this.knownChains.add(chainId);
        await this.switchTo(chainId);
        return null;
      }
      case "personal_sign": {
        this.requireConnected();
        this.prompt(method);
        return this.account.signMessage({ message: { raw: params[0] as Hex } });
      }
      case "eth_signTypedData_v4": {
        this.requireConnected();
        this.prompt(method);
        const typed = (typeof params[1] === "string" ? JSON.parse(params[1]) : params[1]) as TypedDataDefinition & { types: Record<string, unknown> };
        const { EIP712Domain: _domain, ...types } = typed.types;
        return this.account.signTypedData({ ...typed, types } as TypedDataDefinition);
      }
      case "eth_sendTransaction": {
        this.requireConnected();
        if (this.chainId !== 31337) throw new WalletRpcError(4901, `the wallet is on chain ${this.chainId}, not the devnet`);
        this.prompt(method);
        return this.send(params[0] as { to?: Hex; data?: Hex; value?: Hex; gas?: Hex });
      }
      default:
        return this.node(method, params);
    }
  }

  /** Estimates (unless a gas limit is given), signs, broadcasts; returns the hash once the node has it. */
  private async send(tx: { to?: Hex; data?: Hex; value?: Hex; gas?: Hex }): Promise<Hex> {
    const frontRun = this.frontRunNext;
    const userGas = this.gasLimitNext;
    this.frontRunNext = undefined;
    this.gasLimitNext = undefined;
    await frontRun?.();
    let gas = userGas ?? (tx.gas === undefined ? undefined : BigInt(tx.gas));
    if (gas === undefined) {
      try {
        gas = BigInt((await this.node("eth_estimateGas", [{ from: this.account.address, to: tx.to, data: tx.data, value: tx.value }])) as Hex);
      } catch (error) {
        // MetaMask's shape: the node's error inside, the revert data in data.data.
        const data = revertHex((error as { data?: unknown }).data);
        throw new WalletRpcError(-32603, "Internal JSON-RPC error.", { code: 3, message: "execution reverted", data });
      }
    }
    const request = await this.wallet.prepareTransactionRequest({
      account: this.account,
      chain: null,
      chainId: this.chainId,
      to: tx.to,
      data: tx.data,
      value: tx.value === undefined ? undefined : BigInt(tx.value),
      gas,
    });
    const raw = await this.account.signTransaction(request as Parameters<LocalAccount["signTransaction"]>[0]);
    const hash = keccak256(raw);
    try {
      await this.node("eth_sendRawTransaction", [raw]);
    } catch (error) {
      // A Hardhat node in automine answers a mined transaction that reverted with an error; a real node
      // (and so a wallet) answers with its hash. Broadcast and mined is what counts.
      if ((await this.node("eth_getTransactionReceipt", [hash])) === null) throw error;
    }
    return hash;
  }

  /** The user picks another account in the wallet: the page hears accountsChanged. */
  async useAccount(accountIndex: number): Promise<void> {
    this.account = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: accountIndex });
    this.wallet = createWalletClient({ account: this.account, transport: http(this.options.rpcUrl) });
    if (this.connected) await this.emit("accountsChanged", [this.account.address]);
  }

  async switchTo(chainId: number): Promise<void> {
    if (chainId === this.chainId) return;
    this.chainId = chainId;
    await this.emit("chainChanged", numberToHex(chainId));
  }

  /** The binding handler: JSON in, JSON out, errors as EIP-1193 errors. */
  async handle(json: string): Promise<string> {
    const { method, params } = JSON.parse(json) as { method: string; params: unknown[] };
    try {
      return JSON.stringify({ result: (await this.request(method, params)) ?? null });
    } catch (error) {
      const { code, data } = error as { code?: number; data?: unknown };
      return JSON.stringify({ error: { code: typeof code === "number" ? code : -32603, message: (error as Error).message, ...(error instanceof WalletRpcError && data !== undefined ? { data } : {}) } });
    }
  }
}
