/**
 * The page's frame — brand, page links, wallet corner, main region — in one place: React's Shell renders it
 * from NAV, and the build writes the same frame as plain HTML into index.html (vite.config.mts), so the
 * first paint shows the portal's frame before any JavaScript has loaded; React's first commit replaces it.
 * No imports here: the Vite config loads this module at build time, and the tests run it in Node.
 */
/** The pages with a link of their own (route.ts's Route pages, less the pool and name detail pages). */
export type NavPage = "network" | "pools" | "stakes" | "register" | "names";

export const NAV: readonly { readonly page: NavPage; readonly label: string; readonly to: string }[] = [
  { page: "network", label: "Network", to: "#/" },
  { page: "pools", label: "Open pools", to: "#/pools" },
  { page: "stakes", label: "My stakes", to: "#/stakes" },
  { page: "register", label: "Register a node", to: "#/register" },
  { page: "names", label: "Names", to: "#/names" },
];

export const BRAND = "Session Network";
export const LOADING_WALLET = "Loading wallet support…";

/** The frame as static HTML for index.html's #root (the same elements and classes React renders). */
export function staticShellHtml(): string {
  const links = NAV.map((item) => `<a href="${item.to}">${item.label}</a>`).join("");
  return (
    `<a class="skip" href="#main">Skip to content</a>` +
    `<header><div class="brand"><strong>${BRAND}</strong></div><nav aria-label="Pages">${links}</nav>` +
    `<div class="wallet" aria-label="Wallet"><span class="hint">${LOADING_WALLET}</span></div></header>` +
    `<main id="main" tabindex="-1"><p class="loading">Loading…</p></main>`
  );
}
