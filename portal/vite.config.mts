/**
 * Vite build of the portal (root: this directory, output: dist/). The bundle takes its network from
 * `config.json` beside index.html at run time, so one build serves the devnet and (with the file written by
 * `npm run portal:build -- --network …`) a real network. `base: "./"` lets it live under any path.
 */
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { staticShellHtml } from "./src/shell";

/** The page's frame as plain HTML in #root: painted before any JavaScript runs (src/shell.ts). */
const staticShell = (): Plugin => ({
  name: "session-portal-static-shell",
  transformIndexHtml: (html) => html.replace(/<div id="root">[\s\S]*?<\/div>/, `<div id="root">${staticShellHtml()}</div>`),
});

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [react(), staticShell()],
  // Only our own files: no CDN, no external fonts (the server's Content-Security-Policy enforces it).
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
  },
  server: { fs: { allow: [".."] } },
  logLevel: "warn",
});
