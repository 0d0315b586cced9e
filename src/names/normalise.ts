/** Name normalisation: the only place a plaintext name is checked before it is hashed. */

/** Default parent: names are `<label>.session`. */
export const DEFAULT_PARENT = "session";
/** Longest label, in characters. */
export const MAX_LABEL_LENGTH = 64;

/** A name or label that cannot be registered; the message names the problem. */
export class NameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NameError";
  }
}

const LABEL_CHAR = /^[a-z0-9_-]$/;

/**
 * Lower-cases `input` and checks it is 1–64 characters of `a-z 0-9 _ -`, not starting or ending with `-`.
 * Returns the normalised label; throws {@link NameError} naming the problem otherwise.
 */
export function normaliseLabel(input: string): string {
  const label = input.toLowerCase();
  if (label.length === 0) throw new NameError("name is empty: a label needs 1–64 characters of a-z 0-9 _ -");
  const chars = Array.from(label);
  if (chars.length > MAX_LABEL_LENGTH) {
    throw new NameError(`name "${input}" is ${chars.length} characters long: at most ${MAX_LABEL_LENGTH} are allowed`);
  }
  chars.forEach((ch, i) => {
    if (ch === ".") throw new NameError(`name "${input}" has a "." at position ${i + 1}: subdomains are not supported`);
    if (!LABEL_CHAR.test(ch)) {
      throw new NameError(
        `name "${input}" has invalid character ${JSON.stringify(ch)} at position ${i + 1}: only a-z 0-9 _ - are allowed`,
      );
    }
  });
  if (label.startsWith("-")) throw new NameError(`name "${input}" must not start with "-"`);
  if (label.endsWith("-")) throw new NameError(`name "${input}" must not end with "-"`);
  return label;
}

/** A normalised name: its label and the full dotted name (`alice.session`). */
export interface NormalisedName {
  readonly label: string;
  readonly fullName: string;
}

/**
 * Normalises `alice`, `Alice` or `alice.session` to `{ label: "alice", fullName: "alice.session" }`. A name
 * ending in another parent (`alice.eth`) is rejected.
 */
export function normaliseName(input: string, parent: string = DEFAULT_PARENT): NormalisedName {
  const lower = input.toLowerCase();
  const suffix = `.${parent}`;
  let label = input;
  if (lower.endsWith(suffix)) {
    label = input.slice(0, input.length - suffix.length);
  } else if (lower.includes(".")) {
    const tld = lower.slice(lower.lastIndexOf(".") + 1);
    if (!lower.slice(0, lower.lastIndexOf(".")).includes(".") && tld !== parent) {
      throw new NameError(`name "${input}" is not under ".${parent}" (it ends in ".${tld}")`);
    }
  }
  const normalised = normaliseLabel(label);
  return { label: normalised, fullName: `${normalised}.${parent}` };
}
