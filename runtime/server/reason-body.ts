import { z } from "zod";

/** A body that states a reason (suspensions, terminations, revocations). */
export const ReasonBody = z.object({ reason: z.string().trim().min(1, "state a reason").max(2000) });
