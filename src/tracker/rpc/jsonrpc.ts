/**
 * A plain JSON-RPC POST over node:http(s), for the one request whose answer is large: eth_getLogs during a
 * sync (megabytes per range). viem's transport reads a body through a web stream, decodes it chunk by chunk
 * and wraps every step in promises; here the body's buffers are joined once, decoded once and parsed once.
 * Same contract as the provider's viem transport: one attempt (the provider set fails over), a timeout per
 * request, HTTP and JSON-RPC errors thrown with the provider's message in their text (so "too many results"
 * and timeouts are classified exactly as before, see ./errors).
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isAscii } from "node:buffer";

/** Keep-alive connections, as viem's fetch keeps them (a sync sends hundreds of requests). */
const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

/**
 * Answers larger than this are refused as "response size exceeds the limit" (classified as too many
 * results: the range shrinks). A range that big would be held in memory whole; a lying provider cannot
 * make the tracker allocate without bound.
 */
export const MAX_RESPONSE_BYTES = 128 * 1024 * 1024;

export class JsonRpcTimeoutError extends Error {
  override readonly name = "TimeoutError";
  constructor(
    readonly url: string,
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} to ${url} timed out after ${timeoutMs} ms`);
  }
}

export class JsonRpcHttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly details: string,
  ) {
    super(`HTTP ${status} from ${url}: ${details}`);
  }
}

/** The provider answered with a JSON-RPC error object. */
export class JsonRpcResponseError extends Error {
  constructor(
    readonly url: string,
    readonly code: number | undefined,
    readonly details: string,
    readonly data?: unknown,
  ) {
    super(`RPC error${code === undefined ? "" : ` ${code}`} from ${url}: ${details}`);
  }
}

let nextId = 1;

/**
 * One reusable receive buffer (grown on demand, kept up to {@link KEEP_BUFFER_BYTES}): a sync receives
 * megabytes per range, and a fresh buffer each time costs page faults and a copy to join the chunks.
 * Used by one response at a time; a response arriving while it is taken collects its chunks as usual.
 */
let receiveBuffer: Buffer | null = null;
let receiveBufferTaken = false;
const KEEP_BUFFER_BYTES = 32 * 1024 * 1024;

const errorDetails = (error: unknown): string => {
  if (error !== null && typeof error === "object") {
    const e = error as { message?: unknown; code?: unknown };
    if (typeof e.message === "string") return e.message;
  }
  return JSON.stringify(error) ?? String(error);
};

/**
 * How a caller turns an answer into its result type: `fast` reads a successful answer's bytes directly
 * (null: not an answer it reads, parse it generically); `convert` turns the generic path's parsed
 * `result` into the same type (and throws on a malformed one). Where `fast` returns a value, `convert`
 * of the parsed answer must return an equal one.
 */
export interface AnswerReader<T> {
  readonly fast: (answer: Buffer) => T | null;
  readonly convert: (result: unknown) => T;
}

/**
 * POSTs one JSON-RPC call to `url` and returns its `result` (parsed JSON, or as `reader` reads it). Throws
 * {@link JsonRpcTimeoutError} after `timeoutMs` (0: no timeout), {@link JsonRpcHttpError} on a non-2xx
 * status or an unreadable body, {@link JsonRpcResponseError} on an `error` answer, and what
 * `reader.convert` throws.
 */
export function postJsonRpc(url: string, method: string, params: readonly unknown[], timeoutMs: number): Promise<unknown>;
export function postJsonRpc<T>(url: string, method: string, params: readonly unknown[], timeoutMs: number, reader: AnswerReader<T>): Promise<T>;
export function postJsonRpc(url: string, method: string, params: readonly unknown[], timeoutMs: number, reader?: AnswerReader<unknown>): Promise<unknown> {
  const target = new URL(url);
  const https = target.protocol === "https:";
  if (!https && target.protocol !== "http:") return Promise.reject(new Error(`JSON-RPC URL "${url}" must be http(s)`));
  const body = JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params });
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const succeed = (result: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const headers: Record<string, string> = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) };
    if (target.username !== "" || target.password !== "") {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString("base64")}`;
    }
    const options = { method: "POST", headers, agent: https ? httpsAgent : httpAgent };
    const onResponse = (res: IncomingMessage): void => {
      // Chunks go into the shared receive buffer when it is free, else into a list joined at the end.
      let own: Buffer | null = null;
      if (!receiveBufferTaken) {
        receiveBufferTaken = true;
        own = receiveBuffer ?? Buffer.allocUnsafe(1024 * 1024);
      }
      const release = (): void => {
        if (own === null) return;
        receiveBuffer = own.length <= KEEP_BUFFER_BYTES ? own : null;
        receiveBufferTaken = false;
        own = null;
      };
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (settled) return;
        if (size + chunk.length > MAX_RESPONSE_BYTES) {
          release();
          req.destroy();
          fail(new JsonRpcHttpError(url, res.statusCode ?? 0, `${method}: response size exceeds the limit of ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        if (own !== null) {
          if (size + chunk.length > own.length) {
            const grown = Buffer.allocUnsafe(Math.max(own.length * 2, size + chunk.length));
            own.copy(grown, 0, 0, size);
            own = grown;
          }
          chunk.copy(own, size);
        } else chunks.push(chunk);
        size += chunk.length;
      });
      res.on("error", (error) => {
        release();
        fail(error);
      });
      res.on("close", release);
      res.on("end", () => {
        if (settled) return release();
        const bytes = own !== null ? own.subarray(0, size) : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
        const status = res.statusCode ?? 0;
        if (reader !== undefined && status >= 200 && status < 300) {
          let read: unknown;
          try {
            read = reader.fast(bytes);
          } catch (error) {
            release();
            fail(error as Error);
            return;
          }
          if (read !== null) {
            release();
            succeed(read);
            return;
          }
        }
        // An answer of hex strings is ASCII: decoded as latin1 it needs no UTF-8 decoding (same text).
        const text = bytes.toString(isAscii(bytes) ? "latin1" : "utf8");
        release();
        chunks.length = 0;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          fail(new JsonRpcHttpError(url, status, status >= 200 && status < 300 ? `${method}: the answer is not JSON: ${text.slice(0, 200)}` : text.slice(0, 200) || (res.statusMessage ?? "")));
          return;
        }
        const answer = parsed as { result?: unknown; error?: unknown } | null;
        if (answer !== null && typeof answer === "object" && answer.error !== undefined && answer.error !== null) {
          const e = answer.error as { code?: unknown; data?: unknown };
          const code = typeof e.code === "number" ? e.code : undefined;
          fail(status >= 200 && status < 300 ? new JsonRpcResponseError(url, code, errorDetails(answer.error), e.data) : new JsonRpcHttpError(url, status, errorDetails(answer.error)));
          return;
        }
        if (status < 200 || status >= 300) {
          fail(new JsonRpcHttpError(url, status, text.slice(0, 200) || (res.statusMessage ?? "")));
          return;
        }
        if (answer === null || typeof answer !== "object" || !("result" in answer)) {
          fail(new JsonRpcHttpError(url, status, `${method}: the answer has neither a result nor an error`));
          return;
        }
        let result: unknown = answer.result;
        if (reader !== undefined) {
          try {
            result = reader.convert(result);
          } catch (error) {
            fail(error as Error);
            return;
          }
        }
        succeed(result);
      });
    };
    let responded = false;
    const send = (): ClientRequest => {
      const sent = https ? httpsRequest(target, options, onResponse) : httpRequest(target, options, onResponse);
      sent.on("response", () => (responded = true));
      sent.on("error", (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed while it sat idle: the request never reached the
        // server, so it goes once more on a new connection (as Node's documentation advises).
        if (!settled && !responded && sent.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE")) {
          req = send();
          return;
        }
        fail(error);
      });
      sent.end(body);
      return sent;
    };
    let req = send();
    const timer = timeoutMs > 0 ? setTimeout(() => {
      fail(new JsonRpcTimeoutError(url, method, timeoutMs));
      req.destroy();
    }, timeoutMs) : undefined;
  });
}
