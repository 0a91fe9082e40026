/**
 * `riskscore bundle --config bundle.json --out DIR [--sign KEY.pem]`: builds a sealed
 * (optionally signed) bundle from a config file and prints what it built: each member's
 * input and output names and output kind, the weights, the calibration, and the
 * validation figures.
 */
import { parseArgs } from 'node:util';
import { RiskscoreError } from '@riskscore/core';
import { buildBundle, type BuildSummary } from '../bundle/build-bundle';
import { readFlagFile } from './read-flag-file';

export const BUNDLE_USAGE = 'riskscore bundle --config bundle.json --out DIR [--sign KEY.pem]   (docs/bundles.md: the config)';

const f4 = (x: number) => x.toFixed(4);

/** The summary as the command prints it. */
export function formatBuildSummary(s: BuildSummary): string {
  const lines = [`${s.id}: ${s.members.length} members, ${s.features} features → ${s.dir}${s.signedBy ? ` (signed by ${s.signedBy})` : ''}`];
  for (const m of s.members) {
    lines.push(`  ${m.name.padEnd(16)} ${m.kind.padEnd(7)} ${m.file}  input ${m.input}  output ${m.output} (${m.outputKind}, ${m.kindFrom === 'graph' ? 'read from the graph' : 'as configured'})  weight ${f4(m.weight)}${m.validationAuc !== undefined ? `  validation AUC ${f4(m.validationAuc)}` : ''}`);
  }
  const c = s.calibration;
  lines.push(`  ensemble bias ${f4(s.ensemble.bias)}${s.ensemble.fitted ? ' (stacked: logistic regression on the member logits)' : ''}; calibration ${c.method}${c.method === 'platt' ? ` a ${f4(c.a)} b ${f4(c.b)}` : c.method === 'isotonic' ? ` (${c.x.length} knots)` : ''}`);
  lines.push(`  training sample ${s.trainingRows} rows: background ${s.backgroundRows}, reference ${s.referenceRows}`);
  if (s.validation) {
    const v = s.validation;
    lines.push(`  validation ${v.rows} rows (${v.positives} adverse): AUC ${f4(v.auc)}, average precision ${f4(v.averagePrecision)}, Brier ${f4(v.brier)} (on the rows the weights and calibration were fitted on)`);
  }
  return lines.join('\n');
}

export async function runBundleCommand(args: string[]): Promise<number> {
  let values: { config?: string; out?: string; sign?: string };
  try {
    ({ values } = parseArgs({ args, strict: true, options: { config: { type: 'string' }, out: { type: 'string' }, sign: { type: 'string' } } }));
  } catch (e) {
    throw new RiskscoreError('invalid_argument', `${(e as Error).message}\nusage: ${BUNDLE_USAGE}`, { path: ['args'] });
  }
  if (!values.config || !values.out) throw new RiskscoreError('invalid_argument', `--config FILE and --out DIR are required\nusage: ${BUNDLE_USAGE}`, { path: [values.config ? '--out' : '--config'] });
  const signingKey = values.sign ? await readFlagFile(values.sign, '--sign') : undefined;
  const summary = await buildBundle(values.config, { outDir: values.out, signingKey });
  console.log(formatBuildSummary(summary));
  return 0;
}
