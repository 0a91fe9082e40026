import { readFileSync } from 'node:fs';
import { isRiskscoreError } from '@riskscore/core';
import { computeFeaturesFile } from './compute-features-file';

const USAGE = `usage: riskscore features --spec SPEC.json --input EVENTS [--input MORE …] --output OUT
                          [--format csv|arrow] [--keep COL,COL] [--limit N] [--float64] [--no-progress]

Computes the spec's features over time-ordered events (CSV, .csv.gz or Arrow IPC; several
--input files are read in order as one stream) and writes them, with the kept columns
(default: id, timestamp, label), as CSV or an Arrow IPC file.`;

/**
 * The `riskscore features` subcommand. Returns the process exit code: 0 on success, 2 for
 * bad arguments, 1 when the spec or an event is refused (the message names the field).
 *
 * @example
 * process.exitCode = await runFeaturesCommand(['--spec', 's.json', '--input', 'tx.csv.gz', '--output', 'f.arrow']);
 */
export async function runFeaturesCommand(argv: string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  const inputs: string[] = [];
  let spec: string | undefined;
  let output: string | undefined;
  let format: 'csv' | 'arrow' | undefined;
  let keep: string[] | undefined;
  let limit: number | undefined;
  let float64 = false;
  let progress = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string | undefined => argv[++i];
    switch (a) {
      case '--spec': spec = val(); break;
      case '--input': { const v = val(); if (v) inputs.push(v); break; }
      case '--output': output = val(); break;
      case '--format': {
        const v = val();
        if (v !== 'csv' && v !== 'arrow') { err.write(`--format must be csv or arrow, got ${v}\n${USAGE}\n`); return 2; }
        format = v; break;
      }
      case '--keep': keep = (val() ?? '').split(',').filter((s) => s !== ''); break;
      case '--limit': {
        limit = Number(val());
        if (!Number.isInteger(limit) || limit < 0) { err.write(`--limit must be a non-negative integer\n${USAGE}\n`); return 2; }
        break;
      }
      case '--float64': float64 = true; break;
      case '--no-progress': progress = false; break;
      case '-h': case '--help': out.write(`${USAGE}\n`); return 0;
      default: err.write(`unknown argument ${a}\n${USAGE}\n`); return 2;
    }
  }
  if (!spec || inputs.length === 0 || !output) {
    err.write(`--spec, --input and --output are required\n${USAGE}\n`);
    return 2;
  }
  try {
    const specJson: unknown = JSON.parse(readFileSync(spec, 'utf8'));
    const r = await computeFeaturesFile({ spec: specJson, inputs, output, format, keep, limit, float64, progress });
    out.write(`wrote ${r.rows} rows × ${r.features} features to ${output} in ${r.seconds.toFixed(2)} s (${Math.round(r.rowsPerSecond).toLocaleString('en-US')} rows/s)\n`);
    return 0;
  } catch (e) {
    if (isRiskscoreError(e)) {
      err.write(`riskscore features: ${e.code} at ${e.path.join('.') || '(root)'}: ${e.message}\n`);
      return 1;
    }
    if (e instanceof SyntaxError) {
      err.write(`riskscore features: ${spec} is not valid JSON: ${e.message}\n`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      err.write(`riskscore features: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
