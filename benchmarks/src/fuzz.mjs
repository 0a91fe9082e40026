// npm run bench:fuzz — hostile events through the scoring transaction of both example bundles.
//
//   npm run build && node benchmarks/src/fuzz.mjs [--events N] [--bundle fraud|credit|all] [--seed S]
//       [--explain-every K] [--fraud-full-explain-every K] [--batch-every K] [--score-every K]
//
// For each bundle, N generated events (default 1,000,000; fuzz-events.mjs: valid events
// mixed with missing fields, wrong types, non-finite / huge / tiny / negative numbers,
// absurd, future and out-of-order timestamps, extra and prototype keys, 1 MB strings,
// non-objects, throwing getters and proxies) go one at a time through `scorer.safeScore`;
// in every `--batch-every` events a chunk of 64 goes through `scoreBatch`, one event in
// `--score-every` through `score` (which must throw only riskscore errors), one in
// `--explain-every` with `{ explain }` (fraud: `{ neural: 'omit' }`, TreeSHAP of the trees;
// credit: `true`), and on the fraud bundle one in `--fraud-full-explain-every` with
// `{ explain: true }` (KernelSHAP of the neural members over 206 features: 3–6 s and
// ~1.7 GB of RSS per call, so rarely). The fraud scorer's clock is the stream's (it scores
// as if live in 2018), so the spec's clock-skew bound applies. On the fraud bundle half of
// the scored valid events get a label 7 stream-days later through `recordOutcome`, one in
// ten of them bad (labels that are not 0/1, events that were never scored, non-objects).
//
// Counted (targets 0):
//   untyped errors       a refusal that is not isRiskscoreError, has a code outside
//                        RISKSCORE_ERROR_CODES, has no path array, or an empty path where a
//                        field is at fault; a safeScore that rejects or throws; an outcome
//                        that is not { ok, result | error }
//   internal_error       documented, but it is the scorer's wrapper of an untyped throw
//   bad scores           a result whose score is not in [0, 1], whose logit is not finite,
//                        whose decision is not approve / review / decline, or whose member
//                        scores are not in [0, 1]
//   refused, state changed   scorer.state.revision moved across a refused event (and every
//                        10,000th refused event: snapshot() bytes before ≠ after)
//   pollution            Object / Array / Function.prototype gained an own key, or ({}).polluted
//   poison violations    the next valid event on a card or terminal after a refused event on
//                        it was refused; valid events refused after an *accepted* hostile one
//                        on the same entity (a clock moved ahead, a tiny amount) are counted
//                        apart, and a valid refusal explained by neither must not happen
//   outcome errors       recordOutcome threw something untyped, or changed state while refusing
//
// Prints a table per bundle and, as the last line, one JSON object with every count.
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@riskscore/core';
import { secondsFromDatetime as parseDatetime } from '@riskscore/features';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';
import { BAD_LABELS, createCreditEventSource, createFraudEventSource, describeValue } from './fuzz-events.mjs';
import { machine, printTable } from './stats.mjs';

const { createScorer, isRiskscoreError, RISKSCORE_ERROR_CODES } = core;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const N = Number(opt('--events', 1e6));
const WHICH = opt('--bundle', 'all');
const SEED = Number(opt('--seed', 12));
// `{ explain: true }` explains the neural members too (KernelSHAP over 206 features on the
// fraud bundle: seconds per call and ~1.7 GB of RSS), so the fraud bundle gets it rarely and
// `{ explain: { neural: 'omit' } }` (TreeSHAP of the trees, ~0.5 ms) more often.
const EXPLAIN_EVERY = Number(opt('--explain-every', 5000));
const FULL_EXPLAIN_EVERY_FRAUD = Number(opt('--fraud-full-explain-every', 100_000));
const BATCH_EVERY = Number(opt('--batch-every', 2000));
const SCORE_EVERY = Number(opt('--score-every', 500));
const BATCH = 64;
const SNAPSHOT_EVERY = 10_000;
const DELAY_S = 7 * 86400;
const DECISIONS = new Set(['approve', 'review', 'decline']);
const CODES = new Set(RISKSCORE_ERROR_CODES ?? []);
const MAX_EXAMPLES = 4;

