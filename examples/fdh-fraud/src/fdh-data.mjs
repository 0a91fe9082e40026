// Reading the Fraud Detection Handbook transactions (../shared/data/fdh-simulated-transactions)
// as one time-ordered stream of event objects, and the handbook's calendar.
//
// Events carry exactly the fields a scorer sees online — TRANSACTION_ID, TX_DATETIME,
// CUSTOMER_ID, TERMINAL_ID, TX_AMOUNT — and, apart, the label and the fraud scenario
// (the scenario is only ever used for reporting; it leaks the label).
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (examples/fdh-fraud/src → ../../..). */
export const REPO_ROOT = resolve(here, '..', '..', '..');
/** Where the data lives: $FDH_DATA_DIR, else ../shared/data beside the clone. */
export const DATA_DIR = process.env.FDH_DATA_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'data', 'fdh-simulated-transactions');
export const MONTHS = ['2018-04', '2018-05', '2018-06', '2018-07', '2018-08', '2018-09'];

/** Seconds since the simulation origin 2018-04-01 00:00:00 of a `YYYY-MM-DD` day start. */
export function dayIndex(ymd) {
  return Math.round((Date.UTC(+ymd.slice(0, 4), +ymd.slice(5, 7) - 1, +ymd.slice(8, 10)) - Date.UTC(2018, 3, 1)) / 86400000);
}

/**
 * The evaluation protocol, as day indexes since 2018-04-01 (TX_TIME_DAYS).
 * - warm-up: April (30-day windows fill up; April's fraud scenarios are still ramping up)
 * - train: 2018-05-01..07-24 (all frauds, a seeded 20 % of the genuine transactions)
 * - validation: 2018-07-25..07-31, the handbook's training week: stacking weights on
 *   07-25..28, Platt calibration on 07-29..31
 * - the 7-day delay 2018-08-01..07 (features only)
 * - test: 2018-08-08..14, the handbook's test week (known compromised cards removed)
 * Every training and validation label is known by 2018-08-07 23:59:59, before the test.
 */
export const PROTOCOL = {
  trainFrom: dayIndex('2018-05-01'),
  trainTo: dayIndex('2018-07-24'),
  stackFrom: dayIndex('2018-07-25'),
  stackTo: dayIndex('2018-07-28'),
  plattFrom: dayIndex('2018-07-29'),
  plattTo: dayIndex('2018-07-31'),
  testFrom: dayIndex('2018-08-08'),
  testTo: dayIndex('2018-08-14'),
};

export function dataAvailable() {
  return MONTHS.every((m) => existsSync(join(DATA_DIR, `transactions_${m}.csv.gz`)));
}

/**
 * Async iterator over transactions in file order (time order), up to and including day
 * `untilDay`. Yields `{ event, label, scenario, day }`; `event` is a fresh object per row.
 */
export async function* readTransactions({ dataDir = DATA_DIR, untilDay = Infinity } = {}) {
  for (const m of MONTHS) {
    const path = join(dataDir, `transactions_${m}.csv.gz`);
    const rl = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
    let header = true;
    for await (const line of rl) {
      if (header) {
        if (!line.startsWith('TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO')) {
          throw new Error(`${path}: unexpected header ${line.slice(0, 120)}`);
        }
        header = false;
        continue;
      }
      const c = line.split(',');
      const day = +c[6];
      if (day > untilDay) { rl.close(); return; }
      yield {
        event: { TRANSACTION_ID: +c[0], TX_DATETIME: c[1], CUSTOMER_ID: +c[2], TERMINAL_ID: +c[3], TX_AMOUNT: +c[4] },
        seconds: +c[5],
        day,
        label: +c[7],
        scenario: +c[8],
      };
    }
  }
}

/**
 * Seeded uniform in [0, 1) from an integer id (splitmix32-style finaliser): the same
 * transaction is kept or dropped by the genuine subsample in every run and language.
 */
export function hashUnit(id, seed) {
  let h = (Math.imul(id | 0, 0x9e3779b1) ^ seed) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 4294967296;
}

/**
 * The handbook's removal of known compromised cards from the test week (chapter 3,
 * `get_train_test_set`): cards with a fraud in the training week 2018-07-25..31 are known
 * from the start; before test day k (2018-08-08 + k) the cards with a fraud on
 * 2018-07-31 + k (the test day minus 8 days) join them; known cards' transactions are
 * dropped from the test. Feed every transaction of 07-25..08-14 in time order.
 */
export function createHandbookTestFilter() {
  const trainFrom = dayIndex('2018-07-25');
  const trainTo = dayIndex('2018-07-31');
  const fraudByDay = new Map();
  const known = new Set();
  let knownDay = -1;
  return {
    /** Records a transaction (call for every row, in order, after `isTest`). */
    observe(day, customer, label) {
      if (label !== 1 || day < trainFrom) return;
      let s = fraudByDay.get(day);
      if (!s) fraudByDay.set(day, (s = new Set()));
      s.add(customer);
    },
    /** True when the row belongs to the handbook's test set (test week, card not known). */
    isTest(day, customer) {
      if (day < PROTOCOL.testFrom || day > PROTOCOL.testTo) return false;
      if (knownDay !== day) {
        if (knownDay < 0) for (let d = trainFrom; d <= trainTo; d++) for (const c of fraudByDay.get(d) ?? []) known.add(c);
        // Days between the last update and this one (test days are consecutive).
        for (let k = (knownDay < 0 ? PROTOCOL.testFrom : knownDay + 1); k <= day; k++) for (const c of fraudByDay.get(k - 8) ?? []) known.add(c);
        knownDay = day;
      }
      return !known.has(customer);
    },
  };
}
