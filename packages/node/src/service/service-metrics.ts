/**
 * The service's own metrics, kept as plain counters and fixed-bucket histograms and
 * written as Prometheus text; the same families can be registered in a user's
 * prom-client registry (each as an object whose `get()` returns prom-client's metric
 * shape), so an app that already exposes `/metrics` through prom-client shows them too.
 *
 * Families: requests by route and status, request duration by route, score stage
 * durations (features, members, ensemble), decisions, error responses by code, micro-batch sizes and queue wait,
 * requests in flight, event-loop lag.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { prometheusText, type PrometheusFamily, type PrometheusSample } from '@riskscore/core';

/** Upper bounds in seconds shared by the duration histograms (50 µs … 2.5 s). */
const DURATION_BOUNDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const BATCH_BOUNDS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  n = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(v: number): void {
    const b = this.bounds;
    let k = 0;
    while (k < b.length && v > b[k]) k++;
    this.counts[k]++;
    this.sum += v;
    this.n++;
  }
  samples(labels: Record<string, string>): PrometheusSample[] {
    const out: PrometheusSample[] = [];
    let acc = 0;
    for (let k = 0; k < this.bounds.length; k++) {
      acc += this.counts[k];
      out.push({ labels: { ...labels, le: String(this.bounds[k]) }, value: acc, suffix: '_bucket' });
    }
    out.push({ labels: { ...labels, le: '+Inf' }, value: this.n, suffix: '_bucket' });
    out.push({ labels, value: this.sum, suffix: '_sum' });
    out.push({ labels, value: this.n, suffix: '_count' });
    return out;
  }
}

/** A prom-client Registry, as far as the service uses it. */
export interface PromRegistryLike {
  /** Adds one metric (an object with prom-client's `name`, `help`, `type` and `get()`). */
  registerMetric(metric: unknown): void;
}

/** The service's metrics (see the module comment): recorded by the service, read as Prometheus families or text. */
export interface ServiceMetrics {
  /** Counts a request by route and status, and its duration in seconds. */
  request(route: string, status: number, seconds: number): void;
  /** Records one scored event's time in each stage, in µs. */
  stages(featuresUs: number, membersUs: number, ensembleUs: number): void;
  /** Counts a scored event by its decision. */
  decision(decision: string): void;
  /** Records a micro-batch's size in events and how long its first request waited in the queue, in µs. */
  batch(rows: number, queuedUs: number): void;
  /** Counts an error response by its code (`rate_limited`, `overloaded`, `invalid_event`, …). */
  error(code: string): void;
  /** Changes the requests-in-flight gauge by `delta`. */
  inFlight(delta: number): void;
  /** Every family with its current samples. */
  families(): PrometheusFamily[];
  /** Every family in the Prometheus text format. */
  text(): string;
  /** Registers every family in a prom-client registry. */
  register(registry: PromRegistryLike): void;
  /** Stops sampling the event-loop lag (its family is then empty). */
  close(): void;
}

export function createServiceMetrics(prefix = 'riskscore_'): ServiceMetrics {
  const requests = new Map<string, number>();
  const durations = new Map<string, Histogram>();
  const stage = { features: new Histogram(DURATION_BOUNDS), members: new Histogram(DURATION_BOUNDS), ensemble: new Histogram(DURATION_BOUNDS) };
  const decisions = new Map<string, number>();
  const errors = new Map<string, number>();
  const batchRows = new Histogram(BATCH_BOUNDS);
  const queueWait = new Histogram(DURATION_BOUNDS);
  let inFlight = 0;
  let lag: IntervalHistogram | undefined = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();

  const families = (): PrometheusFamily[] => {
    const req: PrometheusSample[] = [];
    for (const [k, v] of requests) {
      const [route, status] = k.split(' ');
      req.push({ labels: { route, status }, value: v });
    }
    const dur: PrometheusSample[] = [];
    for (const [route, h] of durations) dur.push(...h.samples({ route }));
    const lagSamples: PrometheusSample[] = lag === undefined ? [] : [
      { labels: { quantile: '0.5' }, value: lag.percentile(50) / 1e9 },
      { labels: { quantile: '0.99' }, value: lag.percentile(99) / 1e9 },
      { labels: { quantile: '1' }, value: lag.max / 1e9 },
    ];
    return [
      { name: `${prefix}http_requests_total`, help: 'HTTP requests by route and status', type: 'counter', samples: req },
      { name: `${prefix}http_request_duration_seconds`, help: 'Time from the request to its response, by route', type: 'histogram', samples: dur },
      {
        name: `${prefix}score_stage_duration_seconds`, help: 'Time per scored event in each stage (features, members, ensemble and decision)', type: 'histogram',
        samples: [...stage.features.samples({ stage: 'features' }), ...stage.members.samples({ stage: 'members' }), ...stage.ensemble.samples({ stage: 'ensemble' })],
      },
      { name: `${prefix}decisions_total`, help: 'Scored events by decision', type: 'counter', samples: [...decisions].map(([d, v]) => ({ labels: { decision: d }, value: v })) },
      { name: `${prefix}errors_total`, help: 'Error responses by code', type: 'counter', samples: [...errors].map(([code, v]) => ({ labels: { code }, value: v })) },
      { name: `${prefix}batch_rows`, help: 'Events per micro-batch of single-score requests', type: 'histogram', samples: batchRows.samples({}) },
      { name: `${prefix}batch_queue_wait_seconds`, help: 'Time the first request of a micro-batch waited in the queue', type: 'histogram', samples: queueWait.samples({}) },
      { name: `${prefix}http_requests_in_flight`, help: 'Requests being handled', type: 'gauge', samples: [{ labels: {}, value: inFlight }] },
      { name: `${prefix}event_loop_lag_seconds`, help: 'Event-loop delay since start (quantiles)', type: 'gauge', samples: lagSamples },
    ];
  };

  return {
    request(route, status, seconds) {
      const k = `${route} ${status}`;
      requests.set(k, (requests.get(k) ?? 0) + 1);
      let h = durations.get(route);
      if (h === undefined) durations.set(route, (h = new Histogram(DURATION_BOUNDS)));
      h.observe(seconds);
    },
    stages(f, m, e) {
      stage.features.observe(f / 1e6);
      stage.members.observe(m / 1e6);
      stage.ensemble.observe(e / 1e6);
    },
    decision(d) { decisions.set(d, (decisions.get(d) ?? 0) + 1); },
    error(code) { errors.set(code, (errors.get(code) ?? 0) + 1); },
    batch(rows, queuedUs) { batchRows.observe(rows); queueWait.observe(queuedUs / 1e6); },
    inFlight(delta) { inFlight += delta; },
    families,
    text: () => prometheusText(families()),
    register(registry) {
      for (const f of families()) {
        const name = f.name;
        registry.registerMetric({
          name, help: f.help, type: f.type, aggregator: 'sum',
          get: () => {
            const fam = families().find((x) => x.name === name)!;
            return { name, help: fam.help, type: fam.type, aggregator: 'sum', values: fam.samples.map((s) => ({ value: s.value, labels: s.labels, metricName: `${name}${s.suffix ?? ''}` })) };
          },
          reset: () => {},
        });
      }
    },
    close() { lag?.disable(); lag = undefined; },
  };
}
