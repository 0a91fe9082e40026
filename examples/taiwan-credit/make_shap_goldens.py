"""xgboost's own TreeSHAP (pred_contribs) for the Taiwan bundle's golden rows.

Rerun from the repository root after train.py (Debian python3-xgboost 1.7.4, ~2 s):

    /usr/bin/python3 examples/taiwan-credit/make_shap_goldens.py

Reads artifacts/xgboost.json and artifacts/goldens.json (300 test rows, 90 with NaNs)
and writes artifacts/shap_goldens.json: for each row the 23 contributions and the bias
(last), from Booster.predict(pred_contribs=True) with nthread=1. The TS tests explain
the bundle's converted ONNX trees (cover read back from nodes_hitrates) against these.
"""
import json, os
import numpy as np
import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))
g = json.load(open(os.path.join(HERE, 'artifacts', 'goldens.json')))
rows = np.array([[np.nan if v is None else v for v in r] for r in g['rows']], dtype=np.float32)
bst = xgb.Booster({'nthread': 1})
bst.load_model(os.path.join(HERE, 'artifacts', 'xgboost.json'))
contribs = bst.predict(xgb.DMatrix(rows, missing=np.nan, feature_names=g['features']), pred_contribs=True)
json.dump({'xgboost_version': xgb.__version__, 'contribs': np.asarray(contribs, dtype=np.float64).tolist()},
          open(os.path.join(HERE, 'artifacts', 'shap_goldens.json'), 'w'))
print('wrote shap_goldens.json', contribs.shape)
