import { readFileSync, rmSync } from "node:fs";
import { basename } from "node:path";
import type { BlobStore } from "../../runtime/scale/blob-store.js";
import type { RunPayload } from "../../runtime/scale/job-queue.js";
import type { Library } from "../sandbox/fixtures.js";

/** Puts a test library's files in the bucket by SM3 and removes the folder: hosts read only what they fetch. */
export async function publishLibrary(store: BlobStore, lib: Library): Promise<RunPayload["files"]> {
  const files: RunPayload["files"] = [];
  for (const v of lib.views) {
    const bytes = readFileSync(v.file);
    files.push({ name: basename(v.file), sm3: await store.put(bytes), bytes: bytes.length });
  }
  rmSync(lib.dir, { recursive: true, force: true });
  return files;
}
