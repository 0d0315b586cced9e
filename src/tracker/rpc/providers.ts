/**
 * A set of RPC providers for one chain: chain id checked at start, per-request failover on errors and
 * timeouts, height ranking (laggards demoted), and cross-checking of answers between providers with
 * quarantine of the provider that disagrees. A quarantined provider is never asked again.
 */
import { createPublicClient, http, type PublicClient } from "viem";
import type { Logger } from "../log";
import { AllProvidersFailedError, ChainIdMismatchError, ProviderDisputeError, isTooManyResults, shortError } from "./errors";

export type ProviderState = "healthy" | "demoted" | "quarantined";

export interface Provider {
  readonly url: string;
  readonly client: PublicClient;
  state: ProviderState;
  height: bigint | null;
  latencyMs: number | null;
  requests: number;
  failures: number;
  consecutiveFailures: number;
  disagreements: number;
  lastError: string | null;
  quarantineReason: string | null;
}

export interface ProviderSetOptions {
  readonly urls: readonly string[];
  /** Expected chain id; when absent every provider must report the same one. */
  readonly chainId?: number;
  readonly timeoutMs: number;
  /** A provider more than this many blocks behind the best is demoted. */
  readonly maxLagBlocks: bigint;
  readonly logger: Logger;
}

export interface ProviderStatus {
  readonly url: string;
  readonly state: ProviderState;
  readonly height: string | null;
  readonly latencyMs: number | null;
  readonly requests: number;
  readonly failures: number;
  readonly disagreements: number;
  readonly lastError: string | null;
  readonly quarantineReason: string | null;
}

/** Decides, from their answers, which providers lied. Returns the urls proven wrong (empty: undecided). */
export type Arbiter<T> = (answers: readonly { provider: Provider; value: T }[]) => Promise<readonly string[]>;

export interface ProviderSet {
  readonly providers: readonly Provider[];
  chainId(): number;
  /** Checks every provider's chain id; quarantines mismatches; throws if none is usable. */
  init(): Promise<number>;
  /** Runs `fn` on the best provider, failing over to the next on errors and timeouts. */
  request<T>(what: string, fn: (client: PublicClient) => Promise<T>): Promise<T>;
  /** Runs `fn` on a given provider (no failover), with accounting. */
  requestFrom<T>(provider: Provider, what: string, fn: (client: PublicClient) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on two providers (when two are usable) and compares `key(answer)`. On disagreement asks all
   * usable providers: a strict majority wins and the others are quarantined; otherwise `arbiter` may
   * prove who lied; otherwise throws {@link ProviderDisputeError}.
   */
  crossCheck<T>(what: string, fn: (client: PublicClient) => Promise<T>, key: (value: T) => string, arbiter?: Arbiter<T>): Promise<T>;
  refreshHeights(): Promise<bigint | null>;
  quarantine(url: string, reason: string): void;
  usable(): Provider[];
  status(): ProviderStatus[];
}

export function createProviderSet(options: ProviderSetOptions): ProviderSet {
  if (options.urls.length === 0) throw new Error("tracker: at least one RPC URL is required (--rpc)");
  const log = options.logger;
  const providers: Provider[] = options.urls.map((url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`tracker: RPC URL "${url}" is not a valid URL`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new Error(`tracker: RPC URL "${url}" must be http(s)`);
    }
    return {
      url,
      client: createPublicClient({
        transport: http(url, { timeout: options.timeoutMs, retryCount: 0, batch: { wait: 0, batchSize: 200 } }),
      }) as PublicClient,
      state: "healthy",
      height: null,
      latencyMs: null,
      requests: 0,
      failures: 0,
      consecutiveFailures: 0,
      disagreements: 0,
      lastError: null,
      quarantineReason: null,
    };
  });
  let chainId = options.chainId ?? -1;

  const usable = (): Provider[] =>
    providers
      .filter((p) => p.state !== "quarantined")
      .sort(
        (a, b) =>
          (a.state === "healthy" ? 0 : 1) - (b.state === "healthy" ? 0 : 1) ||
          a.consecutiveFailures - b.consecutiveFailures ||
          providers.indexOf(a) - providers.indexOf(b),
      );

