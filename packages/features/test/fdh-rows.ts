/**
 * Test support: the handbook's monthly CSV as row objects typed as the FDH specs expect
 * (ids, amount and label as numbers, the date-time as a string). A plain split parser:
 * the files have no quoted fields.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface FdhRow {
  TRANSACTION_ID: number;
  TX_DATETIME: string;
  CUSTOMER_ID: number;
  TERMINAL_ID: number;
  TX_AMOUNT: number;
  TX_TIME_SECONDS: number;
  TX_FRAUD: number;
}

export function readFdhRows(path: string, limit = Infinity): FdhRow[] {
  const text = gunzipSync(readFileSync(path)).toString('latin1');
  const lines = text.split('\n');
  const header = lines[0].split(',');
  const col = (n: string): number => header.indexOf(n);
  const [iId, iDt, iC, iT, iA, iS, iF] = ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT', 'TX_TIME_SECONDS', 'TX_FRAUD'].map(col);
  const rows: FdhRow[] = [];
  for (let i = 1; i < lines.length && rows.length < limit; i++) {
    if (lines[i] === '') continue;
    const c = lines[i].split(',');
    rows.push({
      TRANSACTION_ID: Number(c[iId]), TX_DATETIME: c[iDt], CUSTOMER_ID: Number(c[iC]), TERMINAL_ID: Number(c[iT]),
      TX_AMOUNT: Number(c[iA]), TX_TIME_SECONDS: Number(c[iS]), TX_FRAUD: Number(c[iF]),
    });
  }
  return rows;
}
