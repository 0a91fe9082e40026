// Offline feature computation for @riskscore/node: file readers, writers, the CLI subcommand.
export { runFeaturesCommand } from './features-command';
export { computeFeaturesFile } from './compute-features-file';
export type { ComputeFeaturesFileOptions, ComputeFeaturesFileResult } from './compute-features-file';
export { readEventFile, eventFileFormat } from './event-readers';
export type { RowSink, ProgressSink, EventFileFormat, ReadEventFileOptions } from './event-readers';
export { createFeatureCsvWriter, createFeatureArrowWriter } from './feature-writers';
export type { FeatureChunk, FeatureWriter, FeatureWriterOptions } from './feature-writers';
export { createProgressBar } from './progress-bar';
export type { ProgressBar, ProgressBarOptions } from './progress-bar';
export { parseDecimal } from './parse-decimal';
