/**
 * How events fall into the groups of a fairness section: by an input field's own values
 * (labelled by its `categories`, SEX 1 → male) or by a grouping the manifest derives from
 * a numeric field (`groups`: AGE → age bands). One definition for the static report and
 * the live dashboard, so both show the same groups under the same labels.
 */
import { RiskscoreError } from '../errors';
import { categoriesOf, type Grouping, type InputField, type Manifest } from './manifest';

/** The groups of one input field or derived grouping. */
export interface EventGrouping {
  /** The name asked for: an input field or a grouping of the manifest. */
  readonly name: string;
  /** The input field the groups are read from. */
  readonly field: string;
  /**
   * The group of an event: a band's label, or the field's value as a string (a category
   * code such as `"2"`); `null` when the field is absent, null, not finite or one of its
   * missing-value sentinels.
   */
  keyOf(event: Readonly<Record<string, unknown>>): string | null;
  /** What a group is shown as: a category's label, a band's label, else the key itself. */
  labelOf(key: string): string;
  /** Orders groups: bands and categories in their declared order, others numerically. */
  compare(a: string, b: string): number;
}

const numericCompare = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

/**
 * The default labels of bands on `edges`: `<25`, `25–34`, …, `≥55` for an integer field
 * with integer edges (band [25, 35) holds 25 to 34), `<0.5`, `0.5 to <1`, …, `≥2` otherwise.
 *
 * @example
 * bandLabels([25, 35, 45], true); // ['<25', '25–34', '35–44', '≥45']
 * bandLabels([0.5, 1], false);   // ['<0.5', '0.5 to <1', '≥1']
 */
export function bandLabels(edges: readonly number[], integer: boolean): string[] {
  const whole = integer && edges.every(Number.isInteger);
  const labels = [`<${edges[0]}`];
  for (let i = 1; i < edges.length; i++) {
    const lo = edges[i - 1], hi = edges[i];
    labels.push(whole ? (hi - lo === 1 ? `${lo}` : `${lo}–${hi - 1}`) : `${lo} to <${hi}`);
  }
  labels.push(`≥${edges[edges.length - 1]}`);
  return labels;
}

/**
 * The band of `value` on `edges`: the number of edges at or below it (0 below the first
 * edge, `edges.length` at or above the last).
 */
export function bandIndex(edges: readonly number[], value: number): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function fieldValue(field: InputField | undefined, event: Readonly<Record<string, unknown>>, name: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(event, name)) return null;
  const v = event[name];
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && (!Number.isFinite(v) || field?.missing?.includes(v))) return null;
  return v;
}

/**
 * The grouping called `name` in `manifest`: a derived grouping of `manifest.groups`, or
 * an input field.
 *
 * @throws RiskscoreError `invalid_argument` (path `['groupField']`) when `name` is neither.
 * @example
 * const g = eventGrouping(bundle.manifest, 'AGE_BAND');
 * g.keyOf({ AGE: 31 }); // '25–34'
 */
export function eventGrouping(manifest: Pick<Manifest, 'input' | 'groups'>, name: string): EventGrouping {
  const derived: Grouping | undefined = (manifest.groups ?? []).find((g) => g.name === name);
  const field = manifest.input.fields.find((f) => f.name === (derived ? derived.field : name));
  if (!field) {
    const known = [...manifest.input.fields.map((f) => f.name), ...(manifest.groups ?? []).map((g) => g.name)];
    throw new RiskscoreError('invalid_argument', `group ${name} is neither an input field nor a grouping of the manifest (known: ${known.join(', ')})`, { path: ['groupField'] });
  }
  if (derived) {
    const labels = derived.labels ?? bandLabels(derived.edges, field.type === 'integer');
    const order = new Map(labels.map((l, i) => [l, i]));
    return {
      name, field: field.name,
      keyOf(event) {
        const v = fieldValue(field, event, field.name);
        return typeof v === 'number' ? labels[bandIndex(derived.edges, v)] : null;
      },
      labelOf: (key) => key,
      compare: (a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || numericCompare(a, b),
    };
  }
  const cats = categoriesOf(field);
  const labelByKey = new Map(cats.map((c) => [String(c.code), c.label]));
  const order = new Map(cats.map((c, i) => [String(c.code), i]));
  return {
    name, field: field.name,
    keyOf(event) {
      const v = fieldValue(field, event, field.name);
      return v === null ? null : String(v);
    },
    labelOf: (key) => labelByKey.get(key) ?? key,
    compare: (a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || numericCompare(a, b),
  };
}
