#!/usr/bin/python3
"""GPU forward speed: pp's cuda programs against torch eager and torch.compile.

The GPU machine has CUDA, torch and numpy but no MLIR, so the bench runs in
two halves, like scripts/gpu-check.sh:

    /usr/bin/python3 bench/gpu_speed.py prepare DIR [--build BUILD]   # here
    python3 DIR/gpu_speed.py run DIR [--repeat 20] [--no-compile]     # there

prepare builds each model with python/make_gpt.py or make_llama70b.py:
onnx.helper graphs whose bf16 weights live in a weights.bin that is never
written (sparse). It compiles each model with `pp-opt --target=cuda` in f32
and bf16, and then deletes weights.bin, so only the graph and the programs
travel. It also copies this script and the shared libraries the programs
need (scripts/gpu-check.sh carry-libs). `run` writes weights.bin again,
N(0, 0.02) in bf16 (the torch models get the same distribution, not the
same values: this is a timing bench; scripts/gpu-check.sh compares outputs
with torch).

run prints, per model and dtype, the mean milliseconds of --repeat forwards
after warm-up runs, for:
- pp;
- pp --cuda-graphs;
- pp with PPRT_CUBLASLT=0 (matmulAdd as prefill + cuBLAS);
- torch eager (the same architecture written in torch, attention through
  F.scaled_dot_product_attention);
- torch.compile, bf16 only (compiling takes about a minute per model).
It adds speed ratios (torch's milliseconds / pp's, so above 1 means pp is
faster), the GPU, the torch version and the commit that prepare ran at.
Every pp output must be finite.

Models:
- GPT-2 small: 12 x 768, vocabulary 50304, batch 8 x 1024;
- the cpu bench's GPT: 6 x 768, vocabulary 8192, batch 1 x 128. It is
  launch-bound, where CUDA graphs matter;
- TinyLlama-1.1B's shape: 22 x 2048, 32 heads, 4 KV heads, ffn 5632,
  vocabulary 32000, batch 4 x 512.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

MODELS = [
    ("gpt2-small-b8x1024", "make_gpt.py",
     dict(layers=12, hidden=768, heads=12, vocab=50304, seq=1024, batch=8)),
    ("gpt-6x768-b1x128", "make_gpt.py",
     dict(layers=6, hidden=768, heads=12, vocab=8192, seq=128, batch=1)),
    ("tinyllama-b4x512", "make_llama70b.py",
     dict(layers=22, hidden=2048, heads=32, kv_heads=4, ffn=5632, vocab=32000,
          seq=512, batch=4)),
]
DTYPES = ("f32", "bf16")


def prepare(a):
    root = os.path.dirname(HERE)
    build = os.path.abspath(a.build or os.path.join(root, "build"))
    out = os.path.abspath(a.dir)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for name, maker, cfg in MODELS:
        if a.models and name not in a.models:
            continue
        model = os.path.join(out, name, "model")
        flags = [f"--{k.replace('_', '-')}={v}" for k, v in cfg.items()]
        subprocess.run([sys.executable, os.path.join(root, "python", maker), "--out", model]
                       + flags, check=True, stdout=subprocess.DEVNULL)
        rng = np.random.default_rng(0)
        np.save(os.path.join(out, name, "input_ids.npy"),
                rng.integers(0, cfg["vocab"], (cfg["batch"], cfg["seq"]), dtype=np.int64))
        for dtype in DTYPES:
            subprocess.run([os.path.join(build, "bin", "pp-opt"),
                            os.path.join(model, "model.onnx"), "--target=cuda",
                            f"--dtype={dtype}", "-o", os.path.join(out, name, dtype)],
                           check=True)
        os.remove(os.path.join(model, "weights.bin"))
        with open(os.path.join(out, name, "config.json"), "w") as fh:
            json.dump(dict(maker=maker, config=cfg), fh)
    shutil.copy(os.path.abspath(__file__), out)
    subprocess.run([os.path.join(root, "scripts", "gpu-check.sh"), "carry-libs", out],
                   check=True)
    commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    with open(os.path.join(out, "commit.txt"), "w") as fh:
        fh.write(commit + "\n")
    print(f"prepared {out} at {commit}: carry it to the GPU machine and run "
          f"python3 {out}/gpu_speed.py run {out}")


def write_weights(model_dir):
    """weights.bin at the size meta.json gives, N(0, 0.02) as bf16."""
    size = json.load(open(os.path.join(model_dir, "meta.json")))["weights_bytes"]
    rng = np.random.default_rng(1)
    chunk = 1 << 24
    with open(os.path.join(model_dir, "weights.bin"), "wb") as fh:
        for start in range(0, size // 2, chunk):
            n = min(chunk, size // 2 - start)
            bits = (rng.standard_normal(n, dtype=np.float32) * 0.02).view(np.uint32)
            fh.write((bits >> 16).astype(np.uint16).tobytes())


def time_pp(program, ids, weights, repeat, env=None, extra=()):
    res = os.path.join(os.path.dirname(program), "res")
    p = subprocess.run([program, "--input", f"input_ids={ids}", "--weights-dir", weights,
                        "--repeat", str(repeat), "--output-dir", res, *extra],
                       capture_output=True, text=True, env=dict(os.environ, **(env or {})))
    if p.returncode != 0:
        return None, (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]
    logits = np.load(os.path.join(res, sorted(os.listdir(res))[0]))
    if not np.isfinite(logits).all():
        return None, "non-finite outputs"
    return float(re.search(r"forward mean ([0-9.]+) ms", p.stdout).group(1)), ""


def torch_model(maker, cfg):
    """The architecture make_gpt.py / make_llama70b.py build, in torch."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class Attention(nn.Module):
        def __init__(self, hidden, heads, kv_heads, bias):
            super().__init__()
            self.heads, self.kv_heads, self.d = heads, kv_heads, hidden // heads
            self.q = nn.Linear(hidden, hidden, bias=bias)
            self.k = nn.Linear(hidden, kv_heads * self.d, bias=bias)
            self.v = nn.Linear(hidden, kv_heads * self.d, bias=bias)
            self.o = nn.Linear(hidden, hidden, bias=bias)

        def forward(self, x, rope=None):
            b, t, _ = x.shape
            q = self.q(x).view(b, t, self.heads, self.d).transpose(1, 2)
            k = self.k(x).view(b, t, self.kv_heads, self.d).transpose(1, 2)
            v = self.v(x).view(b, t, self.kv_heads, self.d).transpose(1, 2)
            if rope is not None:
                q, k = rope(q), rope(k)
            group = self.heads // self.kv_heads
            if group > 1:
                k, v = k.repeat_interleave(group, 1), v.repeat_interleave(group, 1)
            if hasattr(F, "scaled_dot_product_attention"):
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:  # torch < 2.0
                s = (q @ k.transpose(-1, -2)) / self.d ** 0.5
                mask = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
                y = s.masked_fill(mask, float("-inf")).softmax(-1) @ v
            return self.o(y.transpose(1, 2).reshape(b, t, -1))

    class RmsNorm(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(n))

        def forward(self, x):
            return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5))

    h, heads, seq = cfg["hidden"], cfg["heads"], cfg["seq"]
    llama = maker == "make_llama70b.py"
    kv = cfg.get("kv_heads", heads)
    ffn = cfg.get("ffn", 4 * h)

    class Rope(nn.Module):
        def __init__(self):
            super().__init__()
            d = h // heads
            inv = 1.0 / (10000 ** (torch.arange(0, d, 2).float() / d))
            f = torch.outer(torch.arange(seq).float(), inv)
            self.register_buffer("cos", torch.cat([f, f], -1).cos())
            self.register_buffer("sin", torch.cat([f, f], -1).sin())

        def forward(self, x):
            x1, x2 = x.chunk(2, -1)
            return x * self.cos + torch.cat([-x2, x1], -1) * self.sin

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1 = RmsNorm(h) if llama else nn.LayerNorm(h)
            self.norm2 = RmsNorm(h) if llama else nn.LayerNorm(h)
            self.attn = Attention(h, heads, kv, bias=not llama)
            if llama:
                self.gate = nn.Linear(h, ffn, bias=False)
                self.up = nn.Linear(h, ffn, bias=False)
                self.down = nn.Linear(ffn, h, bias=False)
            else:
                self.fc = nn.Linear(h, ffn)
                self.proj = nn.Linear(ffn, h)

        def forward(self, x, rope):
            x = x + self.attn(self.norm1(x), rope)
            y = self.norm2(x)
            if llama:
                return x + self.down(F.silu(self.gate(y)) * self.up(y))
            return x + self.proj(F.gelu(self.fc(y)))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(cfg["vocab"], h)
            self.wpe = None if llama else nn.Embedding(seq, h)
            self.rope = Rope() if llama else None
            self.blocks = nn.ModuleList(Block() for _ in range(cfg["layers"]))
            self.norm = RmsNorm(h) if llama else nn.LayerNorm(h)
            self.lm_head = nn.Linear(h, cfg["vocab"], bias=False)

        def forward(self, ids):
            x = self.wte(ids)
            if self.wpe is not None:
                x = x + self.wpe.weight[: ids.shape[1]]
            for block in self.blocks:
                x = block(x, self.rope)
            return self.lm_head(self.norm(x))

    m = Model()
    for p in m.parameters():
        nn.init.normal_(p, std=0.02)
    return m


