/**
 * The handbook's 15 baseline features, expressed as a spec, against an independent pandas
 * implementation of the handbook's definitions over the whole of April 2018 (288,062
 * transactions). The golden is 34 MB, so it is not committed: the test runs
 * test/fixtures/fdh_baseline_golden.py (Debian python3-pandas) into
 * node_modules/.cache/riskscore/ when the cached file is absent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingDataReason, REPO_ROOT, sharedDataPath } from '../../../testing/shared-data';
import { compileFeatureSpec, createOfflinePass, fdhBaselineSpec } from '../src/index';
import { readFdhRows } from './fdh-rows';

const REL = 'fdh-simulated-transactions/transactions_2018-04.csv.gz';
const src = sharedDataPath(REL);
const CACHE = resolve(REPO_ROOT, 'node_modules/.cache/riskscore/fdh-baseline-2018-04.f64');
const SCRIPT = resolve(REPO_ROOT, 'packages/features/test/fixtures/fdh_baseline_golden.py');

function golden(): { columns: string[]; rows: number; values: Float64Array } {
  if (!existsSync(CACHE) || !existsSync(CACHE + '.json')) {
    mkdirSync(dirname(CACHE), { recursive: true });
    execFileSync('/usr/bin/python3', [SCRIPT, src!, CACHE], { stdio: 'inherit' });
  }
  const meta = JSON.parse(readFileSync(CACHE + '.json', 'utf8')) as { columns: string[]; rows: number };
  const buf = readFileSync(CACHE);
  const values = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  return { ...meta, values };
}

describe('Fraud Detection Handbook baseline features', () => {
  it.skipIf(!src)(`reproduce the pandas reference on all of 2018-04 within 1e-6 ${src ? '' : missingDataReason(REL)}`, () => {
    const g = golden();
    const rows = readFdhRows(src!);
    expect(rows.length).toBe(288_062);
    expect(g.rows).toBe(rows.length);
    const ev = compileFeatureSpec(fdhBaselineSpec());
    expect(ev.featureNames).toEqual(g.columns);
    const pass = createOfflinePass(ev);
    const F = ev.size;
    const out = new Float64Array(F);
    const maxDiff = new Float64Array(F);
    let worstRow = -1;
    for (let r = 0; r < rows.length; r++) {
      pass.process(rows[r], out);
      for (let j = 0; j < F; j++) {
        const d = Math.abs(out[j] - g.values[r * F + j]);
        if (!(d <= maxDiff[j])) {
          maxDiff[j] = d;
          if (d > 1e-6 && worstRow < 0) worstRow = r;
        }
      }
    }
    const report = Object.fromEntries(ev.featureNames.map((n, j) => [n, maxDiff[j]]));
    expect(worstRow, `first row over 1e-6: ${worstRow}; max |diff| per feature ${JSON.stringify(report)}`).toBe(-1);
    for (const j of maxDiff) expect(j).toBeLessThanOrEqual(1e-6);
    // The comparison is not vacuous: the label-delayed risk is non-zero on many rows.
    let risky = 0;
    const jRisk = ev.featureNames.indexOf('TERMINAL_ID_RISK_30DAY_WINDOW');
    for (let r = 0; r < g.rows; r++) if (g.values[r * F + jRisk] > 0) risky++;
    expect(risky).toBeGreaterThan(1000);
  });
});
