import { parseCertificate, verifyCertificate } from "../../../crypto/x509/certificate.js";
import { sm3Hex } from "../../../crypto/sm3.js";
import { verify } from "../../../crypto/sm2/index.js";
import { leafHash, rootFromProof } from "./merkle.js";
import { answerBytes, batchMessage, type SignedResponse } from "./signed-response.js";

/** The verdict on one signed API response. */
export type ResponseVerdict = { valid: true; certSm3: string } | { valid: false; reason: string };

/**
 * Checks a signed API-product response with nothing but the domain's seal certificate
 * (PEM or DER): the certificate's own signature, that it is the one the batch names
 * (and the pinned one, if given), the answer's inclusion in the batch's SM3 Merkle
 * root, and the SM2 signature over the batch.
 */
export function verifyApiResponse(response: SignedResponse, certificate: string | Uint8Array, opts: { pinnedCertSm3?: string } = {}): ResponseVerdict {
  let cert;
  try {
    cert = parseCertificate(certificate);
    verifyCertificate(cert);
  } catch (err) {
    return { valid: false, reason: `certificate unusable: ${(err as Error).message}` };
  }
  const certSm3 = sm3Hex(cert.der);
  if (opts.pinnedCertSm3 && opts.pinnedCertSm3.toLowerCase() !== certSm3) return { valid: false, reason: `certificate SM3 ${certSm3} is not the pinned ${opts.pinnedCertSm3}` };
  const { answer, proof, batch } = response ?? ({} as SignedResponse);
  if (!answer || !Array.isArray(proof) || !batch) return { valid: false, reason: "not a signed response (answer, proof and batch are required)" };
  if (batch.certSm3 !== certSm3) return { valid: false, reason: `the batch names certificate ${batch.certSm3}, not this one (${certSm3})` };
  let root: Buffer;
  try {
    root = rootFromProof(leafHash(answerBytes(answer)), proof);
  } catch {
    return { valid: false, reason: "malformed inclusion proof" };
  }
  if (root.toString("hex") !== batch.root) return { valid: false, reason: "the answer is not in the signed batch (Merkle root mismatch)" };
  let ok = false;
  try {
    ok = verify(batchMessage(batch), Buffer.from(batch.signature, "base64"), cert.publicKey);
  } catch {
    ok = false;
  }
  return ok ? { valid: true, certSm3 } : { valid: false, reason: "the SM2 signature over the batch does not verify under this certificate" };
}
