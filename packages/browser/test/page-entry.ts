// The script of the browser test page: fetch the bundle from the test server, score the
// events with onnxruntime-web (wasm) through @riskscore/browser, and publish the results.
// The demo events blank cells at random; the shipped bundle requires every field, so the
// page publishes which events it refuses, and scores all of them with a copy whose
// fields are optional (what a deployment accepting partial applications would ship).
import { createScorer, type LoadedBundle } from '@riskscore/core';
import { createWebBackend, loadBundleFromUrl } from '@riskscore/browser';

declare global {
  interface Window {
    riskscoreResult?: {
      scores: number[];
      logits: number[];
      decisions: string[];
      model: string;
      single: number;
      /** The events the shipped bundle refused, with the error's code and path. */
      refused: Array<{ index: number; code: string; path: Array<string | number> }>;
      /** The signed copy's signer, and the code the unsigned bundle is refused with under the same trust. */
      trust: { signedBy: string | null; unsigned: string };
    } | { error: string };
  }
}

/**
 * As `partialApplications` in packages/node/test/taiwan.ts (which reads files with
 * node:fs, so the page cannot import it): the bundle with every input field optional.
 */
function partialApplications(bundle: LoadedBundle): LoadedBundle {
  const { manifest } = bundle;
  return { ...bundle, manifest: { ...manifest, input: { ...manifest.input, fields: manifest.input.fields.map((f) => ({ ...f, required: false })) } } };
}

async function main(): Promise<void> {
  const events = (await (await fetch('/events.json')).json()) as unknown[];
  const bundle = await loadBundleFromUrl('/bundle/');
  const backend = createWebBackend({ wasmPaths: '/ort/' });
  const strict = await createScorer(bundle, { backend });
  const refused: Array<{ index: number; code: string; path: Array<string | number> }> = [];
  (await strict.scoreBatch(events)).forEach((o, index) => {
    if (!o.ok) refused.push({ index, code: o.error.code, path: [...o.error.path] });
  });
  await strict.close();
  const scorer = await createScorer(partialApplications(bundle), { backend });
  const res = (await scorer.scoreBatch(events)).map((o, i) => {
    if (!o.ok) throw new Error(`event ${i} refused: ${o.error.message}`);
    return o.result;
  });
  const single = await scorer.score(events[0]);
  await scorer.close();
  const { publicKey } = (await (await fetch('/trust.json')).json()) as { publicKey: string };
  const trust = { trust: { publicKeys: [publicKey] } };
  const signedBy = (await loadBundleFromUrl('/signed/', undefined, trust)).signedBy;
  let unsigned = 'accepted';
  try {
    await loadBundleFromUrl('/bundle/', undefined, trust);
  } catch (e) {
    unsigned = (e as { code?: string }).code ?? String(e);
  }
  window.riskscoreResult = {
    scores: res.map((r) => r.score),
    logits: res.map((r) => r.logit),
    decisions: res.map((r) => r.decision),
    model: res[0].model,
    single: single.score,
    refused,
    trust: { signedBy, unsigned },
  };
}

main().catch((e: unknown) => {
  window.riskscoreResult = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
});
