import { isUtf8 } from "node:buffer";

/**
 * Streaming UTF-8 validation. Uses the native `buffer.isUtf8` per chunk and carries an
 * incomplete trailing sequence into the next chunk; only on failure does it walk the
 * bytes in JS to find the exact offset of the first bad byte.
 */
export class Utf8Checker {
  private carry: Buffer = Buffer.alloc(0);
  private consumed = 0;

  /** Validates `chunk`; returns the absolute byte offset of the first invalid byte, or -1. */
  feed(chunk: Buffer): number {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = completePrefixLength(buf);
    const body = buf.subarray(0, cut);
    if (!isUtf8(body)) return this.consumed + firstInvalidOffset(body);
    this.consumed += cut;
    this.carry = Buffer.from(buf.subarray(cut));
    return -1;
  }

  /** Ends the stream; returns the offset of a truncated final sequence, or -1. */
  end(): number {
    return this.carry.length > 0 ? this.consumed : -1;
  }
}

/** Length of `buf` without a possibly incomplete multi-byte sequence at its end. */
function completePrefixLength(buf: Buffer): number {
  const n = buf.length;
  // A sequence is at most 4 bytes: look back at most 3 bytes for its lead byte.
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidOffset(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are invalid.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += need + 1;
  }
  return buf.length;
}
