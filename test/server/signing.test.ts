import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { leafHash, merkleTree, nodeHash, rootFromProof } from "../../runtime/server/api-products/merkle.js";
import { batchedSql, parametersToColumns } from "../../runtime/server/api-products/batched-sql.js";

const sm3 = (...b: Buffer[]) => createHash("sm3").update(Buffer.concat(b)).digest();

describe("SM3 Merkle batches for API-product responses", () => {
  it("matches a by-hand tree of three leaves and proves every leaf", () => {
    const leaves = ["a", "b", "c"].map((x) => leafHash(Buffer.from(x)));
    expect(leaves[0]).toEqual(sm3(Buffer.of(0), Buffer.from("a")));
    const root = sm3(Buffer.of(1), sm3(Buffer.of(1), leaves[0], leaves[1]), leaves[2]);
    const t = merkleTree(leaves);
    expect(t.root).toEqual(root);
    leaves.forEach((l, i) => expect(rootFromProof(l, t.proofs[i])).toEqual(root));
  });

  it("rejects a moved leaf, a leaf proved with another's path, and a leaf posing as an inner node", () => {
    const leaves = Array.from({ length: 7 }, (_, i) => leafHash(Buffer.from(`answer ${i}`)));
    const t = merkleTree(leaves);
    expect(rootFromProof(leaves[2], t.proofs[3])).not.toEqual(t.root);
    expect(rootFromProof(leafHash(Buffer.from("answer 9")), t.proofs[0])).not.toEqual(t.root);
    const inner = nodeHash(leaves[0], leaves[1]);
    expect(rootFromProof(leafHash(inner), t.proofs[2].slice(1))).not.toEqual(t.root);
  });
});

describe("batch form of a product's SQL", () => {
  it("rewrites $n outside literals, identifiers and comments only", () => {
    expect(parametersToColumns("SELECT '$1', \"a$2\" FROM t WHERE x = $1 -- $2\n AND y = $2 /* $3 */")).toBe(
      "SELECT '$1', \"a$2\" FROM t WHERE x = __c.__p1 -- $2\n AND y = __c.__p2 /* $3 */",
    );
    expect(parametersToColumns("SELECT 'it''s $1' WHERE a = $1")).toBe("SELECT 'it''s $1' WHERE a = __c.__p1");
    expect(parametersToColumns("SELECT ? ")).toBeUndefined();
    expect(parametersToColumns("SELECT $$ x $$")).toBeUndefined();
    expect(parametersToColumns("SELECT 'open")).toBeUndefined();
    expect(batchedSql("SELECT 1 AS r WHERE $1 = 'a';", 1)).toBe("WITH __c AS (SELECT unnest($1) AS __k, unnest($2) AS __p1) SELECT __c.__k, __q.* FROM __c, LATERAL (SELECT 1 AS r WHERE __c.__p1 = 'a') AS __q ORDER BY __c.__k");
  });
});
