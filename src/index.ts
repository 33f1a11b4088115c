export { type DqxConfig, type DqxConfigExport, defineConfig } from './config/define-config.js'
export {
  type ContractAssertion,
  type ContractRule,
  DataContract,
  type MetricRequest,
  type MetricScale,
  type UnsupportedRule,
} from './contracts/index.js'
export type { AnomalyOptions, MinHistory } from './core/anomaly.js'
export { AssertionBuilder, type AssertionConfig, TOLERANCE } from './core/assertion.js'
export {
  type Check,
  type CheckContext,
  type CheckFn,
  type CheckOptions,
  check,
  type SchemaAssertion,
} from './core/check.js'
export { DqxError, type DqxErrorCode } from './core/errors.js'
export { Expr, Metric, RateExpr } from './core/expression.js'
export { ExtendedMetrics, HistoryStddevExpr, type HistoryWindow } from './core/history-stddev.js'
export {
  type FirstOptions,
  type FreshnessOptions,
  type MetricOptions,
  MetricProvider,
  type ValidCountRule,
} from './core/metric-provider.js'
export {
  type FreshnessReference,
  type MetricLiteral,
  type MetricSpec,
  type ReferenceTarget,
  VALID_FORMATS,
  type ValidFormat,
  type ValidRule,
} from './core/metric-spec.js'
export {
  assertion,
  type Profile,
  type ProfileEffect,
  ProfileRule,
  permanentProfile,
  type RuleSelector,
  seasonalProfile,
  tag,
} from './core/profile.js'
export { ResultKey } from './core/result-key.js'
export {
  LOGICAL_TYPES,
  type LogicalType,
  logicalType,
  type SchemaColumn,
  type SchemaExpectation,
} from './core/schema.js'
export { summarize } from './core/summary.js'
export { type NumberOrTunable, Tunable, type TunableBounds, tunable } from './core/tunable.js'
export type {
  AnomalyDetail,
  AnomalyMethod,
  AssertionResult,
  AssertionStatus,
  FailedRowSample,
  HookName,
  RunReport,
  RunSummary,
  Severity,
  SkipCause,
  SymbolInfo,
} from './core/types.js'
export { SEVERITIES } from './core/types.js'
export type {
  AssertionHistoryEntry,
  AssertionHistoryQuery,
  BaselinePin,
  BaselineTarget,
  PruneOptions,
  PruneResult,
  StoredBaselinePin,
} from './engine/baselines.js'
export type { ClickHouseSourceOptions } from './engine/clickhouse-source.js'
export { DataSource, type RecordsOptions, type SourceOptions } from './engine/data-source.js'
// SQL dialects: DuckDB, PostgreSQL and ClickHouse execute through their DataSources; every dialect
// executes through DataSource.warehouse() with your own client (docs/datasources.md).
export {
  compileScan,
  type Dialect,
  type OrphanQueryPlan,
  type ReferenceRelation,
  type RowPredicate,
  type SampleQueryPlan,
  type ScanPlan,
  type ValiditySpec,
} from './engine/dialect.js'
export { clickhouseLiteral } from './engine/dialects/clickhouse-literal.js'
export {
  bigqueryDialect,
  clickhouseDialect,
  clickhouseDialectFor,
  clickhouseInlineDialect,
  dialects,
  duckdbDialect,
  postgresDialect,
  snowflakeDialect,
  trinoDialect,
} from './engine/dialects/index.js'
export type { DuckDBMetricDBOptions } from './engine/duckdb-metric-db.js'
export type { ColumnType, CsvOptions, JsonOptions } from './engine/file-read-options.js'
export type { MetricQuery } from './engine/metric-computer.js'
export {
  MetricDB,
  type MetricLookup,
  type ResultsLookup,
  type RunWrite,
  type SchemaLookup,
  type StoredMetric,
  type StoredResult,
  type StoredSchema,
} from './engine/metric-db.js'
export type { DeleteExpiredOptions, DeleteExpiredResult, TtlStoreOptions } from './engine/metric-ttl.js'
export type { PostgresMetricDBOptions } from './engine/postgres-metric-db.js'
export type { PostgresSourceOptions } from './engine/postgres-source.js'
export {
  type ColumnKind,
  type ColumnProfile,
  type DatasetProfile,
  type ProfileOptions,
  type ProfileProgress,
  type ProfileValue,
  profile,
  uniqueColumns,
} from './engine/profile.js'
export {
  keyCandidates,
  type SuggestedAssertion,
  type SuggestOptions,
  suggestChecks,
} from './engine/profile-suggestions.js'
export { SCAN_CHANNEL, type ScanEvent, type ScanListener } from './engine/scan-events.js'
export { Params, type SqlParam } from './engine/sql.js'
export type { RunLookup, StoredRun, StoredRunEntry, StoredRunQuery } from './engine/stored-run.js'
export type { TunableChange, TunableChangeQuery } from './engine/tunable-changes.js'
export {
  toNamedParams,
  type WarehouseDialect,
  type WarehouseExecute,
  type WarehouseRow,
  type WarehouseSourceOptions,
} from './engine/warehouse-source.js'
export * from './hooks/index.js'
export type { DiscoveredPlugin, DiscoverOptions, DiscoveryFailure } from './suite/discovery.js'
export type { AssertionTrace, HistoryTrace, RunTrace, SymbolSource, SymbolTrace } from './suite/explain.js'
export {
  type IsolatedOptions,
  type IsolatedPlugin,
  isolated,
} from './suite/isolation/isolated.js'
export type { IsolationPolicy, IsolationSetting } from './suite/isolation/policy.js'
export type { IsolationMode, IsolationPermissions } from './suite/isolation/sandbox.js'
export type { SuiteHooks } from './suite/lifecycle.js'
export {
  definePlugin,
  definePreset,
  type FunctionPlugin,
  type ObjectPlugin,
  type Plugin,
  type PluginOption,
  type Preset,
  type ResultProcessor,
  type Suite,
} from './suite/plugin.js'
export { PluginFailureError } from './suite/plugin-failure-error.js'
export { PluginManager, type PluginManagerOptions, type ProcessAllInput } from './suite/plugin-manager.js'
export type { ReplayOptions } from './suite/replay.js'
export type {
  AfterRunContext,
  EvaluatedContext,
  PluginErrorContext,
  ResultsContext,
  RunContext,
  TapScope,
} from './suite/run-context.js'
export type { TunableChangeOptions } from './suite/suite-tunables.js'
export { type RunOptions, type SuiteOptions, VerificationSuite } from './suite/verification-suite.js'
