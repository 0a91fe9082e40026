// The script of the browser test page: fetch the bundle from the test server, score the
// events with onnxruntime-web (wasm) through @riskscore/browser, and publish the results.
import { createScorer } from '@riskscore/core';
import { createWebBackend, loadBundleFromUrl } from '@riskscore/browser';

declare global {
  interface Window {
    riskscoreResult?: { scores: number[]; logits: number[]; decisions: string[]; model: string; single: number } | { error: string };
  }
}

async function main(): Promise<void> {
  const events = (await (await fetch('/events.json')).json()) as unknown[];
  const bundle = await loadBundleFromUrl('/bundle/');
  const scorer = await createScorer(bundle, { backend: createWebBackend({ wasmPaths: '/ort/' }) });
  const res = await scorer.scoreBatch(events);
  const single = await scorer.score(events[0]);
  window.riskscoreResult = {
    scores: res.map((r) => r.score),
    logits: res.map((r) => r.logit),
    decisions: res.map((r) => r.decision),
    model: res[0].model,
    single: single.score,
  };
}

main().catch((e: unknown) => {
  window.riskscoreResult = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
});
