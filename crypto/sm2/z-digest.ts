/** Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) (GB/T 32918.2 §5.5). */
import { createHash } from "node:crypto";
import { ShuyuError } from "../../policies/errors.js";
import { A, B, GX, GY } from "./curve.js";
import { encodePoint, type AffinePoint } from "./point-codec.js";
import { bigIntTo32 } from "./scalar.js";

/** The default user ID of GB/T 35276 / GM/T 0009 (what OpenSSL's distid and sm-crypto use). */
export const SM2_DEFAULT_ID = "1234567812345678";

const CURVE_PART = Buffer.concat([bigIntTo32(A), bigIntTo32(B), bigIntTo32(GX), bigIntTo32(GY)]);

/** ID as bytes (strings are UTF-8). */
export function idBytes(id: string | Uint8Array | undefined): Uint8Array {
  const b = id === undefined ? Buffer.from(SM2_DEFAULT_ID, "utf8") : typeof id === "string" ? Buffer.from(id, "utf8") : id;
  if (b.length > 8191) {
    throw new ShuyuError("invalid", "INVALID_ID", "SM2 user ID must be at most 8191 bytes (its bit length is a 16-bit field)", { details: { length: b.length } });
  }
  return b;
}

/** Z_A for a validated point. */
export function zOf(point: AffinePoint, id: Uint8Array): Uint8Array {
  const entl = id.length * 8;
  const h = createHash("sm3");
  h.update(Uint8Array.of(entl >> 8, entl & 0xff));
  h.update(id);
  h.update(CURVE_PART);
  h.update(encodePoint(point).subarray(1));
  return new Uint8Array(h.digest());
}
