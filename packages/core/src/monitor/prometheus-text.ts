/**
 * Writing the Prometheus text exposition format (version 0.0.4): per metric family one
 * `# HELP` and one `# TYPE` line, then its samples `name{label="value"} number`.
 * See https://prometheus.io/docs/instrumenting/exposition_formats/.
 */
import { RiskscoreError } from '../errors';

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

// The format's grammar for names (https://prometheus.io/docs/concepts/data_model/):
// a metric name may hold colons, a label name may not, and `__` label names are reserved.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: ReadonlyArray<string> = ['counter', 'gauge', 'histogram'];
const SUFFIXES: ReadonlyArray<string> = ['_bucket', '_sum', '_count'];

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function refuse(path: ReadonlyArray<string | number>, rule: string, actual: unknown): never {
  throw new RiskscoreError('invalid_argument', `prometheusText: ${path.join('.')} ${rule}, got ${typeof actual === 'string' ? JSON.stringify(actual) : kindOf(actual)}`, {
    path, details: { actual: typeof actual === 'string' || typeof actual === 'number' ? actual : kindOf(actual) },
  });
}

/** Checks one family before anything is written, so bad input yields no half-written text. */
function checkFamily(f: PrometheusFamily, i: number): void {
  if (typeof f !== 'object' || f === null) refuse(['families', i], 'must be an object { name, help, type, samples }', f);
  if (typeof f.name !== 'string' || !METRIC_NAME.test(f.name)) refuse(['families', i, 'name'], 'must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)', f.name);
  if (typeof f.help !== 'string') refuse(['families', i, 'help'], 'must be a string', f.help);
  if (!TYPES.includes(f.type)) refuse(['families', i, 'type'], `must be one of ${TYPES.join(', ')}`, f.type);
  if (!Array.isArray(f.samples as unknown)) refuse(['families', i, 'samples'], 'must be an array of { labels, value }', f.samples);
  for (let j = 0; j < f.samples.length; j++) {
    const smp = f.samples[j];
    if (typeof smp !== 'object' || smp === null) refuse(['families', i, 'samples', j], 'must be an object { labels, value }', smp);
    if (typeof smp.value !== 'number') refuse(['families', i, 'samples', j, 'value'], 'must be a number', smp.value);
    if (smp.suffix !== undefined && !SUFFIXES.includes(smp.suffix)) refuse(['families', i, 'samples', j, 'suffix'], `must be one of ${SUFFIXES.join(', ')}`, smp.suffix);
    const labels = smp.labels as unknown;
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) refuse(['families', i, 'samples', j, 'labels'], 'must be an object of label name → string value ({} for none)', labels);
    for (const k in labels as Record<string, unknown>) {
      if (!LABEL_NAME.test(k) || k.startsWith('__')) refuse(['families', i, 'samples', j, 'labels', k], 'is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)', k);
      if (typeof (labels as Record<string, unknown>)[k] !== 'string') refuse(['families', i, 'samples', j, 'labels', k], 'must be a string', (labels as Record<string, unknown>)[k]);
    }
  }
}

/**
 * The text of several metric families; a family with no samples is left out. A family
 * or sample that the format cannot carry (a metric or label name outside its grammar, a
 * type other than counter/gauge/histogram, a value that is not a number, a label value
 * that is not a string) throws `invalid_argument` naming it, e.g.
 * `['families', 0, 'samples', 2, 'value']`, and nothing is written.
 *
 * @example
 * prometheusText([{ name: 'riskscore_scored_total', help: 'Events scored.', type: 'counter', samples: [{ labels: { model: 'm@1' }, value: 3 }] }]);
 * // '# HELP riskscore_scored_total Events scored.\n# TYPE riskscore_scored_total counter\nriskscore_scored_total{model="m@1"} 3\n'
 */
export function prometheusText(families: readonly PrometheusFamily[]): string {
  if (!Array.isArray(families as unknown)) refuse(['families'], 'must be an array of metric families { name, help, type, samples }', families);
  families.forEach(checkFamily);
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
