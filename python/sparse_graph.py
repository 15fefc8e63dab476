"""Building blocks of the sparse-weight graph builders (make_llama70b.py,
make_gpt.py): a builder for onnx.helper graphs with static shapes whose
weights are bf16 external data at aligned offsets of a weights.bin that is
never written (a sparse file), and the writer of the model folder.
"""

import json
import math
import os

import numpy as np
from onnx import TensorProto, helper

BF16 = TensorProto.BFLOAT16
INT64 = TensorProto.INT64
ALIGN = 4096
WEIGHTS_FILE = "weights.bin"
INT64_MAX = np.iinfo(np.int64).max
BF16_MIN = -3.3895313892515355e38  # torch.finfo(torch.bfloat16).min


def bf16_bits(a):
    """float32 array -> uint16 bf16 bit patterns, round-to-nearest-even."""
    u = np.asarray(a, dtype=np.float32).view(np.uint32).astype(np.int64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype(np.uint16)


class Builder:
    """Accumulates nodes, initializers and value_info with static shapes."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.nodes, self.inits, self.value_info = [], [], []
        self.weight_table = []  # (name, shape, offset, length)
        self.offset = 0  # next free byte in weights.bin
        self.params = 0
        self._names = set()

    def _unique(self, name):
        assert name not in self._names, f"duplicate name {name}"
        self._names.add(name)
        return name

    # -- initializers ---------------------------------------------------
    def const_i64(self, name, values):
        arr = np.asarray(values, dtype=np.int64)
        self.inits.append(helper.make_tensor(self._unique(name), INT64, arr.shape, arr.tobytes(), raw=True))
        return name

    def const_bf16(self, name, values):
        bits = bf16_bits(values)
        self.inits.append(helper.make_tensor(self._unique(name), BF16, bits.shape, bits.tobytes(), raw=True))
        return name

    def weight(self, name, shape):
        """A bf16 weight in weights.bin; only its location is recorded."""
        t = TensorProto()
        t.name = self._unique(name)
        t.data_type = BF16
        t.dims.extend(shape)
        t.data_location = TensorProto.EXTERNAL
        numel = math.prod(shape)
        length = 2 * numel
        offset = -(-self.offset // ALIGN) * ALIGN
        for k, v in (("location", WEIGHTS_FILE), ("offset", str(offset)), ("length", str(length))):
            e = t.external_data.add()
            e.key, e.value = k, v
        self.inits.append(t)
        self.weight_table.append((name, list(shape), offset, length))
        self.offset = offset + length
        self.params += numel
        return name

    # -- nodes ------------------------------------------------------------
    def op(self, op_type, inputs, shape, name, dtype=BF16, out=None, **attrs):
        """Add a one-output node; the output is `<name>_output_0` (torch
        style) unless `out` names a graph output, which gets no value_info."""
        is_graph_output = out is not None
        out = self._unique(out or f"{name}_output_0")
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=name, **attrs))
        if not is_graph_output:
            self.value_info.append(helper.make_tensor_value_info(out, dtype, shape))
        return out


def lm_model(b, name, producer, batch, seq, vocab):
    """The graph of `b`'s nodes as a language model: input_ids [batch, seq]
    int64 in, logits [batch, seq, vocab] bf16 out, opset 17."""
    graph = helper.make_graph(
        b.nodes, name,
        [helper.make_tensor_value_info("input_ids", INT64, [batch, seq])],
        [helper.make_tensor_value_info("logits", BF16, [batch, seq, vocab])],
        initializer=b.inits, value_info=b.value_info)
    return helper.make_model(graph, producer_name=producer,
                             opset_imports=[helper.make_opsetid("", 17)])


def save(out, model, b, name, cfg):
    """Writes out/model.onnx, a sparse out/weights.bin and out/meta.json;
    returns (onnx path, weights path, op counts)."""
    onnx_path = os.path.join(out, "model.onnx")
    weights_path = os.path.join(out, WEIGHTS_FILE)
    # Serialize directly: onnx.save would walk every tensor looking for
    # in-memory data to externalize, which there is none of.
    with open(onnx_path, "wb") as fh:
        fh.write(model.SerializeToString())
    # Sparse: setting the size allocates nothing.  Any old file is replaced
    # first so that stale (non-sparse) blocks do not survive.
    if os.path.exists(weights_path):
        os.remove(weights_path)
    with open(weights_path, "wb") as fh:
        fh.truncate(b.offset)
    counts = {}
    for n in model.graph.node:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    batch, seq, vocab = cfg["batch"], cfg["seq"], cfg["vocab"]
    meta = dict(model=name, opset=17, config=cfg, params=b.params,
                inputs=[dict(name="input_ids", shape=[batch, seq], dtype="int64")],
                outputs=[dict(name="logits", shape=[batch, seq, vocab], dtype="bfloat16")],
                op_counts=dict(sorted(counts.items())),
                onnx_bytes=os.path.getsize(onnx_path), weights_bytes=b.offset,
                weights_file=WEIGHTS_FILE, alignment=ALIGN,
                weights=[dict(name=n, shape=s, offset=o, length=l) for n, s, o, l in b.weight_table])
    with open(os.path.join(out, "meta.json"), "w") as fh:
        json.dump(meta, fh, indent=1)
        fh.write("\n")
    return onnx_path, weights_path, counts


def check(onnx_path, model):
    """onnx.checker, and strict shape inference against the value_info."""
    import onnx
    onnx.checker.check_model(onnx_path)
    inferred = onnx.shape_inference.infer_shapes(onnx.load(onnx_path, load_external_data=False),
                                                 strict_mode=True)
    mine = {vi.name: vi for vi in model.graph.value_info}
    for vi in inferred.graph.value_info:
        assert vi.name in mine and vi.type == mine[vi.name].type, f"shape mismatch at {vi.name}"
    print(f"check: onnx.checker and strict shape inference agree ({len(mine)} values)")