def time_torch(model, ids, repeat, warmup):
    import torch
    with torch.no_grad():
        for _ in range(warmup):
            model(ids)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(repeat):
            model(ids)
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) * 1e3 / repeat


def fmt(v, width=8):
    return f"{v:{width}.2f}" if v else f"{'-':>{width}}"


def ratio(num, den, width=8):
    return f"{num / den:{width}.2f}" if num and den else f"{'-':>{width}}"


def run(a):
    import torch
    d = os.path.abspath(a.dir)
    lib = os.path.join(d, "lib")
    os.environ["LD_LIBRARY_PATH"] = lib + (":" + os.environ["LD_LIBRARY_PATH"]
                                           if os.environ.get("LD_LIBRARY_PATH") else "")
    commit = open(os.path.join(d, "commit.txt")).read().strip()
    print(f"commit {commit}, {torch.cuda.get_device_name(0)}, torch {torch.__version__}; "
          f"mean of {a.repeat} forwards after warm-up; ratios = torch ms / pp ms")
    print(f"{'model':20} {'dtype':5} {'pp':>8} {'graphs':>8} {'no Lt':>8} {'eager':>8} "
          f"{'compile':>8} {'eager/pp':>8} {'compile/pp':>10} {'eager/graphs':>12}")
    failed = False
    for name, maker, cfg in MODELS:
        if (a.models and name not in a.models) or not os.path.isdir(os.path.join(d, name)):
            continue
        weights = os.path.join(d, name, "model")
        write_weights(weights)
        ids_path = os.path.join(d, name, "input_ids.npy")
        ids = torch.from_numpy(np.load(ids_path)).cuda()
        for dtype in DTYPES:
            program = os.path.join(d, name, dtype, "run")
            pp, why = time_pp(program, ids_path, weights, a.repeat)
            graphs, why_g = time_pp(program, ids_path, weights, a.repeat,
                                    extra=["--cuda-graphs"])
            no_lt, why_l = time_pp(program, ids_path, weights, a.repeat,
                                   env={"PPRT_CUBLASLT": "0"})
            for label, ms, reason in (("pp", pp, why), ("pp --cuda-graphs", graphs, why_g),
                                      ("pp PPRT_CUBLASLT=0", no_lt, why_l)):
                if ms is None:
                    failed = True
                    print(f"  {name} {dtype}: {label} failed: {reason}")
            try:  # built on the GPU where torch can (2.0+): no host-side init
                with torch.device("cuda"):
                    model = torch_model(maker, cfg)
            except (AttributeError, TypeError):
                model = torch_model(maker, cfg).cuda()
            if dtype == "bf16":
                model = model.to(torch.bfloat16)
            eager = time_torch(model, ids, a.repeat, warmup=3)
            compiled = None
            if dtype == "bf16" and not a.no_compile and hasattr(torch, "compile"):
                try:
                    compiled = time_torch(torch.compile(model), ids, a.repeat, warmup=3)
                except Exception as e:  # report, keep the other numbers
                    print(f"  {name} {dtype}: torch.compile failed: {type(e).__name__}: {e}")
            del model
            torch.cuda.empty_cache()

            print(f"{name:20} {dtype:5} {fmt(pp)} {fmt(graphs)} {fmt(no_lt)} {fmt(eager)} "
                  f"{fmt(compiled)} {ratio(eager, pp)} {ratio(compiled, pp, 10)} "
                  f"{ratio(eager, graphs, 12)}", flush=True)
        os.remove(os.path.join(d, name, "model", "weights.bin"))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["prepare", "run"])
    ap.add_argument("dir")
    ap.add_argument("--build", help="pp's build folder (prepare; default ./build)")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    ap.add_argument("--models", nargs="*", help="only these (names as printed)")
    a = ap.parse_args()
    if a.mode == "prepare":
        prepare(a)
        return 0
    return run(a)


if __name__ == "__main__":
    sys.exit(main())