if (typeof isRiskscoreError !== 'function' || !Array.isArray(RISKSCORE_ERROR_CODES)) {
  throw new Error('@riskscore/core must export isRiskscoreError and RISKSCORE_ERROR_CODES (issue #12): run npm run build');
}

// ---- prototype pollution ----------------------------------------------------------------
const PROTOS = [['Object.prototype', Object.prototype], ['Array.prototype', Array.prototype], ['Function.prototype', Function.prototype]];
const protoBaseline = PROTOS.map(([, p]) => new Set(Reflect.ownKeys(p)));
/** Names of keys added to the prototypes since start (and removes them, so each event is judged alone). */
function pollutionCheck() {
  let found = null;
  for (let i = 0; i < PROTOS.length; i++) {
    const p = PROTOS[i][1];
    const keys = Reflect.ownKeys(p);
    if (keys.length !== protoBaseline[i].size) {
      for (const k of keys) {
        if (!protoBaseline[i].has(k)) { (found ??= []).push(`${PROTOS[i][0]}.${String(k)}`); delete p[k]; }
      }
    }
  }
  if (({}).polluted !== undefined || [].polluted !== undefined) (found ??= []).push('({}).polluted');
  return found;
}

// ---- counting ---------------------------------------------------------------------------
function createCounts(prefix) {
  const c = new Map();
  const examples = new Map();
  const kinds = new Map();
  return {
    prefix,
    add: (k, n = 1) => c.set(k, (c.get(k) ?? 0) + n),
    get: (k) => c.get(k) ?? 0,
    entries: () => [...c.entries()],
    example(k, text) {
      let a = examples.get(k);
      if (!a) examples.set(k, (a = []));
      if (a.length < MAX_EXAMPLES) a.push(text);
    },
    examples,
    kind(kind) {
      let k = kinds.get(kind);
      if (!k) kinds.set(kind, (k = { n: 0, scored: 0, refused: 0, codes: new Map() }));
      return k;
    },
    kinds,
  };
}

function eventText(g) {
  const e = g.event;
  let v = '';
  if (g.field !== undefined && e !== null && typeof e === 'object') {
    try {
      const d = Object.getOwnPropertyDescriptor(e, g.field);
      v = d ? ('value' in d ? ` ${g.field}=${describeValue(d.value)}` : ` ${g.field}=<getter>`) : ` ${g.field} absent`;
    } catch { v = ` ${g.field}=?`; }
  }
  return `${g.kind}:${v} event=${describeValue(e)}`;
}

const errText = (e) => {
  try {
    if (e === null || typeof e !== 'object') return describeValue(e);
    return `${e.name ?? '?'} code=${String(e.code)} path=${JSON.stringify(e.path)} "${String(e.message).slice(0, 160)}"`;
  } catch { return 'uninspectable error'; }
};

/**
 * Judges one refusal: a riskscore error with a documented code and a path array, and a
 * non-empty path when the generator aimed at a field of an object event.
 * Returns null when fine, else why not.
 */
function untypedReason(err, g) {
  if (!isRiskscoreError(err)) return 'not a riskscore error';
  if (!CODES.has(err.code)) return `undocumented code ${String(err.code)}`;
  if (!Array.isArray(err.path)) return 'path is not an array';
  if (err.code === 'invalid_event' && g.field !== undefined && g.event !== null && typeof g.event === 'object' && err.path.length === 0) {
    return 'empty path for a field at fault';
  }
  if (typeof err.message !== 'string' || err.message.length === 0) return 'empty message';
  return null;
}

/** internal_error: documented, but it is the scorer's wrapper of an untyped error (a bug, or a hostile getter). */
function internalError(err) {
  return isRiskscoreError(err) && err.code === 'internal_error';
}

function badScoreReason(r) {
  if (r === null || typeof r !== 'object') return 'result is not an object';
  if (typeof r.score !== 'number' || !(r.score >= 0 && r.score <= 1)) return `score ${r.score}`;
  if (!Number.isFinite(r.logit)) return `logit ${r.logit}`;
  if (!DECISIONS.has(r.decision)) return `decision ${String(r.decision)}`;
  for (const [m, s] of Object.entries(r.memberScores ?? {})) if (!(s >= 0 && s <= 1)) return `member ${m} score ${s}`;
  return null;
}

