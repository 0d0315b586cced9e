/** A tiny Prometheus text-format registry (counters and gauges with labels). */
export type Labels = Readonly<Record<string, string>>;

interface Series {
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly values: Map<string, { labels: Labels; value: number }>;
}

export interface Metrics {
  inc(name: string, help: string, labels?: Labels, by?: number): void;
  set(name: string, help: string, value: number, labels?: Labels): void;
  get(name: string, labels?: Labels): number;
  render(): string;
}

const labelKey = (labels: Labels): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k].replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");

export function createMetrics(): Metrics {
  const series = new Map<string, Series>();
  const upsert = (name: string, help: string, type: Series["type"]): Series => {
    let s = series.get(name);
    if (!s) {
      s = { help, type, values: new Map() };
      series.set(name, s);
    }
    return s;
  };
  return {
    inc(name, help, labels = {}, by = 1) {
      const s = upsert(name, help, "counter");
      const k = labelKey(labels);
      const cur = s.values.get(k);
      s.values.set(k, { labels, value: (cur?.value ?? 0) + by });
    },
    set(name, help, value, labels = {}) {
      upsert(name, help, "gauge").values.set(labelKey(labels), { labels, value });
    },
    get(name, labels = {}) {
      return series.get(name)?.values.get(labelKey(labels))?.value ?? 0;
    },
    render() {
      const lines: string[] = [];
      for (const [name, s] of [...series.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`);
        for (const [k, v] of s.values) lines.push(`${name}${k ? `{${k}}` : ""} ${v.value}`);
      }
      return lines.join("\n") + "\n";
    },
  };
}
