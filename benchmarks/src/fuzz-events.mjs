// Seeded generators of hostile events for the example bundles (used by fuzz.mjs).
//
// Each source yields `{ kind, event, card, terminal, field, valid }`:
//   kind      what was done to the event ('valid' or the mutation's name)
//   event     what is passed to the scorer (may be anything: null, a Proxy, a Map, …)
//   card, terminal   the customer and terminal ids of the event the mutation started from
//             (fraud only; undefined where the mutation removed or broke them)
//   field     the field a mutation aimed at (a refusal should name it in its path)
//   valid     true when the event is valid for the bundle's input schema and feature spec
//             by construction (a realistic event; it should be scored)
//
// Deterministic from the seed: one mulberry32 stream drives everything, and no value
// depends on the clock or on Math.random. Hostile values that are costly to build (1 MB
// strings, frozen objects, proxies) are built once per source and reused.

/** mulberry32 (Tommy Ettinger's 32-bit PRNG): a float in [0, 1) per call. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A small random toolkit over one mulberry32 stream. */
export function createRandom(seed) {
  const next = mulberry32(seed);
  const r = {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    /** Exponential with mean `mean`. */
    exp: (mean) => -Math.log(1 - next()) * mean,
    /** Standard normal (Box–Muller). */
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    /** Picks a key of `weights` ({ name: weight }) with probability ∝ weight. */
    weighted: (table) => {
      let x = next() * table.total;
      for (let i = 0; i < table.names.length; i++) { x -= table.weights[i]; if (x < 0) return table.names[i]; }
      return table.names[table.names.length - 1];
    },
  };
  return r;
}

function weightTable(w) {
  const names = Object.keys(w);
  const weights = names.map((k) => w[k]);
  return { names, weights, total: weights.reduce((a, b) => a + b, 0) };
}

