// Simulated handbook transactions for the service tests: the example simulator's events,
// in time order, in a form the fraud bundles score.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../../testing/shared-data';

export type FraudEvent = { TRANSACTION_ID: number; TX_DATETIME: string; CUSTOMER_ID: number; TERMINAL_ID: number; TX_AMOUNT: number };

const SIMULATOR = pathToFileURL(join(REPO_ROOT, 'examples', 'fdh-fraud', 'src', 'simulator.mjs')).href;

/** As fraudStream, with each event's truth (TX_FRAUD: 1 fraud, 0 genuine) beside it. */
export async function labelledFraudStream(o: { customers: number; terminals: number; seed: number; startDate: string; days: number }): Promise<Array<{ event: FraudEvent; label: 0 | 1 }>> {
  const sim = await import(SIMULATOR) as {
    createTransactionSimulator(o: object): { events(days: number): Iterable<Record<string, unknown>> };
    scorableEvent(tx: Record<string, unknown>): FraudEvent;
  };
  return [...sim.createTransactionSimulator({ customers: o.customers, terminals: o.terminals, seed: o.seed, startDate: o.startDate }).events(o.days)]
    .map((tx) => ({ event: sim.scorableEvent(tx), label: tx.TX_FRAUD === 1 ? 1 : 0 }));
}

/** `days` of transactions from `startDate` over `customers` cards and `terminals` terminals. */
export async function fraudStream(o: { customers: number; terminals: number; seed: number; startDate: string; days: number }): Promise<FraudEvent[]> {
  const sim = await import(SIMULATOR) as {
    createTransactionSimulator(o: object): { events(days: number): Iterable<Record<string, unknown>> };
    scorableEvent(tx: Record<string, unknown>): FraudEvent;
  };
  return [...sim.createTransactionSimulator({ customers: o.customers, terminals: o.terminals, seed: o.seed, startDate: o.startDate }).events(o.days)].map(sim.scorableEvent);
}
