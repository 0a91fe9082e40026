#!/usr/bin/python3
"""Train the fraud bundle's members on the Fraud Detection Handbook transactions.

Rerun (from the repository root; step 1 writes the features this script reads):

    npm run build && node examples/fdh-fraud/src/extract-features.mjs      # ~1 min
    /usr/bin/python3 examples/fdh-fraud/train.py                           # ~5-8 min
    node examples/fdh-fraud/build-bundle.mjs                               # seconds

or all three with `node examples/fdh-fraud/src/rebuild.mjs`.

Runtime: about 5-8 minutes with one thread on the shared 2-core box (XGBoost ~1-2 min,
MLP ~1 min, FT-Transformer ~4-5 min, baseline XGBoost seconds). Fixed seeds, one thread;
the outputs are deterministic for a given machine / library build.

Requirements (Debian packages): xgboost 1.7.4, torch 1.13 (CPU), onnx 1.12,
scikit-learn 1.2.1, numpy, pandas.

Input (the work folder, default /tmp/riskscore-fdh-fraud, written by extract-features.mjs
with @riskscore/features' offline pass; features are never recomputed here):
  fraud.f32      rows x 206 float32 features (packages/features/specs/fdh-fraud-v1.json)
  baseline.f32   rows x 15 float32 features (the handbook's baseline, fdhBaselineSpec)
  meta.f64       rows x 10 float64: TRANSACTION_ID, TX_TIME_SECONDS, TX_TIME_DAYS,
                 CUSTOMER_ID, TERMINAL_ID, TX_AMOUNT, TX_FRAUD, TX_FRAUD_SCENARIO, split,
                 handbook_test
  features.json  feature names, counts, protocol

Splits (days since 2018-04-01; every label used is known by 2018-08-07, before the test):
  1 train       2018-05-01..07-24, every fraud + a seeded 20 % of the genuine transactions
  2 stack       2018-07-25..07-28, all rows: stacked logistic combiner (weights, bias)
  3 platt       2018-07-29..07-31, all rows: Platt calibration of the ensemble logit
  4 test        2018-08-08..08-14, all rows (the handbook's test set is handbook_test == 1)
The baseline XGBoost (defaults) trains on the handbook's training week 2018-07-25..31
(splits 2 + 3, all rows) with the 15 baseline features, as the handbook does.

Writes to examples/fdh-fraud/artifacts/:
  xgboost.json, baseline_xgboost.json    XGBoost 1.7.4 boosters (save_model JSON)
  mlp.onnx, ft_transformer.onnx          raw 206 features -> logit (preprocessing in-graph)
  train_summary.json                     members, weights, calibration, metrics, timings
  background.json                        100 training rows (attribution background)
  reference_sample.json                  2,000 training rows (drift reference profile)
  goldens.json                           200 test rows with every member's output
  metrics_slice.json                     a 4,000-row test slice with scores + sklearn/pandas metrics
and the full test-period predictions to WORK/test_predictions.json (for evaluate.mjs).
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import platform
import time

import numpy as np
import pandas as pd

SEED = 20240801
HERE = os.path.dirname(os.path.abspath(__file__))
ART = os.path.join(HERE, "artifacts")
OPSET = 14
N_TREES = 400
FT_TOP_K = 32
N_REFERENCE = 2000
N_BACKGROUND = 100
N_GOLDEN = 200
N_SLICE = 4000


def log(msg: str) -> None:
    print(msg, flush=True)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def json_num(v):
    f = float(v)
    if math.isnan(f):
        return None
    if math.isinf(f):
        raise ValueError("infinite value")
    return f


def json_feature(v):
    """A float32 feature value as the shortest decimal that reads back to the same float32
    (Math.fround in JS gives the identical value); NaN -> null."""
    f = float(v)
    if math.isnan(f):
        return None
    if f.is_integer() and abs(f) < 2**53:
        return int(f)
    return float(repr(np.float32(v)))


def write_json(path, obj):
    with open(path, "w") as fh:
        json.dump(obj, fh, allow_nan=False, separators=(",", ":"))
        fh.write("\n")


# ----------------------------------------------------------------------------- data

def load(work):
    info = json.load(open(os.path.join(work, "features.json")))
    fnames, bnames, mcols = info["fraud_features"], info["baseline_features"], info["meta_columns"]
    meta = np.fromfile(os.path.join(work, "meta.f64"), dtype=np.float64).reshape(-1, len(mcols))
    n = meta.shape[0]
    X = np.fromfile(os.path.join(work, "fraud.f32"), dtype=np.float32).reshape(n, len(fnames))
    XB = np.fromfile(os.path.join(work, "baseline.f32"), dtype=np.float32).reshape(n, len(bnames))
    meta = pd.DataFrame(meta, columns=mcols)
    for c in ["TRANSACTION_ID", "TX_TIME_SECONDS", "TX_TIME_DAYS", "CUSTOMER_ID", "TERMINAL_ID", "TX_FRAUD",
              "TX_FRAUD_SCENARIO", "split", "handbook_test"]:
        meta[c] = meta[c].astype(np.int64)
    return info, fnames, bnames, meta, X, XB


# ----------------------------------------------------------------------------- metrics

def card_precision_top_k(df, k=100):
    """The handbook's card_precision_top_k (chapter 4.2): per day, max score and max label
    per customer, top k customers; customers found on earlier days are removed; mean."""
    detected = set()
    per_day = []
    for day in sorted(df.TX_TIME_DAYS.unique()):
        d = df[(df.TX_TIME_DAYS == day) & (~df.CUSTOMER_ID.isin(detected))][["predictions", "CUSTOMER_ID", "TX_FRAUD"]]
        g = d.groupby("CUSTOMER_ID").max().reset_index()
        # ties broken by the smaller customer id, as explain's cardPrecisionAtK does
        g = g.sort_values(["predictions", "CUSTOMER_ID"], ascending=[False, True], kind="mergesort")
        top = g.head(k)
        found = list(top[top.TX_FRAUD == 1].CUSTOMER_ID)
        per_day.append(len(found) / k)
        detected.update(found)
    return float(np.mean(per_day)), per_day


def quality(y, s, frame=None):
    from sklearn.metrics import average_precision_score, roc_auc_score

    out = {"roc_auc": float(roc_auc_score(y, s)), "average_precision": float(average_precision_score(y, s))}
    if frame is not None:
        f = frame[["TX_TIME_DAYS", "CUSTOMER_ID", "TX_FRAUD"]].copy()
        f["predictions"] = s
        out["card_precision_at_100"] = card_precision_top_k(f, 100)[0]
    return out


# ----------------------------------------------------------------------------- xgboost

def train_xgb(X, y, names, params, rounds):
    import xgboost as xgb

    d = xgb.DMatrix(X, label=y, missing=np.nan, feature_names=names)
    return xgb.train(params, d, num_boost_round=rounds)


def xgb_margin(booster, X, names):
    import xgboost as xgb

    return booster.predict(xgb.DMatrix(X, missing=np.nan, feature_names=names), output_margin=True).astype(np.float64)


def exact_tree_margins(model_path, X, names):
    """xgboost's own leaf assignment (pred_leaf) with the leaf values summed in float64:
    the reference the TS evaluator (which sums in float64) must equal to ~1e-12. xgboost's
    predict() sums in float32, a few ulps (~1e-6 at |margin| ~ 10) away."""
    import xgboost as xgb

    j = json.load(open(model_path))
    trees = j["learner"]["gradient_booster"]["model"]["trees"]
    base = float(j["learner"]["learner_model_param"]["base_score"])
    booster = xgb.Booster(model_file=model_path)
    leaves = booster.predict(xgb.DMatrix(X, missing=np.nan, feature_names=names), pred_leaf=True).astype(np.int64)
    out = np.full(len(X), math.log(base / (1 - base)), dtype=np.float64)
    for t, tree in enumerate(trees):
        vals = np.asarray(tree["split_conditions"], dtype=np.float32).astype(np.float64)
        out += vals[leaves[:, t]]
    return out


def xgb_prob(model_path, X, names):
    import xgboost as xgb

    b = xgb.Booster(model_file=model_path)
    return b.predict(xgb.DMatrix(X, missing=np.nan, feature_names=names)).astype(np.float64)


def tree_golden_fields(out_dir, G, GB, fnames, bnames):
    xp, bp = os.path.join(out_dir, "xgboost.json"), os.path.join(out_dir, "baseline_xgboost.json")
    return {
        "xgboost_margin_exact": [json_num(v) for v in exact_tree_margins(xp, G, fnames)],
        "xgboost_prob": [json_num(v) for v in xgb_prob(xp, G, fnames)],
        "baseline_margin_exact": [json_num(v) for v in exact_tree_margins(bp, GB, bnames)],
        "baseline_prob": [json_num(v) for v in xgb_prob(bp, GB, bnames)],
    }


# ----------------------------------------------------------------------------- torch models

def build_torch(n_features):
    import torch
    from torch import nn

    class Preprocess(nn.Module):
        """Raw features -> (optional column selection) -> signed log1p -> standardise ->
        NaN to 0 (the training mean). Counts, sums and seconds-since-last span six orders
        of magnitude; sign(x)·log1p(|x|) brings them to a scale a net can use."""

        def __init__(self, mean, std, select=None):
            super().__init__()
            self.select = None
            if select is not None:
                self.register_buffer("idx", torch.tensor(select, dtype=torch.long))
                self.select = True
            self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).reshape(1, -1))
            self.register_buffer("std", torch.tensor(std, dtype=torch.float32).reshape(1, -1))

        def forward(self, x):
            if self.select:
                x = torch.index_select(x, 1, self.idx)
            x = torch.sign(x) * torch.log1p(torch.abs(x))
            z = (x - self.mean) / self.std
            return torch.where(torch.isnan(z), torch.zeros_like(z), z)

    class MLP(nn.Module):
        def __init__(self, mean, std, hidden=(128, 64), dropout=0.1):
            super().__init__()
            self.pre = Preprocess(mean, std)
            layers, d_in = [], n_features
            for h in hidden:
                layers += [nn.Linear(d_in, h), nn.ReLU(), nn.Dropout(dropout)]
                d_in = h
            layers.append(nn.Linear(d_in, 1))
            self.net = nn.Sequential(*layers)

        def forward(self, features):
            return self.net(self.pre(features))

    class FTTransformer(nn.Module):
        """Gorishniy et al. 2021 over the top-k features (selected in-graph): per-feature
        linear tokenizer + CLS, pre-norm transformer encoder, head on CLS."""

        def __init__(self, mean, std, select, d=32, n_layers=2, n_heads=4, ffn=64, dropout=0.1):
            super().__init__()
            k = len(select)
            self.pre = Preprocess(mean, std, select)
            self.tok_weight = nn.Parameter(torch.empty(k, d))
            self.tok_bias = nn.Parameter(torch.empty(k, d))
            self.cls = nn.Parameter(torch.empty(1, 1, d))
            bound = 1.0 / math.sqrt(d)
            for p in (self.tok_weight, self.tok_bias, self.cls):
                nn.init.uniform_(p, -bound, bound)
            layer = nn.TransformerEncoderLayer(d_model=d, nhead=n_heads, dim_feedforward=ffn, dropout=dropout,
                                               activation="relu", batch_first=True, norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, num_layers=n_layers, enable_nested_tensor=False)
            self.head_norm = nn.LayerNorm(d)
            self.head = nn.Linear(d, 1)

        def forward(self, features):
            z = self.pre(features)
            tokens = z.unsqueeze(-1) * self.tok_weight + self.tok_bias
            cls = self.cls.expand(tokens.shape[0], -1, -1)
            h = self.encoder(torch.cat([cls, tokens], dim=1))
            return self.head(torch.relu(self.head_norm(h[:, 0, :])))

    return MLP, FTTransformer


def slog(X):
    return np.sign(X) * np.log1p(np.abs(X))


def train_torch(name, model, X_fit, y_fit, X_es, y_es, *, epochs, lr, wd, batch):
    """AdamW + BCEWithLogits; keeps the epoch with the best average precision on an
    early-stopping holdout carved out of the training split."""
    import torch
    from sklearn.metrics import average_precision_score

    g = torch.Generator().manual_seed(SEED)
    Xf = torch.tensor(X_fit, dtype=torch.float32)
    yf = torch.tensor(y_fit, dtype=torch.float32).reshape(-1, 1)
    Xe = torch.tensor(X_es, dtype=torch.float32)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    best = (-1.0, None, -1)
    t0 = time.time()
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(Xf.shape[0], generator=g)
        for i in range(0, Xf.shape[0], batch):
            b = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(Xf[b]), yf[b])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            ap = average_precision_score(y_es, model(Xe).numpy().ravel())
        if ap > best[0]:
            best = (ap, copy.deepcopy(model.state_dict()), ep)
        log(f"  {name} epoch {ep + 1:2d}/{epochs}  holdout AP {ap:.4f}  ({time.time() - t0:5.1f}s)")
    model.load_state_dict(best[1])
    model.eval()
    return {"best_epoch": best[2] + 1, "epochs": epochs, "holdout_average_precision": best[0]}


def torch_logits(model, X, batch=8192):
    import torch

    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(X), batch):
            outs.append(model(torch.tensor(X[i:i + batch], dtype=torch.float32)).numpy().ravel())
    return np.concatenate(outs).astype(np.float64)


def export_onnx(model, path, n_features):
    import onnx
    import torch

    model.eval()
    dummy = torch.zeros(2, n_features, dtype=torch.float32)
    # grad stays enabled on purpose: torch 1.13 only exports TransformerEncoder through the
    # regular (non fast-path) code when grad is enabled.
    torch.onnx.export(model, (dummy,), path, input_names=["features"], output_names=["logit"],
                      dynamic_axes={"features": {0: "batch"}, "logit": {0: "batch"}},
                      opset_version=OPSET, do_constant_folding=True, export_params=True)
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    ins = [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]) for i in m.graph.input]
    outs = [(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]) for o in m.graph.output]
    assert ins == [("features", ["batch", n_features])], ins
    assert outs == [("logit", ["batch", 1])], outs
    log(f"  {os.path.basename(path)}: onnx.checker OK, {len(m.graph.node)} nodes, "
        f"ops {sorted({n.op_type for n in m.graph.node})}")


def fit_lr(X, y):
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, solver="lbfgs", max_iter=10000, tol=1e-10)
    lr.fit(X, y)
    return [float(w) for w in lr.coef_.ravel()], float(lr.intercept_[0])


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default="/tmp/riskscore-fdh-fraud")
    ap.add_argument("--out", default=ART)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--smoke", action="store_true", help="tiny settings to check the pipeline end to end (writes to --out)")
    ap.add_argument("--refresh-tree-goldens", action="store_true",
                    help="only recompute the tree reference fields of goldens.json from the committed boosters")
    args = ap.parse_args()
    if args.refresh_tree_goldens:
        path = os.path.join(args.out, "goldens.json")
        g = json.load(open(path))
        f32 = lambda rows: np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=np.float32)
        g.update(tree_golden_fields(args.out, f32(g["rows"]), f32(g["baseline_rows"]), g["features"], g["baseline_features"]))
        write_json(path, g)
        return
    global N_TREES
    if args.smoke:
        N_TREES = 10
    epochs = (1, 1) if args.smoke else (12, 8)

    import onnx
    import sklearn
    import torch
    import xgboost as xgb

    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    timings = {}
    t_all = time.time()

    info, fnames, bnames, meta, X, XB = load(args.work)
    nF = len(fnames)
    y = meta.TX_FRAUD.to_numpy()
    split = meta.split.to_numpy()
    tr, st, pl, te = (np.flatnonzero(split == k) for k in (1, 2, 3, 4))
    hb = np.flatnonzero((split == 4) & (meta.handbook_test.to_numpy() == 1))
    log(f"data: train {len(tr)} ({y[tr].sum()} frauds) / stack {len(st)} ({y[st].sum()}) / platt {len(pl)} "
        f"({y[pl].sum()}) / test {len(te)}, handbook test {len(hb)} ({y[hb].sum()} frauds); {nF} features")
    assert len(hb) == 58264 and y[hb].sum() == 385, "the handbook test set must have 58,264 rows and 385 frauds"

    # early-stopping holdout for the nets: 10 % of the training rows (seeded)
    rng = np.random.RandomState(SEED)
    perm = rng.permutation(len(tr))
    es, fit = np.sort(tr[perm[: len(tr) // 10]]), np.sort(tr[perm[len(tr) // 10:]])
    pos_rate = float(y[tr].mean())

    # ---- xgboost
    t0 = time.time()
    xgb_params = {"objective": "binary:logistic", "eval_metric": "aucpr", "max_depth": 6, "eta": 0.05,
                  "base_score": pos_rate, "tree_method": "hist", "subsample": 0.8, "colsample_bytree": 0.5,
                  "min_child_weight": 1.0, "seed": SEED, "nthread": args.threads, "verbosity": 1}
    booster = train_xgb(X[tr], y[tr], fnames, xgb_params, N_TREES)
    xgb_path = os.path.join(args.out, "xgboost.json")
    booster.save_model(xgb_path)
    booster = xgb.Booster(model_file=xgb_path)
    timings["xgboost_s"] = round(time.time() - t0, 1)
    log(f"xgboost: {N_TREES} trees in {timings['xgboost_s']} s")
    gain = booster.get_score(importance_type="total_gain")
    ranked = sorted(fnames, key=lambda f: (-gain.get(f, 0.0), fnames.index(f)))
    ft_select = sorted(fnames.index(f) for f in ranked[:FT_TOP_K])

    # ---- nets: statistics of the transformed training features (NaN ignored)
    MLP, FTT = build_torch(nF)
    Z = slog(X[fit].astype(np.float64))
    mean = np.nanmean(Z, axis=0)
    std = np.nanstd(Z, axis=0)
    mean[np.isnan(mean)] = 0.0
    std[~(std > 1e-12)] = 1.0

    t0 = time.time()
    torch.manual_seed(SEED)
    mlp = MLP(mean, std)
    mlp_info = train_torch("mlp", mlp, X[fit], y[fit], X[es], y[es], epochs=epochs[0], lr=1e-3, wd=1e-4, batch=512)
    timings["mlp_s"] = round(time.time() - t0, 1)
    export_onnx(mlp, os.path.join(args.out, "mlp.onnx"), nF)

    # the transformer sees every fraud and a fifth of the genuine training rows
    rng = np.random.RandomState(SEED + 1)
    fit_ft = np.sort(np.concatenate([fit[y[fit] == 1], rng.choice(fit[y[fit] == 0], int((y[fit] == 0).sum()) // (30 if args.smoke else 5), replace=False)]))
    t0 = time.time()
    torch.manual_seed(SEED)
    ft = FTT(mean[ft_select], std[ft_select], ft_select)
    ft_info = train_torch("ft_transformer", ft, X[fit_ft], y[fit_ft], X[es], y[es], epochs=epochs[1], lr=1e-3, wd=1e-5, batch=512)
    ft_info["rows"] = int(len(fit_ft))
    timings["ft_transformer_s"] = round(time.time() - t0, 1)
    export_onnx(ft, os.path.join(args.out, "ft_transformer.onnx"), nF)

    # ---- baseline: default XGBoost on the handbook's training week, 15 features
    t0 = time.time()
    wk = np.sort(np.concatenate([st, pl]))
    base_params = {"objective": "binary:logistic", "seed": 0, "nthread": args.threads}
    base = train_xgb(XB[wk], y[wk], bnames, base_params, 100)
    base_path = os.path.join(args.out, "baseline_xgboost.json")
    base.save_model(base_path)
    base = xgb.Booster(model_file=base_path)
    timings["baseline_s"] = round(time.time() - t0, 1)

    # ---- member logits on stack / platt / test
    members = ["xgboost", "mlp", "ft_transformer"]

    def logits(idx):
        return np.column_stack([xgb_margin(booster, X[idx], fnames), torch_logits(mlp, X[idx]), torch_logits(ft, X[idx])])

    L_st, L_pl, L_te = logits(st), logits(pl), logits(te)

    def ensemble(cols):
        w, b = fit_lr(L_st[:, cols], y[st])
        z_pl = b + L_pl[:, cols] @ np.array(w)
        (A,), B = fit_lr(z_pl.reshape(-1, 1), y[pl])
        z_te = b + L_te[:, cols] @ np.array(w)
        return {"members": [members[c] for c in cols], "weights": w, "bias": b, "platt": {"A": A, "B": B}}, z_te

    ens_full, z_te = ensemble([0, 1, 2])
    ens_fast, z_te_fast = ensemble([0, 1])
    p_te = sigmoid(ens_full["platt"]["A"] * z_te + ens_full["platt"]["B"])
    p_te_fast = sigmoid(ens_fast["platt"]["A"] * z_te_fast + ens_fast["platt"]["B"])
    base_p_te = base.predict(xgb.DMatrix(XB[te], missing=np.nan, feature_names=bnames)).astype(np.float64)

    # ---- metrics on the handbook test set (the TS evaluation recomputes them online)
    frame_te = meta.iloc[te].reset_index(drop=True)
    hb_mask = frame_te.handbook_test.to_numpy() == 1
    fr = frame_te[hb_mask]
    yh = fr.TX_FRAUD.to_numpy()
    metrics = {}
    for j, m in enumerate(members):
        metrics[m] = quality(yh, L_te[hb_mask, j], fr)
    metrics["ensemble"] = quality(yh, p_te[hb_mask], fr)
    metrics["ensemble_trees_mlp"] = quality(yh, p_te_fast[hb_mask], fr)
    metrics["baseline_xgboost"] = quality(yh, base_p_te[hb_mask], fr)
    val_metrics = {}
    for j, m in enumerate(members):
        val_metrics[m] = quality(y[pl], L_pl[:, j])
    log("")
    log(f"{'model (handbook test, Python)':<30}{'AUC':>8}{'AP':>8}{'CP@100':>8}")
    for k, v in metrics.items():
        log(f"{k:<30}{v['roc_auc']:>8.4f}{v['average_precision']:>8.4f}{v['card_precision_at_100']:>8.4f}")
    log(f"ensemble {ens_full}")
    log(f"trees+mlp {ens_fast}")

    # ---- reference sample / background (training rows)
    rng = np.random.RandomState(SEED + 5)
    ref_idx = np.sort(rng.choice(tr, N_REFERENCE, replace=False))
    bg_idx = np.sort(rng.choice(np.setdiff1d(tr, ref_idx), N_BACKGROUND, replace=False))
    write_json(os.path.join(args.out, "reference_sample.json"), [[json_feature(v) for v in row] for row in X[ref_idx]])
    write_json(os.path.join(args.out, "background.json"), [[json_feature(v) for v in row] for row in X[bg_idx]])

    # ---- goldens: 200 handbook-test rows (60 frauds), every member's output
    rng = np.random.RandomState(SEED + 6)
    pos = np.flatnonzero(hb_mask & (frame_te.TX_FRAUD.to_numpy() == 1))
    neg = np.flatnonzero(hb_mask & (frame_te.TX_FRAUD.to_numpy() == 0))
    g = np.sort(np.concatenate([rng.choice(pos, 60, replace=False), rng.choice(neg, N_GOLDEN - 60, replace=False)]))
    gi = te[g]
    G = X[gi]
    n_nan_rows = int(np.isnan(G).any(axis=1).sum())
    goldens = {
        "description": "200 handbook-test rows (features from @riskscore/features' offline pass, float32, NaN as null); "
                       "xgboost_margin from the booster reloaded from xgboost.json (DMatrix, missing=NaN); "
                       "mlp/ft_transformer logits from torch eval mode; ensemble/probability in float64; "
                       "baseline_* from baseline_xgboost.json on the 15 baseline features.",
        "features": fnames, "baseline_features": bnames,
        "transaction_id": [int(v) for v in meta.TRANSACTION_ID.to_numpy()[gi]],
        "rows": [[json_feature(v) for v in row] for row in G],
        "rows_with_nan": n_nan_rows,
        "xgboost_margin": [json_num(v) for v in L_te[g, 0]],
        "mlp_logit": [json_num(v) for v in L_te[g, 1]],
        "ft_transformer_logit": [json_num(v) for v in L_te[g, 2]],
        "ensemble_logit": [json_num(v) for v in z_te[g]],
        "probability": [json_num(v) for v in p_te[g]],
        "baseline_rows": [[json_feature(v) for v in row] for row in XB[gi]],
        "baseline_margin": [json_num(v) for v in xgb_margin(base, XB[gi], bnames)],
        "label": [int(v) for v in y[gi]],
    }
    goldens.update(tree_golden_fields(args.out, G, XB[gi], fnames, bnames))
    write_json(os.path.join(args.out, "goldens.json"), goldens)

    # ---- metrics slice: 4,000 handbook-test rows with the ensemble's scores
    rng = np.random.RandomState(SEED + 7)
    s_idx = np.sort(np.concatenate([pos, rng.choice(neg, N_SLICE - len(pos), replace=False)]))
    sl = frame_te.iloc[s_idx]
    sl_scores = p_te[s_idx]
    sl_q = quality(sl.TX_FRAUD.to_numpy(), sl_scores, sl)
    f = sl[["TX_TIME_DAYS", "CUSTOMER_ID", "TX_FRAUD"]].copy()
    f["predictions"] = sl_scores
    sl_cp, sl_cp_days = card_precision_top_k(f, 100)
    _, sl_cp10_days = card_precision_top_k(f, 10)
    write_json(os.path.join(args.out, "metrics_slice.json"), {
        "description": "4,000 handbook-test rows (all 385 frauds + seeded genuine rows) with the ensemble's Python "
                       "probability; roc_auc/average_precision from scikit-learn, card precision from a pandas "
                       "reimplementation of the handbook's card_precision_top_k (detected cards removed on later days).",
        "day": [int(v) for v in sl.TX_TIME_DAYS], "customer": [int(v) for v in sl.CUSTOMER_ID],
        "label": [int(v) for v in sl.TX_FRAUD], "score": [json_num(v) for v in sl_scores],
        "roc_auc": sl_q["roc_auc"], "average_precision": sl_q["average_precision"],
        "card_precision_at_100": sl_cp, "card_precision_at_100_per_day": sl_cp_days,
        "card_precision_at_10_per_day": sl_cp10_days,
    })

    # ---- full test-period predictions for the TS evaluation's online = offline check
    write_json(os.path.join(args.work, "test_predictions.json"), {
        "transaction_id": [int(v) for v in frame_te.TRANSACTION_ID],
        "probability": [json_num(v) for v in p_te],
        "probability_trees_mlp": [json_num(v) for v in p_te_fast],
        "baseline_probability": [json_num(v) for v in base_p_te],
    })
    timings["total_s"] = round(time.time() - t_all, 1)

    summary = {
        "dataset": {
            "name": "fdh-simulated-transactions (Fraud Detection Handbook, 183 days)",
            "protocol": info["protocol"],
            "rows": {"train": int(len(tr)), "train_frauds": int(y[tr].sum()), "early_stopping_holdout": int(len(es)),
                     "stack": int(len(st)), "platt": int(len(pl)), "test": int(len(te)),
                     "handbook_test": int(len(hb)), "handbook_test_frauds": int(y[hb].sum())},
            "train_positive_rate": pos_rate,
            "genuine_keep": info["genuine_keep"], "subsample_seed": info["subsample_seed"],
        },
        "seed": SEED,
        "features": fnames,
        "feature_spec": info["fraud_spec"],
        "members": [
            {"name": "xgboost", "file": "xgboost.json", "trees": N_TREES,
             "params": {k: v for k, v in xgb_params.items() if k != "nthread"}},
            {"name": "mlp", "file": "mlp.onnx", "architecture": "signed log1p + standardise + impute -> 128 -> 64 -> 1 (ReLU, dropout 0.1)",
             "training": mlp_info},
            {"name": "ft_transformer", "file": "ft_transformer.onnx",
             "architecture": f"top {FT_TOP_K} features by XGBoost total gain (selected in-graph) -> signed log1p + standardise + impute "
                             "-> per-feature linear tokenizer + CLS, d=32, 2 pre-norm layers, 4 heads, ffn 64 -> LayerNorm/ReLU/Linear on CLS",
             "selected_features": [fnames[i] for i in ft_select], "training": ft_info},
        ],
        "ensemble": ens_full,
        "ensemble_trees_mlp": ens_fast,
        "baseline": {"file": "baseline_xgboost.json", "features": bnames, "params": base_params, "rounds": 100,
                     "trained_on": "2018-07-25..31, all rows (the handbook's training week)"},
        "validation_platt_split": val_metrics,
        "handbook_test_python": metrics,
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
                     "xgboost": xgb.__version__, "torch": torch.__version__, "onnx": onnx.__version__,
                     "scikit-learn": sklearn.__version__},
        "threads": args.threads,
        "timings": timings,
    }
    write_json(os.path.join(args.out, "train_summary.json"), summary)
    log(f"timings: {timings}")
    for f in sorted(os.listdir(args.out)):
        log(f"  {f:<26}{os.path.getsize(os.path.join(args.out, f)):>12,d} bytes")


if __name__ == "__main__":
    main()
