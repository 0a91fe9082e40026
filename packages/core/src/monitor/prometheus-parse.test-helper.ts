/**
 * A strict parser of the Prometheus text format (0.0.4) for tests: it throws on a
 * malformed line, a second `# TYPE` for a name, a sample before its family's TYPE, a
 * family split by another, and a histogram whose buckets are not cumulative or whose
 * `+Inf` bucket differs from `_count`.
 */
export interface ParsedPrometheus {
  readonly types: Map<string, string>;
  readonly samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
  /** The value of the one sample with exactly these labels; throws if absent. */
  value(name: string, labels: Record<string, string>): number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function parseLabels(s: string, line: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(s.slice(i));
    if (!m) throw new Error(`line ${line}: bad label at ${s.slice(i)}`);
    i += m[0].length;
    let v = '';
    for (;;) {
      if (i >= s.length) throw new Error(`line ${line}: unterminated label value`);
      const c = s[i++];
      if (c === '"') break;
      if (c === '\\') {
        const e = s[i++];
        if (e === 'n') v += '\n';
        else if (e === '\\' || e === '"') v += e;
        else throw new Error(`line ${line}: bad escape \\${e}`);
      } else v += c;
    }
    if (m[1] in out) throw new Error(`line ${line}: duplicate label ${m[1]}`);
    out[m[1]] = v;
    if (i < s.length) {
      if (s[i] !== ',') throw new Error(`line ${line}: expected , between labels`);
      i++;
    }
  }
  return out;
}

function parseValue(v: string, line: number): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (v === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) throw new Error(`line ${line}: bad value ${v}`);
  return Number(v);
}

/** @example parsePrometheusText(monitor.metrics()).value('riskscore_scored_total', { model: 'm@1' }); */
export function parsePrometheusText(text: string): ParsedPrometheus {
  const types = new Map<string, string>();
  const samples: ParsedPrometheus['samples'] = [];
  const finished = new Set<string>();
  let current: string | null = null;
  const familyOf = (name: string): string => {
    for (const suf of ['_bucket', '_sum', '_count']) {
      const base = name.slice(0, -suf.length);
      if (name.endsWith(suf) && types.get(base) === 'histogram') return base;
    }
    return name;
  };
  if (!text.endsWith('\n')) throw new Error('text must end with a line feed');
  text.slice(0, -1).split('\n').forEach((l, idx) => {
    const line = idx + 1;
    if (l.startsWith('# HELP ')) return;
    if (l.startsWith('# TYPE ')) {
      const [name, type, ...rest] = l.slice(7).split(' ');
      if (!NAME.test(name) || rest.length || !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type)) throw new Error(`line ${line}: bad TYPE line`);
      if (types.has(name)) throw new Error(`line ${line}: second TYPE for ${name}`);
      types.set(name, type);
      if (current) finished.add(current);
      current = name;
      return;
    }
    if (l.startsWith('#') || l === '') throw new Error(`line ${line}: unexpected line ${JSON.stringify(l)}`);
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(l);
    if (!m) throw new Error(`line ${line}: malformed sample ${JSON.stringify(l)}`);
    const fam = familyOf(m[1]);
    if (!types.has(fam)) throw new Error(`line ${line}: sample of ${fam} before its TYPE`);
    if (fam !== current || finished.has(fam)) throw new Error(`line ${line}: family ${fam} is not contiguous`);
    samples.push({ name: m[1], labels: m[2] ? parseLabels(m[2], line) : {}, value: parseValue(m[3], line) });
  });
  // Histograms: per label set, buckets non-decreasing in le, +Inf present and equal to _count, _sum present.
  for (const [name, type] of types) {
    if (type !== 'histogram') continue;
    const key = (l: Record<string, string>) => JSON.stringify(Object.entries(l).filter(([k]) => k !== 'le').sort());
    const series = new Map<string, Array<{ le: number; v: number }>>();
    for (const s of samples.filter((x) => x.name === `${name}_bucket`)) {
      if (!('le' in s.labels)) throw new Error(`${name}_bucket without le`);
      const k = key(s.labels);
      if (!series.has(k)) series.set(k, []);
      series.get(k)!.push({ le: parseValue(s.labels.le, 0), v: s.value });
    }
    for (const [k, b] of series) {
      b.sort((x, y) => x.le - y.le);
      for (let i = 1; i < b.length; i++) if (b[i].v < b[i - 1].v) throw new Error(`${name}${k}: buckets not cumulative`);
      if (b[b.length - 1].le !== Infinity) throw new Error(`${name}${k}: no +Inf bucket`);
      const count = samples.find((x) => x.name === `${name}_count` && key(x.labels) === k);
      const sum = samples.find((x) => x.name === `${name}_sum` && key(x.labels) === k);
      if (!count || !sum) throw new Error(`${name}${k}: _count or _sum missing`);
      if (count.value !== b[b.length - 1].v) throw new Error(`${name}${k}: +Inf bucket ${b[b.length - 1].v} ≠ _count ${count.value}`);
    }
  }
  return {
    types,
    samples,
    value(name, labels) {
      const want = JSON.stringify(Object.entries(labels).sort());
      const hit = samples.filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want);
      if (hit.length !== 1) throw new Error(`${hit.length} samples of ${name} ${want}`);
      return hit[0].value;
    },
  };
}
