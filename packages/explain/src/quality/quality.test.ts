import { describe, expect, it } from 'vitest';
import { missingDataReason, sharedDataPath } from '../../../../testing/shared-data';
import { readCsv, readGolden, relClose, where } from '../../test/fixtures/stats/load-data';
import { ExplainError } from '../errors';
import { averagePrecision } from './average-precision';
import { brierScore } from './brier-score';
import { calibrationCurve } from './calibration-curve';
import { cardPrecisionAtK } from './card-precision-at-k';
import { ksStatistic, recallAtFpr } from './roc-derived';
import { gini, rocAuc } from './roc-auc';
import { thresholdMetrics } from './threshold-metrics';

const G = readGolden('quality.json');
const TAIWAN = 'taiwan-credit-default/default_of_credit_card_clients.csv';
const GERMAN = 'german-credit/german-numeric.csv';
const FDH = 'fdh-simulated-transactions/transactions_2018-04.csv.gz';

function rel(actual: number | null, expected: number, what: string): void {
  if (actual === null || !relClose(actual, expected, 1e-9)) throw new Error(`${what}: got ${actual}, sklearn ${expected}`);
}
function relArr(actual: Float64Array, expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((v, i) => rel(v, expected[i], `${what}[${i}]`));
}

/** s = b + c0·x0 + c1·x1 + … in the python script's order, so the doubles are identical. */
function linearScore(cols: Float64Array[], b: number, w: number[]): Float64Array {
  const s = new Float64Array(cols[0].length).fill(b);
  w.forEach((c, j) => { for (let i = 0; i < s.length; i++) s[i] = s[i] + c * cols[j][i]; });
  return s;
}

function checkBlock(s: Float64Array, y: Uint8Array, g: any, label: string): void {
  const p = s.map((v) => 1 / (1 + Math.exp(-v)));
  rel(rocAuc(s, y), g.rocAuc, `${label} auc`);
  rel(averagePrecision(s, y), g.averagePrecision, `${label} ap`);
  rel(gini(s, y), g.gini, `${label} gini`);
  rel(ksStatistic(s, y), g.ksStatistic, `${label} ks`);
  rel(brierScore(p, y), g.brier, `${label} brier`);
  for (const [fpr, r] of Object.entries<number>(g.recallAtFpr)) rel(recallAtFpr(s, y, Number(fpr)).recall, r, `${label} recall@fpr ${fpr}`);
  for (const [t, m] of Object.entries<any>(g.atThreshold)) {
    const r = thresholdMetrics(p, y, Number(t));
    rel(r.precision, m.precision, `${label} precision@${t}`);
    rel(r.recall, m.recall, `${label} recall@${t}`);
    rel(r.f1, m.f1, `${label} f1@${t}`);
  }
  for (const strategy of ['uniform', 'quantile'] as const) {
    const c = calibrationCurve(p, y, { bins: 10, strategy });
    relArr(c.fractionPositive, g.calibration[strategy].fractionPositive, `${label} calib ${strategy} true`);
    relArr(c.meanPredicted, g.calibration[strategy].meanPredicted, `${label} calib ${strategy} pred`);
  }
}

