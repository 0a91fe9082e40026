/**
 * Writing the Prometheus text exposition format (version 0.0.4): per metric family one
 * `# HELP` and one `# TYPE` line, then its samples `name{label="value"} number`.
 * See https://prometheus.io/docs/instrumenting/exposition_formats/.
 */

/** One sample of a family: labels and value (histograms add their own suffixes). */
export interface PrometheusSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Suffix for histogram parts: `_bucket`, `_sum`, `_count`. */
  readonly suffix?: string;
}

/** A metric family. */
export interface PrometheusFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly samples: readonly PrometheusSample[];
}

/**
 * A label value escaped as the format requires: backslash, double quote and line feed.
 *
 * @example
 * escapeLabelValue('a"b'); // 'a\\"b'
 */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * A sample value as the format spells it (`+Inf`, `-Inf`, `NaN`, else the shortest
 * round-trip decimal).
 *
 * @example
 * formatSampleValue(Infinity); // '+Inf'
 */
export function formatSampleValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

/**
 * The text of several metric families; a family with no samples is left out.
 *
 * @example
 * prometheusText([{ name: 'riskscore_scored_total', help: 'Events scored.', type: 'counter', samples: [{ labels: { model: 'm@1' }, value: 3 }] }]);
 * // '# HELP riskscore_scored_total Events scored.\n# TYPE riskscore_scored_total counter\nriskscore_scored_total{model="m@1"} 3\n'
 */
export function prometheusText(families: readonly PrometheusFamily[]): string {
  let out = '';
  for (const f of families) {
    if (f.samples.length === 0) continue;
    out += `# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const keys = Object.keys(s.labels);
      const labels = keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${escapeLabelValue(s.labels[k])}"`).join(',')}}`;
      out += `${f.name}${s.suffix ?? ''}${labels} ${formatSampleValue(s.value)}\n`;
    }
  }
  return out;
}
