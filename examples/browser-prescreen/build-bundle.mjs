// Builds the trees-only Taiwan bundle this example scores with by default:
//
//   npm run build && node examples/browser-prescreen/build-bundle.mjs
//
// Same as `riskscore bundle --config examples/browser-prescreen/bundle-trees.json --out
// examples/browser-prescreen/bundle-trees`: the Taiwan bundle's XGBoost member
// (examples/taiwan-credit/artifacts/xgboost.json, converted by riskscore's converter) with
// weight 1, bias 0 and an identity Platt map (xgboost's own probabilities), the same input
// schema, decision policy and reason texts, background rows and drift reference. A bundle
// of tree members runs natively in TypeScript: the page loads no onnxruntime-web at all.
// Deterministic: rerunning changes no byte.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle } from '@riskscore/node';

const here = dirname(fileURLToPath(import.meta.url));
const built = await buildBundle(join(here, 'bundle-trees.json'), { outDir: join(here, 'bundle-trees') });
if (built.members.map((m) => m.name).join() !== 'xgboost') throw new Error('unexpected members');
console.log(`wrote ${join(here, 'bundle-trees')}: ${built.members.map((m) => `${m.name} (${m.kind})`).join(', ')}`);
