#!/usr/bin/python3
"""Export a tiny BERT-style encoder to ONNX, with inputs and reference outputs.

Architecture (as BERT): token + position + token-type embeddings, LayerNorm,
post-LN encoder blocks with separate bias-ful Q/K/V Linears, additive
attention mask built from an int64 `attention_mask` input, erf GELU
(F.gelu), outputs `last_hidden_state` and `pooler_output` (tanh(Linear(CLS))).

Inputs: input_ids, attention_mask (rows padded at the end by different
amounts, so some positions are masked out) and token_type_ids (two segments).

    /usr/bin/python3 python/export_bert.py --out /tmp/bert
"""

import math
import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _export_common as common  # noqa: E402


class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden"]
        self.word_embeddings = nn.Embedding(cfg["vocab"], h)
        self.position_embeddings = nn.Embedding(cfg["max_positions"], h)
        self.token_type_embeddings = nn.Embedding(cfg["type_vocab"], h)
        self.LayerNorm = nn.LayerNorm(h, eps=cfg["eps"])
        self.dropout = nn.Dropout(cfg["pdrop"])
        self.register_buffer("position_ids", torch.arange(cfg["max_positions"])[None, :], persistent=False)

    def forward(self, input_ids, token_type_ids):
        t = input_ids.shape[1]
        x = self.word_embeddings(input_ids) + self.position_embeddings(self.position_ids[:, :t])
        if token_type_ids is not None:
            x = x + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self, hidden, heads, pdrop):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.dropout = nn.Dropout(pdrop)

    def _heads(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, additive_mask):
        q, k, v = self._heads(self.query(x)), self._heads(self.key(x)), self._heads(self.value(x))
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        att = self.dropout(torch.softmax(att + additive_mask, dim=-1))
        y = torch.matmul(att, v).permute(0, 2, 1, 3).contiguous()
        return y.view(x.shape)


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h, eps, pdrop = cfg["hidden"], cfg["eps"], cfg["pdrop"]
        self.attention = SelfAttention(h, cfg["heads"], pdrop)
        self.attn_out = nn.Linear(h, h)
        self.attn_dropout = nn.Dropout(pdrop)
        self.attn_norm = nn.LayerNorm(h, eps=eps)
        self.intermediate = nn.Linear(h, cfg["ffn"])
        self.output = nn.Linear(cfg["ffn"], h)
        self.out_dropout = nn.Dropout(pdrop)
        self.out_norm = nn.LayerNorm(h, eps=eps)

    def forward(self, x, additive_mask):
        # Post-LN: the norm comes after each residual add.
        x = self.attn_norm(x + self.attn_dropout(self.attn_out(self.attention(x, additive_mask))))
        return self.out_norm(x + self.out_dropout(self.output(F.gelu(self.intermediate(x)))))


class Bert(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg["layers"]))
        self.with_pooler = cfg["pooler"]
        if self.with_pooler:
            self.pooler = nn.Linear(cfg["hidden"], cfg["hidden"])

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        # [b, s] 1/0 -> [b, 1, 1, s] additive: 0 where attended, -10000 where
        # padded (BERT's original constant, not -inf: keeps padded rows finite).
        ext = attention_mask[:, None, None, :].to(torch.float32)
        ext = (1.0 - ext) * -10000.0
        x = self.embeddings(input_ids, token_type_ids)
        for layer in self.layers:
            x = layer(x, ext)
        if not self.with_pooler:
            return x
        return x, torch.tanh(self.pooler(x[:, 0]))


def make_inputs(batch, seq, vocab, seed, with_types):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab, (batch, seq), generator=g, dtype=torch.int64)
    # Row i keeps its first seq - pad[i] tokens: even rows are full, odd rows
    # are padded at the end by different amounts (at most half the row).
    pads = [0 if i % 2 == 0 else 1 + (5 * i) % max(seq // 2, 1) for i in range(batch)]
    mask = torch.ones(batch, seq, dtype=torch.int64)
    types = torch.zeros(batch, seq, dtype=torch.int64)
    for i, pad in enumerate(pads):
        valid = seq - pad
        if pad:
            mask[i, valid:] = 0
            ids[i, valid:] = 0  # [PAD]
        types[i, valid // 2:valid] = 1  # second segment
    inputs = OrderedDict(input_ids=ids, attention_mask=mask)
    if with_types:
        inputs["token_type_ids"] = types
    return inputs


def main():
    p = common.base_parser(__doc__.splitlines()[0])
    p.add_argument("--ffn", type=int, default=None, help="intermediate width (default 4*hidden)")
    p.add_argument("--no-pooler", action="store_true", help="output last_hidden_state only")
    p.add_argument("--no-token-types", action="store_true", help="drop the token_type_ids input")
    a = p.parse_args()
    common.check_divisible(a.hidden, a.heads)
    common.seed_everything(a.seed)
    cfg = dict(layers=a.layers, hidden=a.hidden, heads=a.heads, kv_heads=a.heads,
               ffn=a.ffn or 4 * a.hidden, vocab=a.vocab, batch=a.batch, seq=a.seq,
               max_positions=a.seq, type_vocab=2, eps=1e-12, pdrop=0.1,
               pooler=not a.no_pooler, token_types=not a.no_token_types, seed=a.seed)
    model = Bert(cfg).eval()
    common.jitter_norms(model)
    inputs = make_inputs(a.batch, a.seq, a.vocab, a.seed + 1, cfg["token_types"])
    outputs = ["last_hidden_state"] + (["pooler_output"] if cfg["pooler"] else [])
    common.export_and_save("bert", model, inputs, outputs, cfg, a.out, a.opset,
                           train=a.train, fold=a.fold)


if __name__ == "__main__":
    main()
