import { canonicalJson } from "../../canonical-json.js";
import type { ProofStep } from "./merkle.js";

/** The answer to one API-product call: what the caller gets and what the leaf commits to. */
export interface CallAnswer {
  product: string;
  call: string;
  time: string;
  caller: string;
  /** SM3 of the canonical JSON of the caller's parameters: the answer is bound to the question without repeating it. */
  paramsSm3: string;
  result: Record<string, unknown>;
  /** "answered", or "suppressed" when a count under the threshold was withheld. */
  resultClass: "answered" | "suppressed";
}

/** One signed batch: an SM3 Merkle root over the batch's answers and one SM2 signature by the domain seal. */
export interface SignedBatch {
  id: string;
  domain: string;
  time: string;
  count: number;
  root: string;
  /** SM3 of the seal certificate (DER), hex: lets a verifier pick the right certificate. */
  certSm3: string;
  /** DER SM2 signature (SM3 with the default signer ID) over batchMessage(), base64. */
  signature: string;
}

/** What the 核验 call returns: the answer, its inclusion proof and the signed batch. */
export interface SignedResponse {
  answer: CallAnswer;
  proof: ProofStep[];
  batch: SignedBatch;
}

export const BATCH_MESSAGE_PREFIX = "shuyu-api-batch-v1\n";

/** The bytes of a leaf: the canonical JSON of the answer. */
export function answerBytes(answer: CallAnswer): Buffer {
  return Buffer.from(canonicalJson(answer), "utf8");
}

/** The bytes the seal signs for a batch: a version prefix and the canonical JSON of every field but the signature. */
export function batchMessage(b: Omit<SignedBatch, "signature">): Buffer {
  const { id, domain, time, count, root, certSm3 } = b;
  return Buffer.from(BATCH_MESSAGE_PREFIX + canonicalJson({ id, domain, time, count, root, certSm3 }), "utf8");
}