// ---- one bundle ------------------------------------------------------------------------
async function fuzzBundle(name, prefix, dir, source, { explainOptions, fullExplainEvery }) {
  const bundle = await loadBundleFromDir(join(root, 'examples', dir, 'bundle'));
  // A live scorer: its clock (for the spec's clock-skew bound) is the stream's, as it
  // would be scoring in real time; the fraud stream is replayed in 2018.
  const clock = source.now === undefined ? undefined : () => source.now * 1000;
  const scorer = await createScorer(bundle, { backend: createNodeBackend(), ...(clock ? { clock } : {}) });
  const c = createCounts(prefix);
  const store = scorer.state;
  const stateful = bundle.manifest.features.spec !== undefined;
  if (stateful && (store === undefined || typeof store.revision !== 'number' || typeof store.snapshot !== 'function')) {
    throw new Error(`${name}: scorer.state (revision, snapshot) is missing for a bundle with a feature spec (issue #12)`);
  }
  const rev = () => (store ? store.revision : 0);
  // Poison tracking: per card / terminal the hostile event seen on it since its last valid one.
  const taintCard = new Map();
  const taintTerminal = new Map();
  // Late labels: FIFO of { at, event, label } (bounded).
  const pending = [];
  let head = 0;
  let snapshotArmed = false;
  let snapBefore = null;

  // The newest committed timestamp per card (c…), terminal (t…) and pair (p…:…), as seen here.
  const newest = new Map();
  const ownValue = (e, k) => {
    const d = Object.getOwnPropertyDescriptor(e, k);
    return d && 'value' in d ? d.value : undefined;
  };
  // The last accepted hostile (not 'valid') event per entity, kept 30 days (the spec's longest window).
  const hostile = new Map();
  const recentHostile = (g, t) => [`c${g.card}`, `t${g.terminal}`, `p${g.card}:${g.terminal}`].map((k) => hostile.get(k)).find((x) => x !== undefined && t - x.t <= 30 * 86400);
  const noteCommitted = (g) => {
    const e = g.event;
    let cu, te, ts;
    try {
      if (e === null || typeof e !== 'object') return;
      cu = ownValue(e, 'CUSTOMER_ID'); te = ownValue(e, 'TERMINAL_ID'); ts = ownValue(e, 'TX_DATETIME');
    } catch { return; }
    if (typeof ts !== 'string') return;
    const t = secondsFromDatetime(ts);
    if (!Number.isFinite(t)) return;
    for (const k of [`c${cu}`, `t${te}`, `p${cu}:${te}`]) {
      if (!g.valid && g.kind !== 'valid') hostile.set(k, { t, text: eventText(g) });
      const x = newest.get(k);
      if (x === undefined || t > x.t) newest.set(k, { t, text: eventText(g) + (g.kind === 'valid' ? '' : ` ${ts}`) });
    }
  };

  const judgeOutcome = (o, g, revBefore, revAfter, how) => {
    const k = c.kind(g.kind);
    k.n++;
    c.add('events');
    if (o === null || typeof o !== 'object' || typeof o.ok !== 'boolean') {
      c.add('untyped_errors'); c.add('untyped_bad_outcome_shape');
      c.example('untyped_errors', `${how} ${eventText(g)} → outcome ${describeValue(o)}`);
      return;
    }
    if (o.ok) {
      k.scored++;
      c.add('scored');
      const why = badScoreReason(o.result);
      if (why) { c.add('bad_scores'); c.example('bad_scores', `${how} ${eventText(g)} → ${why}`); }
      if (g.valid) c.add('valid_scored');
      if (store && revAfter === revBefore && how !== 'batch') { c.add('scored_without_state_change'); c.example('scored_without_state_change', `${how} ${eventText(g)}`); }
      if (!g.valid && g.kind !== 'valid') {
        if (g.card !== undefined) taintCard.set(g.card, { outcome: 'accepted', text: eventText(g) });
        if (g.terminal !== undefined) taintTerminal.set(g.terminal, { outcome: 'accepted', text: eventText(g) });
      }
    } else {
      k.refused++;
      c.add('refused');
      const err = o.error;
      const code = isRiskscoreError(err) ? String(err.code) : 'untyped';
      k.codes.set(code, (k.codes.get(code) ?? 0) + 1);
      c.add(`refused_${code}`);
      const why = untypedReason(err, g);
      if (why) { c.add('untyped_errors'); c.example('untyped_errors', `${how} ${eventText(g)} → ${why}: ${errText(err)}`); }
      if (internalError(err)) {
        c.add('internal_errors');
        c.example('internal_errors', `${how} ${eventText(g)} → ${errText(err)}; cause: ${errText(err.cause)}`);
      }
      if (store && how !== 'batch' && revAfter !== revBefore) {
        c.add('refused_changed_state');
        c.example('refused_changed_state', `${how} ${eventText(g)} → ${errText(err)}; revision ${revBefore} → ${revAfter}`);
      }
      if (g.valid) { c.add('valid_refused'); c.add(`valid_refused_${code}`); c.example('valid_refused', `${how} ${eventText(g)} → ${errText(err)}`); }
      if (!g.valid) {
        if (g.card !== undefined) taintCard.set(g.card, { outcome: 'refused', text: eventText(g) });
        if (g.terminal !== undefined) taintTerminal.set(g.terminal, { outcome: 'refused', text: eventText(g) });
      }
    }
    if (stateful && o.ok) noteCommitted(g);
    if (g.valid && g.kind === 'valid' && (g.card !== undefined || g.terminal !== undefined)) {
      const tc = taintCard.get(g.card);
      const tt = taintTerminal.get(g.terminal);
      if (!o.ok) {
        // Explained by an accepted event that moved one of its entities' clocks past it?
        const t = secondsFromDatetime(g.event.TX_DATETIME);
        const ahead = [`c${g.card}`, `t${g.terminal}`, `p${g.card}:${g.terminal}`].map((k) => newest.get(k)).find((x) => x !== undefined && x.t > t);
        if (ahead) {
          c.add('poison_after_accepted_violations');
          c.example('poison_after_accepted_violations', `the accepted [${ahead.text}] moved the entity's newest event to ${ahead.t}; the later valid ${JSON.stringify(g.event)} → ${errText(o.error)}`);
        } else if (recentHostile(g, t)) {
          const h = recentHostile(g, t);
          c.add('poison_after_accepted_violations');
          c.example('poison_after_accepted_violations', `the accepted [${h.text}] (${((t - h.t) / 3600).toFixed(1)} h earlier, same entity); the later valid ${JSON.stringify(g.event)} → ${errText(o.error)}`);
        } else if (tc?.outcome === 'refused' || tt?.outcome === 'refused') {
          const prior = tc?.outcome === 'refused' ? tc : tt;
          c.add('poison_violations');
          c.example('poison_violations', `after the refused [${prior.text}] on ${prior === tc ? `card ${g.card}` : `terminal ${g.terminal}`}, the valid ${JSON.stringify(g.event)} → ${errText(o.error)}`);
        } else {
          c.add('valid_refused_unexplained');
          c.example('valid_refused_unexplained', `${JSON.stringify(g.event)} → ${errText(o.error)}`);
        }
      }
      if (tc?.outcome === 'refused' || tt?.outcome === 'refused') c.add('poison_checks');
      taintCard.delete(g.card);
      taintTerminal.delete(g.terminal);
    }
    if (store && o.ok && g.valid && stateful && g.kind === 'valid' && pending.length - head < 200_000 && (g.event.TRANSACTION_ID & 1) === 0) {
      pending.push({ at: sourceTime(g.event) + DELAY_S, event: g.event, label: (g.event.TRANSACTION_ID % 37) === 0 ? 1 : 0 });
    }
  };

  const sourceTime = (e) => Date.parse(`${e.TX_DATETIME.replace(' ', 'T')}Z`) / 1000;

  const deliverOutcomes = (now) => {
    while (head < pending.length && pending[head].at <= now) {
      const p = pending[head++];
      let event = p.event;
      let label = p.label;
      let bad = false;
      const roll = (p.event.TRANSACTION_ID >>> 1) % 20;
      if (roll === 0) { label = BAD_LABELS[(p.event.TRANSACTION_ID >>> 5) % BAD_LABELS.length]; bad = true; }
      else if (roll === 1) { event = [null, 0, 'x', {}, [], { ...p.event, TRANSACTION_ID: -5 }, { ...p.event, TX_DATETIME: '2018-02-30 00:00:00' }, { ...p.event, CUSTOMER_ID: undefined }][(p.event.TRANSACTION_ID >>> 5) % 8]; bad = true; }
      else if (roll === 2) { event = { ...p.event, TRANSACTION_ID: p.event.TRANSACTION_ID + 1e9 }; } // never scored: 0 windows
      const before = rev();
      let n;
      try {
        n = scorer.recordOutcome(event, label);
      } catch (err) {
        c.add('outcomes_refused');
        const why = isRiskscoreError(err) && CODES.has(err.code) && Array.isArray(err.path) ? null : 'untyped';
        if (why) { c.add('outcomes_untyped_errors'); c.example('outcomes_untyped_errors', `recordOutcome(${describeValue(event)}, ${describeValue(label)}) → ${errText(err)}`); }
        if (rev() !== before) { c.add('outcomes_refused_changed_state'); c.example('outcomes_refused_changed_state', `recordOutcome(${describeValue(event)}, ${describeValue(label)})`); }
        continue;
      }
      c.add('outcomes_recorded');
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) { c.add('outcomes_bad_return'); c.example('outcomes_bad_return', `recordOutcome → ${describeValue(n)}`); }
      if (bad) {
        c.add('outcomes_bad_accepted');
        c.example('outcomes_bad_accepted', `recordOutcome(${describeValue(event)}${event && typeof event === 'object' ? ` ${JSON.stringify(event)}` : ''}, ${describeValue(label)}) returned ${n} (no error)`);
      }
      if (n > 0) c.add('outcomes_matched');
      if (n > 0 && rev() === before) c.add('outcomes_matched_without_state_change');
    }
    if (head > 65536) { pending.splice(0, head); head = 0; }
  };

  const one = async (g, how) => {
    const before = rev();
    if (snapshotArmed) snapBefore = store.snapshot();
    let o;
    try {
      const p = how === 'explain' ? scorer.safeScore(g.event, { explain: explainOptions })
        : how === 'explain_full' ? scorer.safeScore(g.event, { explain: true }) : scorer.safeScore(g.event);
      if (!(p instanceof Promise)) { c.add('untyped_errors'); c.example('untyped_errors', `safeScore returned ${describeValue(p)} for ${eventText(g)}`); }
      o = await p;
    } catch (err) {
      c.add('untyped_errors'); c.add('untyped_safe_score_threw');
      c.example('untyped_errors', `${how} ${eventText(g)} → safeScore threw/rejected: ${errText(err)}`);
      return;
    }
    const after = rev();
    judgeOutcome(o, g, before, after, how);
    if (how === 'explain' || how === 'explain_full') {
      c.add(how === 'explain' ? 'explain_calls' : 'explain_full_calls');
      if (o?.ok && o.result.explanation === undefined) { c.add('explain_missing'); c.example('explain_missing', eventText(g)); }
    }
    if (store && o && o.ok === false) {
      const refused = c.get('refused');
      if (snapshotArmed) {
        const snapAfter = store.snapshot();
        c.add('snapshot_checks');
        if (!bytesEqual(snapBefore, snapAfter)) { c.add('refused_changed_snapshot'); c.example('refused_changed_snapshot', `${eventText(g)} → ${errText(o.error)}`); }
        snapshotArmed = false; snapBefore = null;
      } else if ((refused + 1) % SNAPSHOT_EVERY === 0) {
        snapshotArmed = true;
      }
    }
  };

  const viaScore = async (g) => {
    const before = rev();
    let o;
    try {
      o = { ok: true, result: await scorer.score(g.event) };
    } catch (err) {
      o = { ok: false, error: err };
    }
    c.add('score_calls');
    judgeOutcome(o, g, before, rev(), 'score');
  };

  const viaBatch = async (gs) => {
    const before = rev();
    let os;
    try {
      os = await scorer.scoreBatch(gs.map((g) => g.event));
    } catch (err) {
      c.add('untyped_errors'); c.add('untyped_score_batch_rejected');
      c.example('untyped_errors', `scoreBatch of ${gs.length} (${gs.map((g) => g.kind).join(',').slice(0, 200)}) rejected: ${errText(err)}`);
      return;
    }
    c.add('batch_calls');
    if (!Array.isArray(os) || os.length !== gs.length) {
      c.add('untyped_errors'); c.add('batch_wrong_length');
      c.example('untyped_errors', `scoreBatch returned ${describeValue(os)} (length ${os?.length}) for ${gs.length} events`);
      return;
    }
    for (let i = 0; i < gs.length; i++) { judgeOutcome(os[i], gs[i], 0, 0, 'batch'); c.add('batch_events'); }
    if (store && os.every((o) => o && o.ok === false) && rev() !== before) {
      c.add('refused_changed_state'); c.example('refused_changed_state', `scoreBatch of ${gs.length} refused events moved revision ${before} → ${rev()}`);
    }
  };

  // Warm-up: valid events only, not counted (JIT, ORT sessions, some entity history).
  for (let i = 0; i < Math.min(2000, N / 10); i++) await scorer.safeScore(source.valid());

  const t0 = performance.now();
  let cpu0 = process.cpuUsage();
  let i = 0;
  let lastReport = t0;
  while (i < N) {
    if (BATCH_EVERY > 0 && i % BATCH_EVERY === BATCH_EVERY - 1 && i + BATCH <= N) {
      const gs = [];
      for (let j = 0; j < BATCH; j++) gs.push(source.next());
      await viaBatch(gs);
      i += BATCH;
    } else {
      const g = source.next();
      if (fullExplainEvery > 0 && i % fullExplainEvery === fullExplainEvery - 11) await one(g, 'explain_full');
      else if (EXPLAIN_EVERY > 0 && i % EXPLAIN_EVERY === EXPLAIN_EVERY - 7) await one(g, 'explain');
      else if (SCORE_EVERY > 0 && i % SCORE_EVERY === SCORE_EVERY - 3) await viaScore(g);
      else await one(g, 'safeScore');
      i++;
    }
    const polluted = pollutionCheck();
    if (polluted) { c.add('pollution'); c.example('pollution', `after event ${i}: ${polluted.join(', ')}`); }
    if (stateful && (i & 63) === 0) deliverOutcomes(source.now);
    if ((i & 4095) === 0 && performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      const s = (lastReport - t0) / 1000;
      process.stderr.write(`${name}: ${i} events, ${(i / s).toFixed(0)}/s, scored ${c.get('scored')}, refused ${c.get('refused')}, untyped ${c.get('untyped_errors')}, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB\n`);
    }
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  c.add('wall_ms', Math.round(wallS * 1000));
  c.add('cpu_ms', Math.round((cpu.user + cpu.system) / 1000));
  c.add('heap_used_mib', Math.round(process.memoryUsage().heapUsed / 2 ** 20));
  c.add('rss_mib', Math.round(process.memoryUsage().rss / 2 ** 20));
  if (store) { c.add('entities_held', [0, 1, 2].reduce((a, e) => a + store.size(e), 0)); c.add('final_revision', store.revision); }
  await scorer.close();
  return { name, model: scorer.model, c, wallS, eventsPerS: c.get('events') / wallS, explainOptions };
}

