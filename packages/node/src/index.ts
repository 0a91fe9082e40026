// Public API of @riskscore/node: explicit named exports only.
export { createNodeBackend } from './backend/node-backend';
export type { NodeBackendOptions } from './backend/node-backend';
export { loadBundleFromDir, writeBundleDir } from './bundle/bundle-dir';
export { generateBundleKeyPair, signBundleDir } from './bundle/sign-bundle-dir';
export { scoreTable } from './batch/score-table';
export type { ScoreTableOptions, ScoreTableResult } from './batch/score-table';
export { buildBundle } from './bundle/build-bundle';
export type { BuildSummary } from './bundle/build-bundle';
export { BundleConfigSchema } from './bundle/bundle-config';
export type { BundleConfig, BundleConfigInput } from './bundle/bundle-config';
export { createCsvParser, DEFAULT_MAX_COLUMNS, DEFAULT_MAX_FIELD_BYTES, parseCsv, readCsvRecords } from './io/csv-reader';
export type { CsvItem, CsvParser, CsvReadOptions, CsvRecord, CsvRecordError } from './io/csv-reader';
export { DEFAULT_MAX_LINE_BYTES, readJsonLines } from './io/jsonl-reader';
export type { JsonLine, JsonLineError, JsonLineItem, JsonLinesOptions } from './io/jsonl-reader';
export type { TextSource } from './io/utf8-text';

// --- report (HTML monitoring report, `riskscore report`) ---
export { createRiskReport, reportHtml, runReportCommand, barChartSvg, pairedBarsSvg, unitLineChartSvg, timeSeriesSvg, escapeXml } from './report/index';
export type { RiskReportOptions, RiskReportData, LabelledEvent, ReportGroup, Bar } from './report/index';
// --- end report ---

// --- offline features (`riskscore features`) ---
export {
  runFeaturesCommand, computeFeaturesFile, readEventFile, eventFileFormat, createFeatureCsvWriter, createFeatureArrowWriter,
  createProgressBar, parseDecimal,
} from './offline/index';
export type {
  ComputeFeaturesFileOptions, ComputeFeaturesFileResult, RowSink, ProgressSink, EventFileFormat, ReadEventFileOptions, FeatureChunk, FeatureWriter,
  FeatureWriterOptions, ProgressBar, ProgressBarOptions,
} from './offline/index';
// --- end offline features ---

// --- scoring service (HTTP handler; the Fastify plugin is @riskscore/node/fastify) ---
export { createScoringService } from './service/scoring-service';
export type {
  ScoringService, ScoringServiceOptions, ServiceRequest, ServiceResponse, ServiceAuth, ServiceLimits, LoggerLike, TracerLike, SpanLike,
} from './service/scoring-service';
export { createScoringHandler } from './service/http-handler';
export type { ScoringHandler } from './service/http-handler';
export { hashApiKey } from './service/api-keys';
export type { StoredApiKey } from './service/api-keys';
export { SERVICE_ERROR_CODES } from './service/service-error';
export type { ServiceErrorCode } from './service/service-error';
export type { MicroBatchOptions, ScoringQueue } from './service/scoring-queue';
export type { ServiceMetrics } from './service/service-metrics';
export type { RateLimitOptions } from './service/token-bucket';
export type { PromRegistryLike } from './service/service-metrics';
export { registryServiceScorer } from './service/registry-scorer';
export type { AdminOptions } from './service/admin-api';
export { registryFolder } from './registry/registry-folder';
export type { RegistryFolder } from './registry/registry-folder';
// --- end scoring service ---
// --- live dashboard (/dashboard of the service, or over a monitor alone) ---
export { createDashboard, dashboardRequestListener, writeDashboardResponse } from './dashboard/create-dashboard';
export type { Dashboard, DashboardOptions, DashboardSources, DashboardResponse, EventSink } from './dashboard/create-dashboard';
export type { DashboardSnapshot, CostMatrix, DashboardMonitor, DashboardStateStore } from './dashboard/dashboard-snapshot';
export type { InsightsOptions, InsightsSummary } from './dashboard/model-insights';
export type { CollectorOptions, RecentDecision } from './dashboard/dashboard-collector';
// --- end live dashboard ---

// --- worker scorer (state and models in a worker thread) ---
export { createWorkerScorer } from './worker/worker-scorer';
export type { WorkerScorer, WorkerScorerInit } from './worker/worker-scorer';
export type { ServiceScorer, ServiceMonitor } from './service/scoring-service';
// --- end worker scorer ---
