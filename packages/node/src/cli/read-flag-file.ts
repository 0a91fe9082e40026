/**
 * Reading a file a CLI flag names (a key, a list of API keys): one refusal for every
 * command, naming the flag and the file. A file that cannot be read is the data's
 * problem (exit 1), not the flag's, so the path is `[flag without --, file]`.
 */
import { readFile } from 'node:fs/promises';
import { RiskscoreError } from '@riskscore/core';

export async function readFlagFile(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new RiskscoreError('invalid_argument', `${flag}: ${file} cannot be read (${(e as Error).message.slice(0, 120)})`, { path: [flag.replace(/^--/, ''), file] });
  }
}
