#!/usr/bin/python3
"""Export transformers written the way popular third-party code writes them.

The project's own exporters (export_gpt2/llama/bert.py) share one style. Users
bring models whose layouts differ; each style here is one such class:

  mha-gpt    a GPT built on torch's nn.MultiheadAttention (batch_first=False):
             (B, T, E) is transposed to (T, B, E), and the module views it as
             (T, B*heads, d) and (T*B, E) inside;
  seq-first  a language model in the word_language_model style: input ids
             [seq, batch], every activation [T, B, E], output [T, B, V];
             exported with named dims ("seq", "batch") so that the batch dim
             can be taken from the model (pp-opt --input-shape binds them);
  timm-vit   ViT blocks in the timm style: one fused qkv Linear viewed as
             (B, N, 3, heads, d), permuted to (3, B, heads, N, d) and
             unbound into q, k, v; patches come in as [B, N, P] vectors.

    /usr/bin/python3 python/export_styles.py --style mha-gpt --out /tmp/m
"""

import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _export_common as common  # noqa: E402


def causal_mask(t):
    return torch.triu(torch.full((t, t), float("-inf")), diagonal=1)


class MhaBlock(nn.Module):
    """Pre-norm block around nn.MultiheadAttention, sequence-first inside."""

    def __init__(self, hidden, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(hidden)
        self.attn = nn.MultiheadAttention(hidden, heads)
        self.ln2 = nn.LayerNorm(hidden)
        self.mlp = nn.Sequential(nn.Linear(hidden, 4 * hidden), nn.GELU(),
                                 nn.Linear(4 * hidden, hidden))

    def forward(self, x, mask):  # x: [T, B, E]
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class MhaGpt(nn.Module):
    def __init__(self, vocab, seq, hidden, heads, layers):
        super().__init__()
        self.wte = nn.Embedding(vocab, hidden)
        self.wpe = nn.Parameter(0.02 * torch.randn(seq, 1, hidden))
        self.blocks = nn.ModuleList(
            MhaBlock(hidden, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(hidden)
        self.head = nn.Linear(hidden, vocab, bias=False)

    def forward(self, input_ids):  # [B, T]
        t = input_ids.shape[1]
        x = self.wte(input_ids).transpose(0, 1) + self.wpe[:t]
        mask = causal_mask(t)
        for block in self.blocks:
            x = block(x, mask)
        return self.head(self.ln_f(x)).transpose(0, 1)


class SeqFirstAttention(nn.Module):
    """Hand-written attention over [T, B, E], heads folded into the batch."""

    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, hidden)

    def split(self, x):  # [T, B, E] -> [B, heads, T, d]
        t, b, e = x.shape
        return x.view(t, b, self.heads, e // self.heads).permute(1, 2, 0, 3)

    def forward(self, x, mask):
        t, b, e = x.shape
        q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
        s = q @ k.transpose(-1, -2) / math.sqrt(e // self.heads) + mask
        y = F.softmax(s, dim=-1) @ v  # [B, heads, T, d]
        return self.out(y.permute(2, 0, 1, 3).reshape(t, b, e))


class SeqFirstLayer(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.attn = SeqFirstAttention(hidden, heads)
        self.norm1 = nn.LayerNorm(hidden)
        self.ff = nn.Sequential(nn.Linear(hidden, 2 * hidden), nn.ReLU(),
                                nn.Linear(2 * hidden, hidden))
        self.norm2 = nn.LayerNorm(hidden)

    def forward(self, x, mask):  # post-norm, as nn.TransformerEncoderLayer
        x = self.norm1(x + self.attn(x, mask))
        return self.norm2(x + self.ff(x))


class SeqFirstLm(nn.Module):
    def __init__(self, vocab, seq, hidden, heads, layers):
        super().__init__()
        self.hidden = hidden
        self.encoder = nn.Embedding(vocab, hidden)
        position = torch.arange(seq).unsqueeze(1)
        div = torch.exp(torch.arange(0, hidden, 2) * (-math.log(10000.0) / hidden))
        pe = torch.zeros(seq, 1, hidden)
        pe[:, 0, 0::2] = torch.sin(position * div)
        pe[:, 0, 1::2] = torch.cos(position * div)
        self.register_buffer("pe", pe)
        self.layers = nn.ModuleList(
            SeqFirstLayer(hidden, heads) for _ in range(layers))
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, src):  # [T, B]
        t = src.shape[0]
        x = self.encoder(src) * math.sqrt(self.hidden) + self.pe[:t]
        mask = causal_mask(t)
        for layer in self.layers:
            x = layer(x, mask)
        return self.decoder(x)


class TimmAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.scale = (hidden // heads) ** -0.5
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        attn = (q @ k.transpose(-2, -1)) * self.scale
        x = (attn.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(x)


class TimmBlock(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden, eps=1e-6)
        self.attn = TimmAttention(hidden, heads)
        self.norm2 = nn.LayerNorm(hidden, eps=1e-6)
        self.fc1 = nn.Linear(hidden, 4 * hidden)
        self.fc2 = nn.Linear(4 * hidden, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class TimmVit(nn.Module):
    def __init__(self, patch_dim, patches, hidden, heads, layers, classes):
        super().__init__()
        self.patch_embed = nn.Linear(patch_dim, hidden)
        self.cls_token = nn.Parameter(0.02 * torch.randn(1, 1, hidden))
        self.pos_embed = nn.Parameter(0.02 * torch.randn(1, patches + 1, hidden))
        self.blocks = nn.Sequential(
            *[TimmBlock(hidden, heads) for _ in range(layers)])
        self.norm = nn.LayerNorm(hidden, eps=1e-6)
        self.head = nn.Linear(hidden, classes)

    def forward(self, patches):  # [B, N, P]
        x = self.patch_embed(patches)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


def main():
    p = common.base_parser(__doc__.splitlines()[0])
    p.add_argument("--style", required=True,
                   choices=["mha-gpt", "seq-first", "timm-vit"])
    p.add_argument("--static-dims", action="store_true",
                   help="seq-first: export without dim names (fixed shapes)")
    a = p.parse_args()
    common.check_divisible(a.hidden, a.heads)
    common.seed_everything(a.seed)
    cfg = dict(style=a.style, vocab=a.vocab, seq=a.seq, hidden=a.hidden,
               heads=a.heads, layers=a.layers, batch=a.batch, seed=a.seed)
    g = torch.Generator().manual_seed(a.seed + 1)
    dynamic = None
    if a.style == "mha-gpt":
        model = MhaGpt(a.vocab, a.seq, a.hidden, a.heads, a.layers)
        inputs = {"input_ids": torch.randint(0, a.vocab, (a.batch, a.seq),
                                             generator=g)}
        outputs = ["logits"]
    elif a.style == "seq-first":
        model = SeqFirstLm(a.vocab, a.seq, a.hidden, a.heads, a.layers)
        inputs = {"src": torch.randint(0, a.vocab, (a.seq, a.batch),
                                       generator=g)}
        outputs = ["logits"]
        if not a.static_dims:
            dynamic = {"src": {0: "seq", 1: "batch"},
                       "logits": {0: "seq", 1: "batch"}}
    else:
        patch_dim, classes = 48, 10
        model = TimmVit(patch_dim, a.seq, a.hidden, a.heads, a.layers, classes)
        inputs = {"patches": torch.randn(a.batch, a.seq, patch_dim,
                                         generator=g)}
        outputs = ["logits"]
    common.jitter_norms(model)
    model.eval()
    common.export_and_save(a.style, model, inputs, outputs, cfg, a.out,
                           a.opset, dynamic_axes=dynamic, train=a.train,
                           generate=a.generate, prompt_len=a.prompt_len,
                           seq_dim=0 if a.style == "seq-first" else 1)


if __name__ == "__main__":
    main()
