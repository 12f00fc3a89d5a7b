import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Domain } from "../../runtime/domain/domain.js";
import { all } from "../../runtime/domain/db.js";
import { newDomain } from "../helpers/fixture.js";

describe("R7 one open domain serving concurrent requests (shuyu serve)", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  let d: Domain;
  beforeAll(async () => {
    env = await newDomain();
    d = await Domain.open(env.dir);
  });
  afterAll(() => {
    d.close();
    env.cleanup();
  });

  const orgIds = async () => (await all<{ id: string }>(d.control, "SELECT id FROM orgs ORDER BY id")).map((r) => r.id);

  it("a read never sees another request's uncommitted change, and a rolled-back change never appears", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    const writing = d.mutate(async () => {
      await d.control.run("INSERT INTO orgs VALUES ('ghost', 'G', 'developer', 'active', now()::TIMESTAMP, 'test')");
      inside();
      await gate;
      throw new Error("roll back");
    });
    await entered;
    expect(await orgIds()).not.toContain("ghost");
    release();
    await expect(writing).rejects.toThrow("roll back");
    expect(await orgIds()).not.toContain("ghost");
  });

  it("a committed change is visible to the next read, and audit appends from outside are serialised", async () => {
    await d.mutate(async () => {
      await d.control.run("INSERT INTO orgs VALUES ('real', 'R', 'developer', 'active', now()::TIMESTAMP, 'test')");
    });
    expect(await orgIds()).toContain("real");
    const before = d.chain.last.seq;
    await Promise.all(Array.from({ length: 20 }, (_, i) => d.audit({ actor: "t", action: "test.concurrent", object: `n:${i}`, details: {} })));
    expect(d.chain.last.seq).toBe(before + 20);
    expect(await d.auditAnchor()).toEqual(d.chain.last);
  });
});
