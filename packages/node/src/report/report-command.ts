import { readFile, writeFile } from 'node:fs/promises';
import { RiskscoreError } from '@riskscore/core';
import { loadBundleFromDir } from '../bundle/bundle-dir';
import { readEventLines } from '../cli/demo';
import { createRiskReport } from './create-risk-report';

const USAGE = `usage: riskscore report --bundle DIR --events FILE.jsonl --out report.html
                        [--reference PROFILE.json | --reference-rows ROWS.json] [--group FIELD|GROUPING] [--title TEXT]

Scores the events ({"event": {...}, "label": 0|1|null} per line) with the bundle and writes
one self-contained HTML page: drift per feature and of the score against the reference
profile (the bundle's, --reference, or one profiled from --reference-rows, a JSON array of
feature rows that are also scored), ROC and calibration when labels are present, and rates
by group of --group: an input field (shown by its category labels) or a grouping the
manifest derives from one (its "groups", such as AGE_BAND).`;

/**
 * The `riskscore report` subcommand. Returns the exit code: 0 written, 2 bad arguments,
 * 1 when the bundle, the events or the reference are refused (the message names them).
 *
 * @example
 * process.exitCode = await runReportCommand(['--bundle', 'bundle', '--events', 'events.jsonl', '--out', 'report.html']);
 */
export async function runReportCommand(argv: string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  const opt: Record<string, string | undefined> = {};
  const known = ['--bundle', '--events', '--out', '--reference', '--reference-rows', '--group', '--title'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') { out.write(`${USAGE}\n`); return 0; }
    if (!known.includes(a)) { err.write(`unknown argument ${a}\n${USAGE}\n`); return 2; }
    const v = argv[++i];
    if (v === undefined || v.startsWith('--')) { err.write(`${a} needs a value\n${USAGE}\n`); return 2; }
    opt[a.slice(2)] = v;
  }
  if (!opt.bundle || !opt.events || !opt.out) { err.write(`--bundle, --events and --out are required\n${USAGE}\n`); return 2; }
  if (opt.reference && opt['reference-rows']) { err.write(`give --reference or --reference-rows, not both\n${USAGE}\n`); return 2; }
  try {
    const bundle = await loadBundleFromDir(opt.bundle);
    const events = await readEventLines(opt.events);
    const reference = opt.reference ? JSON.parse(await readFile(opt.reference, 'utf8')) as unknown : undefined;
    const referenceRows = opt['reference-rows'] ? JSON.parse(await readFile(opt['reference-rows'], 'utf8')) as Array<Array<number | null>> : undefined;
    if (referenceRows !== undefined && !Array.isArray(referenceRows)) { err.write(`riskscore report: ${opt['reference-rows']} must hold a JSON array of feature rows\n`); return 1; }
    const { html, data } = await createRiskReport({ bundle, events, reference, referenceRows, groupField: opt.group, title: opt.title });
    await writeFile(opt.out, html);
    out.write(`wrote ${opt.out}: ${data.scored} of ${data.events} events scored, ${data.labelled} labelled, ${data.drift ? `${data.drift.alerts.length} drift alerts` : 'no reference profile (no drift section)'}\n`);
    return 0;
  } catch (e) {
    if (RiskscoreError.isInstance(e)) {
      err.write(`riskscore report: ${e.code} at ${e.path.join('.') || '(root)'}: ${e.message}\n`);
      return 1;
    }
    if (e instanceof SyntaxError || (e as NodeJS.ErrnoException).code === 'ENOENT' || /not JSON/.test((e as Error).message)) {
      err.write(`riskscore report: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
