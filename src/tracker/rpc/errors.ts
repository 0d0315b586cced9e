/** Classification of RPC failures: which ones mean "ask less", which ones mean "ask someone else". */

/** The provider refused the request because the answer would be too large (too many logs, range too wide). */
export function isTooManyResults(error: unknown): boolean {
  const text = errorText(error);
  return /too many|more than \d+ results|query returned more than|limit exceeded|response size|range (is )?too (large|wide)|block range|exceeds? (the )?(max|limit)/i.test(
    text,
  );
}

/** The provider did not answer in time. */
export function isTimeout(error: unknown): boolean {
  const text = errorText(error);
  return (error as { name?: string })?.name === "TimeoutError" || /timed? ?out|timeout/i.test(text);
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const e = error as Error & { details?: string; shortMessage?: string; cause?: unknown };
    return [e.shortMessage, e.details, e.message, e.cause instanceof Error ? errorText(e.cause) : ""].filter(Boolean).join(" | ");
  }
  return String(error);
}

export function shortError(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return (e?.shortMessage ?? e?.message ?? String(error)).split("\n")[0];
}

/** Every usable provider failed the request. */
export class AllProvidersFailedError extends Error {
  constructor(
    readonly what: string,
    readonly failures: readonly { url: string; error: string }[],
  ) {
    super(`${what}: every provider failed (${failures.map((f) => `${f.url}: ${f.error}`).join("; ") || "no usable provider"})`);
  }
}

/** Providers disagree and no majority or evidence decides who is right: the tracker must not advance. */
export class ProviderDisputeError extends Error {
  constructor(
    readonly what: string,
    readonly urls: readonly string[],
  ) {
    super(`${what}: providers disagree and nothing decides who is right (${urls.join(", ")}); not advancing`);
  }
}

export class ChainIdMismatchError extends Error {
  constructor(
    readonly url: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`RPC provider ${url} serves chain id ${actual}, but the tracker is configured for chain id ${expected}`);
  }
}
