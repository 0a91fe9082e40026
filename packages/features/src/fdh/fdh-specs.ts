import type { FeatureDef, FeatureSpecInput } from '../spec/feature-spec';

/*
 * Feature specs for the Fraud Detection Handbook's simulated transactions (Le Borgne et
 * al. 2022, ../shared/data/fdh-simulated-transactions). Functions, not constants, so nothing
 * is built at module load.
 */

type FeatureIn = FeatureSpecInput['features'][number];

function fdhEvent(): FeatureSpecInput['event'] {
  return {
    fields: [
      { name: 'TRANSACTION_ID', type: 'number', integer: true, min: 0 },
      { name: 'CUSTOMER_ID', type: 'number', integer: true, min: 0 },
      { name: 'TERMINAL_ID', type: 'number', integer: true, min: 0 },
      { name: 'TX_AMOUNT', type: 'number', min: 0 },
    ],
    timestamp: { field: 'TX_DATETIME', format: 'datetime' },
    idField: 'TRANSACTION_ID',
    // The handbook assumes a fraud label is known 7 days after the transaction.
    label: { field: 'TX_FRAUD', availableAfter: '7d' },
  };
}

function fdhEntities(): FeatureSpecInput['entities'] {
  return [
    { name: 'customer', key: ['CUSTOMER_ID'] },
    { name: 'terminal', key: ['TERMINAL_ID'] },
    { name: 'customer_terminal', key: ['CUSTOMER_ID', 'TERMINAL_ID'] },
  ];
}

/**
 * The handbook's 15 baseline features (chapter 3, "Baseline feature transformation"):
 * amount, weekend, night (hour <= 6), customer count and mean amount over 1, 7 and 30 days
 * including the current transaction, and terminal count and fraud share over
 * `(t - 7d - w, t - 7d]` for w = 1, 7, 30 days. Names follow the handbook's columns.
 *
 * @example
 * compileFeatureSpec(fdhBaselineSpec()).featureNames.length; // 15
 */
export function fdhBaselineSpec(): FeatureSpecInput {
  const features: FeatureIn[] = [
    { name: 'TX_AMOUNT', kind: 'field', field: 'TX_AMOUNT' },
    { name: 'TX_DURING_WEEKEND', kind: 'time_part', part: 'weekend' },
    { name: 'TX_DURING_NIGHT', kind: 'time_part', part: 'night', nightFrom: 0, nightTo: 6 },
  ];
  for (const d of [1, 7, 30]) {
    features.push(
      { name: `CUSTOMER_ID_NB_TX_${d}DAY_WINDOW`, kind: 'window', entity: 'customer', aggregate: 'count', window: `${d}d`, includeCurrent: true },
      { name: `CUSTOMER_ID_AVG_AMOUNT_${d}DAY_WINDOW`, kind: 'window', entity: 'customer', aggregate: 'mean', field: 'TX_AMOUNT', window: `${d}d`, includeCurrent: true },
    );
  }
  for (const d of [1, 7, 30]) {
    features.push(
      { name: `TERMINAL_ID_NB_TX_${d}DAY_WINDOW`, kind: 'label_window', entity: 'terminal', aggregate: 'count', window: `${d}d`, delay: '7d' },
      { name: `TERMINAL_ID_RISK_${d}DAY_WINDOW`, kind: 'label_window', entity: 'terminal', aggregate: 'rate', window: `${d}d`, delay: '7d' },
    );
  }
  return {
    specVersion: 1,
    name: 'fdh-baseline-v1',
    description: 'Fraud Detection Handbook, chapter 3: the 15 baseline features.',
    event: fdhEvent(),
    entities: [{ name: 'customer', key: ['CUSTOMER_ID'] }, { name: 'terminal', key: ['TERMINAL_ID'] }],
    features,
  };
}

/**
 * The handbook fraud spec (200+ features) the fraud bundle trains on: row transforms,
 * customer / terminal / customer×terminal windows from 10 minutes to 30 days (count, sum,
 * mean, std, min, max, distinct counterparties, time since last), label-delayed fraud
 * counts and shares per terminal and customer, and ratios of the amount to its history.
 * Committed as `specs/fdh-fraud-v1.json`; a test keeps the two equal.
 *
 * @example
 * compileFeatureSpec(fdhFraudSpec()).size; // 210
 */
