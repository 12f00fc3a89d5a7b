import { randomBytes } from "node:crypto";
import { sign } from "../../../crypto/sm2/index.js";
import type { Domain } from "../../domain/domain.js";
import type { Seal } from "../../domain/seal.js";
import type { CallMeter, Use } from "../../obligations/metering.js";
import { leafHash, merkleTree } from "./merkle.js";
import { answerBytes, batchMessage, type CallAnswer, type SignedResponse } from "./signed-response.js";

/** One call's audit record (no parameter values: their SM3 only). */
export interface CallRecord {
  call: string;
  caller: string;
  product: string;
  paramsSm3: string;
  resultClass: "answered" | "suppressed" | "blocked" | "refused";
  code?: string;
}

interface Pending {
  record: CallRecord;
  answer?: CallAnswer;
  /** The use to meter (answered calls), written with the batch's audit head. */
  use?: Use;
  resolve: (r: SignedResponse | undefined) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for API calls: calls that arrive while a batch is being sealed wait for
 * the next one. Per batch: one audit entry listing every call, one SM3 Merkle tree and one
 * SM2 signature. No answer leaves before its batch's entry is durable; the fsync runs off the
 * event loop (shared with any other grouped audit append written before it started), so calls
 * keep arriving, and being answered by the query engine, while it is in flight.
 */
export class CallBatcher {
  private pending: Pending[] = [];
  private running: Promise<void> | undefined;
  /** Batches written whose answers wait for their fsync. */
  private readonly settling = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly domain: Domain, private readonly seal: Seal, private readonly meter?: CallMeter, private readonly maxBatch = 1024) {}

  /** Records a call; for an answer, resolves with its signed response once the batch is sealed, audited and metered. */
  submit(record: CallRecord, answer?: CallAnswer, use?: Use): Promise<SignedResponse | undefined> {
    if (this.closed) return Promise.reject(new Error("call batcher closed"));
    return new Promise((resolve, reject) => {
      this.pending.push({ record, answer, use, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running || this.pending.length === 0) return;
    this.running = new Promise<void>((r) => setImmediate(r))
      .then(() => this.flush())
      .finally(() => {
        this.running = undefined;
        this.kick();
      });
  }

  private async flush(): Promise<void> {
    const items = this.pending.splice(0, this.maxBatch);
    if (items.length === 0) return;
    try {
      const answered = items.filter((i) => i.answer);
      const batchId = `bat-${randomBytes(8).toString("hex")}`;
      const time = new Date().toISOString();
      let signed: { root: string; signature: string; proofs: SignedResponse["proof"][] } | undefined;
      const base = { id: batchId, domain: this.domain.info.id, time, count: answered.length, certSm3: this.seal.fingerprint };
      if (answered.length) {
        const tree = merkleTree(answered.map((i) => leafHash(answerBytes(i.answer!))));
        const root = tree.root.toString("hex");
        const signature = Buffer.from(sign(batchMessage({ ...base, root }), this.seal.privateKey, { publicKey: this.seal.publicKey })).toString("base64");
        signed = { root, signature, proofs: tree.proofs };
      }
      const uses = items.flatMap((i) => (i.answer && i.use ? [i.use] : []));
      const usage = this.meter && uses.length ? await this.meter.rows(uses) : [];
      const durable = this.domain.auditGrouped(
        { actor: "system", action: "product.calls", object: `batch:${batchId}`, details: { root: signed?.root ?? null, calls: items.map((i) => i.record) } },
        { withHead: usage.length ? () => this.meter!.write(usage) : undefined },
      );
      const settle = durable.then(
        () => {
          let k = 0;
          for (const i of items) {
            if (!i.answer || !signed) i.resolve(undefined);
            else i.resolve({ answer: i.answer, proof: signed.proofs[k++], batch: { ...base, root: signed.root, signature: signed.signature } });
          }
        },
        (err: unknown) => {
          for (const i of items) i.reject(err);
        },
      );
      this.settling.add(settle);
      void settle.finally(() => this.settling.delete(settle));
      // The next batch forms while this one's fsync runs off the event loop (requests keep being
      // parsed and queried meanwhile); sealing it only afterwards keeps batches, and the
      // signature they share, large under load.
      await settle;
    } catch (err) {
      for (const i of items) i.reject(err);
    }
  }

  /** Seals what is pending and refuses new calls (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
    while (this.settling.size > 0) await Promise.all([...this.settling]);
  }
}
