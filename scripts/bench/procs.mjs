// The window's processes, read from /proc: shared by the benchmark scripts that measure the
// real desktop app (startup.mjs, pdf_memory.mjs).
import { readFileSync, readdirSync, readlinkSync, realpathSync } from "node:fs";

/** pid → { ppid, exe, comm } for every process we can read. */
export function processes() {
  const table = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      let exe = null;
      try {
        exe = readlinkSync(`/proc/${name}/exe`).replace(/ \(deleted\)$/, "");
      } catch {
        // Kernel threads and processes of other users have no readable exe.
      }
      table.set(Number(name), { ppid, exe, comm });
    } catch {
      // Exited while we looked.
    }
  }
  return table;
}

export function descendants(table, root) {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    for (const [pid, p] of table) if (p.ppid === out[i]) out.push(pid);
  }
  return out;
}

/** The app's process: started by the WebKitWebDriver that our tauri-driver started. */
export function findApp(bin) {
  const table = processes();
  const exe = realpathSync(bin);
  const ours = descendants(table, process.pid).filter((pid) => table.get(pid)?.exe === exe);
  if (ours.length !== 1) throw new Error(`expected one ${exe} under this script, found ${ours.length}`);
  return ours[0];
}
