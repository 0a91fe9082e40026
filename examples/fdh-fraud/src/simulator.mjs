// A seeded, streaming card-transaction simulator following the Fraud Detection Handbook's
// generative process (Le Borgne et al. 2022, chapter 3, "Transaction data simulator"),
// dependency-free so `npm start` runs it from a fresh clone with no data present.
//
// Profiles (drawn once):
//   customer: location (x, y) ~ U(0, 100)², mean amount ~ U(5, 100), std = mean / 2,
//             mean transactions per day ~ U(0, 4); it uses the terminals within `radius`
//   terminal: location (x, y) ~ U(0, 100)²
// Each day, for each customer: Poisson(mean per day) transactions; each gets a time of day
// trunc(N(43200 s, 20000 s)), kept only inside (0, 86400); an amount N(mean, std), redrawn
// U(0, 2·mean) when negative, rounded to cents; a terminal drawn uniformly among the
// customer's. Transactions are emitted in time order, ids following time.
// Fraud (handbook order, later scenarios overwrite earlier ones):
//   1. any amount above 220 is fraud;
//   2. each day 2 terminals (per 10,000) are compromised: every transaction on them in the
//      28 days from that day is fraud;
//   3. each day 3 customers (per 5,000) are compromised: over the 14 days from that day,
//      each of their transactions is, with probability 1/3, fraud with its amount × 5.
//      (The handbook picks exactly a third of the 14-day set after the fact; a streaming
//      simulator cannot see the future, so it draws per transaction: a third on average.)
// Per-day draws of compromised terminals / customers scale with the population (2 per
// 10,000 terminals, 3 per 5,000 customers; fractional parts drawn as a Bernoulli), so a
// small simulation keeps the handbook's fraud mix.
//
// Speed: one day is generated into typed arrays and ordered by a counting sort over the
// 86,400 seconds; ~3-5 M transactions/s for the columnar `nextDay()`, ~1-2 M/s as event
// objects with their TX_DATETIME string.

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, from PractRand): 128-bit
 * state, passes PractRand to 2^40+ bytes; seeded from one integer through splitmix32.
 * Returns uniforms in [0, 1).
 */
export function createRandom(seed) {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  let spare = NaN;
  return {
    next,
    /** Standard normal (Marsaglia's polar method; the second value is kept for the next call). */
    normal() {
      if (spare === spare) { const v = spare; spare = NaN; return v; }
      let u, v, q;
      do { u = 2 * next() - 1; v = 2 * next() - 1; q = u * u + v * v; } while (q >= 1 || q === 0);
      const f = Math.sqrt((-2 * Math.log(q)) / q);
      spare = v * f;
      return u * f;
    },
    /** Poisson(λ) by Knuth's product of uniforms (λ ≤ 4 here, so ≤ ~10 draws). */
    poisson(lambda) {
      const L = Math.exp(-lambda);
      let k = 0, p = next();
      while (p > L) { k++; p *= next(); }
      return k;
    },
    /** Integer in [0, n). */
    int(n) { return Math.floor(next() * n); },
  };
}

