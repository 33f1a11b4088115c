// dqx/plugins — first-party plugins.
export { type AuditOptions, audit, formatAudit } from '../suite/audit.js'
export {
  DEFAULT_RETRY,
  type DeliverOptions,
  DeliveryError,
  deliver,
  makeRedactor,
  type Redactor,
  type RetryOptions,
} from './delivery.js'
export { type EmailOptions, email, emailSchema } from './email.js'
export {
  type Factory,
  type FirstPartyPlugin,
  type NotifyOn,
  type RunStatus,
  type RunView,
  runStatus,
  shouldNotify,
} from './first-party.js'
export type { HistorySource, ReportRunInput } from './html/report-model.js'
export {
  type HtmlReportOptions,
  htmlReport,
  htmlReportSchema,
  renderHtmlReport,
  reportInput,
} from './html-report.js'
export { type JsonReportOptions, jsonReport, jsonReportSchema, reportJson } from './json-report.js'
export { type JUnitOptions, junit, junitSchema, junitXml } from './junit.js'
export { buildRegistry, type PrometheusOptions, prometheus, prometheusSchema } from './prometheus.js'
export { type SqlWriterOptions, sqlWriter, sqlWriterSchema, tableNames } from './sql-writer.js'
export { jsonMessage, slackMessage, type WebhookOptions, webhook, webhookSchema } from './webhook.js'
