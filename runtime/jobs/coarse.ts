/**
 * Exact counts and durations are channels: a model can encode a raw value in how many
 * rows it returns or how long it runs. Developers see only these coarse forms.
 */

/** Rounds to two significant figures (1234 → 1200, 0 → 0). */
export function twoSignificant(n: number): number {
  if (!Number.isFinite(n) || n === 0) return 0;
  const mag = Math.pow(10, Math.floor(Math.log10(Math.abs(n))) - 1);
  return Math.round(n / mag) * mag;
}

/** Whole seconds between two instants (floor). */
export function wholeSeconds(from: Date | null | undefined, to: Date | null | undefined): number | null {
  if (!from || !to) return null;
  return Math.floor((to.getTime() - from.getTime()) / 1000);
}
