/**
 * Publishing to JetStream with a PubAck per message, cheaply: one reply subscription for all
 * publishes (`<inbox>.<n>`), the PubAck matched by its reply subject, and one timer that
 * fails the publishes older than the timeout. `js.publish` of @nats-io/jetstream does the
 * same work per message with a request of its own (two Error objects made ahead for their
 * stack traces, a timer, a mux entry): on the stream scorer's hot path that was a sixth of
 * its time.
 *
 * Publishes made during one turn of the event loop go out together at its end (the client
 * writes to its socket once per microtask turn, and a stream scorer's publishes come from
 * many turns): one socket write per burst instead of one per decision.
 *
 * The PubAck is the stream's `{ stream, seq, duplicate? }`, or `{ error }`; a publish to a
 * subject no stream keeps gets the server's no-responders status (503). Either failure, and
 * no answer within `timeoutMs`, rejects with `state_unavailable`.
 */
import { RiskscoreError } from '@riskscore/core';
import { createInbox, headers, type NatsConnection, type Subscription } from '@nats-io/transport-node';

export interface JetStreamPublisher {
  /** Publishes `data` to `subject` with `Nats-Msg-Id: msgID`; resolves with the stream's PubAck. */
  publish(subject: string, data: Uint8Array, msgID: string): Promise<{ seq: number; duplicate: boolean }>;
  /** Publishes awaiting their PubAck. */
  readonly pending: number;
  /** Fails what is pending and unsubscribes. */
  close(): void;
}

interface Pending { resolve: (a: { seq: number; duplicate: boolean }) => void; reject: (e: Error) => void; at: number; subject: string }

export function createJetStreamPublisher(nc: NatsConnection, options: { timeoutMs?: number } = {}): JetStreamPublisher {
  const timeoutMs = options.timeoutMs ?? 5000;
  const inbox = createInbox();
  const waiting = new Map<number, Pending>();
  const decoder = new TextDecoder();
  let next = 0;
  const unavailable = (p: Pending, why: string): RiskscoreError =>
    new RiskscoreError('state_unavailable', `publishing to ${p.subject}: ${why}`, { path: ['stream'], details: { op: 'publish', timeoutMs } });
  const sub: Subscription = nc.subscribe(`${inbox}.*`, {
    callback: (err, m) => {
      if (err) return;
      const n = Number(m.subject.slice(inbox.length + 1));
      const p = waiting.get(n);
      if (p === undefined) return;
      waiting.delete(n);
      if (m.data.length === 0) {
        // A status message: 503 no responders (no stream keeps the subject).
        p.reject(unavailable(p, `the server answered status ${m.headers?.code ?? '?'} ${m.headers?.description ?? ''} (is there a stream for it?)`));
        return;
      }
      let a: { seq?: number; duplicate?: boolean; error?: { description?: string } };
      try { a = JSON.parse(decoder.decode(m.data)); } catch { p.reject(unavailable(p, 'the PubAck is not JSON')); return; }
      if (a.error !== undefined || typeof a.seq !== 'number') p.reject(unavailable(p, `the stream refused it: ${a.error?.description ?? 'no sequence'}`));
      else p.resolve({ seq: a.seq, duplicate: a.duplicate === true });
    },
  });
  const sweep = setInterval(() => {
    const old = Date.now() - timeoutMs;
    for (const [n, p] of waiting) {
      if (p.at > old) break; // in publish order: the rest are younger
      waiting.delete(n);
      p.reject(unavailable(p, `no PubAck within ${timeoutMs} ms`));
    }
  }, Math.max(10, Math.floor(timeoutMs / 4)));
  sweep.unref?.();
  const queued: Array<{ n: number; p: Pending; data: Uint8Array; msgID: string }> = [];
  let flushing: NodeJS.Immediate | undefined;
  const flush = (): void => {
    flushing = undefined;
    for (const q of queued) {
      const h = headers();
      h.set('Nats-Msg-Id', q.msgID);
      try {
        nc.publish(q.p.subject, q.data, { reply: `${inbox}.${q.n}`, headers: h });
      } catch (e) {
        waiting.delete(q.n);
        q.p.reject(unavailable(q.p, (e as Error).message));
      }
    }
    queued.length = 0;
  };
  return {
    publish(subject, data, msgID) {
      return new Promise((resolve, reject) => {
        const n = next++;
        const p: Pending = { resolve, reject, at: Date.now(), subject };
        waiting.set(n, p);
        queued.push({ n, p, data, msgID });
        flushing ??= setImmediate(flush);
      });
    },
    get pending() { return waiting.size; },
    close() {
      if (flushing !== undefined) { clearImmediate(flushing); flushing = undefined; queued.length = 0; }
      clearInterval(sweep);
      sub.unsubscribe();
      for (const p of waiting.values()) p.reject(unavailable(p, 'the publisher closed'));
      waiting.clear();
    },
  };
}
