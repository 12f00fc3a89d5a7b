import { randomBytes } from "node:crypto";

/** How long a console session lives after login (absolute, not sliding). */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/**
 * The console's sessions, in memory: the cookie holds a random id, never the account token,
 * so a leaked cookie (a proxy log, a screenshot of devtools) dies with its session and
 * logout really ends it. A server restart logs everyone out, which is the safe direction.
 */
export class ConsoleSessions {
  private readonly byId = new Map<string, { token: string; expires: number }>();

  constructor(private readonly ttlMs = SESSION_TTL_MS, private readonly now: () => number = Date.now) {}

  /** Opens a session for an authenticated token and returns its id (256 random bits). */
  open(token: string): string {
    this.sweep();
    const id = randomBytes(32).toString("base64url");
    this.byId.set(id, { token, expires: this.now() + this.ttlMs });
    return id;
  }

  /** The token behind a live session id, or undefined (unknown or expired). */
  token(id: string | undefined): string | undefined {
    if (!id) return undefined;
    const s = this.byId.get(id);
    if (!s) return undefined;
    if (s.expires <= this.now()) {
      this.byId.delete(id);
      return undefined;
    }
    return s.token;
  }

  /** Ends a session (logout). */
  close(id: string | undefined): void {
    if (id) this.byId.delete(id);
  }

  /** Seconds a new session's cookie should live. */
  get maxAgeSeconds(): number {
    return Math.floor(this.ttlMs / 1000);
  }

  private sweep(): void {
    if (this.byId.size < 10_000) return;
    const t = this.now();
    for (const [id, s] of this.byId) if (s.expires <= t) this.byId.delete(id);
  }
}
