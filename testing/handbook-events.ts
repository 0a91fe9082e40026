/**
 * The Fraud Detection Handbook's simulated transactions (../shared/data) as raw events,
 * in file order (time order), for the tests that stream them through scorers.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { sharedDataPath } from './shared-data';

/** A handbook transaction as the fraud bundle's event. */
export type HandbookEvent = { TRANSACTION_ID: number; TX_DATETIME: string; CUSTOMER_ID: number; TERMINAL_ID: number; TX_AMOUNT: number };

/** The monthly files under the shared data folder, April to September 2018. */
export const HANDBOOK_MONTHS = ['04', '05', '06', '07', '08', '09'].map((m) => `fdh-simulated-transactions/transactions_2018-${m}.csv.gz`);

/**
 * The first `n` handbook events, read month by month; throws when the files hold fewer.
 * Callers skip first when `sharedDataPath(HANDBOOK_MONTHS[0])` is null.
 */
export function handbookEvents(n: number): HandbookEvent[] {
  const out: HandbookEvent[] = [];
  for (const m of HANDBOOK_MONTHS) {
    const path = sharedDataPath(m);
    if (path === null) break;
    const lines = gunzipSync(readFileSync(path)).toString('latin1').split('\n');
    for (let i = 1; i < lines.length && out.length < n; i++) {
      const c = lines[i].split(',');
      if (c.length < 5) continue;
      out.push({ TRANSACTION_ID: Number(c[0]), TX_DATETIME: c[1], CUSTOMER_ID: Number(c[2]), TERMINAL_ID: Number(c[3]), TX_AMOUNT: Number(c[4]) });
    }
    if (out.length >= n) break;
  }
  if (out.length < n) throw new Error(`the handbook files hold ${out.length} events, fewer than ${n}`);
  return out;
}
