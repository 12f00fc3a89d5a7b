import { closeSync, fsyncSync, linkSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { diskFull, isDiskFull } from "../../policies/errors.js";

/** Writes a small file durably: temp name, fsync, rename, so readers see old or new, never half. */
export function writeFileDurable(path: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data, { mode });
    fsyncPath(tmp);
    renameSync(tmp, path);
    fsyncPath(dirname(path));
  } catch (err) {
    rmSync(tmp, { force: true });
    if (isDiskFull(err)) throw diskFull(err, path);
    throw err;
  }
}

/**
 * Creates `path` durably with `data` unless it exists (keys, secrets): temp name, fsync, link.
 * Link, not rename: of two first users racing, the second keeps the first one's file.
 */
export function createFileOnce(path: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data, { mode });
    fsyncPath(tmp);
    linkSync(tmp, path);
    fsyncPath(dirname(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw isDiskFull(err) ? diskFull(err, path) : err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** fsyncs a file or a directory entry list. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsyncs every file under `path` (or the file itself), then the directories holding them. */
export function fsyncTree(path: string): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const n of readdirSync(path)) fsyncTree(join(path, n));
  }
  fsyncPath(path);
}
