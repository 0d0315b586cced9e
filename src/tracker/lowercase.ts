/**
 * `text.toLowerCase()`, without the copy when nothing would change. V8's toLowerCase returns a new string
 * even then, and a dense range lowercases 100,000s of hex strings (addresses, topics, keys) that providers
 * already send lowercase. For ASCII text (hex, addresses, keys), where it is exact: text without A–Z is
 * its own lowercase. Non-ASCII letters are left as they are (such text is no valid hex or key anyway).
 */
const UPPER = /[A-Z]/;

export const lowercase = (text: string): string => (UPPER.test(text) ? text.toLowerCase() : text);
