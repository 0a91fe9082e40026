// Public API of @riskscore/node: explicit named exports only.
export { createNodeBackend } from './backend/node-backend';
export type { NodeBackendOptions } from './backend/node-backend';
export { loadBundleFromDir, writeBundleDir } from './bundle/bundle-dir';

// --- report (HTML monitoring report, `riskscore report`) ---
export { createRiskReport, reportHtml, runReportCommand, barChartSvg, pairedBarsSvg, unitLineChartSvg, escapeXml } from './report/index';
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
