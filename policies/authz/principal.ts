import type { OrgKind, Role } from "../schemas/common.js";

/** An authenticated, real-name account acting in the domain. */
export interface Principal {
  accountId: string;
  name: string;
  orgId: string;
  orgKind: OrgKind;
  roles: Role[];
}
