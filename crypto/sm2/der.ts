/** Strict DER for SM2 signatures: SEQUENCE { r INTEGER, s INTEGER } (GB/T 35276 / GM/T 0009). */
import { ShuyuError } from "../../policies/errors.js";

function malformed(reason: string, offset: number): ShuyuError {
  return new ShuyuError("invalid", "MALFORMED_SIGNATURE", `SM2 signature is not strict DER SEQUENCE{r INTEGER, s INTEGER}: ${reason}`, { details: { reason, offset } });
}

function intBytes(x: bigint): Uint8Array {
  if (x <= 0n) throw new ShuyuError("invalid", "MALFORMED_SIGNATURE", "SM2 signature components must be positive", { details: { value: x.toString() } });
  let hex = x.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = "00" + hex;
  return new Uint8Array(Buffer.from(hex, "hex"));
}

function lengthBytes(len: number): number[] {
  if (len < 0x80) return [len];
  if (len < 0x100) return [0x81, len];
  return [0x82, len >> 8, len & 0xff];
}

/** DER-encodes SEQUENCE { r, s } (r, s > 0). */
export function encodeSignatureDer(r: bigint, s: bigint): Uint8Array {
  const ri = intBytes(r), si = intBytes(s);
  const body = [0x02, ...lengthBytes(ri.length), ...ri, 0x02, ...lengthBytes(si.length), ...si];
  return new Uint8Array([0x30, ...lengthBytes(body.length), ...body]);
}

/**
 * Decodes a strict-DER signature. Rejects: wrong tags, indefinite or non-minimal lengths,
 * lengths past the end, trailing bytes, empty, negative or non-minimally encoded integers,
 * and integers longer than 33 bytes. Range checks (1 ≤ r, s < n) are the verifier's job.
 */
export function decodeSignatureDer(der: Uint8Array): { r: bigint; s: bigint } {
  if (!(der instanceof Uint8Array)) throw malformed("not a byte array", 0);
  let pos = 0;
  const readLen = (): number => {
    if (pos >= der.length) throw malformed("truncated length", pos);
    const first = der[pos++];
    if (first < 0x80) return first;
    if (first === 0x81) {
      if (pos >= der.length) throw malformed("truncated length", pos);
      const l = der[pos++];
      if (l < 0x80) throw malformed("non-minimal length", pos - 2);
      return l;
    }
    throw malformed(first === 0x80 ? "indefinite length" : "length too long", pos - 1);
  };
  const readInt = (): bigint => {
    if (pos >= der.length || der[pos] !== 0x02) throw malformed("expected INTEGER tag 0x02", pos);
    pos++;
    const len = readLen();
    if (len === 0) throw malformed("empty INTEGER", pos);
    if (len > 33) throw malformed("INTEGER longer than 33 bytes", pos);
    if (pos + len > der.length) throw malformed("INTEGER runs past the end", pos);
    const v = der.subarray(pos, pos + len);
    if (v[0] & 0x80) throw malformed("negative INTEGER", pos);
    if (len > 1 && v[0] === 0 && !(v[1] & 0x80)) throw malformed("non-minimal INTEGER (leading zero)", pos);
    pos += len;
    return BigInt("0x" + Buffer.from(v).toString("hex"));
  };
  if (der.length === 0 || der[0] !== 0x30) throw malformed("expected SEQUENCE tag 0x30", 0);
  pos = 1;
  const seqLen = readLen();
  if (pos + seqLen !== der.length) throw malformed(pos + seqLen > der.length ? "SEQUENCE runs past the end" : "trailing bytes after SEQUENCE", pos);
  const r = readInt();
  const s = readInt();
  if (pos !== der.length) throw malformed("extra content inside SEQUENCE", pos);
  return { r, s };
}
