#!/usr/bin/python3
"""Export a tiny Llama-style decoder to ONNX, with inputs and reference outputs.

Architecture (as Llama 2/3): token embedding, RMSNorm written out
(pow/mean/rsqrt, scale), rotary position embeddings (precomputed cos/sin,
rotate_half by slicing + cat), grouped-query attention (K/V heads repeated
via unsqueeze/expand/reshape), additive causal mask, SwiGLU MLP
(silu written as x*sigmoid(x)), no biases anywhere, final RMSNorm, untied
LM head.

    /usr/bin/python3 python/export_llama.py --out /tmp/llama
"""

import math
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _export_common as common  # noqa: E402


class RMSNorm(nn.Module):
    def __init__(self, hidden, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(hidden))

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_tables(seq, head_dim, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    freqs = torch.outer(torch.arange(seq, dtype=torch.float32), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)  # [seq, head_dim], HF layout
    return emb.cos(), emb.sin()


class Attention(nn.Module):
    def __init__(self, hidden, heads, kv_heads, seq, theta, pdrop):
        super().__init__()
        self.heads, self.kv_heads = heads, kv_heads
        self.head_dim = hidden // heads
        self.n_rep = heads // kv_heads
        self.q_proj = nn.Linear(hidden, heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(heads * self.head_dim, hidden, bias=False)
        self.attn_dropout = nn.Dropout(pdrop)
        cos, sin = rope_tables(seq, self.head_dim, theta)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        # Additive mask (0 on/below the diagonal, very negative above), the
        # form HF Llama uses; GPT-2's exporter uses the Where form instead,
        # so between them both patterns are covered.
        mask = torch.triu(torch.full((seq, seq), torch.finfo(torch.float32).min), diagonal=1)
        self.register_buffer("causal_mask", mask, persistent=False)

    def _repeat_kv(self, x):
        # [b, kv, t, d] -> [b, kv*n_rep, t, d]; each KV head serves n_rep
        # consecutive query heads (HF's repeat_kv).
        b, kv, t, d = x.shape
        x = x[:, :, None, :, :].expand(b, kv, self.n_rep, t, d)
        return x.reshape(b, kv * self.n_rep, t, d)

    def forward(self, x):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        cos, sin = self.cos[:t], self.sin[:t]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = self._repeat_kv(k), self._repeat_kv(v)
        att = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(self.head_dim))
        att = att + self.causal_mask[:t, :t]
        att = self.attn_dropout(torch.softmax(att, dim=-1))
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, t, self.heads * self.head_dim)
        return self.o_proj(y)


class MLP(nn.Module):
    def __init__(self, hidden, ffn):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, ffn, bias=False)
        self.up_proj = nn.Linear(hidden, ffn, bias=False)
        self.down_proj = nn.Linear(ffn, hidden, bias=False)

    def forward(self, x):
        g = self.gate_proj(x)
        return self.down_proj(g * torch.sigmoid(g) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden"]
        self.input_layernorm = RMSNorm(h, cfg["eps"])
        self.self_attn = Attention(h, cfg["heads"], cfg["kv_heads"], cfg["seq"],
                                   cfg["rope_theta"], cfg["pdrop"])
        self.post_attention_layernorm = RMSNorm(h, cfg["eps"])
        self.mlp = MLP(h, cfg["ffn"])

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


class Llama(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg["vocab"], cfg["hidden"])
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg["layers"]))
        self.norm = RMSNorm(cfg["hidden"], cfg["eps"])
        self.lm_head = nn.Linear(cfg["hidden"], cfg["vocab"], bias=False)  # untied

    def forward(self, input_ids):
        x = self.embed_tokens(input_ids)
        for layer in self.layers:
            x = layer(x)
        return self.lm_head(self.norm(x))


def main():
    p = common.base_parser(__doc__.splitlines()[0])
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--ffn", type=int, default=None,
                   help="SwiGLU width (default: 8/3*hidden rounded up to a multiple of 16)")
    a = p.parse_args()
    common.check_divisible(a.hidden, a.heads, a.kv_heads)
    if (a.hidden // a.heads) % 2:
        raise SystemExit("head_dim must be even for rotary embeddings")
    common.seed_everything(a.seed)
    ffn = a.ffn or -(-8 * a.hidden // 3 // 16) * 16
    cfg = dict(layers=a.layers, hidden=a.hidden, heads=a.heads, kv_heads=a.kv_heads,
               ffn=ffn, vocab=a.vocab, batch=a.batch, seq=a.seq, eps=1e-5,
               rope_theta=10000.0, pdrop=0.1, tied=False, seed=a.seed)
    model = Llama(cfg).eval()
    common.jitter_norms(model)
    g = torch.Generator().manual_seed(a.seed + 1)
    ids = torch.randint(0, a.vocab, (a.batch, a.seq), generator=g, dtype=torch.int64)
    common.export_and_save("llama", model, {"input_ids": ids}, ["logits"], cfg, a.out, a.opset,
                           train=a.train, fold=a.fold, generate=a.generate,
                           prompt_len=a.prompt_len)


if __name__ == "__main__":
    main()
