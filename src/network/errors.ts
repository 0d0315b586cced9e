/** Structured errors of the node and aggregator APIs, mapped to JSON-RPC error codes. */

export type ErrorKind = "bad_request" | "forbidden" | "not_found" | "unavailable" | "refused" | "internal";

export const ERROR_CODES: Readonly<Record<ErrorKind, number>> = {
  bad_request: -32602,
  forbidden: -32003,
  not_found: -32004,
  unavailable: -32005,
  refused: -32010,
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

/** JSON-RPC error object for any thrown value. */
export function toRpcError(error: unknown): { code: number; message: string; data: { kind: ErrorKind } & Record<string, unknown> } {
  if (error instanceof NetworkError) return { code: ERROR_CODES[error.kind], message: error.message, data: { kind: error.kind, ...jsonSafe(error.details) } };
  const detail = error instanceof Error ? error.message : String(error);
  return { code: ERROR_CODES.internal, message: `internal error: ${detail === "" ? (error as Error)?.name ?? "no message" : detail}`, data: { kind: "internal" } };
}

/** Rebuilds a NetworkError from a JSON-RPC error object. */
export function fromRpcError(error: { code?: number; message?: string; data?: { kind?: string } }): NetworkError {
  const kind = (Object.keys(ERROR_CODES) as ErrorKind[]).find((k) => k === error.data?.kind) ?? "internal";
  const message = typeof error.message === "string" && error.message !== "" ? error.message : `JSON-RPC error ${error.code ?? "(no code)"} without a message (kind ${error.data?.kind ?? "unknown"})`;
  return new NetworkError(kind, message);
}

/** Deep copy with bigints as decimal strings (JSON cannot carry bigints). */
export function jsonSafe<T>(value: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Record<string, unknown>;
}
