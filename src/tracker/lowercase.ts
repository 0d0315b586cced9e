/**
 * `text.toLowerCase()`, without the copy when nothing would change. V8's toLowerCase returns a new string
 * even then, and a dense range lowercases 100,000s of hex strings (addresses, topics, keys) that providers
 * already send lowercase. Exact: text without A–Z and without non-ASCII characters is its own lowercase;
 * anything else goes through toLowerCase.
 */
const MAY_CHANGE = /[A-Z\u0080-\uffff]/;

export const lowercase = (text: string): string => (MAY_CHANGE.test(text) ? text.toLowerCase() : text);
