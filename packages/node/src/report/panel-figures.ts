/**
 * The figures the static report and the live dashboard both draw, so a chart reads the
 * same in either: the score distribution now vs the reference, PSI per feature with its
 * warning and drift lines, and the approval, true- and false-positive rates by group.
 */
import { pairedBarsSvg, barChartSvg } from './svg-charts';

/**
 * Share of events per score bin, reference beside current (the reference left out when
 * there is none).
 *
 * @example
 * scoreDistributionFigure(['< 0.1', '≥ 0.1'], [0.5, 0.5], [0.4, 0.6], 'current batch');
 */
export function scoreDistributionFigure(bins: readonly string[], reference: readonly number[] | null, current: readonly number[], currentName: string, width = 760): string {
  const series = [
    ...(reference ? [{ name: 'reference', values: reference, color: '#6b7785' }] : []),
    { name: currentName, values: current, color: '#2f6fbf' },
  ];
  return pairedBarsSvg(bins, series, { title: reference ? 'Share of events per score bin (reference deciles)' : 'Share of events per score bin (no reference profile of the score)', width, yLabel: 'share' });
}

/**
 * PSI per feature with the warning and drift thresholds.
 *
 * @example
 * psiBarsFigure([{ label: 'AGE', value: 0.31 }], 0.1, 0.25, 'Population stability index per feature');
 */
export function psiBarsFigure(bars: readonly { label: string; value: number }[], warning: number, drift: number, title: string, width = 760): string {
  const top = Math.max(0, ...bars.map((b) => b.value));
  return barChartSvg(bars, { title, width, thresholds: [{ value: warning, label: 'warning' }, { value: drift, label: 'drift' }], max: Math.max(drift * 2, Math.min(2, top)) });
}

/** One group of a fairness figure: its label and its rates (null = undefined, drawn as 0). */
export interface FairnessFigureGroup {
  readonly label: string;
  readonly approvalRate: number;
  readonly truePositiveRate: number | null;
  readonly falsePositiveRate: number | null;
}

/**
 * Approval rate (the favourable outcome, on which the four-fifths rule is read), TPR and
 * FPR of each group, side by side.
 *
 * @example
 * fairnessRatesFigure([{ label: 'male', approvalRate: 0.8, truePositiveRate: 0.5, falsePositiveRate: 0.1 }], 'Rates by SEX');
 */
export function fairnessRatesFigure(groups: readonly FairnessFigureGroup[], title: string, width = 760): string {
  return pairedBarsSvg(groups.map((g) => g.label), [
    { name: 'approval rate', values: groups.map((g) => g.approvalRate), color: '#2e7d4f' },
    { name: 'TPR', values: groups.map((g) => g.truePositiveRate ?? 0), color: '#2f6fbf' },
    { name: 'FPR', values: groups.map((g) => g.falsePositiveRate ?? 0), color: '#c62828' },
  ], { title, width, max: 1, yLabel: 'rate' });
}
