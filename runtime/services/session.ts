import type { Domain } from "../domain/domain.js";
import type { Principal } from "../../policies/authz/principal.js";

/** Who is acting on which domain: every service function takes one. */
export interface Session {
  domain: Domain;
  principal: Principal;
}
