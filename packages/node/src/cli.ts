#!/usr/bin/env node
/**
 * The riskscore command line.
 *
 *   riskscore demo [--bundle DIR] [--events FILE.jsonl] [--passes N]
 *   riskscore score --bundle DIR --input FILE.{jsonl,csv} [--output F.{jsonl,csv}] [--errors F.jsonl] [--explain]
 *   riskscore bundle --config bundle.json --out DIR [--sign KEY.pem]   (build a sealed bundle from a config)
 *   riskscore convert-xgboost MODEL.json OUT.onnx
 *   riskscore verify DIR [--trust-key PUB.pem ...]         (load and check a bundle, and its signature)
 *   riskscore keygen --out NAME                            (an Ed25519 key pair to sign bundles)
 *   riskscore sign --bundle DIR --key NAME.pem             (writes DIR/manifest.sig)
 *   riskscore features --spec S --input F --output O        (offline features, see features --help)
 *   riskscore report --bundle DIR --events F.jsonl --out report.html
 *   riskscore serve --bundle DIR (--api-keys KEYS.json | --no-auth)   (the HTTP scoring service)
 *   riskscore stream --nats URL --bundle DIR [--partitions N] [--claim 0,1]   (stream scoring on NATS JetStream)
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnxFromXgboostJson, RiskscoreError } from '@riskscore/core';
import { runDemo } from './cli/demo';
import { runFeaturesCommand } from './offline/index';
import { runReportCommand } from './report/index';
import { BUNDLE_USAGE, runBundleCommand } from './cli/bundle-command';
import { runScoreCommand, SCORE_USAGE } from './cli/score-command';
import { runServe, SERVE_USAGE } from './cli/serve';
import { runStreamCommand, STREAM_USAGE } from './cli/stream-command';
import { KEYGEN_USAGE, runKeygen, runSign, runVerify, SIGN_USAGE, VERIFY_USAGE } from './cli/sign';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The example bundle in this repository (used when --bundle is not given). */
const EXAMPLE = resolve(HERE, '..', '..', '..', 'examples', 'taiwan-credit');

const DEMO_USAGE = 'riskscore demo [--bundle DIR] [--events FILE.jsonl] [--passes 1..100]   (scores a JSON-lines stream one event at a time and reports latency and quality)';
const CONVERT_USAGE = 'riskscore convert-xgboost MODEL.json OUT.onnx   (xgboost JSON → ONNX with cover in nodes_hitrates)';
const FEATURES_USAGE = 'riskscore features --spec SPEC.json --input EVENTS[.csv|.csv.gz|.arrow] --output OUT[.csv|.arrow]   (offline features; features --help for more)';
const REPORT_USAGE = 'riskscore report --bundle DIR --events FILE.jsonl --out report.html [--group FIELD]';

/** Each command's usage line(s), for `riskscore CMD --help` and the overview. */
const USAGES: Record<string, string> = {
  demo: DEMO_USAGE, score: SCORE_USAGE, bundle: BUNDLE_USAGE, 'convert-xgboost': CONVERT_USAGE, verify: VERIFY_USAGE,
  keygen: KEYGEN_USAGE, sign: SIGN_USAGE, features: FEATURES_USAGE, report: REPORT_USAGE, serve: SERVE_USAGE.replace('usage: ', ''), stream: STREAM_USAGE,
};
const USAGE = `usage:\n${Object.values(USAGES).map((u) => `  ${u}`).join('\n')}\n\nexit codes: 0 done, 1 the data or a file was refused, 2 a usage error (a flag); --debug shows a stack`;

function usageError(message: string, cmd: string): RiskscoreError {
  return new RiskscoreError('invalid_argument', `${message}\nusage: ${USAGES[cmd]}`, { path: ['args'] });
}