/** Seconds of a date-time string as the spec parses it; NaN when it does not parse (whether the parser returns NaN or throws). */
function secondsFromDatetime(s) {
  try {
    return parseDatetime(s);
  } catch {
    return Number.NaN;
  }
}

function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---- run -------------------------------------------------------------------------------
const runs = [];
if (WHICH === 'all' || WHICH === 'fraud') {
  runs.push(await fuzzBundle('fdh-fraud', 'fdh_fraud', 'fdh-fraud', createFraudEventSource({ seed: SEED, expectedEvents: N }),
    { explainOptions: { neural: 'omit' }, fullExplainEvery: FULL_EXPLAIN_EVERY_FRAUD }));
}
if (WHICH === 'all' || WHICH === 'credit') {
  const g = JSON.parse(readFileSync(join(root, 'examples', 'taiwan-credit', 'artifacts', 'goldens.json'), 'utf8'));
  const rows = g.rows.map((r) => Object.fromEntries(r.map((v, j) => [g.features[j], v]).filter(([, v]) => v !== null)));
  const manifest = JSON.parse(readFileSync(join(root, 'examples', 'taiwan-credit', 'bundle', 'manifest.json'), 'utf8'));
  runs.push(await fuzzBundle('taiwan-credit', 'taiwan', 'taiwan-credit', createCreditEventSource({ fields: manifest.input.fields, seed: SEED + 22, rows }),
    { explainOptions: true, fullExplainEvery: 0 }));
}

