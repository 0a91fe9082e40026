"""xgboost's own TreeSHAP (pred_contribs) for the fraud bundle's golden rows.

Rerun from the repository root after train.py (Debian python3-xgboost 1.7.4, ~3 s):

    /usr/bin/python3 examples/fdh-fraud/make_shap_goldens.py

Reads artifacts/xgboost.json and the 200 test-period feature rows of artifacts/goldens.json.
The fraud spec never emits NaN (empty windows are 0), so the first 100 rows are also
written with 5 % of their cells blanked (seeded), to exercise the trees' default
directions. Writes artifacts/shap_goldens.json: `nan_rows` (those rows, NaN as null) and,
for `rows` and `nan_rows`, Booster.predict(pred_contribs=True) with nthread=1: the 206
contributions and the bias (last) per row.
"""
import json, os
import numpy as np
import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))
g = json.load(open(os.path.join(HERE, 'artifacts', 'goldens.json')))
bst = xgb.Booster({'nthread': 1})
bst.load_model(os.path.join(HERE, 'artifacts', 'xgboost.json'))
rows = np.array(g['rows'], dtype=np.float32)
nan_rows = rows[:100].copy()
nan_rows[np.random.default_rng(11).random(nan_rows.shape) < 0.05] = np.nan
out = {'xgboost_version': xgb.__version__,
       'nan_rows': [[None if np.isnan(v) else float(v) for v in r] for r in nan_rows]}
for key, m in (('rows', rows), ('nan_rows_contribs', nan_rows)):
    d = xgb.DMatrix(m, missing=np.nan, feature_names=bst.feature_names)
    out[key if key != 'rows' else 'rows_contribs'] = np.asarray(bst.predict(d, pred_contribs=True), dtype=np.float64).round(9).tolist()
json.dump(out, open(os.path.join(HERE, 'artifacts', 'shap_goldens.json'), 'w'))
print('wrote shap_goldens.json', {k: len(v) for k, v in out.items() if isinstance(v, list)})
