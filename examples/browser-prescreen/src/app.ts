// The pre-screening page: a form generated from the bundle's input schema, scored in a
// Web Worker on every change (lane 'form': a keystroke replaces the one before it, so
// typing never queues work), with the decision, the top reasons in the bundle's own
// words and a waterfall of field contributions. `?bundle=NAME` picks the bundle under
// ./bundles/ (default taiwan-credit-trees: trees only, no onnxruntime-web); a neural
// bundle loads onnxruntime-web from ./ort/, threaded when the page is cross-origin
// isolated. State is published on window.prescreen for tests and benchmarks.
import { isRiskscoreError, type InputField, type Manifest, type ScoreResult } from '@riskscore/core';
import { createWorkerScorer, type WorkerScorer } from '@riskscore/browser';
import sample from './sample-applicant.json';
import { startPaymentPrecheck } from './fraud-precheck';

interface PrescreenState {
  state: 'loading' | 'ready' | 'error';
  /** Milliseconds from navigation start to the first score on screen. */
  firstScoreMs?: number;
  model?: string;
  runtime?: WorkerScorer['runtime'];
  event?: Record<string, number>;
  result?: ScoreResult;
  /** Results put on screen so far. */
  updates: number;
  error?: { code: string; message: string; path: Array<string | number> };
  offlineReady?: boolean;
  scorer?: WorkerScorer;
  /** For tests and the console: the SDK entry the page uses, and the fraud pre-check pattern. */
  api: { createWorkerScorer: typeof createWorkerScorer; startPaymentPrecheck: typeof startPaymentPrecheck };
}

declare global {
  interface Window { prescreen: PrescreenState }
}

const state: PrescreenState = (window.prescreen = { state: 'loading', updates: 0, api: { createWorkerScorer, startPaymentPrecheck } });
const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const bundleName = params.get('bundle') ?? 'taiwan-credit-trees';

/** The code → label pairs of a field (the manifest writes them as a map or a list). */
function categoriesOf(f: InputField): Array<[number, string]> | undefined {
  const c = (f as { categories?: unknown }).categories;
  if (Array.isArray(c)) return c.map((x: { code: number; label: string }) => [x.code, x.label]);
  if (c && typeof c === 'object') return Object.entries(c as Record<string, string>).map(([k, v]) => [Number(k), v]);
  return undefined;
}