const fig = { bench: 'fuzz', events_per_bundle: N, seed: SEED, ...machine(), cpu_model: cpus()[0]?.model ?? 'unknown', logical_cpus: cpus().length };
const TARGETS = ['valid_refused_unexplained', 'untyped_errors', 'internal_errors', 'bad_scores', 'refused_changed_state', 'refused_changed_snapshot', 'pollution', 'poison_violations', 'outcomes_untyped_errors', 'outcomes_refused_changed_state'];
for (const r of runs) {
  const c = r.c;
  console.log(`\n### ${r.name} (${r.model}): ${c.get('events')} events, ${r.eventsPerS.toFixed(0)} events/s (wall ${r.wallS.toFixed(1)} s, ${c.get('batch_events')} of them through scoreBatch(${BATCH}), ${c.get('explain_calls')} with explain ${JSON.stringify(r.explainOptions)}, ${c.get('explain_full_calls')} with explain true, ${c.get('score_calls')} through score())\n`);
  const rows = [
    ['events', c.get('events'), ''],
    ['scored', c.get('scored'), ''],
    ['refused (riskscore error)', c.get('refused'), ''],
    ...[...c.entries()].filter(([k]) => k.startsWith('refused_') && !['refused_changed_state', 'refused_changed_snapshot'].includes(k)).sort((a, b) => b[1] - a[1])
      .map(([k, v]) => [`  refused ${k.slice(8)}`, v, '']),
    ['valid events scored', c.get('valid_scored'), ''],
    ['valid events refused', c.get('valid_refused'), ''],
    ['**untyped errors**', c.get('untyped_errors'), '0'],
    ['**internal_error** (an untyped error the scorer caught and wrapped)', c.get('internal_errors'), '0'],
    ['**bad scores** (not in [0,1], non-finite logit, bad decision)', c.get('bad_scores'), '0'],
    ['**refused events that changed state** (revision)', c.get('refused_changed_state'), '0'],
    [`**refused events that changed snapshot()** (of ${c.get('snapshot_checks')} checked)`, c.get('refused_changed_snapshot'), '0'],
    ['**prototype pollution**', c.get('pollution'), '0'],
    [`**valid event refused after a refused one on its card/terminal** (of ${c.get('poison_checks')} checked)`, c.get('poison_violations'), '0'],
    ['valid event refused after an accepted hostile event on its entity (clock moved ahead, tiny amount, …)', c.get('poison_after_accepted_violations'), ''],
    ['valid event refused, no explanation above', c.get('valid_refused_unexplained'), '0'],
    ['scored events that left state unchanged', c.get('scored_without_state_change'), ''],
  ];
  if (c.get('outcomes_recorded') + c.get('outcomes_refused') > 0) {
    rows.push(
      ['recordOutcome accepted / matched an event', `${c.get('outcomes_recorded')} / ${c.get('outcomes_matched')}`, ''],
      ['recordOutcome refused', c.get('outcomes_refused'), ''],
      ['recordOutcome accepted a bad label or event', c.get('outcomes_bad_accepted'), ''],
      ['**recordOutcome untyped errors**', c.get('outcomes_untyped_errors'), '0'],
      ['**recordOutcome refusals that changed state**', c.get('outcomes_refused_changed_state'), '0'],
    );
  }
  rows.push(['events/s (wall)', r.eventsPerS.toFixed(0), ''], ['heap used at end (MiB)', c.get('heap_used_mib'), '']);
  printTable(['count', 'value', 'target'], rows);
  console.log('');
  const kinds = [...c.kinds.entries()].sort((a, b) => b[1].n - a[1].n);
  printTable(['event kind', 'events', 'scored', 'refused', 'refusal codes'],
    kinds.map(([k, v]) => [k, v.n, v.scored, v.refused, [...v.codes.entries()].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ')]));
  for (const [k, ex] of c.examples) {
    console.log(`\nexamples of ${k}:`);
    for (const e of ex) console.log(`  - ${e}`);
  }
  for (const [k, v] of c.entries()) fig[`${r.c.prefix}_${k}`] = v;
  for (const t of TARGETS) fig[`${r.c.prefix}_${t}`] = c.get(t);
  fig[`${r.c.prefix}_events_per_s`] = Math.round(r.eventsPerS);
  fig[`${r.c.prefix}_model`] = r.model;
}
fig.targets_met = runs.every((r) => TARGETS.every((t) => r.c.get(t) === 0));
console.log(JSON.stringify(fig));
