/**
 * Per-client limits of the public JSON-RPC endpoints: a token bucket of requests per second and a cap on
 * requests in flight, per client address. A client over either limit gets HTTP 429 with a JSON-RPC error
 * (`rate_limited`, code -32029) and a Retry-After; the table of clients is bounded (least recent dropped).
 */
import { boundedCache } from "./cache";

export interface ClientLimits {
  /** Sustained requests per second per client. */
  readonly ratePerSecond: number;
  /** Requests a client may send at once above the rate (bucket size). */
  readonly burst: number;
  /** Requests of one client being answered at once. */
  readonly maxInFlight: number;
  /** Clients tracked (default 10,000). */
  readonly maxClients?: number;
}

/** The aggregator's defaults: a wallet or task needs a handful of requests; 20 connections of one client do not starve the rest. */
export const DEFAULT_CLIENT_LIMITS: ClientLimits = { ratePerSecond: 20, burst: 40, maxInFlight: 8 };

export type Admission = { readonly ok: true; release(): void } | { readonly ok: false; readonly retryAfterSeconds: number; readonly reason: string };

export interface ClientLimiter {
  admit(client: string, now?: number): Admission;
}

export function clientLimiter(limits: ClientLimits): ClientLimiter {
  const clients = boundedCache<string, { tokens: number; at: number; inFlight: number }>(limits.maxClients ?? 10_000);
  return {
    admit(client, now = Date.now()) {
      let state = clients.get(client, now);
      if (state === undefined) {
        state = { tokens: limits.burst, at: now, inFlight: 0 };
        clients.set(client, state);
      }
      state.tokens = Math.min(limits.burst, state.tokens + ((now - state.at) / 1000) * limits.ratePerSecond);
      state.at = now;
      if (state.inFlight >= limits.maxInFlight) {
        return { ok: false, retryAfterSeconds: 1, reason: `too many requests in flight from this client (at most ${limits.maxInFlight} at once)` };
      }
      if (state.tokens < 1) {
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - state.tokens) / limits.ratePerSecond)), reason: `rate limit: at most ${limits.ratePerSecond} requests per second per client (burst ${limits.burst})` };
      }
      state.tokens -= 1;
      state.inFlight++;
      const held = state;
      let released = false;
      return {
        ok: true,
        release() {
          if (released) return;
          released = true;
          held.inFlight--;
        },
      };
    },
  };
}