/** A short label: the field's description up to its first parenthesis. */
const labelOf = (f: InputField): string => ((f as { description?: string }).description ?? f.name).replace(/\s*\(.*$/, '');

function groupOf(name: string): string {
  if (/^PAY_\d$/.test(name)) return 'Repayment status by month';
  if (/^BILL_AMT/.test(name)) return 'Bill statements (NT$)';
  if (/^PAY_AMT/.test(name)) return 'Amounts paid (NT$)';
  return 'Applicant';
}

function buildForm(manifest: Manifest): void {
  const form = $('application');
  form.replaceChildren();
  const groups = new Map<string, HTMLFieldSetElement>();
  for (const f of manifest.input.fields) {
    const g = groupOf(f.name);
    let fs = groups.get(g);
    if (!fs) {
      fs = document.createElement('fieldset');
      const legend = document.createElement('legend');
      legend.textContent = g;
      fs.append(legend);
      groups.set(g, fs);
      form.append(fs);
    }
    const label = document.createElement('label');
    label.append(labelOf(f));
    const cats = categoriesOf(f);
    const initial = (sample as Record<string, number>)[f.name];
    let control: HTMLInputElement | HTMLSelectElement;
    if (cats) {
      const sel = document.createElement('select');
      for (const [code, text] of cats) sel.append(new Option(text, String(code)));
      control = sel;
    } else {
      const inp = document.createElement('input');
      inp.type = 'number';
      inp.inputMode = 'decimal';
      if (typeof f.min === 'number') inp.min = String(f.min);
      if (typeof f.max === 'number') inp.max = String(f.max);
      inp.step = f.type === 'integer' ? '1' : 'any';
      control = inp;
    }
    control.name = f.name;
    control.id = `f-${f.name}`;
    if (initial !== undefined) control.value = String(initial);
    label.append(control);
    fs.append(label);
  }
}

/** The form as an event: numbers, and no field for an empty box (the schema then says it is required). */
function readForm(manifest: Manifest): Record<string, number> {
  const event: Record<string, number> = {};
  const form = $<HTMLFormElement>('application');
  for (const f of manifest.input.fields) {
    const el = form.elements.namedItem(f.name) as HTMLInputElement | HTMLSelectElement | null;
    if (!el || el.value.trim() === '') continue;
    event[f.name] = Number(el.value);
  }
  return event;
}

const pct = (p: number): string => `${(100 * p).toFixed(1)} %`;

function showError(e: unknown): void {
  const box = $('error');
  const err = isRiskscoreError(e) ? { code: e.code, message: e.message, path: [...e.path] } : { code: 'internal_error', message: String(e), path: [] };
  state.error = err;
  box.hidden = false;
  box.replaceChildren();
  const strong = document.createElement('strong');
  strong.textContent = err.code === 'invalid_event' ? 'Check this field: ' : 'The pre-screen could not run: ';
  const code = document.createElement('code');
  code.textContent = err.code;
  const msg = document.createElement('p');
  msg.textContent = err.message;
  box.append(strong, code, msg);
  for (const el of document.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  const field = err.path[0] === 'event' ? err.path[1] : undefined;
  if (typeof field === 'string') document.getElementById(`f-${field}`)?.setAttribute('aria-invalid', 'true');
}

function clearError(): void {
  state.error = undefined;
  $('error').hidden = true;
  for (const el of document.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
}

function drawWaterfall(manifest: Manifest, r: ScoreResult): void {
  const svg = $('waterfall') as unknown as SVGSVGElement;
  const title = svg.querySelector('title')!;
  svg.replaceChildren(title);
  const ex = r.explanation;
  if (!ex) return;
  const labels = new Map(manifest.input.fields.map((f) => [f.name, labelOf(f)]));
  const top = ex.fields.slice(0, 6);
  const rest = ex.fields.slice(6).reduce((s, f) => s + f.attribution, 0);
  const rows = [...top.map((f) => ({ name: labels.get(f.name) ?? f.name, v: f.attribution })), ...(ex.fields.length > 6 ? [{ name: `${ex.fields.length - 6} other fields`, v: rest }] : [])];
  const W = 540; const left = 230; const right = 60; const rowH = 22;
  let at = ex.base;
  const points = [at];
  for (const row of rows) points.push((at += row.v));
  const lo = Math.min(...points); const hi = Math.max(...points);
  const x = (v: number): number => left + ((v - lo) / (hi - lo || 1)) * (W - left - right);
  const ns = 'http://www.w3.org/2000/svg';
  const el = (name: string, attrs: Record<string, string | number>, text?: string): SVGElement => {
    const e = document.createElementNS(ns, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  el('text', { x: 0, y: 15 }, 'Average applicant');
  el('line', { x1: x(ex.base), x2: x(ex.base), y1: 4, y2: 20 + rows.length * rowH, class: 'axis' });
  at = ex.base;
  const short = (s: string): string => (s.length > 32 ? `${s.slice(0, 31)}…` : s);
  rows.forEach((row, i) => {
    const y = 24 + i * rowH;
    const a = x(at); const b = x(at + row.v);
    el('text', { x: 0, y: y + 13 }, short(row.name));
    el('rect', { x: Math.min(a, b), y, width: Math.max(1.5, Math.abs(b - a)), height: rowH - 6, class: row.v >= 0 ? 'bar-up' : 'bar-down' });
    el('text', { x: W - right + 6, y: y + 13 }, `${row.v >= 0 ? '+' : '−'}${Math.abs(row.v).toFixed(2)}`);
    at += row.v;
  });
  const yEnd = 24 + rows.length * rowH;
  el('text', { x: 0, y: yEnd + 14 }, `This applicant: ${pct(r.score)}${ex.complete ? '' : ' (tree members only)'}`);
  svg.setAttribute('viewBox', `0 0 ${W} ${yEnd + 22}`);
  svg.setAttribute('height', String(yEnd + 22));
}

function show(manifest: Manifest, event: Record<string, number>, r: ScoreResult): void {
  clearError();
  const d = $('decision');
  d.className = `decision ${r.decision}`;
  d.textContent = r.decision === 'approve' ? 'Likely approved' : r.decision === 'review' ? 'Needs a closer look' : 'Likely declined';
  $('score').textContent = `Estimated risk of default next month: ${pct(r.score)} (${r.decision})`;
  const list = $('reasons');
  list.replaceChildren();
  for (const reason of r.reasons) {
    const li = document.createElement('li');
    const code = document.createElement('span');
    code.className = 'code';
    code.textContent = ` ${reason.code}`;
    li.append(reason.text, code);
    list.append(li);
  }
  if (r.reasons.length === 0) list.append(Object.assign(document.createElement('li'), { textContent: 'Nothing stands out against this applicant.' }));
  drawWaterfall(manifest, r);
  state.event = event;
  state.result = r;
  state.updates++;
  if (state.firstScoreMs === undefined) state.firstScoreMs = performance.now();
}

async function rescore(scorer: WorkerScorer): Promise<void> {
  const event = readForm(scorer.manifest);
  try {
    const neural = scorer.runtime.members.some((m) => m.kind === 'neural');
    // KernelSHAP for neural members with a small budget: reasons for the whole ensemble in tens of milliseconds.
    const explain = neural ? { kernelBackground: 10, kernelSamples: 128 } : true;
    const r = await scorer.score(event, { explain, lane: 'form' });
    show(scorer.manifest, event, r);
  } catch (e) {
    if (isRiskscoreError(e) && e.code === 'cancelled') return; // a newer keystroke took its place
    showError(e);
  }
}

/** Offline support: the service worker keeps what this visit loaded (it did not yet control the first one). */
async function keepForOffline(scorer: WorkerScorer): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const reg = await navigator.serviceWorker.register('./sw.js');
  await navigator.serviceWorker.ready;
  const urls = [location.href, ...performance.getEntriesByType('resource').map((e) => e.name), ...scorer.runtime.fetched.map((f) => f.url)];
  await new Promise<void>((resolve) => {
    const onMessage = (ev: MessageEvent): void => {
      if (ev.data && typeof ev.data.cached === 'number') {
        navigator.serviceWorker.removeEventListener('message', onMessage);
        resolve();
      }
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    (reg.active ?? navigator.serviceWorker.controller)?.postMessage({ cache: urls });
  });
  state.offlineReady = true;
}

async function main(): Promise<void> {
  const scorer = await createWorkerScorer(`./bundles/${encodeURIComponent(bundleName)}/`, {
    worker: './worker.js',
    ort: { module: './ort/ort.wasm.min.mjs', wasmPaths: './ort/' },
  });
  state.scorer = scorer;
  state.model = scorer.model;
  state.runtime = scorer.runtime;
  const m = scorer.manifest;
  buildForm(m);
  const rt = scorer.runtime;
  const how = rt.ort ? `onnxruntime-web, ${rt.ort.threads} thread${rt.ort.threads > 1 ? 's' : ''}` : 'native TypeScript trees, no onnxruntime';
  $('model').textContent = `Model ${scorer.model} (created ${m.created ?? 'n/a'}): ${rt.members.map((x) => x.name).join(' + ')}, ${how}. Scored in a Web Worker in this browser.`;
  $('application').addEventListener('input', () => void rescore(scorer));
  $('application').addEventListener('submit', (e) => e.preventDefault());
  await rescore(scorer);
  state.state = 'ready';
  keepForOffline(scorer).catch(() => { /* no offline copy: the page still works online */ });
}

main().catch((e: unknown) => {
  state.state = 'error';
  $('decision').textContent = 'Unavailable';
  $('form-note').textContent = 'The model could not be loaded.';
  showError(e);
});
