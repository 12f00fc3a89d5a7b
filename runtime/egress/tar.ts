import { ShuyuError } from "../../policies/errors.js";

/**
 * A minimal, strict ustar writer and reader for packages. Hand-written because the
 * verifier must reject anything odd (links, traversal, duplicates, bad checksums)
 * rather than tolerate it, and the writer must be byte-for-byte deterministic.
 */
export interface TarEntry {
  name: string;
  data: Uint8Array;
}

const BLOCK = 512;
const SAFE_NAME = /^(?!\/)(?!.*\.\.)[A-Za-z0-9._\-/]{1,100}$/;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, "utf8");
  h.write(octal(0o644, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(0, 12), 136, "ascii");
  h.write("        ", 148, "ascii");
  h.write("0", 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + " ", 148, "ascii");
  return h;
}

/** Packs entries into a ustar archive (fixed mtime and owner: deterministic). */
export function packTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (!SAFE_NAME.test(e.name)) throw new ShuyuError("internal", "TAR_NAME", `unsafe entry name ${e.name}`);
    parts.push(header(e.name, e.data.length), Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength));
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

const bad = (message: string, details: Record<string, unknown> = {}) => new ShuyuError("invalid", "PACKAGE_MALFORMED", message, { details });

/** Reads a ustar archive strictly: regular files only, safe unique names, valid checksums, zero padding. */
export function unpackTar(buf: Uint8Array): TarEntry[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: TarEntry[] = [];
  const seen = new Set<string>();
  let off = 0;
  while (true) {
    if (off + BLOCK > b.length) throw bad("archive ends without its end-of-archive blocks", { offset: off });
    const h = b.subarray(off, off + BLOCK);
    if (h.every((x) => x === 0)) {
      const rest = b.subarray(off);
      if (rest.length < BLOCK * 2 || !rest.every((x) => x === 0)) throw bad("bytes after the end-of-archive marker", { offset: off });
      return out;
    }
    const name = h.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const stored = parseInt(h.subarray(148, 156).toString("ascii").replace(/[\0 ]+$/, ""), 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    if (stored !== sum) throw bad(`tar header of '${name}' is corrupted (checksum)`, { part: name });
    if (h[156] !== 0x30) throw bad(`'${name}' is not a regular file`, { part: name });
    if (h.subarray(345, 500).some((x) => x !== 0)) throw bad(`'${name}' uses a path prefix`, { part: name });
    if (!SAFE_NAME.test(name)) throw bad(`unsafe entry name '${name}'`, { part: name });
    if (seen.has(name)) throw bad(`duplicate entry '${name}'`, { part: name });
    seen.add(name);
    const size = parseInt(h.subarray(124, 136).toString("ascii").replace(/[\0 ]+$/, ""), 8);
    if (!Number.isSafeInteger(size) || size < 0 || off + BLOCK + size > b.length) throw bad(`entry '${name}' has an impossible size`, { part: name });
    out.push({ name, data: b.subarray(off + BLOCK, off + BLOCK + size) });
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (b.subarray(off + BLOCK + size, off + BLOCK + padded).some((x) => x !== 0)) throw bad(`padding after '${name}' is not zero`, { part: name });
    off += BLOCK + padded;
  }
}
