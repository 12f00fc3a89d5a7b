/**
 * SM3 (GB/T 32905) in TypeScript for short messages only. Node's one-shot `crypto.hash` costs
 * ~1.2 µs of call overhead whatever the length, which is 3× OpenSSL's own time for a 64-byte
 * message; the audit chain and Merkle leaves hash exactly such inputs. This compression
 * function has no table lookups or data-dependent branches (SM3 is ARX: add, rotate, xor), so
 * it is constant-time in the data. Longer inputs go to OpenSSL (see sm3.ts).
 */

const IV = new Int32Array([0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e]);
const W = new Int32Array(68);
const STATE = new Int32Array(8);
const BLOCKS = new Uint8Array(256);

/** T_j rotated left by j mod 32, precomputed (public constants). */
const TJ = new Int32Array(64);
for (let j = 0; j < 64; j++) {
  const t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
  const r = j % 32;
  TJ[j] = (t << r) | (t >>> (32 - r));
}

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

function compress(v: Int32Array, b: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const o = off + 4 * i;
    W[i] = (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
  }
  for (let j = 16; j < 68; j++) {
    const x = W[j - 16] ^ W[j - 9] ^ rotl(W[j - 3], 15);
    W[j] = x ^ rotl(x, 15) ^ rotl(x, 23) ^ rotl(W[j - 13], 7) ^ W[j - 6];
  }
  let a = v[0], bb = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
  for (let j = 0; j < 16; j++) {
    const a12 = rotl(a, 12);
    const ss1 = rotl((a12 + e + TJ[j]) | 0, 7);
    const ss2 = ss1 ^ a12;
    const tt1 = ((a ^ bb ^ c) + d + ss2 + (W[j] ^ W[j + 4])) | 0;
    const tt2 = ((e ^ f ^ g) + h + ss1 + W[j]) | 0;
    d = c;
    c = rotl(bb, 9);
    bb = a;
    a = tt1;
    h = g;
    g = rotl(f, 19);
    f = e;
    e = tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17);
  }
  for (let j = 16; j < 64; j++) {
    const a12 = rotl(a, 12);
    const ss1 = rotl((a12 + e + TJ[j]) | 0, 7);
    const ss2 = ss1 ^ a12;
    const tt1 = (((a & bb) | (a & c) | (bb & c)) + d + ss2 + (W[j] ^ W[j + 4])) | 0;
    const tt2 = (((e & f) | (~e & g)) + h + ss1 + W[j]) | 0;
    d = c;
    c = rotl(bb, 9);
    bb = a;
    a = tt1;
    h = g;
    g = rotl(f, 19);
    f = e;
    e = tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17);
  }
  v[0] ^= a;
  v[1] ^= bb;
  v[2] ^= c;
  v[3] ^= d;
  v[4] ^= e;
  v[5] ^= f;
  v[6] ^= g;
  v[7] ^= h;
}

/** Longest message this path hashes (its padded form fits the 256-byte scratch buffer). */
export const SM3_SMALL_MAX = 247;

/** SM3 of a message of at most SM3_SMALL_MAX bytes. */
export function sm3Small(msg: Uint8Array): Uint8Array {
  const n = msg.length;
  if (n > SM3_SMALL_MAX) throw new RangeError(`sm3Small takes at most ${SM3_SMALL_MAX} bytes`);
  const blocks = (n + 9 + 63) >>> 6;
  const buf = BLOCKS;
  buf.set(msg, 0);
  buf.fill(0, n, blocks * 64);
  buf[n] = 0x80;
  const bits = n * 8;
  const end = blocks * 64;
  buf[end - 4] = bits >>> 24;
  buf[end - 3] = (bits >>> 16) & 0xff;
  buf[end - 2] = (bits >>> 8) & 0xff;
  buf[end - 1] = bits & 0xff;
  STATE.set(IV);
  for (let k = 0; k < blocks; k++) compress(STATE, buf, k * 64);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const x = STATE[i];
    out[4 * i] = x >>> 24;
    out[4 * i + 1] = (x >>> 16) & 0xff;
    out[4 * i + 2] = (x >>> 8) & 0xff;
    out[4 * i + 3] = x & 0xff;
  }
  // The scratch held the message: clear it so no copy of the input outlives the call.
  buf.fill(0, 0, end);
  return out;
}
