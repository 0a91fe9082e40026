#!/usr/bin/python3
"""Train riskscore's reference test-bundle members on the Taiwan credit-default data.

Rerun (from the repository root):

    /usr/bin/python3 examples/taiwan-credit/train.py
    /usr/bin/python3 examples/taiwan-credit/train.py --data /path/to/default_of_credit_card_clients.csv

Runtime: about 1.5-2 minutes with one thread on the shared 2-core box (XGBoost ~1 s,
MLP ~10 s, FT-Transformer ~1-1.5 min for 18 epochs; slower when the box is busy). Fixed seeds; the outputs are deterministic for a given
machine / library build (torch CPU kernels may differ in the last bits elsewhere).

Requirements (Debian packages): xgboost 1.7.4, torch 1.13 (CPU), onnx 1.12,
scikit-learn 1.2.1, numpy, pandas. No onnxruntime for python is needed; the
exported ONNX files are checked with onnx.checker here and can be run against the
goldens with onnxruntime-node (see README.md).

What it writes to examples/taiwan-credit/artifacts/:
  xgboost.json            XGBoost 1.7.4 booster (200 trees, depth 6), save_model JSON
  mlp.onnx                MLP, raw 23 features -> 1 logit (standardisation + NaN imputation inside)
  ft_transformer.onnx     FT-Transformer (d=32, 2 layers, 4 heads), same I/O contract
  train_summary.json      features, members, ensemble weights/bias, Platt A/B, AUCs, versions, timings
  reference_sample.json   2,000 training rows (feature matrix) for the drift reference profile
  background.json         100 training rows for attributions
  goldens.json            300 test rows (>= 60 with NaN cells) with per-member and ensemble outputs

Data split (stratified, seed 20240601): train 60 %, validation 20 %, test 20 %.
~5 % of the training cells are set to NaN (seeded) so that XGBoost learns default
directions and the neural nets learn to live with mean imputation. Validation and
test data are left as in the file. The ensemble is fitted on validation in logit
space: half 1 -> stacked logistic regression on the member logits (weights, bias),
half 2 -> Platt calibration of the ensemble logit.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time

import numpy as np
import pandas as pd

SEED = 20240601
DEFAULT_DATA = "/work/shared/data/taiwan-credit-default/default_of_credit_card_clients.csv"
TARGET = "default payment next month"
FEATURES = [
    "LIMIT_BAL", "SEX", "EDUCATION", "MARRIAGE", "AGE",
    "PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6",
    "BILL_AMT1", "BILL_AMT2", "BILL_AMT3", "BILL_AMT4", "BILL_AMT5", "BILL_AMT6",
    "PAY_AMT1", "PAY_AMT2", "PAY_AMT3", "PAY_AMT4", "PAY_AMT5", "PAY_AMT6",
]
N_FEATURES = len(FEATURES)
TRAIN_NAN_RATE = 0.05
N_TREES = 200
N_GOLDEN = 300
N_GOLDEN_NAN = 90          # golden rows that get 1-5 NaN cells
N_REFERENCE = 2000
N_BACKGROUND = 100
OPSET = 14

HERE = os.path.dirname(os.path.abspath(__file__))
ART = os.path.join(HERE, "artifacts")


def log(msg: str) -> None:
    print(msg, flush=True)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def json_num(v) -> object:
    """Full-precision JSON number (python repr of float64); NaN -> null; integral -> int."""
    f = float(v)
    if math.isnan(f):
        return None
    if math.isinf(f):
        raise ValueError("infinite value in output")
    return f


def json_feature(v) -> object:
    f = float(v)
    if math.isnan(f):
        return None
    if f.is_integer() and abs(f) < 2**53:
        return int(f)
    return f


def write_json(path: str, obj) -> None:
    with open(path, "w") as fh:
        json.dump(obj, fh, allow_nan=False, separators=(",", ":"))
        fh.write("\n")


# ----------------------------------------------------------------------------- data

def load_and_split(path: str):
    from sklearn.model_selection import train_test_split

    df = pd.read_csv(path)
    missing = [c for c in FEATURES + [TARGET] if c not in df.columns]
    if missing:
        raise SystemExit(f"columns missing from {path}: {missing}")
    # keep the file's column order for the features
    order = [c for c in df.columns if c in FEATURES]
    assert order == FEATURES, order
    X = df[FEATURES].to_numpy(dtype=np.float64)
    y = df[TARGET].to_numpy(dtype=np.int64)
    idx = np.arange(len(df))
    idx_train, idx_rest = train_test_split(idx, test_size=0.4, random_state=SEED, stratify=y)
    idx_val, idx_test = train_test_split(idx_rest, test_size=0.5, random_state=SEED + 1, stratify=y[idx_rest])
    return df, X, y, np.sort(idx_train), np.sort(idx_val), np.sort(idx_test)


def inject_nans(X: np.ndarray, rate: float, seed: int) -> np.ndarray:
    rng = np.random.RandomState(seed)
    Xn = X.copy()
    mask = rng.rand(*X.shape) < rate
    Xn[mask] = np.nan
    return Xn


# ----------------------------------------------------------------------------- xgboost

def train_xgboost(X_tr, y_tr, base_score: float, nthread: int):
    import xgboost as xgb

    dtrain = xgb.DMatrix(X_tr, label=y_tr, missing=np.nan, feature_names=FEATURES)
    params = {
        "objective": "binary:logistic",
        "eval_metric": "auc",
        "max_depth": 6,
        "eta": 0.05,
        "base_score": base_score,
        "tree_method": "hist",
        "subsample": 0.8,
        "colsample_bytree": 0.8,
        "min_child_weight": 1.0,
        "seed": SEED,
        "nthread": nthread,
        "verbosity": 1,
    }
    booster = xgb.train(params, dtrain, num_boost_round=N_TREES)
    return booster, params


def xgb_predict(booster, X):
    import xgboost as xgb

    d = xgb.DMatrix(X, missing=np.nan, feature_names=FEATURES)
    margin = booster.predict(d, output_margin=True)
    prob = booster.predict(d)
    return margin.astype(np.float64), prob.astype(np.float64)


# ----------------------------------------------------------------------------- torch models

def build_torch():
    import torch
    from torch import nn

    class Preprocess(nn.Module):
        """Raw features -> standardised features, NaN -> 0 (= the training mean)."""

        def __init__(self, mean: np.ndarray, std: np.ndarray):
            super().__init__()
            self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).reshape(1, -1))
            self.register_buffer("std", torch.tensor(std, dtype=torch.float32).reshape(1, -1))

        def forward(self, x):
            z = (x - self.mean) / self.std
            return torch.where(torch.isnan(z), torch.zeros_like(z), z)

    class MLP(nn.Module):
        def __init__(self, mean, std, hidden=(128, 64), dropout=0.1):
            super().__init__()
            self.pre = Preprocess(mean, std)
            layers = []
            d_in = N_FEATURES
            for h in hidden:
                layers += [nn.Linear(d_in, h), nn.ReLU(), nn.Dropout(dropout)]
                d_in = h
            layers.append(nn.Linear(d_in, 1))
            self.net = nn.Sequential(*layers)

        def forward(self, features):
            return self.net(self.pre(features))

    class FTTransformer(nn.Module):
        """Gorishniy et al. 2021: per-feature linear tokenizer + CLS, pre-norm transformer."""

        def __init__(self, mean, std, d=32, n_layers=2, n_heads=4, ffn=64, dropout=0.1):
            super().__init__()
            self.pre = Preprocess(mean, std)
            self.tok_weight = nn.Parameter(torch.empty(N_FEATURES, d))
            self.tok_bias = nn.Parameter(torch.empty(N_FEATURES, d))
            self.cls = nn.Parameter(torch.empty(1, 1, d))
            bound = 1.0 / math.sqrt(d)
            for p in (self.tok_weight, self.tok_bias, self.cls):
                nn.init.uniform_(p, -bound, bound)
            layer = nn.TransformerEncoderLayer(
                d_model=d, nhead=n_heads, dim_feedforward=ffn, dropout=dropout,
                activation="relu", batch_first=True, norm_first=True,
            )
            self.encoder = nn.TransformerEncoder(layer, num_layers=n_layers, enable_nested_tensor=False)
            self.head_norm = nn.LayerNorm(d)
            self.head = nn.Linear(d, 1)

        def forward(self, features):
            z = self.pre(features)                                   # [B, F]
            tokens = z.unsqueeze(-1) * self.tok_weight + self.tok_bias  # [B, F, d]
            cls = self.cls.expand(tokens.shape[0], -1, -1)           # [B, 1, d]
            h = self.encoder(torch.cat([cls, tokens], dim=1))        # [B, F+1, d]
            return self.head(torch.relu(self.head_norm(h[:, 0, :])))  # [B, 1]

    return MLP, FTTransformer


def train_torch_model(name, model, X_fit, y_fit, X_es, y_es, *, epochs, lr, wd, batch, budget_s):
    """Adam + BCEWithLogits; keeps the weights of the best epoch on an early-stopping
    holdout carved out of the TRAIN split (validation/test are never touched here)."""
    import copy
    import torch
    from sklearn.metrics import roc_auc_score

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
            auc = roc_auc_score(y_es, model(Xe).numpy().ravel())
        if auc > best[0]:
            best = (auc, copy.deepcopy(model.state_dict()), ep)
        log(f"  {name} epoch {ep + 1:2d}/{epochs}  es-AUC {auc:.4f}  ({time.time() - t0:5.1f}s)")
    if time.time() - t0 > budget_s:  # fixed epoch count keeps runs deterministic; just warn
        log(f"  {name}: note, training took longer than the planned {budget_s}s")
    model.load_state_dict(best[1])
    model.eval()
    return {"best_epoch": best[2] + 1, "epochs_run": ep + 1, "early_stop_auc": best[0]}


def torch_logits(model, X) -> np.ndarray:
    import torch

    model.eval()
    with torch.no_grad():
        out = model(torch.tensor(X, dtype=torch.float32))
    return out.numpy().astype(np.float64).ravel()


def export_onnx(model, path: str) -> None:
    import onnx
    import torch

    model.eval()
    dummy = torch.zeros(2, N_FEATURES, dtype=torch.float32)
    # NB: grad stays enabled on purpose - torch 1.13 only exports TransformerEncoder
    # through the regular (non fast-path) code when grad is enabled.
    torch.onnx.export(
        model, (dummy,), path,
        input_names=["features"], output_names=["logit"],
        dynamic_axes={"features": {0: "batch"}, "logit": {0: "batch"}},
        opset_version=OPSET, do_constant_folding=True, export_params=True,
    )
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    ins = [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]) for i in m.graph.input]
    outs = [(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]) for o in m.graph.output]
    assert ins == [("features", ["batch", N_FEATURES])], ins
    assert outs == [("logit", ["batch", 1])], outs
    ops = sorted({n.op_type for n in m.graph.node})
    log(f"  {os.path.basename(path)}: onnx.checker OK, opset {m.opset_import[0].version}, "
        f"{len(m.graph.node)} nodes, ops {ops}")


# ----------------------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA, help="path to default_of_credit_card_clients.csv")
    ap.add_argument("--out", default=ART, help="output folder (default: examples/taiwan-credit/artifacts)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch/xgboost threads (default 1: on the shared 2-core box one thread trains the "
                         "FT-Transformer 2-6x faster than two; results can differ in the last bits by thread count)")
    args = ap.parse_args()

    import onnx
    import sklearn
    import torch
    import xgboost as xgb
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    timings = {}
    t_all = time.time()

    # ---- data
    df, X, y, i_tr, i_va, i_te = load_and_split(args.data)
    X_tr_clean, y_tr = X[i_tr], y[i_tr]
    X_va, y_va = X[i_va], y[i_va]
    X_te, y_te = X[i_te], y[i_te]
    X_tr = inject_nans(X_tr_clean, TRAIN_NAN_RATE, SEED + 2)
    pos_rate = float(y_tr.mean())
    log(f"data: {len(df)} rows -> train {len(i_tr)} / val {len(i_va)} / test {len(i_te)}; "
        f"train positive rate {pos_rate:.4f}; train NaN cells {np.isnan(X_tr).mean():.4f}")

    # ---- xgboost
    t0 = time.time()
    booster, xgb_params = train_xgboost(X_tr, y_tr, pos_rate, args.threads)
    xgb_path = os.path.join(args.out, "xgboost.json")
    booster.save_model(xgb_path)
    booster = xgb.Booster(model_file=xgb_path)  # everything below uses the reloaded model
    assert booster.num_boosted_rounds() == N_TREES
    timings["xgboost_s"] = round(time.time() - t0, 2)
    log(f"xgboost: {N_TREES} trees in {timings['xgboost_s']}s")

    # ---- torch models (standardisation from the NaN-injected train split, NaNs ignored)
    MLP, FTTransformer = build_torch()
    mean = np.nanmean(X_tr, axis=0)
    std = np.nanstd(X_tr, axis=0)
    std[std == 0] = 1.0
    rng = np.random.RandomState(SEED + 3)
    perm = rng.permutation(len(X_tr))
    n_es = len(X_tr) // 10
    es, fit = perm[:n_es], perm[n_es:]

    t0 = time.time()
    torch.manual_seed(SEED)
    mlp = MLP(mean, std)
    mlp_info = train_torch_model("mlp", mlp, X_tr[fit], y_tr[fit], X_tr[es], y_tr[es],
                                 epochs=30, lr=1e-3, wd=1e-4, batch=256, budget_s=180)
    timings["mlp_s"] = round(time.time() - t0, 2)
    export_onnx(mlp, os.path.join(args.out, "mlp.onnx"))

    t0 = time.time()
    torch.manual_seed(SEED)
    ft = FTTransformer(mean, std)
    ft_info = train_torch_model("ft_transformer", ft, X_tr[fit], y_tr[fit], X_tr[es], y_tr[es],
                                epochs=18, lr=5e-4, wd=1e-5, batch=256, budget_s=180)
    timings["ft_transformer_s"] = round(time.time() - t0, 2)
    export_onnx(ft, os.path.join(args.out, "ft_transformer.onnx"))

    # ---- member logits
    def member_logits(Xm):
        return np.column_stack([xgb_predict(booster, Xm)[0], torch_logits(mlp, Xm), torch_logits(ft, Xm)])

    members = ["xgboost", "mlp", "ft_transformer"]
    L_va, L_te = member_logits(X_va), member_logits(X_te)

    # ---- ensemble: stacking on validation half 1, Platt on half 2
    t0 = time.time()
    rng = np.random.RandomState(SEED + 4)
    pv = rng.permutation(len(X_va))
    h1, h2 = np.sort(pv[: len(pv) // 2]), np.sort(pv[len(pv) // 2:])
    stack = LogisticRegression(C=1e6, solver="lbfgs", max_iter=10000, tol=1e-10)
    stack.fit(L_va[h1], y_va[h1])
    weights = [float(w) for w in stack.coef_.ravel()]
    bias = float(stack.intercept_[0])
    z_va = bias + L_va @ np.array(weights)
    platt = LogisticRegression(C=1e6, solver="lbfgs", max_iter=10000, tol=1e-10)
    platt.fit(z_va[h2].reshape(-1, 1), y_va[h2])
    A, B = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    z_te = bias + L_te @ np.array(weights)
    timings["ensemble_s"] = round(time.time() - t0, 2)

    def auc(yt, s):
        return float(roc_auc_score(yt, s))

    def logloss(yt, p):
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return float(-np.mean(yt * np.log(p) + (1 - yt) * np.log(1 - p)))

    aucs = {}
    for j, m in enumerate(members):
        aucs[m] = {"validation": auc(y_va, L_va[:, j]), "test": auc(y_te, L_te[:, j])}
    aucs["ensemble"] = {"validation": auc(y_va, z_va), "test": auc(y_te, z_te),
                        "validation_half2": auc(y_va[h2], z_va[h2])}
    p_te = sigmoid(A * z_te + B)
    calib = {"test_logloss": logloss(y_te, p_te), "test_mean_p": float(p_te.mean()),
             "test_positive_rate": float(y_te.mean())}

    # ---- reference sample / background (clean training rows, before NaN injection)
    rng = np.random.RandomState(SEED + 5)
    ref_idx = np.sort(rng.choice(len(X_tr_clean), N_REFERENCE, replace=False))
    rest = np.setdiff1d(np.arange(len(X_tr_clean)), ref_idx)
    bg_idx = np.sort(rng.choice(rest, N_BACKGROUND, replace=False))
    write_json(os.path.join(args.out, "reference_sample.json"),
               [[json_feature(v) for v in row] for row in X_tr_clean[ref_idx]])
    write_json(os.path.join(args.out, "background.json"),
               [[json_feature(v) for v in row] for row in X_tr_clean[bg_idx]])

    # ---- goldens: 300 test rows, the first 90 get 1-5 NaN cells
    rng = np.random.RandomState(SEED + 6)
    g_idx = np.sort(rng.choice(len(X_te), N_GOLDEN, replace=False))
    G = X_te[g_idx].copy()
    gy = y_te[g_idx]
    nan_rows = np.sort(rng.choice(N_GOLDEN, N_GOLDEN_NAN, replace=False))
    for r in nan_rows:
        k = rng.randint(1, 6)
        G[r, rng.choice(N_FEATURES, k, replace=False)] = np.nan
    g_margin, g_prob = xgb_predict(booster, G)
    g_mlp = torch_logits(mlp, G.astype(np.float32))
    g_ft = torch_logits(ft, G.astype(np.float32))
    g_z = bias + weights[0] * g_margin + weights[1] * g_mlp + weights[2] * g_ft
    g_p = sigmoid(A * g_z + B)
    n_nan_rows = int(np.isnan(G).any(axis=1).sum())
    assert n_nan_rows >= 60
    goldens = {
        "features": FEATURES,
        "description": "300 test rows of the Taiwan credit-default data; rows listed in nan_rows have 1-5 "
                       "cells set to NaN (written as null). xgboost_margin/xgboost_prob from the booster "
                       "reloaded from xgboost.json (DMatrix, missing=NaN); mlp_logit/ft_transformer_logit "
                       "from torch in eval mode on float32 input; ensemble_logit = bias + sum(w_i * logit_i) "
                       "with members in order [xgboost, mlp, ft_transformer]; probability = "
                       "sigmoid(platt_A * ensemble_logit + platt_B), computed in float64.",
        "members": members,
        "weights": weights,
        "bias": bias,
        "platt": {"A": A, "B": B},
        "nan_rows": [int(r) for r in nan_rows],
        "rows": [[json_feature(v) for v in row] for row in G],
        "xgboost_margin": [json_num(v) for v in g_margin],
        "xgboost_prob": [json_num(v) for v in g_prob],
        "mlp_logit": [json_num(v) for v in g_mlp],
        "ft_transformer_logit": [json_num(v) for v in g_ft],
        "ensemble_logit": [json_num(v) for v in g_z],
        "probability": [json_num(v) for v in g_p],
        "label": [int(v) for v in gy],
    }
    write_json(os.path.join(args.out, "goldens.json"), goldens)

    timings["total_s"] = round(time.time() - t_all, 2)

    # ---- summary
    summary = {
        "dataset": {
            "name": "taiwan-credit-default (UCI 350, default of credit card clients)",
            "file": os.path.basename(args.data),
            "target": TARGET,
            "rows": {"total": int(len(df)), "train": int(len(i_tr)), "validation": int(len(i_va)),
                     "test": int(len(i_te)), "validation_half1_stacking": int(len(h1)),
                     "validation_half2_platt": int(len(h2)), "golden": N_GOLDEN,
                     "golden_with_nan": n_nan_rows},
            "split": "stratified train_test_split: 60/40 (random_state=seed), then 40 -> 20/20 (random_state=seed+1)",
            "train_positive_rate": pos_rate,
            "train_nan_injection_rate": TRAIN_NAN_RATE,
        },
        "seed": SEED,
        "features": FEATURES,
        "members": [
            {"name": "xgboost", "file": "xgboost.json", "format": "xgboost-json", "output": "logit",
             "trees": N_TREES, "params": {k: v for k, v in xgb_params.items() if k != "nthread"}},
            {"name": "mlp", "file": "mlp.onnx", "format": "onnx", "output": "logit", "input": "features",
             "output_name": "logit", "opset": OPSET, "architecture": "standardise+impute -> 128 -> 64 -> 1 (ReLU, dropout 0.1)",
             "training": mlp_info},
            {"name": "ft_transformer", "file": "ft_transformer.onnx", "format": "onnx", "output": "logit",
             "input": "features", "output_name": "logit", "opset": OPSET,
             "architecture": "standardise+impute -> per-feature linear tokenizer + CLS, d=32, 2 pre-norm layers, "
                             "4 heads, ffn 64 -> LayerNorm/ReLU/Linear on CLS",
             "training": ft_info},
        ],
        "ensemble": {
            "space": "logit",
            "method": "stacked logistic regression on member logits (validation half 1)",
            "weights": weights,
            "weights_by_member": dict(zip(members, weights)),
            "bias": bias,
        },
        "calibration": {"method": "platt", "fit_on": "validation half 2", "A": A, "B": B,
                        "formula": "p = 1 / (1 + exp(-(A * z + B))), z = bias + sum(w_i * logit_i)"},
        "roc_auc": aucs,
        "calibration_check": calib,
        "versions": {
            "python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
            "xgboost": xgb.__version__, "torch": torch.__version__, "onnx": onnx.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "threads": args.threads,
        "timings": timings,
    }
    write_json(os.path.join(args.out, "train_summary.json"), summary)

    # ---- table
    log("")
    log(f"{'member':<16}{'val AUC':>10}{'test AUC':>10}{'weight':>10}")
    for j, m in enumerate(members):
        log(f"{m:<16}{aucs[m]['validation']:>10.4f}{aucs[m]['test']:>10.4f}{weights[j]:>10.4f}")
    log(f"{'ensemble':<16}{aucs['ensemble']['validation']:>10.4f}{aucs['ensemble']['test']:>10.4f}"
        f"   bias {bias:.4f}")
    log(f"Platt A={A:.6f} B={B:.6f}; test logloss {calib['test_logloss']:.4f}, "
        f"mean p {calib['test_mean_p']:.4f} vs rate {calib['test_positive_rate']:.4f}")
    log(f"timings: {timings}")
    for f in sorted(os.listdir(args.out)):
        log(f"  {f:<24}{os.path.getsize(os.path.join(args.out, f)):>10,d} bytes")


if __name__ == "__main__":
    main()
