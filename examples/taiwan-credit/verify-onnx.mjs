// Runs mlp.onnx and ft_transformer.onnx with onnxruntime-node on the goldens and
// reports the max |onnx - torch| logit difference. Usage (repo root, after npm install):
//   node examples/taiwan-credit/verify-onnx.mjs
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";

const art = join(dirname(fileURLToPath(import.meta.url)), "artifacts");
const g = JSON.parse(readFileSync(join(art, "goldens.json"), "utf8"));
const n = g.rows.length, f = g.features.length;
const data = new Float32Array(n * f);
g.rows.forEach((row, i) => row.forEach((v, j) => { data[i * f + j] = v === null ? NaN : v; }));
let worst = 0;
for (const [file, key] of [["mlp.onnx", "mlp_logit"], ["ft_transformer.onnx", "ft_transformer_logit"]]) {
  const s = await ort.InferenceSession.create(join(art, file));
  const out = await s.run({ features: new ort.Tensor("float32", data, [n, f]) });
  const logit = out.logit;
  if (logit.dims.join() !== `${n},1`) throw new Error(`${file}: bad output dims ${logit.dims}`);
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(logit.data[i] - g[key][i]));
  // batch of 1 too (dynamic axis)
  const one = await s.run({ features: new ort.Tensor("float32", data.slice(0, f), [1, f]) });
  max = Math.max(max, Math.abs(one.logit.data[0] - g[key][0]));
  console.log(`${file}: ${n} rows, max |onnx - torch| = ${max.toExponential(3)}`);
  worst = Math.max(worst, max);
}
if (!(worst < 1e-4)) { console.error("FAIL: difference above 1e-4"); process.exit(1); }
console.log("OK");