const pad2 = (n) => (n < 10 ? `0${n}` : String(n));
/** 'YYYY-MM-DD HH:MM:SS' of seconds since the epoch (UTC). */
export function datetimeFromSeconds(s) {
  const d = new Date(Math.floor(s) * 1000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

class Transaction {
  constructor(fields) { Object.assign(this, fields); }
  get kind() { return 'tx'; }
}

/** Values of the wrong type for any field (none is a finite number or a string). */
function wrongTypeValues() {
  return [
    {}, [], [1], [Number.NaN], { valueOf: () => 5 }, true, false, 10n, -1n, Symbol('x'), () => 1,
    new Date('2018-04-01T00:00:00Z'), new Map([['a', 1]]), new Set([1]), new Number(5), new String('5'),
    new Float32Array(2), Object.create(null), new Error('not a value'), Promise.resolve(1), /re/,
  ];
}

/** Hostile values for a numeric field. `validMin` is the field's lower bound. */
const HUGE = [1e20, 3.5e38, Number.MAX_VALUE, 2 ** 53 + 1, 1e308];
const ODD_NUMBERS = [Number.NaN, Infinity, -Infinity, -0, Number.MIN_VALUE, -Number.MIN_VALUE, -1, -1e-300, -Number.MAX_VALUE, 0.5, 1e-320];
const NUMERIC_STRINGS = ['1', '', ' ', '0x10', '1e3', 'NaN', 'Infinity', '-0', '١٢٣'];

/** A throwing getter at `name` (on the k-th read; k = 1 throws at once). */
function withThrowingGetter(base, name, k) {
  const o = { ...base };
  let reads = 0;
  Object.defineProperty(o, name, {
    enumerable: true, configurable: true,
    get() { reads++; if (reads >= k) throw new Error(`getter ${name} exploded on read ${reads}`); return base[name]; },
  });
  return o;
}

/** A getter that returns `first` on the first read and `later` afterwards (validate-then-use). */
function withShiftingGetter(base, name, first, later) {
  const o = { ...base };
  let reads = 0;
  Object.defineProperty(o, name, { enumerable: true, configurable: true, get() { return reads++ === 0 ? first : later; } });
  return o;
}

function throwingProxy(base, traps) {
  const handler = {};
  for (const t of traps) handler[t] = () => { throw new Error(`proxy trap ${t} exploded`); };
  return new Proxy({ ...base }, handler);
}

/** A proxy whose get trap throws on the k-th read of any key. */
function countingProxy(base, k) {
  let reads = 0;
  return new Proxy({ ...base }, {
    get(target, key, recv) {
      reads++;
      if (reads >= k) throw new Error(`proxy get exploded on read ${reads}`);
      return Reflect.get(target, key, recv);
    },
  });
}

/** Own `__proto__` / `constructor` / `prototype` keys (JSON.parse keeps `__proto__` as an own key). */
function withPrototypeKeys(base, r) {
  const variants = [
    '{"__proto__": {"polluted": 1}}',
    '{"constructor": {"prototype": {"polluted": 1}}}',
    '{"prototype": {"polluted": 1}, "__proto__": {"polluted": 1, "TX_AMOUNT": 1e9}}',
    '{"__proto__": {"__proto__": {"polluted": 1}}, "constructor": {"name": "x"}}',
    '{"hasOwnProperty": 1, "toString": "x", "valueOf": 2, "__defineGetter__": 3}',
  ];
  // One JSON text, so that "__proto__" stays an own key (Object.assign would call the
  // __proto__ setter and change the object's prototype instead).
  const json = JSON.stringify(base);
  return JSON.parse(json.length > 2 ? `${json.slice(0, -1)},${r.pick(variants).slice(1)}` : r.pick(variants));
}

/**
 * The non-object and odd-object events (the same for every bundle, built around `base`).
 */
function nonObjects(base) {
  const frozen = Object.freeze({ ...base });
  const nullProto = Object.assign(Object.create(null), base);
  const sealedDeep = Object.seal(Object.assign(Object.create(Object.freeze({})), base));
  return [
    null, undefined, 0, 42, -0, Number.NaN, 'event', '', true, 10n, Symbol('event'), () => base,
    [], [base], Object.assign([], base), new Date(0), new Map(Object.entries(base)), new Set([base]),
    new Transaction(base), frozen, nullProto, sealedDeep, new Float64Array(4), new Error('e'),
    Object.assign(new String('x'), base), new Proxy({}, {}), Promise.resolve(base),
  ];
}

/** The categories of events non-objects, proxies, getters: shared by both sources. */
function hostileObject(r, base, fields, kind) {
  const f = r.pick(fields);
  switch (kind) {
    case 'throwing_getter': return { event: withThrowingGetter(base, f, 1 + r.int(6)), field: f };
    case 'shifting_getter': {
      // Valid on the first read, then something else (NaN, a string, Infinity, undefined).
      const later = r.pick([Number.NaN, 'x', Infinity, undefined, -1, 3.5e38, {}]);
      return { event: withShiftingGetter(base, f, base[f], later), field: f };
    }
    case 'throwing_proxy': {
      const traps = r.pick([['get'], ['ownKeys'], ['has'], ['getOwnPropertyDescriptor'], ['getPrototypeOf'], ['get', 'ownKeys', 'has', 'getOwnPropertyDescriptor', 'getPrototypeOf']]);
      return { event: throwingProxy(base, traps), field: undefined };
    }
    case 'counting_proxy': return { event: countingProxy(base, 1 + r.int(12)), field: undefined };
    default: throw new Error(`unknown hostile kind ${kind}`);
  }
}

/**
 * Hostile events for the fraud bundle (examples/fdh-fraud: TRANSACTION_ID, TX_DATETIME,
 * CUSTOMER_ID, TERMINAL_ID, TX_AMOUNT). Valid events are realistic: timestamps increase
 * from 2018-04-01 so that `expectedEvents` events span about six months, customers and
 * terminals come from fixed pools (so entities build up history), amounts are log-normal.
 *
 * @param {{ seed?: number, expectedEvents?: number, validShare?: number, cards?: number, terminals?: number }} options
 */
export function createFraudEventSource(options = {}) {
  const seed = options.seed ?? 12;
  const r = createRandom(seed);
  const expected = options.expectedEvents ?? 1e6;
  const validShare = options.validShare ?? 0.45;
  const start = Date.UTC(2018, 3, 1) / 1000;
  const span = Date.UTC(2018, 8, 30) / 1000 - start;
  const meanGap = Math.max(0.5, span / expected);
  const cards = Array.from({ length: options.cards ?? 2000 }, (_, i) => 1 + i * 3);
  const terminals = Array.from({ length: options.terminals ?? 3000 }, (_, i) => 2 + i * 2);
  // Each card uses a few terminals mostly (so customer × terminal entities have history).
  const home = cards.map(() => [r.pick(terminals), r.pick(terminals), r.pick(terminals)]);
  const FIELDS = ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT'];
  const NUMERIC = ['TRANSACTION_ID', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT'];
  const MB = 'x'.repeat(1 << 20);
  const MB_DIGITS = '2018-04-01 00:00:00' + '0'.repeat((1 << 20) - 19);
  const WRONG = wrongTypeValues();
  const BAD_TIMESTAMPS = [
    '9999-12-31 23:59:59', '0000-01-01 00:00:00', '2018-02-30 25:61:61', '2018-02-30 00:00:00', '2018-04-31 12:00:00',
    '2018-13-01 00:00:00', '2018-04-01 24:00:00', '2018-04-01 23:60:00', '2018-04-01 23:59:60', '', ' ', 'now', 'yesterday',
    '2018-4-1 1:2:3', '2018/04/01 00:00:00', '01-04-2018 00:00:00', '2018-04-01T00:00:00Z ', '\u0000', '２０１８-04-01 00:00:00',
    '1970-01-01 00:00:00', '1969-12-31 23:59:59', '2100-01-01 00:00:00', '2038-01-19 03:14:08', '2018-04-01 00:00:00.', '2018-04-01 00:00:00+99:99',
    1522540800, 1522540800000, 0, -1, Number.NaN, Infinity, MB_DIGITS,
  ];
  const table = weightTable({
    valid: validShare * 100,
    missing_field: 5, null_field: 2, wrong_type: 6, non_finite: 4, neg_zero: 1, huge_number: 4, negative_number: 3,
    non_integer_id: 2, numeric_string: 3, tiny_amount: 1, absurd_timestamp: 6, future_timestamp: 2, out_of_order: 4, extra_keys: 2,
    inherited_fields: 1.5, prototype_keys: 2, long_string: 0.5, non_object: 2, throwing_getter: 1, shifting_getter: 1,
    throwing_proxy: 0.5, counting_proxy: 0.5, unknown_entity: 1,
  });

  let t = start;
  let id = 1_000_000;
  const base = () => {
    t += r.exp(meanGap);
    const ci = r.int(cards.length);
    const card = cards[ci];
    const terminal = r.chance(0.85) ? r.pick(home[ci]) : r.pick(terminals);
    const amount = Math.round(Math.exp(3.6 + 0.9 * r.normal()) * 100) / 100;
    return { TRANSACTION_ID: id++, TX_DATETIME: datetimeFromSeconds(t), CUSTOMER_ID: card, TERMINAL_ID: terminal, TX_AMOUNT: amount };
  };

  return {
    fields: FIELDS,
    /** The clock of the stream (seconds since the epoch of the latest valid timestamp). */
    get now() { return t; },
    /** A valid, realistic event (advances the clock). */
    valid() { return base(); },
    next() {
      const kind = r.weighted(table);
      const b = base();
      const out = { kind, event: b, card: b.CUSTOMER_ID, terminal: b.TERMINAL_ID, field: undefined, valid: false };
      const e = { ...b };
      switch (kind) {
        case 'valid': out.valid = true; return out;
        case 'missing_field': { const f = r.pick(FIELDS); delete e[f]; out.field = f; break; }
        case 'null_field': { const f = r.pick(FIELDS); e[f] = r.chance(0.5) ? null : undefined; out.field = f; break; }
        case 'wrong_type': { const f = r.pick(FIELDS); e[f] = r.pick(WRONG); out.field = f; break; }
        case 'non_finite': { const f = r.pick(NUMERIC); e[f] = r.pick([Number.NaN, Infinity, -Infinity]); out.field = f; break; }
        case 'neg_zero': { const f = r.pick(NUMERIC); e[f] = -0; out.field = f; break; }
        case 'huge_number': { const f = r.pick(NUMERIC); e[f] = r.pick(HUGE); out.field = f; break; }
        case 'negative_number': { const f = r.pick(NUMERIC); e[f] = r.pick(ODD_NUMBERS.filter((x) => x < 0 || Object.is(x, -0))); out.field = f; break; }
        case 'tiny_amount':
          // In the schema's range (min 0) but tiny: the card's mean amount becomes tiny too.
          e.TX_AMOUNT = r.pick([1e-40, Number.MIN_VALUE, 1e-300, 1e-39, 1e-45]); out.field = 'TX_AMOUNT'; break;
        case 'non_integer_id': { const f = r.pick(['TRANSACTION_ID', 'CUSTOMER_ID', 'TERMINAL_ID']); e[f] = e[f] + r.pick([0.5, 1e-9, 0.999]); out.field = f; break; }
        case 'numeric_string': { const f = r.pick(NUMERIC); e[f] = r.chance(0.5) ? String(b[f]) : r.pick(NUMERIC_STRINGS); out.field = f; break; }
        case 'absurd_timestamp': e.TX_DATETIME = r.pick(BAD_TIMESTAMPS); out.field = 'TX_DATETIME'; break;
        case 'future_timestamp':
          // A well-formed timestamp ahead of the stream: a skewed clock (an hour to years).
          e.TX_DATETIME = datetimeFromSeconds(t + r.pick([3600, 86400, 40 * 86400, 365 * 86400, 30 * 365 * 86400]));
          out.field = 'TX_DATETIME'; break;
        case 'out_of_order':
          // Older than the stream (on a regular card, so usually older than its newest event).
          e.TX_DATETIME = datetimeFromSeconds(t - r.pick([1, 60, 3600, 86400, 10 * 86400, 60 * 86400]) * (0.5 + r.next()));
          out.field = 'TX_DATETIME'; break;
        case 'extra_keys':
          Object.assign(e, r.pick([{ TX_FRAUD: 1 }, { TX_FRAUD_SCENARIO: 3, foo: 'bar' }, { tx_amount: 1e9 }, { ' TX_AMOUNT': 'x', TX_AMOUNT2: NaN }, { [Symbol('s')]: 1 }, { 0: 1, length: 3 }]));
          out.valid = true; break;
        case 'inherited_fields': {
          // Fields on the prototype only, or the prototype's values shadowed by bad own ones.
          out.event = r.chance(0.5) ? Object.create(b) : Object.assign(Object.create({ ...b }), { TX_AMOUNT: undefined });
          out.field = 'TX_AMOUNT';
          return out;
        }
        case 'prototype_keys': out.event = withPrototypeKeys(b, r); out.valid = true; return out;
        case 'long_string': { const f = r.pick(FIELDS); e[f] = r.chance(0.5) ? MB : MB_DIGITS; out.field = f; break; }
        case 'non_object': out.event = r.pick(nonObjects(b)); out.card = out.terminal = undefined; out.field = undefined; return out;
        case 'throwing_getter': case 'shifting_getter': case 'throwing_proxy': case 'counting_proxy': {
          const h = hostileObject(r, b, FIELDS, kind);
          out.event = h.event; out.field = h.field;
          return out;
        }
        case 'unknown_entity':
          // Ids never seen before (a new card / terminal): valid, scored with empty history.
          e.CUSTOMER_ID = 10_000_000 + r.int(1e9); e.TERMINAL_ID = 10_000_000 + r.int(1e9);
          out.card = out.terminal = undefined; out.valid = true; break;
        default: throw new Error(`unhandled kind ${kind}`);
      }
      out.event = e;
      return out;
    },
  };
}

/** The allowed integer codes of a manifest field (`categories` as an object or a list), or null. */
function codesOf(f) {
  const c = f.categories;
  if (!c) return null;
  return Array.isArray(c) ? c.map((x) => Number(x.code)) : Object.keys(c).map(Number);
}

/** Whether `e` fits the input schema `fields` (the checks of the core validator, in short). */
export function fitsInputSchema(e, fields) {
  for (const f of fields) {
    const v = Object.prototype.hasOwnProperty.call(e, f.name) ? e[f.name] : undefined;
    if (v === undefined || v === null) { if (f.required !== false) return false; continue; }
    if (typeof v !== 'number' || !Number.isFinite(v)) return false;
    if (f.type === 'integer' && !Number.isInteger(v)) return false;
    if (v < (f.min ?? -Infinity) || v > (f.max ?? Infinity)) return false;
    const codes = codesOf(f);
    if (codes && !codes.includes(v)) return false;
    if (f.missing?.includes(v)) return false;
  }
  return true;
}

/**
 * Hostile events for the credit bundle (examples/taiwan-credit: numeric and integer-coded
 * fields with ranges), built from the manifest's input `fields` so they follow its
 * schema. Valid events are the bundle's golden rows that fit the schema (when given) or
 * rows drawn within each field's range and codes, optional fields sometimes left out.
 *
 * @param {{ fields: Array<{ name: string, type: string, required?: boolean, min?: number, max?: number, categories?: unknown }>, seed?: number, validShare?: number, rows?: Array<Record<string, number>> }} options
 */
export function createCreditEventSource(options) {
  const r = createRandom(options.seed ?? 34);
  const validShare = options.validShare ?? 0.45;
  const schema = options.fields.filter((f) => f.type === 'number' || f.type === 'integer');
  const rows = (options.rows ?? []).filter((row) => fitsInputSchema(row, options.fields));
  const FIELDS = schema.map((f) => f.name);
  const INTEGER = schema.filter((f) => f.type === 'integer').map((f) => f.name);
  const CODED = schema.filter((f) => codesOf(f) !== null);
  const MB = 'x'.repeat(1 << 20);
  const WRONG = wrongTypeValues();
  const table = weightTable({
    valid: validShare * 100,
    missing_field: 3, null_field: 2, wrong_type: 7, non_finite: 5, neg_zero: 1, huge_number: 4, negative_number: 3,
    out_of_range: 4, unknown_code: CODED.length > 0 ? 4 : 0, non_integer_code: 3, numeric_string: 3, extra_keys: 2, empty_event: 1,
    inherited_fields: 2, prototype_keys: 2, long_string: 0.5, non_object: 2, throwing_getter: 1, shifting_getter: 1,
    throwing_proxy: 0.5, counting_proxy: 0.5,
  });
  const draws = schema.map((f) => {
    const codes = codesOf(f);
    // Amounts: uniform over the plausible part of the range (the schema's bounds are wide).
    const lo = Math.max(f.min ?? -2e5, -2e5);
    const hi = Math.min(f.max ?? 1e6, 1e6);
    if (codes) return () => r.pick(codes);
    if (f.type === 'integer') return () => lo + r.int(hi - lo + 1);
    return () => Math.round(lo + r.next() * (hi - lo));
  });
  const drawn = () => {
    const e = {};
    for (let i = 0; i < schema.length; i++) {
      if (schema[i].required === false && r.chance(0.05)) continue;
      e[schema[i].name] = draws[i]();
    }
    return e;
  };
  const base = () => (rows.length > 0 && r.chance(0.7) ? { ...r.pick(rows) } : drawn());
  const field = (name) => schema.find((f) => f.name === name);
  return {
    fields: FIELDS,
    valid: base,
    next() {
      const kind = r.weighted(table);
      const b = base();
      const out = { kind, event: b, field: undefined, valid: false };
      const e = { ...b };
      switch (kind) {
        case 'valid': out.valid = true; return out;
        case 'missing_field': { const f = r.pick(FIELDS); delete e[f]; out.field = f; out.valid = field(f).required === false; break; }
        case 'null_field': { const f = r.pick(FIELDS); e[f] = r.chance(0.5) ? null : undefined; out.field = f; out.valid = field(f).required === false; break; }
        case 'wrong_type': { const f = r.pick(FIELDS); e[f] = r.pick(WRONG); out.field = f; break; }
        case 'non_finite': { const f = r.pick(FIELDS); e[f] = r.pick([Number.NaN, Infinity, -Infinity]); out.field = f; break; }
        case 'neg_zero': { const f = r.pick(FIELDS); e[f] = -0; out.field = f; break; }
        case 'huge_number': { const f = r.pick(FIELDS); e[f] = r.pick(HUGE); out.field = f; break; }
        case 'negative_number': { const f = r.pick(FIELDS); e[f] = r.pick([-1, -1e20, -Number.MAX_VALUE, -3.5e38]); out.field = f; break; }
        case 'out_of_range': {
          const f = r.pick(schema.filter((x) => x.min !== undefined || x.max !== undefined));
          e[f.name] = r.chance(0.5) && f.min !== undefined ? f.min - (f.type === 'integer' ? 1 : 0.5) : (f.max ?? 1e6) + (f.type === 'integer' ? 1 : 0.5);
          out.field = f.name; break;
        }
        case 'unknown_code': {
          const f = r.pick(CODED);
          const codes = codesOf(f);
          let v = r.pick([-3, 7, 10, 99, 4, 5, 0, -1]);
          if (codes.includes(v)) v = Math.max(...codes) + 1;
          e[f.name] = v; out.field = f.name; break;
        }
        case 'non_integer_code': { const f = r.pick(INTEGER); e[f] = (typeof e[f] === 'number' ? e[f] : 1) + r.pick([0.5, 1e-9, 0.25]); out.field = f; break; }
        case 'numeric_string': { const f = r.pick(FIELDS); e[f] = r.chance(0.5) ? String(b[f] ?? 1) : r.pick(NUMERIC_STRINGS); out.field = f; break; }
        case 'extra_keys':
          Object.assign(e, r.pick([{ default_next_month: 1 }, { pay_0: 9 }, { PAY_1: 8, ID: 'x' }, { [Symbol('s')]: 1 }, { 0: 1, length: 3 }]));
          out.valid = true; break;
        case 'empty_event': out.event = {}; out.valid = schema.every((f) => f.required === false); return out;
        case 'inherited_fields':
          // PAY_0 = 8 on the prototype only (it would fire the severe-delinquency rule if read).
          out.event = r.chance(0.5) ? Object.create({ ...b, PAY_0: 8 }) : Object.assign(Object.create({ PAY_0: 8, AGE: 17 }), b);
          out.field = 'PAY_0';
          return out;
        case 'prototype_keys': out.event = withPrototypeKeys(b, r); out.valid = true; return out;
        case 'long_string': { const f = r.pick(FIELDS); e[f] = MB; out.field = f; break; }
        case 'non_object': out.event = r.pick(nonObjects(b)); return out;
        case 'throwing_getter': case 'shifting_getter': case 'throwing_proxy': case 'counting_proxy': {
          const fs = Object.keys(b).length > 0 ? Object.keys(b) : FIELDS;
          const h = hostileObject(r, b, fs, kind);
          out.event = h.event; out.field = h.field;
          return out;
        }
        default: throw new Error(`unhandled kind ${kind}`);
      }
      out.event = e;
      return out;
    },
  };
}

/** Labels for recordOutcome that are not 0 or 1 (and some that are not numbers). */
export const BAD_LABELS = [Number.NaN, Infinity, -Infinity, 2, -1, 0.5, '1', null, undefined, true, {}, 1n, -0];

/** A short, safe description of any value (never calls a getter or a trap that could throw). */
export function describeValue(v) {
  try {
    if (v === null) return 'null';
    const t = typeof v;
    if (t === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (t === 'bigint') return `${v}n`;
    if (t === 'string') return v.length > 60 ? `string(${v.length}) ${JSON.stringify(v.slice(0, 30))}…` : JSON.stringify(v);
    if (t === 'symbol' || t === 'function' || t === 'undefined' || t === 'boolean') return t === 'boolean' ? String(v) : t;
    if (Array.isArray(v)) return `array(${v.length})`;
    const proto = Object.getPrototypeOf(v);
    const name = proto === null ? 'null-prototype object' : proto?.constructor?.name ?? 'object';
    return name;
  } catch {
    return 'an object whose inspection throws';
  }
}
