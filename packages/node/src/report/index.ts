// The monitoring report of @riskscore/node: data, HTML page, CLI subcommand.
export { createRiskReport } from './create-risk-report';
export type { RiskReportOptions, RiskReportData, LabelledEvent, ReportGroup } from './create-risk-report';
export { reportHtml } from './report-html';
export { runReportCommand } from './report-command';
export { barChartSvg, pairedBarsSvg, unitLineChartSvg, timeSeriesSvg, escapeXml } from './svg-charts';
export type { Bar } from './svg-charts';
