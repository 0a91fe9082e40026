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
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnxFromXgboostJson, RiskscoreError } from '@riskscore/core';
import { runDemo } from './cli/demo';
import { runFeaturesCommand } from './offline/index';
import { runReportCommand } from './report/index';
import { BUNDLE_USAGE, runBundleCommand } from './cli/bundle-command';
import { runScoreCommand, SCORE_USAGE } from './cli/score-command';
import { runServe, SERVE_USAGE } from './cli/serve';
import { KEYGEN_USAGE, runKeygen, runSign, runVerify, SIGN_USAGE, VERIFY_USAGE } from './cli/sign';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The example bundle in this repository (used when --bundle is not given). */
const EXAMPLE = resolve(HERE, '..', '..', '..', 'examples', 'taiwan-credit');

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const USAGE = `usage:
  riskscore demo [--bundle DIR] [--events FILE.jsonl] [--passes N]
  ${SCORE_USAGE}
  ${BUNDLE_USAGE}
  riskscore convert-xgboost MODEL.json OUT.onnx
  ${VERIFY_USAGE}
  ${KEYGEN_USAGE}
  ${SIGN_USAGE}
  riskscore features --spec SPEC.json --input EVENTS[.csv|.csv.gz|.arrow] --output OUT[.csv|.arrow]
  riskscore report --bundle DIR --events FILE.jsonl --out report.html [--group FIELD]
  ${SERVE_USAGE.replace('usage: ', '')}`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'demo': {
      await runDemo({
        bundleDir: flag(args, 'bundle') ?? resolve(EXAMPLE, 'bundle'),
        eventsFile: flag(args, 'events') ?? resolve(EXAMPLE, 'demo-events.jsonl'),
        passes: Number(flag(args, 'passes') ?? 3),
      });
      return 0;
    }
    case 'score':
      return runScoreCommand(args);
    case 'bundle':
      return runBundleCommand(args);
    case 'convert-xgboost': {
      const [input, output] = args;
      if (!input || !output) { console.error(USAGE); return 2; }
      const bytes = onnxFromXgboostJson(JSON.parse(await readFile(input, 'utf8')));
      await writeFile(output, bytes);
      console.log(`wrote ${output} (${bytes.length} bytes): TreeEnsembleRegressor + Sigmoid, cover in nodes_hitrates`);
      return 0;
    }
    case 'verify':
      return runVerify(args, resolve(EXAMPLE, 'bundle'));
    case 'keygen':
      return runKeygen(args);
    case 'sign':
      return runSign(args);
    case 'features':
      return runFeaturesCommand(args);
    case 'report':
      return runReportCommand(args);
    case 'serve':
      await runServe(args);
      return new Promise<number>(() => {}); // runs until a signal stops it
    default:
      console.error(USAGE);
      return cmd === undefined || cmd === 'help' || cmd === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (RiskscoreError.isInstance(e)) console.error(`riskscore: ${e.code} at ${JSON.stringify(e.path)}: ${e.message}`);
    else console.error(e);
    process.exitCode = 1;
  },
);
