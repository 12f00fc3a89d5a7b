/**
 * dudect-style timing test of SM2 operations on secrets (Reparaz, Balasch, Verbauwhede, "Dude,
 * is my code constant time?", DATE 2017): two classes of secret inputs — one fixed, one random —
 * are interleaved in random order, each call is timed, the slowest tail is cropped at several
 * percentiles, and Welch's t compares the classes. |t| > 4.5 is evidence of a secret-dependent
 * timing difference; below it, none was found at this sample size (not a proof).
 * Printed as |t| next to the 4.5 threshold: ratio < 1 passes.
 */
import { randomBytes } from "node:crypto";
import { mulGSecret, precomputeG } from "../crypto/sm2/curve.js";
import { generateKeyPair, sign } from "../crypto/sm2/index.js";
import { scalarFromBytes } from "../crypto/sm2/scalar-ct.js";
import type { BenchRow } from "./types.js";

const THRESHOLD = 4.5;

/** Welch's t of two samples. */
export function welchT(a: number[], b: number[]): number {
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const variance = (x: number[], m: number) => x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1);
  const ma = mean(a), mb = mean(b);
  const se = Math.sqrt(variance(a, ma) / a.length + variance(b, mb) / b.length);
  return se === 0 ? 0 : (ma - mb) / se;
}

/** Largest |t| over crops of the slowest tail (dudect's percentiles), as the tool reports. */
function maxCroppedT(times: number[][]): number {
  const all = [...times[0], ...times[1]].sort((x, y) => x - y);
  let worst = Math.abs(welchT(times[0], times[1]));
  for (const p of [0.5, 0.7, 0.9, 0.99]) {
    const cut = all[Math.floor(p * (all.length - 1))];
    const a = times[0].filter((v) => v <= cut), b = times[1].filter((v) => v <= cut);
    if (a.length > 10 && b.length > 10) worst = Math.max(worst, Math.abs(welchT(a, b)));
  }
  return worst;
}

/** Times `samples` calls, each of a class drawn at random, and returns per-class times in ns. */
function measureClasses(samples: number, input: (cls: number) => unknown, op: (x: unknown) => void): number[][] {
  const times: number[][] = [[], []];
  const classes = randomBytes(samples);
  const inputs = Array.from(classes, (c) => input(c & 1));
  for (let i = 0; i < Math.min(2000, samples); i++) op(inputs[i]); // warm-up, not counted
  for (let i = 0; i < samples; i++) {
    const x = inputs[i];
    const t0 = process.hrtime.bigint();
    op(x);
    const t1 = process.hrtime.bigint();
    times[classes[i] & 1].push(Number(t1 - t0));
  }
  return times;
}

function row(name: string, t: number, samples: number): BenchRow {
  return { name: `${name} (|t|, ${samples} samples)`, value: t, unit: "|t|", yardstick: "dudect threshold", yardstickValue: THRESHOLD, ratio: t / THRESHOLD };
}

/** Runs the timing tests. */
export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const samples = opts.quick ? 20_000 : 200_000;
  precomputeG();
  // k·G with a fixed low-weight scalar (k = 1, the classic worst case) against random scalars.
  const one = new Uint8Array(32);
  one[31] = 1;
  const fixedK = scalarFromBytes(one);
  const tMul = maxCroppedT(measureClasses(samples, (c) => (c === 0 ? fixedK : scalarFromBytes(randomRange())), (k) => mulGSecret(k as Float64Array)));
  // Signing: one fixed private key against 15 random ones (all fit the signer cache, so both
  // classes do the same work per call; nonces are fresh in both).
  const fixedKey = generateKeyPair().privateKey;
  const pool = Array.from({ length: 15 }, () => generateKeyPair().privateKey);
  const msg = Buffer.from("dudect message");
  const tSign = maxCroppedT(measureClasses(samples, (c) => (c === 0 ? fixedKey : pool[Math.floor(Math.random() * pool.length)]), (d) => sign(msg, d as Uint8Array)));
  return [row("SM2 k·G, fixed k = 1 vs random k (mulGSecret)", tMul, samples), row("SM2 sign, fixed key vs random keys", tSign, samples)];
}

/** 32 random bytes below n (top byte kept below 0xff so the value is < n). */
function randomRange(): Uint8Array {
  const b = randomBytes(32);
  b[0] &= 0x7f;
  return b;
}