const DAY = 86400;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** `YYYY-MM-DD` of `start` (`YYYY-MM-DD`) plus `days`. */
function dateAfter(start, days) {
  const t = Date.UTC(+start.slice(0, 4), +start.slice(5, 7) - 1, +start.slice(8, 10)) + days * 86400000;
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * Creates a simulator. Everything is drawn from `seed`: two simulators with the same
 * options produce the same stream.
 *
 * @param {object} [options]
 * @param {number} [options.customers=5000]
 * @param {number} [options.terminals=10000]
 * @param {number} [options.radius=5] - customers use the terminals within this distance
 * @param {string} [options.startDate='2018-04-01']
 * @param {number} [options.seed=0]
 * @param {number} [options.compromisedTerminalsPerDay] - default 2 per 10,000 terminals
 * @param {number} [options.compromisedCustomersPerDay] - default 3 per 5,000 customers
 * @example
 * const sim = createTransactionSimulator({ customers: 1000, terminals: 2000, seed: 7 });
 * for (const tx of sim.events(30)) score(tx); // 30 days, time-ordered event objects
 */
export function createTransactionSimulator(options = {}) {
  const nC = options.customers ?? 5000;
  const nT = options.terminals ?? 10000;
  const radius = options.radius ?? 5;
  const startDate = options.startDate ?? '2018-04-01';
  const rnd = createRandom(options.seed ?? 0);
  const termPerDay = options.compromisedTerminalsPerDay ?? (2 * nT) / 10000;
  const custPerDay = options.compromisedCustomersPerDay ?? (3 * nC) / 5000;

  // ---- profiles
  const cx = new Float64Array(nC), cy = new Float64Array(nC), cMean = new Float64Array(nC), cStd = new Float64Array(nC), cRate = new Float64Array(nC);
  for (let i = 0; i < nC; i++) {
    cx[i] = rnd.next() * 100; cy[i] = rnd.next() * 100;
    cMean[i] = 5 + rnd.next() * 95; cStd[i] = cMean[i] / 2;
    cRate[i] = rnd.next() * 4;
  }
  const tx = new Float64Array(nT), ty = new Float64Array(nT);
  for (let j = 0; j < nT; j++) { tx[j] = rnd.next() * 100; ty[j] = rnd.next() * 100; }
  // Terminals within the radius, through a grid of radius-sized cells (3×3 cells to check).
  const cells = Math.max(1, Math.ceil(100 / radius));
  const cellOf = (v) => Math.min(cells - 1, Math.floor(v / radius));
  const cellStart = new Int32Array(cells * cells + 1);
  for (let j = 0; j < nT; j++) cellStart[cellOf(tx[j]) * cells + cellOf(ty[j]) + 1]++;
  for (let k = 0; k < cells * cells; k++) cellStart[k + 1] += cellStart[k];
  const cellTerm = new Int32Array(nT);
  const fill = cellStart.slice(0, cells * cells);
  for (let j = 0; j < nT; j++) cellTerm[fill[cellOf(tx[j]) * cells + cellOf(ty[j])]++] = j;
  const availStart = new Int32Array(nC + 1);
  let avail = new Int32Array(Math.max(16, nC * 8));
  let na = 0;
  const r2 = radius * radius;
  for (let i = 0; i < nC; i++) {
    const gx = cellOf(cx[i]), gy = cellOf(cy[i]);
    const from = na;
    for (let a = Math.max(0, gx - 1); a <= Math.min(cells - 1, gx + 1); a++) {
      for (let b = Math.max(0, gy - 1); b <= Math.min(cells - 1, gy + 1); b++) {
        const k = a * cells + b;
        for (let p = cellStart[k]; p < cellStart[k + 1]; p++) {
          const j = cellTerm[p];
          const dx = cx[i] - tx[j], dy = cy[i] - ty[j];
          if (dx * dx + dy * dy < r2) {
            if (na === avail.length) { const g = new Int32Array(avail.length * 2); g.set(avail); avail = g; }
            avail[na++] = j;
          }
        }
      }
    }
    avail.subarray(from, na).sort(); // terminal order independent of the grid walk
    availStart[i + 1] = na;
  }

  // ---- fraud state: the last day (exclusive) each terminal / customer stays compromised
  const termUntil = new Int32Array(nT);
  const custUntil = new Int32Array(nC);
  const countFor = (rate) => { const whole = Math.floor(rate); return whole + (rnd.next() < rate - whole ? 1 : 0); };

  // ---- one day's buffers (grown by doubling), reused from day to day
  let cap = 1024;
  let gTime = new Int32Array(cap), gCust = new Int32Array(cap), gTerm = new Int32Array(cap), gAmt = new Float64Array(cap), gScen = new Uint8Array(cap);
  const day = { day: -1, date: '', n: 0, firstId: 0, time: new Int32Array(cap), customer: new Int32Array(cap), terminal: new Int32Array(cap), amount: new Float64Array(cap), scenario: new Uint8Array(cap) };
  const bucket = new Int32Array(DAY + 1);
  let dayIndex = 0;
  let nextId = 0;

  const grow = () => {
    cap *= 2;
    const g = (A, a) => { const b = new A(cap); b.set(a); return b; };
    gTime = g(Int32Array, gTime); gCust = g(Int32Array, gCust); gTerm = g(Int32Array, gTerm); gAmt = g(Float64Array, gAmt); gScen = g(Uint8Array, gScen);
  };

  /**
   * Generates the next day in time order into reused typed arrays: `time` (seconds of the
   * day), `customer`, `terminal`, `amount`, `scenario` (0 genuine, 1-3 fraud); transaction
   * `i` has id `firstId + i`. The arrays are overwritten by the next call.
   */
  function nextDay() {
    const d = dayIndex++;
    // Today's compromised terminals and customers (drawn before the day's transactions).
    for (let k = countFor(termPerDay); k > 0; k--) { const t = rnd.int(nT); termUntil[t] = Math.max(termUntil[t], d + 28); }
    for (let k = countFor(custPerDay); k > 0; k--) { const c = rnd.int(nC); custUntil[c] = Math.max(custUntil[c], d + 14); }
    let n = 0;
    for (let c = 0; c < nC; c++) {
      const a0 = availStart[c], na = availStart[c + 1] - a0;
      for (let k = rnd.poisson(cRate[c]); k > 0; k--) {
        const t = Math.trunc(43200 + 20000 * rnd.normal());
        if (t <= 0 || t >= DAY) continue;
        let amount = cMean[c] + cStd[c] * rnd.normal();
        if (amount < 0) amount = rnd.next() * cMean[c] * 2;
        amount = Math.round(amount * 100) / 100;
        if (na === 0) continue;
        const term = avail[a0 + rnd.int(na)];
        let scen = amount > 220 ? 1 : 0;
        if (termUntil[term] > d) scen = 2;
        if (custUntil[c] > d && rnd.next() < 1 / 3) { amount = Math.round(amount * 5 * 100) / 100; scen = 3; }
        if (n === cap) grow();
        gTime[n] = t; gCust[n] = c; gTerm[n] = term; gAmt[n] = amount; gScen[n] = scen;
        n++;
      }
    }
    // Counting sort by second of the day (stable: ties keep customer order).
    bucket.fill(0);
    for (let i = 0; i < n; i++) bucket[gTime[i] + 1]++;
    for (let s = 0; s < DAY; s++) bucket[s + 1] += bucket[s];
    if (day.time.length < cap) {
      day.time = new Int32Array(cap); day.customer = new Int32Array(cap); day.terminal = new Int32Array(cap);
      day.amount = new Float64Array(cap); day.scenario = new Uint8Array(cap);
    }
    for (let i = 0; i < n; i++) {
      const p = bucket[gTime[i]]++;
      day.time[p] = gTime[i]; day.customer[p] = gCust[i]; day.terminal[p] = gTerm[i]; day.amount[p] = gAmt[i]; day.scenario[p] = gScen[i];
    }
    day.day = d;
    day.date = dateAfter(startDate, d);
    day.n = n;
    day.firstId = nextId;
    nextId += n;
    return day;
  }

  /**
   * Event objects for the next `days` days, in time order, with the fields of the
   * handbook's data (`TX_FRAUD` and `TX_FRAUD_SCENARIO` are the truth: keep them away
   * from a scorer).
   */
  function* events(days) {
    for (let k = 0; k < days; k++) {
      const b = nextDay();
      const prefix = `${b.date} `;
      for (let i = 0; i < b.n; i++) {
        const t = b.time[i];
        const h = (t / 3600) | 0, m = ((t % 3600) / 60) | 0, s = t % 60;
        yield {
          TRANSACTION_ID: b.firstId + i,
          TX_DATETIME: `${prefix}${PAD2[h]}:${PAD2[m]}:${PAD2[s]}`,
          CUSTOMER_ID: b.customer[i],
          TERMINAL_ID: b.terminal[i],
          TX_AMOUNT: b.amount[i],
          TX_TIME_SECONDS: b.day * DAY + t,
          TX_TIME_DAYS: b.day,
          TX_FRAUD: b.scenario[i] > 0 ? 1 : 0,
          TX_FRAUD_SCENARIO: b.scenario[i],
        };
      }
    }
  }

  return {
    customers: { x: cx, y: cy, meanAmount: cMean, stdAmount: cStd, meanTxPerDay: cRate, terminalsStart: availStart, terminals: avail.subarray(0, na) },
    terminals: { x: tx, y: ty },
    nextDay,
    events,
    /** Days generated so far. */
    get day() { return dayIndex; },
  };
}

/** The raw event a scorer sees: the transaction without its truth. */
export function scorableEvent(tx) {
  return { TRANSACTION_ID: tx.TRANSACTION_ID, TX_DATETIME: tx.TX_DATETIME, CUSTOMER_ID: tx.CUSTOMER_ID, TERMINAL_ID: tx.TERMINAL_ID, TX_AMOUNT: tx.TX_AMOUNT };
}
