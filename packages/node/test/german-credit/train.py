"""Trains the two members of the German-credit test bundle with Debian's python, so the
bundle builder's test starts from models made the way a user makes them.

    /usr/bin/python3 train.py GERMAN_NUMERIC_CSV OUT_DIR

Writes to OUT_DIR: train.csv and valid.csv (A1..A24 and `bad`, 1 = bad credit; a
seeded 70/30 split), xgboost.json (XGBClassifier trained on a DataFrame, so the model
carries feature_names), mlp.onnx (a torch MLP with the standardisation inside, input
`features` [batch, 24], output `logit` [batch, 1]) and predictions.json (xgboost's
margins and probabilities and the MLP's logits on valid.csv: the test's reference).
"""
import json
import sys

import numpy as np
import pandas as pd
import torch
import xgboost as xgb

src, out = sys.argv[1], sys.argv[2]
df = pd.read_csv(src)
features = [f"A{i}" for i in range(1, 25)]
df["bad"] = (df["class"] == 2).astype(int)
rng = np.random.default_rng(7)
idx = rng.permutation(len(df))
cut = int(0.7 * len(df))
train, valid = df.iloc[np.sort(idx[:cut])], df.iloc[np.sort(idx[cut:])]
train[features + ["bad"]].to_csv(f"{out}/train.csv", index=False)
valid[features + ["bad"]].to_csv(f"{out}/valid.csv", index=False)

model = xgb.XGBClassifier(n_estimators=60, max_depth=3, learning_rate=0.1, random_state=0, n_jobs=1, tree_method="exact")
model.fit(train[features], train["bad"])
model.save_model(f"{out}/xgboost.json")

torch.manual_seed(0)
X = torch.tensor(train[features].values, dtype=torch.float32)
y = torch.tensor(train["bad"].values, dtype=torch.float32).unsqueeze(1)
mean, std = X.mean(0), X.std(0).clamp_min(1e-6)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.net = torch.nn.Sequential(torch.nn.Linear(24, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=0.01, weight_decay=1e-4)
loss = torch.nn.BCEWithLogitsLoss()
for _ in range(300):
    opt.zero_grad()
    loss(net(X), y).backward()
    opt.step()
net.eval()
torch.onnx.export(net, X[:2], f"{out}/mlp.onnx", input_names=["features"], output_names=["logit"],
                  dynamic_axes={"features": {0: "batch"}, "logit": {0: "batch"}}, opset_version=13)

V = valid[features]
with torch.no_grad():
    logits = net(torch.tensor(V.values, dtype=torch.float32)).squeeze(1).double().tolist()
json.dump({
    "xgboost_margin": model.predict(V, output_margin=True).astype(float).tolist(),
    "xgboost_probability": model.predict_proba(V)[:, 1].astype(float).tolist(),
    "mlp_logit": logits,
    "labels": valid["bad"].tolist(),
    "versions": {"xgboost": xgb.__version__, "torch": torch.__version__},
}, open(f"{out}/predictions.json", "w"))