function parseFlags(args: string[], cmd: string, options: NonNullable<ParseArgsConfig['options']>, positionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: positionals > 0 });
  } catch (e) {
    throw usageError((e as Error).message, cmd);
  }
  if (parsed.positionals.length > positionals) throw usageError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals])}`, cmd);
  return parsed;
}

async function runDemoCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, 'demo', { bundle: { type: 'string' }, events: { type: 'string' }, passes: { type: 'string' } });
  const passes = values.passes === undefined ? 3 : Number(values.passes);
  if (!Number.isInteger(passes) || passes < 1 || passes > 100) throw new RiskscoreError('invalid_argument', `--passes must be an integer from 1 to 100, got ${JSON.stringify(values.passes)}\nusage: ${DEMO_USAGE}`, { path: ['--passes'] });
  const bundleDir = (values.bundle as string | undefined) ?? resolve(EXAMPLE, 'bundle');
  const eventsFile = (values.events as string | undefined) ?? resolve(EXAMPLE, 'demo-events.jsonl');
  if ((values.bundle === undefined || values.events === undefined) && !existsSync(EXAMPLE)) {
    throw usageError(`the example bundle is not installed with this package (looked in ${EXAMPLE}); pass --bundle DIR and --events FILE.jsonl`, 'demo');
  }
  await runDemo({ bundleDir, eventsFile, passes });
  return 0;
}

async function runConvertCommand(args: string[]): Promise<number> {
  const { positionals } = parseFlags(args, 'convert-xgboost', {}, 2);
  const [input, output] = positionals;
  if (!input || !output) throw usageError('MODEL.json and OUT.onnx are required', 'convert-xgboost');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(input, 'utf8'));
  } catch (e) {
    throw new RiskscoreError('invalid_argument', `${input} is not a readable JSON file (${(e as Error).message.slice(0, 160)}); save the model with save_model("model.json")`, { path: ['MODEL.json'] });
  }
  const bytes = onnxFromXgboostJson(json);
  try {
    await writeFile(output, bytes);
  } catch (e) {
    throw new RiskscoreError('invalid_argument', `cannot write ${output}: ${(e as Error).message.slice(0, 160)}`, { path: ['OUT.onnx'] });
  }
  console.log(`wrote ${output} (${bytes.length} bytes): TreeEnsembleRegressor + Sigmoid, cover in nodes_hitrates`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv.filter((a) => a !== '--debug');
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') { console.log(USAGE); return 0; }
  if (!(cmd in USAGES)) { console.error(`riskscore: no command ${JSON.stringify(cmd)}\n${USAGE}`); return 2; }
  if (cmd !== 'features' && (args.includes('--help') || args.includes('-h'))) { console.log(`usage: ${USAGES[cmd]}`); return 0; }
  switch (cmd) {
    case 'demo': return runDemoCommand(args);
    case 'score': return runScoreCommand(args);
    case 'bundle': return runBundleCommand(args);
    case 'convert-xgboost': return runConvertCommand(args);
    case 'verify': return runVerify(args, resolve(EXAMPLE, 'bundle'));
    case 'keygen': return runKeygen(args);
    case 'sign': return runSign(args);
    case 'features': return runFeaturesCommand(args);
    case 'report': return runReportCommand(args);
    case 'stream': return runStreamCommand(args);
    default:
      await runServe(args);
      return new Promise<number>(() => {}); // runs until a signal stops it
  }
}

/** A usage error (a flag or an argument) exits 2; anything the data or a file caused, 1. */
const isUsage = (e: { code: string; path: ReadonlyArray<string | number> }): boolean => e.code === 'invalid_argument' && (e.path[0] === 'args' || (typeof e.path[0] === 'string' && e.path[0].startsWith('--')));
const debug = process.argv.includes('--debug');

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (RiskscoreError.isInstance(e)) {
      console.error(`riskscore: ${e.code} at ${JSON.stringify(e.path)}: ${e.message}`);
      process.exitCode = isUsage(e) ? 2 : 1;
    } else {
      console.error(`riskscore: internal error: ${e instanceof Error ? e.message : String(e)}${debug ? '' : ' (run with --debug for the stack, and report it)'}`);
      process.exitCode = 1;
    }
    if (debug) console.error(e);
  },
);
