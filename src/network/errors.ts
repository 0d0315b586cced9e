/**
 * Structured errors of the node and aggregator APIs, mapped to JSON-RPC 2.0 error codes: the spec's own
 * for protocol errors (-32700 parse error, -32600 invalid request, -32601 method not found, -32602 invalid
 * params, -32603 internal) and server-defined codes (-32000…-32099) for the services' refusals.
 */

export type ErrorKind =
  | "parse_error"
  | "invalid_request"
  | "method_not_found"
  | "bad_request"
  | "forbidden"
  | "not_found"
  | "unavailable"
  | "refused"
  | "rate_limited"
  | "internal";

export const ERROR_CODES: Readonly<Record<ErrorKind, number>> = {
  parse_error: -32700,
  invalid_request: -32600,
  method_not_found: -32601,
  /** Invalid params. */
  bad_request: -32602,
  forbidden: -32003,
  not_found: -32004,
  unavailable: -32005,
  refused: -32010,
  rate_limited: -32029,
  internal: -32603,
};

export class NetworkError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = "NetworkError";
  }
}

export const badRequest = (message: string): NetworkError => new NetworkError("bad_request", message);
export const forbidden = (message: string): NetworkError => new NetworkError("forbidden", message);
export const notFound = (message: string): NetworkError => new NetworkError("not_found", message);
export const methodNotFound = (message: string): NetworkError => new NetworkError("method_not_found", message);

/** JSON-RPC error object for any thrown value. */
export function toRpcError(error: unknown): { code: number; message: string; data: { kind: ErrorKind } & Record<string, unknown> } {
  if (error instanceof NetworkError) return { code: ERROR_CODES[error.kind], message: error.message, data: { kind: error.kind, ...jsonSafe(error.details) } };
  const detail = error instanceof Error ? error.message : String(error);
  return { code: ERROR_CODES.internal, message: `internal error: ${detail === "" ? (error as Error)?.name ?? "no message" : detail}`, data: { kind: "internal" } };
}

/** Rebuilds a NetworkError from a JSON-RPC error object. */
export function fromRpcError(error: { code?: number; message?: string; data?: { kind?: string } & Record<string, unknown> }): NetworkError {
  const kinds = Object.keys(ERROR_CODES) as ErrorKind[];
  const kind = kinds.find((k) => k === error.data?.kind) ?? kinds.find((k) => ERROR_CODES[k] === error.code) ?? "internal";
  const { kind: _kind, ...details } = error.data ?? {};
  return new NetworkError(kind, String(error.message ?? `error code ${error.code ?? "missing"} without a message`), details);
}

/** Deep copy with bigints as decimal strings (JSON cannot carry bigints). */
export function jsonSafe<T>(value: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Record<string, unknown>;
}