  const quarantine = (url: string, reason: string): void => {
    const p = providers.find((x) => x.url === url);
    if (!p || p.state === "quarantined") return;
    p.state = "quarantined";
    p.quarantineReason = reason;
    log.error("provider quarantined", { url, reason });
  };

  async function requestFrom<T>(p: Provider, what: string, fn: (client: PublicClient) => Promise<T>): Promise<T> {
    const started = Date.now();
    p.requests++;
    try {
      const value = await fn(p.client);
      const ms = Date.now() - started;
      p.latencyMs = p.latencyMs === null ? ms : Math.round(p.latencyMs * 0.8 + ms * 0.2);
      p.consecutiveFailures = 0;
      return value;
    } catch (error) {
      if (!isTooManyResults(error)) {
        p.failures++;
        p.consecutiveFailures++;
        p.lastError = `${what}: ${shortError(error)}`;
      }
      throw error;
    }
  }

  async function request<T>(what: string, fn: (client: PublicClient) => Promise<T>): Promise<T> {
    const failures: { url: string; error: string }[] = [];
    // Two passes over the usable providers (the second after a short pause) absorb transient 5xx/timeouts.
    for (let pass = 0; pass < 2; pass++) {
      if (pass > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      for (const p of usable()) {
        try {
          return await requestFrom(p, what, fn);
        } catch (error) {
          if (isTooManyResults(error)) throw error; // the request must shrink, not move
          failures.push({ url: p.url, error: shortError(error) });
          log.warn("provider request failed, failing over", { url: p.url, what, error: shortError(error) });
        }
      }
    }
    throw new AllProvidersFailedError(what, failures);
  }

  async function crossCheck<T>(
    what: string,
    fn: (client: PublicClient) => Promise<T>,
    key: (value: T) => string,
    arbiter?: Arbiter<T>,
  ): Promise<T> {
    const candidates = usable();
    const answers: { provider: Provider; value: T; key: string }[] = [];
    const failures: { url: string; error: string }[] = [];
    let next = 0;
    // Collect two answers from two distinct providers (fewer if fewer are usable).
    const want = Math.min(2, candidates.length);
    while (answers.length < want && next < candidates.length) {
      const batch = candidates.slice(next, next + (want - answers.length));
      next += batch.length;
      const settled = await Promise.allSettled(batch.map((p) => requestFrom(p, what, fn)));
      for (let i = 0; i < batch.length; i++) {
        const s = settled[i];
        // Keys only matter when two answers are compared (a lone provider's large answers are not keyed).
        if (s.status === "fulfilled") answers.push({ provider: batch[i], value: s.value, key: want > 1 ? key(s.value) : "" });
        else {
          if (isTooManyResults(s.reason)) throw s.reason;
          failures.push({ url: batch[i].url, error: shortError(s.reason) });
        }
      }
    }
    if (answers.length === 0) {
      // Nobody answered: one more pass after a short pause (transient 5xx/timeouts), then give up.
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const p of usable()) {
        try {
          const value = await requestFrom(p, what, fn);
          answers.push({ provider: p, value, key: "" }); // the only answer: never compared
          break;
        } catch (error) {
          if (isTooManyResults(error)) throw error;
          failures.push({ url: p.url, error: shortError(error) });
        }
      }
      if (answers.length === 0) throw new AllProvidersFailedError(what, failures);
    }
    if (answers.length === 1 || answers[0].key === answers[1].key) return answers[0].value;

    // Disagreement: ask every other usable provider, then look for a strict majority.
    log.warn("providers disagree", { what, urls: answers.map((a) => a.provider.url) });
    for (const p of candidates.slice(next)) {
      try {
        const value = await requestFrom(p, what, fn);
        answers.push({ provider: p, value, key: key(value) });
      } catch (error) {
        if (isTooManyResults(error)) throw error;
      }
    }
    const tally = new Map<string, number>();
    for (const a of answers) tally.set(a.key, (tally.get(a.key) ?? 0) + 1);
    const ranked = [...tally.entries()].sort((a, b) => b[1] - a[1]);
    const [bestKey, bestCount] = ranked[0];
    if (bestCount >= 2 && (ranked.length === 1 || ranked[1][1] < bestCount)) {
      for (const a of answers) {
        if (a.key !== bestKey) {
          a.provider.disagreements++;
          quarantine(a.provider.url, `${what}: answer differs from the majority of providers`);
        }
      }
      return answers.find((a) => a.key === bestKey)!.value;
    }
    if (arbiter) {
      const liars = new Set(await arbiter(answers));
      const honest = answers.filter((a) => !liars.has(a.provider.url));
      const honestKeys = new Set(honest.map((a) => a.key));
      if (liars.size > 0 && honest.length > 0 && honestKeys.size === 1) {
        for (const a of answers) {
          if (liars.has(a.provider.url)) {
            a.provider.disagreements++;
            quarantine(a.provider.url, `${what}: answer proven wrong against the block's receipts root`);
          }
        }
        return honest[0].value;
      }
    }
    for (const a of answers) a.provider.disagreements++;
    throw new ProviderDisputeError(
      what,
      answers.map((a) => a.provider.url),
    );
  }