describe('model quality on adversarial arrays matches scikit-learn', () => {
  it('ties, partial ties, perfect and inverted rankings', () => {
    for (const [name, c] of Object.entries<any>(G.adversarial)) {
      const y = Uint8Array.from(c.y), s = Float64Array.from(c.s);
      rel(rocAuc(s, y), c.rocAuc, `${name} auc`);
      rel(averagePrecision(s, y), c.averagePrecision, `${name} ap`);
      rel(brierScore(s, y), c.brier, `${name} brier`);
      const cc = calibrationCurve(s, y, { bins: 5 });
      relArr(cc.fractionPositive, c.calibrationUniform5.fractionPositive, `${name} calib`);
      relArr(cc.meanPredicted, c.calibrationUniform5.meanPredicted, `${name} calib pred`);
    }
  });

  it('F1 at a threshold is 0, not null, when nothing predicted positive is positive (2tp / (2tp + fp + fn), sklearn f1_score)', () => {
    const none = thresholdMetrics(new Float64Array([0.9, 0.1, 0.2]), new Uint8Array([0, 1, 1]), 0.5); // tp 0, fp 1, fn 2
    expect([none.tp, none.fp, none.fn, none.f1, none.precision, none.recall]).toEqual([0, 1, 2, 0, 0, 0]);
    const flaggedNothing = thresholdMetrics(new Float64Array([0.1, 0.2]), new Uint8Array([0, 1]), 0.5); // tp 0, fp 0, fn 1
    expect([flaggedNothing.f1, flaggedNothing.precision, flaggedNothing.recall]).toEqual([0, null, 0]);
    const empty = thresholdMetrics(new Float64Array([0.1, 0.2]), new Uint8Array([0, 0]), 0.5); // nothing predicted, nothing positive
    expect(empty.f1).toBeNull();
  });

  it('typed errors: one class only, bad labels, ragged inputs, probabilities out of range', () => {
    const code = (f: () => unknown) => { try { f(); } catch (e) { return ExplainError.isInstance(e) ? [e.code, e.path] : ['untyped']; } return ['none']; };
    expect(code(() => rocAuc(new Float64Array([0.1, 0.2]), new Uint8Array([1, 1])))).toEqual(['undefined_statistic', ['labels']]);
    expect(code(() => averagePrecision(new Float64Array([0.1, 0.2]), new Uint8Array([0, 0])))).toEqual(['undefined_statistic', ['labels']]);
    expect(code(() => rocAuc(new Float64Array([0.1, 0.2]), new Uint8Array([0, 2])))).toEqual(['invalid_argument', ['labels', 1]]);
    expect(code(() => rocAuc(new Float64Array([0.1, NaN]), new Uint8Array([0, 1])))).toEqual(['invalid_argument', ['scores', 1]]);
    expect(code(() => rocAuc(new Float64Array([0.1]), new Uint8Array([0, 1])))).toEqual(['invalid_argument', ['labels']]);
    expect(code(() => brierScore(new Float64Array([1.5]), new Uint8Array([1])))).toEqual(['invalid_argument', ['probabilities', 0]]);
    // precision with nothing predicted positive is null, not NaN
    expect(thresholdMetrics(new Float64Array([0.1, 0.2]), new Uint8Array([0, 1]), 0.5).precision).toBeNull();
  });
});

describe('real data', () => {
  const pt = sharedDataPath(TAIWAN);
  it.skipIf(!pt)(`Taiwan: logistic score on held-out IDs > 20000 matches sklearn; PAY_0 (heavy ties) too ${pt ? '' : missingDataReason(TAIWAN)}`, () => {
    const t = readCsv(pt!);
    const g = G.taiwan;
    const test = t.num('ID').map((id) => +(id > g.trainMaxId));
    const s = where(linearScore(g.features.map((f: string) => t.num(f)), g.intercept, g.coefs), test);
    const y = Uint8Array.from(where(t.num('default payment next month'), test));
    checkBlock(s, y, g.test, 'taiwan');
    const yAll = Uint8Array.from(t.num('default payment next month'));
    const pay0 = t.num('PAY_0');
    rel(rocAuc(pay0, yAll), g.pay0.rocAuc, 'PAY_0 auc');
    rel(averagePrecision(pay0, yAll), g.pay0.averagePrecision, 'PAY_0 ap');
    rel(ksStatistic(pay0, yAll), g.pay0.ksStatistic, 'PAY_0 ks');
  });

  const pg = sharedDataPath(GERMAN);
  it.skipIf(!pg)(`German credit: logistic score on the last 300 rows matches sklearn ${pg ? '' : missingDataReason(GERMAN)}`, () => {
    const t = readCsv(pg!);
    const g = G.german;
    const all = linearScore(g.features.map((f: string) => t.num(f)), g.intercept, g.coefs);
    const y = Uint8Array.from(t.num('class').subarray(g.trainRows), (c) => +(c === 2));
    checkBlock(all.subarray(g.trainRows), y, g.test, 'german');
  });

  const pf = sharedDataPath(FDH);
  it.skipIf(!pf)(`handbook: card precision@100 per day (score = amount) matches pandas ${pf ? '' : missingDataReason(FDH)}`, () => {
    const t = readCsv(pf!);
    const day = Float64Array.from(t.str('TX_DATETIME'), (s) => Number(s.slice(8, 10)));
    const amount = t.num('TX_AMOUNT'), fraud = t.num('TX_FRAUD'), cust = t.num('CUSTOMER_ID');
    const g = G.handbook;
    g.days.forEach((d: number, i: number) => {
      const m = day.map((x) => +(x === d));
      const v = cardPrecisionAtK(where(amount, m), Uint8Array.from(where(fraud, m)), where(cust, m), g.k);
      rel(v, g.cardPrecisionAtK[i], `CP@k day ${d}`);
    });
  });
});
