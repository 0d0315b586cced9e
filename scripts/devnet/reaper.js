/**
 * `npm start`'s last line of defence: `node scripts/devnet/reaper.js <parent pid> <process-group file>`.
 * Polls the parent every 500 ms; once it is gone without having cleaned up (SIGKILL, OOM, crash), it
 * signals every process group listed in the file (a JSON array of PIDs, rewritten by the parent whenever
 * a child starts or restarts) — SIGTERM, then SIGKILL 5 s later — removes the file and exits. When the
 * file disappears, the parent stopped its children itself, and the reaper just exits.
 *
 * Plain JavaScript, so it starts in milliseconds and needs no ts-node.
 */
"use strict";
const fs = require("node:fs");

const parent = Number(process.argv[2]);
const file = process.argv[3];
if (!Number.isSafeInteger(parent) || parent <= 1 || typeof file !== "string") {
  process.stderr.write("usage: node scripts/devnet/reaper.js <parent pid> <process-group file>\n");
  process.exit(2);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

function groups() {
  try {
    const list = JSON.parse(fs.readFileSync(file, "utf8"));
    return Array.isArray(list) ? list.filter((p) => Number.isSafeInteger(p) && p > 1) : [];
  } catch {
    return [];
  }
}

function signalAll(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(-pid, signal);
    } catch {
      // Gone already.
    }
  }
}

process.on("SIGINT", () => undefined);
process.on("SIGTERM", () => process.exit(0));

const timer = setInterval(() => {
  if (!fs.existsSync(file)) process.exit(0);
  if (alive(parent)) return;
  clearInterval(timer);
  const pids = groups();
  signalAll(pids, "SIGTERM");
  setTimeout(() => {
    signalAll(pids, "SIGKILL");
    fs.rmSync(file, { force: true });
    process.exit(0);
  }, 5_000);
}, 500);
