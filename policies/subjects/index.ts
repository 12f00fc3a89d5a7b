export { COLUMN_ROLES, defaultRole, isColumnRole, resolveRoles, type ColumnRole, type GrantedRole, type RoleInput } from "./roles.js";
export { isSubjectKind, RESERVED_PREFIX, SID_COLUMN, SUBJECT_KINDS, type SubjectKey, type SubjectKind } from "./kinds.js";
export { missingSql, proposeSubject, subjectKeyProblem, type SubjectProposal } from "./propose.js";
export { canonicalColumnSql, canonicalKeySql, SECRET_VARIABLE, subjectIdSql } from "./sid-sql.js";
