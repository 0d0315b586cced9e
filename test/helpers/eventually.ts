/**
 * The node network answers from a view of the tracker that trails it by up to a sync interval plus the
 * shared snapshot's age (≤ 250 ms), and dates its answers with a clock that re-reads the chain at most
 * every 2 s: a request made right after the tracker reached the head, or right after a time jump, may
 * still see the state before. Repeats `call` until `settled` holds for its outcome (an answer or the
 * error it threw), at most `timeoutMs`, and returns the last outcome for the caller's assertions.
 */
export async function eventually<T>(call: () => Promise<T>, settled: (outcome: T | Error) => boolean, timeoutMs = 10_000): Promise<T | Error> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await call().catch((e: Error) => e);
    if (settled(outcome) || Date.now() > deadline) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An answer, not an error. */
export const answered = (outcome: unknown): boolean => !(outcome instanceof Error);
