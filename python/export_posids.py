#!/usr/bin/python3
"""Export a tiny embedding model whose position ids are built per batch row.

Position ids written the way many decoders write them: arange(T),
unsqueeze(0), expand(B, T), then a table lookup. The ids do not depend on
any input, so the lookup is the same for every batch row; pp-split-batch
must slice it like any batch-independent broadcast, not refuse it.

    /usr/bin/python3 python/export_posids.py --out /tmp/posids
"""

import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _export_common as common  # noqa: E402


class PosIds(nn.Module):
    def __init__(self, vocab, seq, hidden):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(seq, hidden)
        self.norm = nn.LayerNorm(hidden)
        self.proj = nn.Linear(hidden, vocab)

    def forward(self, input_ids):
        b, t = input_ids.shape
        position_ids = torch.arange(t).unsqueeze(0).expand(b, t)
        x = self.tok(input_ids) + self.pos(position_ids)
        return self.proj(self.norm(x))


def main():
    p = common.base_parser(__doc__.splitlines()[0])
    a = p.parse_args()
    common.seed_everything(a.seed)
    cfg = dict(vocab=a.vocab, seq=a.seq, hidden=a.hidden, batch=a.batch,
               seed=a.seed)
    model = PosIds(a.vocab, a.seq, a.hidden).eval()
    g = torch.Generator().manual_seed(a.seed + 1)
    ids = torch.randint(0, a.vocab, (a.batch, a.seq), generator=g,
                        dtype=torch.int64)
    common.export_and_save("posids", model, {"input_ids": ids}, ["logits"],
                           cfg, a.out, a.opset)


if __name__ == "__main__":
    main()
