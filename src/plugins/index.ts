// dqx/plugins — first-party plugins.
export { type AuditOptions, audit, formatAudit } from './audit.js'
