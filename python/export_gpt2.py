#!/usr/bin/python3
"""Export a tiny GPT-2-style decoder to ONNX, with inputs and reference outputs.

Architecture (as GPT-2): learned token + position embeddings, pre-LayerNorm
blocks, one fused QKV Linear split three ways, causal mask from a tril
buffer applied with torch.where, tanh-approximated GELU (gelu_new) written
out, 4x MLP, final LayerNorm, LM head tied to the token embedding.

    /usr/bin/python3 python/export_gpt2.py --out /tmp/gpt2
"""

import math
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _export_common as common  # noqa: E402


def gelu_new(x):
    # Written out (not F.gelu(approximate="tanh")) so the graph holds the
    # Pow/Tanh/Mul/Add chain GPT-2 checkpoints export as.
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class CausalSelfAttention(nn.Module):
    def __init__(self, hidden, heads, n_positions, pdrop):
        super().__init__()
        self.hidden, self.heads, self.head_dim = hidden, heads, hidden // heads
        self.c_attn = nn.Linear(hidden, 3 * hidden)  # fused Q, K, V
        self.c_proj = nn.Linear(hidden, hidden)
        self.attn_dropout = nn.Dropout(pdrop)
        self.resid_dropout = nn.Dropout(pdrop)
        mask = torch.tril(torch.ones(n_positions, n_positions, dtype=torch.bool))
        self.register_buffer("bias", mask.view(1, 1, n_positions, n_positions), persistent=False)

    def _heads(self, x, b, t):
        return x.view(b, t, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = self.c_attn(x).split(self.hidden, dim=2)
        q, k, v = self._heads(q, b, t), self._heads(k, b, t), self._heads(v, b, t)
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        causal = self.bias[:, :, :t, :t]
        # finfo.min rather than -inf keeps a fully masked row finite.
        att = att.masked_fill(~causal, torch.finfo(att.dtype).min)
        att = self.attn_dropout(torch.softmax(att, dim=-1))
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, t, self.hidden)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, hidden, ffn, pdrop):
        super().__init__()
        self.c_fc = nn.Linear(hidden, ffn)
        self.c_proj = nn.Linear(ffn, hidden)
        self.dropout = nn.Dropout(pdrop)

    def forward(self, x):
        return self.dropout(self.c_proj(gelu_new(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, hidden, heads, ffn, n_positions, eps, pdrop):
        super().__init__()
        self.ln_1 = nn.LayerNorm(hidden, eps=eps)
        self.attn = CausalSelfAttention(hidden, heads, n_positions, pdrop)
        self.ln_2 = nn.LayerNorm(hidden, eps=eps)
        self.mlp = MLP(hidden, ffn, pdrop)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden"]
        self.wte = nn.Embedding(cfg["vocab"], h)
        self.wpe = nn.Embedding(cfg["n_positions"], h)
        self.drop = nn.Dropout(cfg["pdrop"])
        self.h = nn.ModuleList(
            Block(h, cfg["heads"], cfg["ffn"], cfg["n_positions"], cfg["eps"], cfg["pdrop"])
            for _ in range(cfg["layers"]))
        self.ln_f = nn.LayerNorm(h, eps=cfg["eps"])
        self.lm_head = nn.Linear(h, cfg["vocab"], bias=False)
        self.lm_head.weight = self.wte.weight  # tied: one Parameter
        # torch's default N(0, 1) embedding would make the tied head's logits
        # ~8x too large; std 1/sqrt(hidden) keeps them O(1) so that tests can
        # compare with tight absolute tolerances.
        nn.init.normal_(self.wte.weight, std=h ** -0.5)
        self.register_buffer("position_ids", torch.arange(cfg["n_positions"]), persistent=False)

    def forward(self, input_ids):
        t = input_ids.shape[1]
        x = self.wte(input_ids) + self.wpe(self.position_ids[:t])
        x = self.drop(x)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def main():
    p = common.base_parser(__doc__.splitlines()[0])
    p.add_argument("--ffn", type=int, default=None, help="MLP width (default 4*hidden)")
    a = p.parse_args()
    common.check_divisible(a.hidden, a.heads)
    common.seed_everything(a.seed)
    cfg = dict(layers=a.layers, hidden=a.hidden, heads=a.heads, kv_heads=a.heads,
               ffn=a.ffn or 4 * a.hidden, vocab=a.vocab, batch=a.batch, seq=a.seq,
               n_positions=a.seq, eps=1e-5, pdrop=0.1, tied=True, seed=a.seed)
    model = GPT2(cfg).eval()
    common.jitter_norms(model)
    g = torch.Generator().manual_seed(a.seed + 1)
    ids = torch.randint(0, a.vocab, (a.batch, a.seq), generator=g, dtype=torch.int64)
    common.export_and_save("gpt2", model, {"input_ids": ids}, ["logits"], cfg, a.out, a.opset,
                           train=a.train, fold=a.fold, generate=a.generate,
                           prompt_len=a.prompt_len)


if __name__ == "__main__":
    main()
