#!/usr/bin/python3
"""Single-device cpu forward speed: pp against ONNX Runtime and torch eager.

The same exports run through pp (`pp-opt --target=cpu`, `run --repeat`),
ONNX Runtime (onnxruntime-node from npm, installed by this script into a
cache folder for the bench only: the build and the tests never need it) and
torch eager, in one run, with the same thread count; pp and ONNX Runtime
alternate over --rounds rounds, so that the machine's drift lands on both.
It prints each one's milliseconds per forward (pp's and ORT's the median
round) and pp's speed as a ratio (theirs / pp's:
above 1 means pp is faster), with the threads, the cpu's vector ISA, the
OpenBLAS core type and the commit. pp's logits are compared with ONNX
Runtime's before any time is printed.

Models (issue 15): a GPT-2-style model 6 layers x 768 (vocabulary 8192) at
batch 1 and 8 x 128 tokens, and a Llama-style model 4 layers x 1024 with
GQA (16 heads, 4 KV heads) at batch 4 x 128. Then, in the same run and
with the same threads, a training step against torch (train_step.py) and
decode tokens/s (generate_decode.py), unless --forward-only.

    /usr/bin/python3 bench/cpu_speed.py [--threads 2] [--repeat 10] [--rounds 3]
                                        [--forward-only]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "python"))

import export_gpt2  # noqa: E402
import export_llama  # noqa: E402

MODELS = [
    ("gpt 6x768 b1", "export_gpt2.py", dict(layers=6, hidden=768, heads=12, vocab=8192, batch=1, seq=128)),
    ("gpt 6x768 b8", "export_gpt2.py", dict(layers=6, hidden=768, heads=12, vocab=8192, batch=8, seq=128)),
    ("llama 4x1024 gqa b4", "export_llama.py",
     dict(layers=4, hidden=1024, heads=16, kv_heads=4, vocab=8192, batch=4, seq=128)),
]

ORT_SCRIPT = r"""
const ort = require('onnxruntime-node');
const fs = require('fs');
(async () => {
  const [model, idsPath, shapeJson, threads, repeat, outPath] = process.argv.slice(2);
  const shape = JSON.parse(shapeJson);
  const raw = fs.readFileSync(idsPath);
  const ids = new BigInt64Array(raw.buffer, raw.byteOffset, raw.length / 8);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential'});
  const feeds = {input_ids: new ort.Tensor('int64', ids, shape)};
  let out = await session.run(feeds);  // warm-up, not timed
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < Number(repeat); ++i) out = await session.run(feeds);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / Number(repeat);
  const logits = out[session.outputNames[0]];
  fs.writeFileSync(outPath, Buffer.from(logits.data.buffer, logits.data.byteOffset,
                                        logits.data.byteLength));
  console.log(`ort ${ms}`);
})();
"""


def ensure_ort(cache):
    if not os.path.isdir(os.path.join(cache, "node_modules", "onnxruntime-node")):
        os.makedirs(cache, exist_ok=True)
        subprocess.run(["npm", "install", "--ignore-scripts", "--prefix", cache,
                        "onnxruntime-node"], check=True, stdout=subprocess.DEVNULL)
    version = json.load(open(os.path.join(cache, "node_modules", "onnxruntime-node",
                                          "package.json")))["version"]
    script = os.path.join(cache, "ort_time.js")
    with open(script, "w") as fh:
        fh.write(ORT_SCRIPT)
    return script, version


def torch_model(script, cfg):
    cfg = dict(cfg, ffn=4 * cfg["hidden"] if script == "export_gpt2.py" else None,
               eps=1e-5, pdrop=0.0, tied=script == "export_gpt2.py",
               n_positions=cfg["seq"], rope_theta=10000.0, seed=0)
    if script == "export_gpt2.py":
        cfg["kv_heads"] = cfg["heads"]
        return export_gpt2.GPT2(cfg).eval()
    cfg["ffn"] = -(-8 * cfg["hidden"] // 3 // 16) * 16  # the exporter's default
    return export_llama.Llama(cfg).eval()


def isa():
    flags = open("/proc/cpuinfo").read()
    for name in ("avx512f", "avx2", "avx", "sse4_2"):
        if re.search(r"\b" + name + r"\b", flags):
            return name
    return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3,
                    help="pp and ONNX Runtime alternate this many times; medians are reported")
    ap.add_argument("--pp-opt", default=os.path.join(ROOT, "build", "bin", "pp-opt"))
    ap.add_argument("--ort-cache", default=os.path.join(tempfile.gettempdir(), "pp-bench-ort"))
    ap.add_argument("--forward-only", action="store_true")
    a = ap.parse_args()
    script, ort_version = ensure_ort(a.ort_cache)
    torch.set_num_threads(a.threads)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print(f"commit {commit}, {a.threads} threads, ISA {isa()}, OPENBLAS_CORETYPE "
          f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, ONNX Runtime {ort_version}, "
          f"torch {torch.__version__}; pp and ORT: median over {a.rounds} alternating rounds "
          f"of the mean of {a.repeat} runs after one warm-up; torch: mean of {a.repeat}")
    print(f"{'model':22} {'pp ms':>9} {'ORT ms':>9} {'torch ms':>9} "
          f"{'vs ORT':>7} {'vs torch':>8} {'max|pp-ORT|':>12}")
    work = tempfile.mkdtemp(prefix="pp-cpu-speed-")
    for name, exporter, cfg in MODELS:
        out = os.path.join(work, name.replace(" ", "-"))
        flags = [f"--{k.replace('_', '-')}={v}" for k, v in cfg.items()]
        subprocess.run([sys.executable, os.path.join(ROOT, "python", exporter),
                        "--out", out] + flags, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        model = os.path.join(out, "model.onnx")
        ids = np.load(os.path.join(out, "input_ids.npy"))
        subprocess.run([a.pp_opt, model, "--target=cpu", "-o", os.path.join(out, "pp")],
                       check=True)
        ids.astype(np.int64).tofile(os.path.join(out, "ids.bin"))
        # Alternating rounds, so that the machine's drift over minutes
        # (+-10% here) lands on both sides alike.
        pp_runs, ort_runs = [], []
        for _ in range(a.rounds):
            p = subprocess.run([os.path.join(out, "pp", "run"), "--input",
                                f"input_ids={out}/input_ids.npy", "--repeat", str(a.repeat),
                                "--threads", str(a.threads), "--output-dir",
                                os.path.join(out, "pp-res")],
                               check=True, capture_output=True, text=True)
            pp_runs.append(float(re.search(r"forward mean ([0-9.]+) ms", p.stdout).group(1)))
            o = subprocess.run(["node", script, model, os.path.join(out, "ids.bin"),
                                json.dumps(list(ids.shape)), str(a.threads), str(a.repeat),
                                os.path.join(out, "ort.bin")],
                               check=True, capture_output=True, text=True,
                               env=dict(os.environ, NODE_PATH=os.path.join(a.ort_cache,
                                                                           "node_modules")))
            ort_runs.append(float(re.search(r"ort ([0-9.e+-]+)", o.stdout).group(1)))
        pp_ms, ort_ms = float(np.median(pp_runs)), float(np.median(ort_runs))
        ort_logits = np.fromfile(os.path.join(out, "ort.bin"), dtype=np.float32)
        pp_logits = np.load(sorted(
            os.path.join(out, "pp-res", f) for f in os.listdir(os.path.join(out, "pp-res"))
            if f.endswith(".npy"))[0]).reshape(-1)
        diff = float(np.abs(pp_logits - ort_logits).max())
        m = torch_model(exporter, cfg)
        x = torch.from_numpy(ids)
        with torch.no_grad():
            m(x)
            t0 = time.perf_counter()
            for _ in range(a.repeat):
                m(x)
            torch_ms = (time.perf_counter() - t0) * 1e3 / a.repeat
        print(f"{name:22} {pp_ms:9.2f} {ort_ms:9.2f} {torch_ms:9.2f} "
              f"{ort_ms / pp_ms:7.2f} {torch_ms / pp_ms:8.2f} {diff:12.2e}")
    if a.forward_only:
        return
    for script in ("train_step.py", "generate_decode.py"):
        sys.stdout.flush()
        subprocess.run([sys.executable, os.path.join(HERE, script), "--threads",
                        str(a.threads), "--pp-opt", a.pp_opt], check=True)


if __name__ == "__main__":
    main()