export function fdhFraudSpec(): FeatureSpecInput {
  const f: FeatureIn[] = [];
  const add = (x: FeatureIn): void => { f.push(x); };
  add({ name: 'amount', kind: 'field', field: 'TX_AMOUNT' });
  add({ name: 'amount_log1p', kind: 'log1p', input: 'amount' });
  add({ name: 'amount_bucket', kind: 'bucketize', input: 'amount', boundaries: [5, 10, 25, 50, 100, 150, 220] });
  add({ name: 'hour', kind: 'time_part', part: 'hour' });
  add({ name: 'day_of_week', kind: 'time_part', part: 'day_of_week' });
  add({ name: 'weekend', kind: 'time_part', part: 'weekend' });
  add({ name: 'night', kind: 'time_part', part: 'night', nightFrom: 0, nightTo: 6 });

  const cw = ['10m', '1h', '6h', '12h', '1d', '3d', '7d', '14d', '30d'];
  for (const w of cw) {
    add({ name: `cust_count_${w}`, kind: 'window', entity: 'customer', aggregate: 'count', window: w });
    for (const a of ['sum', 'mean', 'std', 'min', 'max'] as const) {
      add({ name: `cust_amount_${a}_${w}`, kind: 'window', entity: 'customer', aggregate: a, field: 'TX_AMOUNT', window: w });
    }
    add({ name: `cust_distinct_terminals_${w}`, kind: 'window', entity: 'customer', aggregate: 'distinct_count', field: 'TERMINAL_ID', window: w });
  }
  add({ name: 'cust_seconds_since_last', kind: 'time_since_last', entity: 'customer' });
  for (const w of ['1h', '1d', '7d', '30d']) {
    add({ name: `cust_prev_count_${w}`, kind: 'window', entity: 'customer', aggregate: 'count', window: w, includeCurrent: false });
    add({ name: `cust_prev_amount_mean_${w}`, kind: 'window', entity: 'customer', aggregate: 'mean', field: 'TX_AMOUNT', window: w, includeCurrent: false });
    add({ name: `cust_prev_amount_max_${w}`, kind: 'window', entity: 'customer', aggregate: 'max', field: 'TX_AMOUNT', window: w, includeCurrent: false });
    add({ name: `amount_over_cust_prev_mean_${w}`, kind: 'ratio', numerator: 'amount', denominator: `cust_prev_amount_mean_${w}`, onZero: 0 });
  }

  const tw = ['1h', '1d', '3d', '7d', '14d', '30d'];
  for (const w of tw) {
    add({ name: `term_count_${w}`, kind: 'window', entity: 'terminal', aggregate: 'count', window: w });
    for (const a of ['sum', 'mean', 'std', 'max'] as const) {
      add({ name: `term_amount_${a}_${w}`, kind: 'window', entity: 'terminal', aggregate: a, field: 'TX_AMOUNT', window: w });
    }
    add({ name: `term_distinct_customers_${w}`, kind: 'window', entity: 'terminal', aggregate: 'distinct_count', field: 'CUSTOMER_ID', window: w });
  }
  add({ name: 'term_seconds_since_last', kind: 'time_since_last', entity: 'terminal' });

  for (const w of ['1h', '1d', '7d', '30d']) {
    add({ name: `ct_count_${w}`, kind: 'window', entity: 'customer_terminal', aggregate: 'count', window: w });
    add({ name: `ct_amount_sum_${w}`, kind: 'window', entity: 'customer_terminal', aggregate: 'sum', field: 'TX_AMOUNT', window: w });
    add({ name: `ct_amount_mean_${w}`, kind: 'window', entity: 'customer_terminal', aggregate: 'mean', field: 'TX_AMOUNT', window: w });
  }
  add({ name: 'ct_seconds_since_last', kind: 'time_since_last', entity: 'customer_terminal' });

  // Label-delayed risk: outcomes are known 7 days after the transaction.
  for (const w of ['1d', '3d', '7d', '14d', '30d']) {
    for (const a of ['count', 'positive_count', 'rate'] as const) {
      add({ name: `term_fraud_${a}_${w}_delay7d`, kind: 'label_window', entity: 'terminal', aggregate: a, window: w, delay: '7d' });
    }
  }
  for (const w of ['1d', '7d', '14d', '30d']) {
    for (const a of ['count', 'positive_count', 'rate'] as const) {
      add({ name: `cust_fraud_${a}_${w}_delay7d`, kind: 'label_window', entity: 'customer', aggregate: a, window: w, delay: '7d' });
    }
  }

  // Amount against its history.
  for (const w of cw) {
    add({ name: `amount_over_cust_mean_${w}`, kind: 'ratio', numerator: 'amount', denominator: `cust_amount_mean_${w}`, onZero: 0 });
    add({ name: `amount_minus_cust_mean_${w}`, kind: 'difference', a: 'amount', b: `cust_amount_mean_${w}` });
    add({ name: `amount_cust_z_${w}`, kind: 'ratio', numerator: `amount_minus_cust_mean_${w}`, denominator: `cust_amount_std_${w}`, onZero: 0 });
  }
  for (const w of tw) {
    add({ name: `amount_over_term_mean_${w}`, kind: 'ratio', numerator: 'amount', denominator: `term_amount_mean_${w}`, onZero: 0 });
  }
  add({ name: 'amount_over_cust_max_30d', kind: 'ratio', numerator: 'amount', denominator: 'cust_amount_max_30d', onZero: 0 });
  add({ name: 'amount_over_term_max_30d', kind: 'ratio', numerator: 'amount', denominator: 'term_amount_max_30d', onZero: 0 });
  // Velocity: short against long windows.
  for (const [a, b] of [['1h', '1d'], ['1d', '7d'], ['1d', '30d'], ['7d', '30d']]) {
    add({ name: `cust_count_${a}_over_${b}`, kind: 'ratio', numerator: `cust_count_${a}`, denominator: `cust_count_${b}`, onZero: 0 });
  }
  for (const [a, b] of [['1d', '7d'], ['1d', '30d'], ['7d', '30d']]) {
    add({ name: `term_count_${a}_over_${b}`, kind: 'ratio', numerator: `term_count_${a}`, denominator: `term_count_${b}`, onZero: 0 });
  }
  return {
    specVersion: 1,
    name: 'fdh-fraud-v1',
    description: 'Fraud Detection Handbook transactions: 200+ windowed, label-delayed and ratio features for the fraud bundle.',
    event: fdhEvent(),
    entities: fdhEntities(),
    features: f as FeatureDef[],
  };
}
