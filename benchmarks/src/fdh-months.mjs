// The handbook's monthly transaction files as the online caller sees them: plain objects.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Rows of one month's .csv.gz as plain objects (TX_FRAUD kept for outcomes). */
export function monthRows(path) {
  const lines = gunzipSync(readFileSync(path)).toString('latin1').split('\n');
  const rows = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const c = lines[i].split(',');
    rows.push({ TRANSACTION_ID: +c[0], TX_DATETIME: c[1], CUSTOMER_ID: +c[2], TERMINAL_ID: +c[3], TX_AMOUNT: +c[4], TX_FRAUD: +c[7] });
  }
  return rows;
}
