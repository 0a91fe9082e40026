import { type BinaryLabels, checkBinaryInputs } from '../quality/binary-inputs';
import { checkGroups, type GroupCodes } from './group-codes';

/**
 * Kamiran–Calders reweighing (Kamiran & Calders 2012, "Data preprocessing techniques for
 * classification without discrimination", KAIS 33): each training row of group g with
 * label y gets w(g, y) = P(g)·P(y) / P(g, y) = n_g·n_y / (N·n_gy), so that under the
 * weights group and label are independent (weighted P(y | g) = P(y) for every group)
 * while each group keeps its total size.
 *
 * @returns per-row weights, and the weight table as `table[g * 2 + y]` (0 where the cell is empty)
 * @example
 * kamiranCaldersWeights(new Uint8Array([1, 0, 0, 0]), new Uint8Array([0, 0, 1, 1]));
 * // weights [0.5, 1.5, 0.75, 0.75]: for group 0, label 1: n_g·n_y/(N·n_gy) = 2·1/(4·1)
 */
export function kamiranCaldersWeights(labels: BinaryLabels, groups: GroupCodes): { weights: Float64Array; table: Float64Array } {
  const dummy = new Float64Array(labels.length);
  checkBinaryInputs('kamiranCaldersWeights', dummy, labels, false);
  const G = checkGroups('kamiranCaldersWeights', groups, labels.length);
  const N = labels.length;
  const cell = new Float64Array(G * 2), ng = new Float64Array(G);
  let npos = 0;
  for (let i = 0; i < N; i++) {
    cell[groups[i] * 2 + labels[i]]++;
    ng[groups[i]]++;
    npos += labels[i];
  }
  const ny = [N - npos, npos];
  const table = new Float64Array(G * 2);
  for (let g = 0; g < G; g++) for (let y = 0; y < 2; y++) if (cell[g * 2 + y] > 0) table[g * 2 + y] = (ng[g] * ny[y]) / (N * cell[g * 2 + y]);
  const weights = new Float64Array(N);
  for (let i = 0; i < N; i++) weights[i] = table[groups[i] * 2 + labels[i]];
  return { weights, table };
}
