/**
 * A tiny Prometheus text-format registry (counters and gauges with labels). Every metric holds at most
 * {@link MAX_SERIES_PER_METRIC} label sets: label values that come from outside (paths, addresses) can
 * never grow it without bound — a label set beyond the cap is counted under `{overflow="true"}` instead.
 */
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

/** Label sets kept per metric name; further ones fold into {@link OVERFLOW_LABELS}. */
export const MAX_SERIES_PER_METRIC = 256;
/** Where label sets beyond the cap are counted. */
export const OVERFLOW_LABELS: Labels = { overflow: "true" };

const labelKey = (labels: Labels): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k].replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");

const OVERFLOW_KEY = labelKey(OVERFLOW_LABELS);

export function createMetrics(maxSeries = MAX_SERIES_PER_METRIC): Metrics {
  const series = new Map<string, Series>();
  const upsert = (name: string, help: string, type: Series["type"]): Series => {
    let s = series.get(name);
    if (!s) {
      s = { help, type, values: new Map() };
      series.set(name, s);
    }
    return s;
  };
  /** The key a label set is stored under: its own, or the overflow series once the metric is full. */
  const slot = (s: Series, labels: Labels): { key: string; labels: Labels } => {
    const key = labelKey(labels);
    if (s.values.has(key) || s.values.size < maxSeries - 1) return { key, labels };
    return { key: OVERFLOW_KEY, labels: OVERFLOW_LABELS };
  };
  return {
    inc(name, help, labels = {}, by = 1) {
      const s = upsert(name, help, "counter");
      const at = slot(s, labels);
      const cur = s.values.get(at.key);
      s.values.set(at.key, { labels: at.labels, value: (cur?.value ?? 0) + by });
    },
    set(name, help, value, labels = {}) {
      const s = upsert(name, help, "gauge");
      const at = slot(s, labels);
      s.values.set(at.key, { labels: at.labels, value });
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
