/**
 * Headless Debian Chromium driven by playwright-core, for the tests that look at the tracker's status page.
 * playwright-core is loaded at run time so a checkout without the dev dependency still typechecks
 * (`npm ci` installs it); only the few calls the tests make are typed here.
 */
import { existsSync } from "node:fs";

/** The DOM as the page callbacks use it (the project compiles without the DOM lib). */
export interface DomNode {
  readonly textContent: string | null;
  readonly innerText?: string;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): ArrayLike<DomNode>;
}

export interface Browser {
  newPage(): Promise<{
    goto(url: string): Promise<unknown>;
    title(): Promise<string>;
    $$eval<R>(selector: string, fn: (elements: DomNode[]) => R): Promise<R>;
    $eval<R>(selector: string, fn: (element: DomNode) => R): Promise<R>;
  }>;
  close(): Promise<void>;
}

interface ChromiumLauncher {
  launch(options: { executablePath: string; headless: boolean }): Promise<Browser>;
}

const CHROMIUM = "/usr/bin/chromium";

/** Throws, saying how to install it, when Debian's Chromium is missing. */
export function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (.ci/run does)`);
}

export async function launchChromium(): Promise<Browser> {
  assertChromiumInstalled();
  const { chromium } = require("playwright-core") as { chromium: ChromiumLauncher };
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}
