// The transaction simulator: deterministic for a seed, and its profiles, stream and three
// fraud scenarios behave as the handbook's generative process describes.
import { describe, expect, it } from 'vitest';
import { createTransactionSimulator } from '../src/simulator.mjs';

type Tx = { TRANSACTION_ID: number; TX_DATETIME: string; CUSTOMER_ID: number; TERMINAL_ID: number; TX_AMOUNT: number; TX_TIME_SECONDS: number; TX_TIME_DAYS: number; TX_FRAUD: number; TX_FRAUD_SCENARIO: number };
const take = (opts: object, days: number): Tx[] => [...createTransactionSimulator(opts).events(days)] as Tx[];

describe('createTransactionSimulator', () => {
  const opts = { customers: 1000, terminals: 2000, seed: 11 };
  const txs = take(opts, 60);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(take(opts, 60)).toEqual(txs);
    const other = take({ ...opts, seed: 12 }, 5);
    expect(other.slice(0, 50)).not.toEqual(txs.slice(0, 50));
  });

  it('emits a time-ordered stream with ids in time order and handbook-shaped fields', () => {
    for (let i = 1; i < txs.length; i++) {
      expect(txs[i].TX_TIME_SECONDS).toBeGreaterThanOrEqual(txs[i - 1].TX_TIME_SECONDS);
      expect(txs[i].TRANSACTION_ID).toBe(txs[i - 1].TRANSACTION_ID + 1);
    }
    expect(txs[0].TX_DATETIME.startsWith('2018-04-01 ')).toBe(true);
    const t = txs[txs.length - 1];
    const d = new Date(`${t.TX_DATETIME.replace(' ', 'T')}Z`).getTime() / 1000 - Date.UTC(2018, 3, 1) / 1000;
    expect(d).toBe(t.TX_TIME_SECONDS);
    expect(Math.floor(t.TX_TIME_SECONDS / 86400)).toBe(t.TX_TIME_DAYS);
  });

  it('draws profiles and daily counts as described (Poisson mean per day, terminals within the radius)', () => {
    const sim = createTransactionSimulator(opts);
    const { customers: c, terminals: tm } = sim;
    let rate = 0;
    for (let i = 0; i < 1000; i++) {
      rate += c.meanTxPerDay[i];
      expect(c.meanAmount[i]).toBeGreaterThanOrEqual(5);
      expect(c.meanAmount[i]).toBeLessThan(100);
      expect(c.stdAmount[i]).toBe(c.meanAmount[i] / 2);
      for (let p = c.terminalsStart[i]; p < c.terminalsStart[i + 1]; p++) {
        const j = c.terminals[p];
        expect(Math.hypot(c.x[i] - tm.x[j], c.y[i] - tm.y[j])).toBeLessThan(5);
      }
    }
    // brute force: the grid lookup finds every terminal within the radius
    for (let i = 0; i < 50; i++) {
      let n = 0;
      for (let j = 0; j < 2000; j++) if (Math.hypot(c.x[i] - tm.x[j], c.y[i] - tm.y[j]) < 5) n++;
      expect(c.terminalsStart[i + 1] - c.terminalsStart[i]).toBe(n);
    }
    // Expected transactions/day: Σ rates × P(0 < time < 86400) (time ~ N(43200, 20000): 0.969),
    // less customers with no terminal in reach.
    const perDay = txs.length / 60;
    let reach = 0;
    for (let i = 0; i < 1000; i++) if (c.terminalsStart[i + 1] > c.terminalsStart[i]) reach += c.meanTxPerDay[i];
    expect(perDay / (reach * 0.9693)).toBeGreaterThan(0.97);
    expect(perDay / (reach * 0.9693)).toBeLessThan(1.03);
    expect(reach).toBeLessThanOrEqual(rate);
    // customers only use terminals in their reach
    const own = txs.slice(0, 2000).every((t) => {
      const i = t.CUSTOMER_ID;
      return Array.from(c.terminals.subarray(c.terminalsStart[i], c.terminalsStart[i + 1])).includes(t.TERMINAL_ID);
    });
    expect(own).toBe(true);
  });

  it('scenario 1: every amount above 220 is a fraud and no genuine amount exceeds 220', () => {
    const over = txs.filter((t) => t.TX_AMOUNT > 220);
    expect(over.length).toBeGreaterThan(0);
    expect(over.every((t) => t.TX_FRAUD === 1)).toBe(true);
    expect(txs.filter((t) => t.TX_FRAUD === 0).every((t) => t.TX_AMOUNT <= 220)).toBe(true);
    expect(txs.filter((t) => t.TX_FRAUD_SCENARIO === 1).every((t) => t.TX_AMOUNT > 220)).toBe(true);
  });

  it('scenario 2: a compromised terminal is fraudulent on every transaction while compromised (28 days)', () => {
    const byTerminal = new Map<number, Tx[]>();
    for (const t of txs) { const a = byTerminal.get(t.TERMINAL_ID) ?? []; a.push(t); byTerminal.set(t.TERMINAL_ID, a); }
    const s2 = txs.filter((t) => t.TX_FRAUD_SCENARIO === 2);
    expect(s2.length).toBeGreaterThan(100);
    let once = 0;
    const terms = new Set(s2.map((t) => t.TERMINAL_ID));
    for (const term of terms) {
      const list = byTerminal.get(term)!.filter((t) => t.TX_FRAUD_SCENARIO === 2);
      const first = list[0].TX_TIME_DAYS, last = list[list.length - 1].TX_TIME_DAYS;
      // every transaction between the terminal's first and last scenario-2 fraud is a fraud
      for (const t of byTerminal.get(term)!) if (t.TX_TIME_DAYS >= first && t.TX_TIME_DAYS <= last) expect(t.TX_FRAUD).toBe(1);
      if (last - first < 28) once++;
    }
    // compromised once (the usual case at this rate) → all its frauds fall within 28 days
    expect(once / terms.size).toBeGreaterThan(0.8);
    // about 2 per 10,000 terminals per day: 2000 terminals → 0.4/day → ~24 terminals in 60 days
    expect(terms.size).toBeGreaterThan(8);
    expect(terms.size).toBeLessThan(45);
  });

  it('scenario 3: leaked cards — about a third of a compromised card\'s transactions, amount × 5', () => {
    const s3 = txs.filter((t) => t.TX_FRAUD_SCENARIO === 3);
    expect(s3.length).toBeGreaterThan(50);
    // amount × 5: mean of the card's scenario-3 amounts ≈ 5 × its genuine mean
    const byCard = new Map<number, { g: number[]; f: number[]; days: [number, number] }>();
    for (const t of txs) {
      let e = byCard.get(t.CUSTOMER_ID);
      if (!e) byCard.set(t.CUSTOMER_ID, (e = { g: [], f: [], days: [Infinity, -Infinity] }));
      if (t.TX_FRAUD_SCENARIO === 3) { e.f.push(t.TX_AMOUNT); e.days = [Math.min(e.days[0], t.TX_TIME_DAYS), Math.max(e.days[1], t.TX_TIME_DAYS)]; }
      else if (t.TX_FRAUD === 0) e.g.push(t.TX_AMOUNT);
    }
    let ratio = 0, cards = 0, inWindow = 0, frauds = 0;
    const sim = createTransactionSimulator(opts);
    for (const [card, e] of byCard) {
      if (e.f.length < 3 || e.g.length < 20) continue;
      cards++;
      ratio += (e.f.reduce((a, b) => a + b, 0) / e.f.length) / sim.customers.meanAmount[card];
      // share of the card's transactions from its first scenario-3 fraud for 14 days that are scenario 3
      const win = txs.filter((t) => t.CUSTOMER_ID === card && t.TX_TIME_DAYS >= e.days[0] && t.TX_TIME_DAYS < e.days[0] + 14 && t.TX_FRAUD_SCENARIO !== 2 && t.TX_FRAUD_SCENARIO !== 1);
      inWindow += win.length;
      frauds += win.filter((t) => t.TX_FRAUD_SCENARIO === 3).length;
    }
    expect(cards).toBeGreaterThan(5);
    expect(ratio / cards).toBeGreaterThan(4.3);
    expect(ratio / cards).toBeLessThan(5.7);
    expect(frauds / inWindow).toBeGreaterThan(0.27);
    expect(frauds / inWindow).toBeLessThan(0.45);
  });

  it('keeps the handbook fraud mix at its own scale (5,000 customers, 10,000 terminals)', () => {
    const sim = createTransactionSimulator({ seed: 3 });
    let n = 0, f = 0;
    for (let d = 0; d < 120; d++) { const b = sim.nextDay(); if (d < 60) continue; n += b.n; for (let i = 0; i < b.n; i++) f += b.scenario[i] > 0 ? 1 : 0; }
    // the real data: ~9,600 transactions a day and 0.87-0.90 % fraud once the scenarios ramp up
    expect(n / 60).toBeGreaterThan(9000);
    expect(n / 60).toBeLessThan(10500);
    expect(f / n).toBeGreaterThan(0.006);
    expect(f / n).toBeLessThan(0.012);
  });
});
