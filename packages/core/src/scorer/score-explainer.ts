/**
 * Explanations of one score: each member's attributions in logit space (exact TreeSHAP
 * for tree members, KernelSHAP over the bundle's background sample for neural ones),
 * combined with the ensemble's weights so they sum to the ensemble logit, grouped back
 * to raw fields through the feature lineage, and turned into reason codes: the fields
 * that pushed the risk up most, with the manifest's texts.
 */
import {
  combineEnsembleAttributions, createFieldGrouping, createKernelExplainer, createTreeExplainer, topAdverseFactors,
  type KernelExplainer, type TreeExplainer,
} from '@riskscore/explain';
import type { LoadedBundle } from '../bundle/load-bundle';
import { RiskscoreError } from '../errors';

/** What `score(event, { explain })` computes. */
export interface ExplainOptions {
  /**
   * Neural members: `kernel` (default) explains them with KernelSHAP, so the attributions
   * add up to the ensemble logit; `omit` explains tree members only (fast, for reason
   * codes under a latency budget) and marks the explanation incomplete.
   */
  neural?: 'kernel' | 'omit';
  /** Background rows KernelSHAP integrates over (default 20, from the bundle's sample). */
  kernelBackground?: number;
  /** Coalitions KernelSHAP samples (default 2·features + 256). */
  kernelSamples?: number;
  /** KernelSHAP seed (default 0). */
  seed?: number;
  /** How many reason codes (default 4). */
  topK?: number;
}

/** The attributions behind a score. */
export interface ScoreExplanation {
  /** The ensemble's base value in logit space (Σ values + base = logit when complete). */
  base: number;
  /** Per feature, in the bundle's feature order. */
  features: Array<{ name: string; value: number; attribution: number }>;
  /** Per raw input field (features summed through their lineage), largest |attribution| first. */
  fields: Array<{ name: string; attribution: number }>;
  /** True when every member was explained (the attributions then sum to the logit). */
  complete: boolean;
  /** Each explained member's attributions (nFeatures + 1, bias last), in logit space. */
  members: Record<string, Float64Array>;
}

/** A member as the explainer needs it: a batch logit function and, for trees, the trees. */
export interface ExplainableMember {
  name: string;
  weight: number;
  trees: LoadedBundle['members'][number]['trees'];
  treeOutputIsProbability: boolean;
  run(rows: Float32Array, nRows: number, out: Float64Array): Promise<void> | void;
}

/** Creates the explainer for one scorer; member explainers are built on first use. */
export function createScoreExplainer(bundle: LoadedBundle, members: ExplainableMember[], lineage: ReadonlyArray<readonly string[]>) {
  const { manifest } = bundle;
  const names = manifest.features.order;
  const nF = names.length;
  const grouping = createFieldGrouping(lineage);
  const reasonTexts = manifest.reasonCodes;
  const treeExplainers = new Map<string, TreeExplainer>();
  const kernelExplainers = new Map<string, KernelExplainer>();

  const treeExplainer = (m: ExplainableMember): TreeExplainer => {
    let e = treeExplainers.get(m.name);
    if (!e) treeExplainers.set(m.name, (e = createTreeExplainer(m.trees!)));
    return e;
  };
  const kernelExplainer = (m: ExplainableMember, o: ExplainOptions): KernelExplainer => {
    const nBg = Math.min(o.kernelBackground ?? 20, bundle.background ? bundle.background.length / nF : 0);
    const key = `${m.name}/${nBg}/${o.kernelSamples}/${o.seed}`;
    let e = kernelExplainers.get(key);
    if (!e) {
      if (!bundle.background || nBg < 1) {
        throw new RiskscoreError('invalid_argument', `explaining neural member ${m.name} needs the bundle's background sample (manifest.background) or { neural: 'omit' }`, {
          path: ['background'],
        });
      }
      e = createKernelExplainer({
        predict: async (rows, nRows) => {
          const out = new Float64Array(nRows);
          await m.run(rows, nRows, out);
          return out;
        },
        nFeatures: nF, background: bundle.background.subarray(0, nBg * nF), nBackground: nBg,
        nSamples: o.kernelSamples ?? 2 * nF + 256, seed: o.seed ?? 0, maxExactFeatures: 10,
      });
      kernelExplainers.set(key, e);
    }
    return e;
  };

  return {
    /** Explains the feature row `row` (one row) whose ensemble logit is `logit`. */
    async explain(row: Float32Array, o: ExplainOptions): Promise<{ explanation: ScoreExplanation; reasons: Array<{ code: string; text: string; ref: string }> }> {
      const perMember: Float64Array[] = [];
      const weights: number[] = [];
      const byName: Record<string, Float64Array> = {};
      let complete = true;
      for (const m of members) {
        let phi: Float64Array;
        if (m.trees && !m.treeOutputIsProbability) phi = treeExplainer(m).explainRow(row, new Float64Array(nF + 1));
        else if (o.neural === 'omit') { complete = false; continue; }
        else phi = await kernelExplainer(m, o).explain(row, new Float64Array(nF + 1));
        perMember.push(phi);
        weights.push(m.weight);
        byName[m.name] = phi;
      }
      const combined = new Float64Array(nF + 1);
      combineEnsembleAttributions(perMember, weights, complete ? manifest.ensemble.bias : 0, combined);
      const grouped = grouping.group(combined, new Float64Array(grouping.fields.length + 1));
      const fields = grouping.fields.map((name, i) => ({ name, attribution: grouped[i] })).sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution));
      const top = topAdverseFactors(grouped.subarray(0, grouping.fields.length), { k: o.topK ?? 4, names: grouping.fields, adverseSign: 1 });
      const seen = new Set<string>();
      const reasons: Array<{ code: string; text: string; ref: string }> = [];
      for (const f of top) {
        const t = reasonTexts[f.name];
        const code = t?.code ?? f.name;
        if (seen.has(code)) continue; // two fields with one reason text report it once
        seen.add(code);
        reasons.push({ code, text: t?.text ?? `${f.name} raised the risk`, ref: f.name });
      }
      return {
        explanation: {
          base: combined[nF],
          features: names.map((name, i) => ({ name, value: row[i], attribution: combined[i] })),
          fields,
          complete,
          members: byName,
        },
        reasons,
      };
    },
  };
}
