import { existsSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fsyncPath, fsyncTree } from "./durable-file.js";

/** One file or folder written under a temporary name, moved to its final name after the commit. */
export interface Move {
  tmp: string;
  final: string;
}

/** Names that only the write protocol's temporary files and folders carry (swept by recovery). */
export const TEMP_NAME = /(\.pending-[0-9a-f]{16}|\.tmp-\d+|\.old-[0-9a-f]{16})$|^\.pkg-/;

/**
 * The files of one transaction (step 2 of the write protocol): each is written under a
 * temporary name in its final folder, fsync'd before the commit, and renamed into place
 * after it; the list travels in the transaction's `intents` row so recovery can finish it.
 */
export class PendingFiles {
  readonly moves: Move[] = [];

  constructor(readonly intent: string) {}

  /** The temporary path to write instead of `final`. */
  path(final: string): string {
    const tmp = join(dirname(final), `.${basename(final)}.pending-${this.intent}`);
    rmSync(tmp, { recursive: true, force: true });
    this.moves.push({ tmp, final });
    return tmp;
  }

  /** fsyncs everything written (files, folders and their parents), before the commit. */
  sync(): void {
    for (const m of this.moves) {
      if (!existsSync(m.tmp)) continue;
      fsyncTree(m.tmp);
      fsyncPath(dirname(m.tmp));
    }
  }

  /** Removes the temporary files (the transaction rolled back). */
  discard(): void {
    for (const m of this.moves) rmSync(m.tmp, { recursive: true, force: true });
  }
}

/**
 * Moves each temporary file or folder over its final name (step 4). Idempotent: a move
 * whose temporary is gone was done already, so recovery can run it again after a crash.
 */
export function applyMoves(moves: Move[], intent: string): void {
  for (const m of moves) {
    if (!existsSync(m.tmp)) continue;
    const old = `${m.final}.old-${intent}`;
    if (existsSync(m.final)) renameSync(m.final, old);
    renameSync(m.tmp, m.final);
    rmSync(old, { recursive: true, force: true });
    fsyncPath(dirname(m.final));
  }
}