  return {
    providers,
    chainId: () => chainId,
    async init() {
      const results = await Promise.allSettled(providers.map((p) => requestFrom(p, "eth_chainId", (c) => c.getChainId())));
      const seen: { p: Provider; id: number }[] = [];
      results.forEach((r, i) => {
        if (r.status === "fulfilled") seen.push({ p: providers[i], id: r.value });
        else {
          providers[i].state = "demoted";
          log.warn("provider unreachable at start", { url: providers[i].url, error: shortError(r.reason) });
        }
      });
      if (options.chainId === undefined) {
        const ids = new Set(seen.map((s) => s.id));
        if (ids.size > 1) {
          throw new Error(
            `tracker: RPC providers serve different chains (${seen.map((s) => `${s.p.url} → ${s.id}`).join(", ")}); set --chain-id`,
          );
        }
        if (ids.size === 0) throw new AllProvidersFailedError("eth_chainId", []);
        chainId = seen[0].id;
      }
      for (const s of seen) {
        if (s.id !== chainId) {
          const err = new ChainIdMismatchError(s.p.url, chainId, s.id);
          log.error(err.message, { url: s.p.url, expected: chainId, actual: s.id });
          quarantine(s.p.url, err.message);
        }
      }
      const ok = seen.filter((s) => s.id === chainId);
      if (ok.length === 0) {
        const mismatch = seen[0];
        if (mismatch) throw new ChainIdMismatchError(mismatch.p.url, chainId, mismatch.id);
        throw new AllProvidersFailedError("eth_chainId", providers.map((p) => ({ url: p.url, error: p.lastError ?? "?" })));
      }
      return chainId;
    },
    request,
    requestFrom,
    crossCheck,
    async refreshHeights() {
      const live = providers.filter((p) => p.state !== "quarantined");
      const results = await Promise.allSettled(live.map((p) => requestFrom(p, "eth_blockNumber", (c) => c.getBlockNumber({ cacheTime: 0 }))));
      results.forEach((r, i) => {
        if (r.status === "fulfilled") live[i].height = r.value;
      });
      const heights = live.filter((_, i) => results[i].status === "fulfilled").map((p) => p.height!);
      if (heights.length === 0) return null;
      const best = heights.reduce((a, b) => (a > b ? a : b));
      live.forEach((p, i) => {
        const ok = results[i].status === "fulfilled";
        const lagging = ok && best - p.height! > options.maxLagBlocks;
        const next: ProviderState = ok && !lagging ? "healthy" : "demoted";
        if (next !== p.state) log.info(next === "healthy" ? "provider healthy" : "provider demoted", { url: p.url, height: p.height, best });
        p.state = next;
      });
      return best;
    },
    quarantine,
    usable,
    status: () =>
      providers.map((p) => ({
        url: p.url,
        state: p.state,
        height: p.height === null ? null : p.height.toString(),
        latencyMs: p.latencyMs,
        requests: p.requests,
        failures: p.failures,
        disagreements: p.disagreements,
        lastError: p.lastError,
        quarantineReason: p.quarantineReason,
      })),
  };
}
