/**
 * Layers that run one way: src ← lib ← deploy ← tasks ← scripts. A file may import from its own layer or
 * a lower one, never from a higher one, and no import chain may lead back to where it started. Read from
 * the source text of every .ts file under those folders (static imports and re-exports, `import type`,
 * `import()` and `require()` alike); the tests sit beside the scripts at the top.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";

const ROOT = path.join(__dirname, "..");
/** Lowest first: each may import only from itself and the ones before it. */
const LAYERS = ["src", "lib", "deploy", "tasks", "scripts"] as const;
/** Folders outside the layers that are still checked as importers' targets: generated code at the bottom, tests at the top. */
const LAYER_OF_OTHER: Readonly<Record<string, number>> = { "typechain-types": -1, test: LAYERS.length - 1 };

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']|(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist") continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) files.push(...sourceFiles(full));
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) files.push(full);
  }
  return files;
}

/** The relative specifiers a file imports (comments that start a line, and template literals, stripped first: a path in prose or in generated text is not an import). */
function importsOf(text: string): string[] {
  const code = text
    .replace(/^\s*\/\*[\s\S]*?\*\//gm, "")
    .replace(/^\s*\/\/.*$/gm, "")
    // Template literals are text (e.g. a config file a script writes), not this file's imports.
    .replace(/`(?:\\[\s\S]|[^`\\])*`/g, "``");
  const found: string[] = [];
  for (const match of code.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    if (spec.startsWith(".")) found.push(spec);
  }
  return found;
}

function resolve(fromFile: string, spec: string): string | null {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function layerOf(file: string): number | undefined {
  const top = path.relative(ROOT, file).split(path.sep)[0];
  const index = (LAYERS as readonly string[]).indexOf(top);
  return index >= 0 ? index : LAYER_OF_OTHER[top];
}

/** Every cycle's files, in import order (each cycle once). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

describe("layers run one way: src ← lib ← deploy ← tasks ← scripts", function () {
  const files = LAYERS.filter((layer) => existsSync(path.join(ROOT, layer))).flatMap((layer) => sourceFiles(path.join(ROOT, layer)));
  const graph = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of files) {
    const targets: string[] = [];
    for (const spec of importsOf(readFileSync(file, "utf8"))) {
      const target = resolve(file, spec);
      if (target === null) unresolved.push(`${path.relative(ROOT, file)} imports "${spec}", which is no file`);
      else targets.push(target);
    }
    graph.set(file, targets);
  }
  const rel = (file: string): string => path.relative(ROOT, file);

  it("reads the imports it checks (the reader finds every form of import)", function () {
    expect(files.length).to.be.greaterThan(100);
    expect(importsOf(`import a from "./a";\nimport type { B } from "../b";\nexport { c } from "./c";\nexport * from "./d";\nconst e = await import("./e");\nconst f = require("./f");\nimport "./g";\n// import x from "./no";\n/* import y from "./no" */\nimport z from "viem";`)).to.deep.equal([
      "./a",
      "../b",
      "./c",
      "./d",
      "./e",
      "./f",
      "./g",
    ]);
    expect(findCycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]))).to.deep.equal([["a", "b", "c"]]);
    expect(unresolved, unresolved.join("\n")).to.deep.equal([]);
  });

  it("no file imports from a higher layer", function () {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const from = layerOf(file)!;
      for (const target of targets) {
        const to = layerOf(target);
        if (to === undefined || to > from) {
          upward.push(`${rel(file)} (${LAYERS[from]}) imports ${rel(target)} (${to === undefined ? "outside the layers" : LAYERS[to]})`);
        }
      }
    }
    expect(upward, upward.join("\n")).to.deep.equal([]);
  });

  it("no import cycle", function () {
    const layered = new Map([...graph].map(([file, targets]) => [file, targets.filter((t) => graph.has(t))]));
    const cycles = findCycles(layered).map((cycle) => [...cycle, cycle[0]].map(rel).join(" → "));
    expect(cycles, cycles.join("\n")).to.deep.equal([]);
  });
});
