/** Where tasks print. `TASKS_QUIET=1` silences them (tests). */
export function out(line = ""): void {
  if (process.env.TASKS_QUIET === "1") return;
  console.log(line);
}

/** Prints rows as an aligned two-or-more-column table. */
export function table(rows: readonly (readonly string[])[]): void {
  if (rows.length === 0) return;
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const row of rows) out(`  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")}`);
}
