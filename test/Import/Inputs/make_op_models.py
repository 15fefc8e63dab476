#!/usr/bin/python3
"""Small ONNX models for the importer's lit tests, built with onnx.helper.

    make_op_models.py --out DIR CASE...     writes DIR/CASE.onnx per case
    make_op_models.py --list                names every case

Each case is one import rule (or one importer error) on the smallest graph
that shows it. Nodes are named after the case so diagnostics read
`node '<case>': ...`. Shape operands are initializers (constants) unless
the case is about a run-time one. Nothing is random and nothing is checked
with onnx.checker: several cases are invalid on purpose.
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper, numpy_helper

F32, F64, I32, I64, BOOL, STRING = (T.FLOAT, T.DOUBLE, T.INT32, T.INT64,
                                    T.BOOL, T.STRING)
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def out(name="y"):
    """An output with no declared type: the importer infers it."""
    return helper.make_value_info(name, onnx.TypeProto())


def ints(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, np.float32), name)


def model(nodes, inputs, outputs=None, inits=(), opset=17, domains=()):
    graph = helper.make_graph(nodes, "g", inputs,
                              outputs if outputs is not None else [out()],
                              initializer=list(inits))
    imports = [helper.make_opsetid(d, v) for d, v in domains] or \
        [helper.make_opsetid("", opset)]
    m = helper.make_model(graph, producer_name="make_op_models.py",
                          opset_imports=imports)
    m.ir_version = 8
    return m


def node(op, inputs, outputs=("y",), name=None, **attrs):
    return helper.make_node(op, list(inputs), list(outputs), name=name,
                            **attrs)


def unary(op, shape, opset=17, dtype=F32, **attrs):
    """x -> op -> y, the node named after the calling case."""
    name = sys._getframe(1).f_code.co_name
    return model([node(op, ["x"], name=name, **attrs)],
                 [vi("x", dtype, shape)], opset=opset)


def with_consts(op, data_shape, consts, opset=17, dtype=F32, outputs=("y",),
                **attrs):
    """op(x, c1, c2, ...) where the c are int64 initializers ('' skips)."""
    name = sys._getframe(1).f_code.co_name
    names, inits = ["x"], []
    for i, values in enumerate(consts):
        if values is None:
            names.append("")
            continue
        names.append(f"c{i}")
        inits.append(ints(f"c{i}", values))
    return model([node(op, names, outputs, name=name, **attrs)],
                 [vi("x", dtype, data_shape)],
                 [out(o) for o in outputs], inits, opset)


# --- Shape math folding ----------------------------------------------------

@case
def shape_math():
    # What torch exports for x.view(x.size(0), x.size(1), 2, 4).
    nodes = [
        node("Shape", ["x"], ["s"], name="shape"),
        node("Gather", ["s", "i0"], ["d0"], name="gather0", axis=0),
        node("Gather", ["s", "i1"], ["d1"], name="gather1", axis=0),
        node("Unsqueeze", ["d0", "ax"], ["u0"], name="unsq0"),
        node("Unsqueeze", ["d1", "ax"], ["u1"], name="unsq1"),
        node("Concat", ["u0", "u1", "tail"], ["shp"], name="concat", axis=0),
        node("Reshape", ["x", "shp"], ["y"], name="reshape"),
    ]
    inits = [ints("i0", 0), ints("i1", 1), ints("ax", [0]),
             ints("tail", [2, 4])]
    return model(nodes, [vi("x", F32, [2, 3, 8])], inits=inits, opset=13)


# --- Reshape ---------------------------------------------------------------

@case
def reshape_zero_minus_one():
    return with_consts("Reshape", [2, 3, 4], [[0, -1]])


@case
def reshape_allowzero():
    return with_consts("Reshape", [0, 3], [[3, 0]], opset=14, allowzero=1)


@case
def reshape_runtime_shape():
    return model([node("Reshape", ["x", "shape"], name="reshape_runtime_shape")],
                 [vi("x", F32, [2, 3]), vi("shape", I64, [2])])


@case
def reshape_computed_shape():
    # The shape reaches the Reshape through an op, so the error names the
    # graph input it comes from, not the Reshape's operand.
    nodes = [node("Mul", ["dims", "one"], ["shape"], name="scale"),
             node("Reshape", ["x", "shape"], name="reshape_computed_shape")]
    return model(nodes, [vi("x", F32, [2, 3]), vi("dims", I64, [2])],
                 inits=[ints("one", 1)])


@case
def where_mask():
    # A mask input with a symbolic dim: --const-input binds its value, and
    # the .npy's shape gives the dim.
    return model([node("Where", ["mask", "x", "zero"], name="where_mask")],
                 [vi("x", F32, [2, 3]), vi("mask", BOOL, ["batch", 3])],
                 inits=[floats("zero", 0.0)])


@case
def reshape_float_shape():
    return model([node("Reshape", ["x", "shape"], name="reshape_float_shape")],
                 [vi("x", F32, [2, 3])], inits=[floats("shape", [3, 2])])


@case
def reshape_missing_dim():
    return with_consts("Reshape", [2, 3], [[2, 3, 0]])


@case
def reshape_two_minus_one():
    return with_consts("Reshape", [2, 3], [[-1, -1]])


@case
def reshape_negative_entry():
    return with_consts("Reshape", [2, 3], [[-2, 3]])


@case
def reshape_indivisible():
    return with_consts("Reshape", [2, 3], [[4, -1]])


@case
def reshape_wrong_count():
    return with_consts("Reshape", [2, 3], [[4, 2]])


# --- Squeeze / Unsqueeze / Flatten ----------------------------------------

@case
def squeeze_attr_opset11():
    return unary("Squeeze", [1, 3, 1, 4], opset=11, axes=[0, -2])


@case
def squeeze_input_opset13():
    return with_consts("Squeeze", [1, 3, 1, 4], [[2]], opset=13)


@case
def squeeze_all_ones():
    return unary("Squeeze", [1, 3, 1, 4], opset=13)


@case
def unsqueeze_attr_opset11():
    return unary("Unsqueeze", [3, 4], opset=11, axes=[0, 3])


@case
def unsqueeze_input_opset13():
    return with_consts("Unsqueeze", [3, 4], [[-1, 1]], opset=13)


@case
def squeeze_not_one():
    return with_consts("Squeeze", [1, 3], [[1]], opset=13)


@case
def unsqueeze_no_axes():
    return unary("Unsqueeze", [3], opset=11)


@case
def unsqueeze_twice():
    return with_consts("Unsqueeze", [3], [[0, -3]], opset=13)


@case
def flatten_bad_axis():
    return unary("Flatten", [2, 3], axis=3)


# --- Slice -----------------------------------------------------------------

@case
def slice_negative_starts():
    return with_consts("Slice", [10, 8], [[-3], [-1], [0]])


@case
def slice_negative_step():
    # starts -1 is 9; ends -100 clamps to -1 (before element 0): 9 7 5 3 1.
    return with_consts("Slice", [10], [[-1], [-100], [0], [-2]])


@case
def slice_clamped():
    # ends past the dim clamp to it, starts before 0 clamp to 0.
    big = np.iinfo(np.int64).max
    return with_consts("Slice", [4, 8], [[-100, 2], [big, big], [0, -1]])


@case
def slice_backward_start_clamped():
    # Going backward, a start before element 0 clamps to 0 (not -1): the
    # slice holds element 0.
    return with_consts("Slice", [5], [[-10], [-20], [0], [-1]])


@case
def slice_empty():
    return with_consts("Slice", [6], [[5], [2]])


@case
def slice_attr_opset9():
    return unary("Slice", [4, 6], opset=9, starts=[1, -2], ends=[3, 100],
                 axes=[0, 1])


@case
def slice_length_mismatch():
    return with_consts("Slice", [4], [[0, 1], [2]])


@case
def slice_zero_step():
    return with_consts("Slice", [4], [[0], [2], [0], [0]])


@case
def slice_axis_twice():
    return with_consts("Slice", [4, 4], [[0, 1], [2, 3], [1, -1]])


# --- Split -----------------------------------------------------------------

@case
def split_attr_opset11():
    return unary_outputs("Split", [2, 8], ["a", "b"], opset=11, axis=1,
                         split=[2, 6])


def unary_outputs(op, shape, outputs, opset, consts=(), **attrs):
    name = sys._getframe(1).f_code.co_name
    names = ["x"] + [f"c{i}" for i in range(len(consts))]
    inits = [ints(f"c{i}", v) for i, v in enumerate(consts)]
    return model([node(op, names, outputs, name=name, **attrs)],
                 [vi("x", F32, shape)], [out(o) for o in outputs], inits,
                 opset)


@case
def split_input_opset13():
    return unary_outputs("Split", [2, 8], ["a", "b"], 13, [[3, 5]], axis=-1)


@case
def split_equal():
    return unary_outputs("Split", [8, 2], ["a", "b", "c", "d"], 13)


@case
def split_num_outputs_opset18():
    return unary_outputs("Split", [8], ["a", "b", "c"], 18, num_outputs=3)


@case
def split_unequal_opset13():
    return unary_outputs("Split", [8], ["a", "b", "c"], 13)


@case
def split_count_mismatch():
    return unary_outputs("Split", [8], ["a", "b"], 13, [[2, 2, 4]])


@case
def split_negative_size():
    return unary_outputs("Split", [8], ["a", "b"], 13, [[-2, 10]])


@case
def split_short():
    return unary_outputs("Split", [8], ["a", "b"], 13, [[2, 2]])


@case
def split_zero_parts():
    return unary_outputs("Split", [8], ["a"], 18, num_outputs=0)


# --- Gemm, MatMul ----------------------------------------------------------

@case
def gemm_trans_alpha_beta():
    return model([node("Gemm", ["a", "b", "c"], name="gemm", transA=1,
                       transB=1, alpha=0.5, beta=2.0)],
                 [vi("a", F32, [4, 3]), vi("b", F32, [5, 4]),
                  vi("c", F32, [5])])


@case
def gemm_beta_zero():
    return model([node("Gemm", ["a", "b", "c"], name="gemm", beta=0.0)],
                 [vi("a", F32, [3, 4]), vi("b", F32, [4, 5]),
                  vi("c", F32, [5])])


@case
def gemm_not_matrices():
    return model([node("Gemm", ["a", "b"], name="gemm_not_matrices")],
                 [vi("a", F32, [2, 3, 4]), vi("b", F32, [4, 5])])


@case
def gemm_c_too_big():
    return model([node("Gemm", ["a", "b", "c"], name="gemm_c_too_big")],
                 [vi("a", F32, [4, 3]), vi("b", F32, [3, 5]),
                  vi("c", F32, [2, 4, 5])])


def binary(op, a, b, dtypes=(F32, F32), opset=17):
    name = sys._getframe(1).f_code.co_name
    return model([node(op, ["a", "b"], name=name)],
                 [vi("a", dtypes[0], a), vi("b", dtypes[1], b)], opset=opset)


@case
def matmul_scalar():
    return binary("MatMul", [], [3])


@case
def matmul_types():
    return binary("MatMul", [2, 3], [3, 2], (F32, F64))


@case
def matmul_inner():
    return binary("MatMul", [2, 3], [4, 2])


@case
def matmul_batch():
    return binary("MatMul", [2, 2, 3], [3, 3, 4])


@case
def less_or_equal():
    return binary("LessOrEqual", [2, 3], [3])


@case
def add_types():
    return binary("Add", [2], [2], (F32, I64))


@case
def add_shapes():
    return binary("Add", [2, 3], [4])


@case
def add_missing_input():
    return model([node("Add", ["a", ""], name="add_missing_input")],
                 [vi("a", F32, [2])])


# --- Einsum ----------------------------------------------------------------

def einsum(equation, *shapes, dtype=F32):
    name = sys._getframe(1).f_code.co_name
    names = [f"x{i}" for i in range(len(shapes))]
    return model([node("Einsum", names, name=name, equation=equation)],
                 [vi(n, dtype, s) for n, s in zip(names, shapes)], opset=12)


@case
def einsum_attention_scores():
    return einsum("bhqd,bhkd->bhqk", [2, 4, 8, 16], [2, 4, 6, 16])


@case
def einsum_batched_matmul():
    return einsum("bij,bjk->bik", [2, 3, 4], [2, 4, 5])


@case
def einsum_linear():
    return einsum("bid,jd->bij", [2, 3, 4], [5, 4])


@case
def einsum_transpose():
    return einsum("ij->ji", [2, 3])


@case
def einsum_batch_diagonal():
    return einsum("...ii->...i", [3, 5, 5])


@case
def einsum_diagonal_sizes():
    return einsum("ii->i", [2, 3])


@case
def einsum_three_operands():
    return einsum("i,i,i", [2], [2], [2])


@case
def einsum_ellipsis_rank():
    return einsum("...ij->...", [3])


@case
def einsum_term_rank():
    return einsum("ij->j", [2, 3, 4])


@case
def einsum_output_ellipsis():
    return einsum("ij->...i", [2, 3])


@case
def einsum_output_twice():
    return einsum("ij->ii", [2, 2])


@case
def einsum_output_unknown():
    return einsum("ij,jk->iz", [2, 3], [3, 4])


@case
def einsum_size_mismatch():
    return einsum("ij,jk->ik", [2, 3], [4, 5])


# --- Softmax, LayerNormalization ------------------------------------------

@case
def softmax_opset11():
    return unary("Softmax", [2, 3, 4], opset=11)


@case
def softmax_opset13():
    return unary("Softmax", [2, 3, 4], opset=13)


@case
def logsoftmax_axis():
    return unary("LogSoftmax", [2, 3, 4], opset=13, axis=1)


@case
def softmax_bad_axis():
    return unary("Softmax", [2, 3], opset=13, axis=5)


def layer_norm(x, scale, bias=None, outputs=("y",), scale_type=F32,
               **attrs):
    name = sys._getframe(1).f_code.co_name
    inputs = [vi("x", F32, x), vi("scale", scale_type, scale)]
    names = ["x", "scale"]
    if bias is not None:
        inputs.append(vi("bias", F32, bias))
        names.append("bias")
    return model([node("LayerNormalization", names, outputs, name=name,
                       **attrs)], inputs, [out(o) for o in outputs])


@case
def layer_norm_last_axis():
    return layer_norm([2, 3, 4], [4], [4], epsilon=1e-3)


@case
def layer_norm_axis1_stats():
    return layer_norm([2, 3, 4], [3, 4], None, ("y", "mean", "inv_std"),
                      axis=1)


@case
def layer_norm_scale_type():
    return layer_norm([2, 4], [4], scale_type=F64)


@case
def layer_norm_scale_shape():
    return layer_norm([2, 4], [3])


# --- Reductions ------------------------------------------------------------

@case
def reduce_axes_attr_keepdims():
    return unary("ReduceMean", [2, 3, 4], opset=13, axes=[1])


@case
def reduce_axes_input_no_keepdims():
    return with_consts("ReduceSum", [2, 3, 4], [[-1, 0]], opset=13,
                       keepdims=0)


@case
def reduce_all():
    return unary("ReduceMax", [2, 3], opset=13, keepdims=0)


@case
def reduce_noop_empty_axes():
    return unary("ReduceSum", [2, 3], opset=13, noop_with_empty_axes=1)


@case
def reduce_runtime_axes():
    return model([node("ReduceSum", ["x", "axes"],
                       name="reduce_runtime_axes")],
                 [vi("x", F32, [2, 3]), vi("axes", I64, [1])], opset=13)


# --- Expand, Tile, Where, Gather, Trilu, Concat, Transpose -----------------

@case
def expand_bidirectional():
    return with_consts("Expand", [3, 1], [[2, 1, 4]])


@case
def expand_bad():
    return with_consts("Expand", [3, 2], [[4, 4]])


@case
def expand_negative():
    return with_consts("Expand", [3], [[-1, 3]])


@case
def tile_negative():
    return with_consts("Tile", [3, 2], [[-1, 1]])


@case
def tile_repeats_rank():
    return with_consts("Tile", [3, 2], [[2]])


@case
def where_broadcast():
    return model([node("Where", ["c", "a", "b"], name="where")],
                 [vi("c", BOOL, [1, 4]), vi("a", F32, [3, 4]),
                  vi("b", F32, [])])


@case
def where_not_bool():
    return model([node("Where", ["c", "a", "b"], name="where_not_bool")],
                 [vi("c", F32, [4]), vi("a", F32, [4]), vi("b", F32, [4])])


@case
def where_types():
    return model([node("Where", ["c", "a", "b"], name="where_types")],
                 [vi("c", BOOL, [4]), vi("a", F32, [4]), vi("b", I64, [4])])


@case
def where_shapes():
    return model([node("Where", ["c", "a", "b"], name="where_shapes")],
                 [vi("c", BOOL, [3]), vi("a", F32, [4]), vi("b", F32, [4])])


@case
def gather_negative_axis():
    return model([node("Gather", ["x", "i"], name="gather", axis=-1)],
                 [vi("x", F32, [3, 4]), vi("i", I32, [2])])


@case
def gather_float_indices():
    return model([node("Gather", ["x", "i"], name="gather_float_indices")],
                 [vi("x", F32, [3, 4]), vi("i", F32, [2])])


@case
def trilu_lower_k():
    return with_consts("Trilu", [4, 5], [-1], opset=14, upper=0)


@case
def trilu_upper_default():
    return unary("Trilu", [2, 4, 4], opset=14)


@case
def trilu_k_not_scalar():
    return with_consts("Trilu", [4, 4], [[1, 2]], opset=14)


@case
def trilu_rank1():
    return unary("Trilu", [4], opset=14)


@case
def concat_types():
    return model([node("Concat", ["a", "b"], name="concat_types", axis=0)],
                 [vi("a", F32, [2]), vi("b", I64, [2])])


@case
def concat_ranks():
    return model([node("Concat", ["a", "b"], name="concat_ranks", axis=0)],
                 [vi("a", F32, [2]), vi("b", F32, [2, 2])])


@case
def concat_dims():
    return model([node("Concat", ["a", "b"], name="concat_dims", axis=0)],
                 [vi("a", F32, [2, 3]), vi("b", F32, [2, 4])])


@case
def transpose_perm_length():
    return unary("Transpose", [2, 3], perm=[0])


@case
def transpose_not_permutation():
    return unary("Transpose", [2, 3], perm=[0, 0])


@case
def transpose_perm_range():
    return unary("Transpose", [2, 3], perm=[0, 5])


# --- Constants and generators ---------------------------------------------

def constant(name, **attrs):
    return model([node("Constant", [], name=name, **attrs)], [])


@case
def constant_forms():
    nodes = [
        node("Constant", [], ["t"], name="tensor",
             value=numpy_helper.from_array(np.array([[1.5, -2]], np.float32))),
        node("Constant", [], ["f"], name="float", value_float=0.25),
        node("Constant", [], ["fs"], name="floats", value_floats=[1.0, 2.0, 3.0]),
        node("Constant", [], ["i"], name="int", value_int=7),
        node("Constant", [], ["is"], name="ints", value_ints=[4, 5]),
    ]
    return model(nodes, [], [out(o) for o in ["t", "f", "fs", "i", "is"]])


@case
def constant_no_value():
    return constant("constant_no_value")


@case
def constant_string_attr():
    return constant("constant_string_attr", value_string="hello")


@case
def constant_string_tensor():
    return constant("constant_string_tensor", value=helper.make_tensor(
        "s", STRING, [1], [b"hello"]))


@case
def constant_bad_bytes():
    tensor = T(name="t", data_type=F32, dims=[4], raw_data=b"\0" * 8)
    return constant("constant_bad_bytes", value=tensor)


@case
def range_int():
    return model([node("Range", ["s", "l", "d"], name="range")], [],
                 inits=[ints("s", 0), ints("l", 10), ints("d", 3)])


@case
def range_float():
    return model([node("Range", ["s", "l", "d"], name="range")], [],
                 inits=[floats("s", 1), floats("l", 2), floats("d", 0.25)])


@case
def range_runtime_start():
    return model([node("Range", ["s", "l", "d"], name="range_runtime_start")],
                 [vi("s", I64, [])], inits=[ints("l", 10), ints("d", 1)])


@case
def range_vector_start():
    return model([node("Range", ["s", "l", "d"], name="range_vector_start")],
                 [], inits=[ints("s", [0, 1]), ints("l", 10), ints("d", 1)])


@case
def range_zero_delta():
    return model([node("Range", ["s", "l", "d"], name="range_zero_delta")],
                 [], inits=[ints("s", 0), ints("l", 10), ints("d", 0)])


@case
def range_huge():
    return model([node("Range", ["s", "l", "d"], name="range_huge")],
                 [], inits=[ints("s", 0), ints("l", 1 << 50), ints("d", 1)])


def constant_of_shape(name, shape, **attrs):
    return model([node("ConstantOfShape", ["shape"], name=name, **attrs)],
                 [], inits=[ints("shape", shape)])


@case
def constant_of_shape_int():
    return constant_of_shape("cos", [2, 3], value=numpy_helper.from_array(
        np.array([7], np.int64)))


@case
def constant_of_shape_default():
    return constant_of_shape("cos", [4])


@case
def constant_of_shape_negative():
    return constant_of_shape("constant_of_shape_negative", [-1, 2])


@case
def constant_of_shape_huge():
    return constant_of_shape("constant_of_shape_huge", [1 << 21, 1 << 20])


# --- Cast, Dropout ---------------------------------------------------------

@case
def cast_forms():
    nodes = [node("Cast", ["x"], ["i"], name="to_i64", to=I64),
             node("Cast", ["x"], ["same"], name="to_f32", to=F32),
             node("Cast", ["x"], ["b"], name="to_bool", to=BOOL)]
    return model(nodes, [vi("x", F32, [3])],
                 [out(o) for o in ["i", "same", "b"]])


@case
def cast_folds():
    # Cast of a constant folds at import.
    return model([node("Cast", ["c"], name="cast_folds", to=F32)], [],
                 inits=[ints("c", [1, 2])])


@case
def cast_no_to():
    return unary("Cast", [3])


@case
def cast_to_string():
    return unary("Cast", [3], to=STRING)


@case
def dropout_inference():
    return model([node("Dropout", ["x", "r"], ["y", "mask"], name="dropout")],
                 [vi("x", F32, [2, 3])], [out("y"), out("mask")],
                 inits=[floats("r", 0.1)], opset=13)


@case
def dropout_training_zero_ratio():
    t = numpy_helper.from_array(np.array(True), "t")
    return model([node("Dropout", ["x", "r", "t"], name="dropout")],
                 [vi("x", F32, [2, 3])], inits=[floats("r", 0.0), t],
                 opset=13)


@case
def dropout_training():
    t = numpy_helper.from_array(np.array(True), "t")
    return model([node("Dropout", ["x", "r", "t"], name="dropout_training")],
                 [vi("x", F32, [2, 3])], inits=[floats("r", 0.5), t],
                 opset=13)


# --- Graph inputs, outputs and structure ----------------------------------

@case
def symbolic_batch():
    return model([node("Relu", ["x"], name="relu")],
                 [vi("x", F32, ["batch", 16])])


@case
def fixed_dims():
    return model([node("Relu", ["x"], name="relu")], [vi("x", F32, [4, 16])])


@case
def no_shape():
    return model([node("Relu", ["x"], name="relu")],
                 [helper.make_tensor_value_info("x", F32, None)])


@case
def string_input():
    return model([node("Identity", ["x"], name="identity")],
                 [vi("x", STRING, [2])])


@case
def string_initializer():
    init = helper.make_tensor("w", STRING, [1], [b"a"])
    return model([node("Identity", ["w"], name="identity")], [],
                 inits=[init])


@case
def duplicate_output():
    return model([node("Relu", ["x"], name="first"),
                  node("Neg", ["x"], name="second")],
                 [vi("x", F32, [2])])


@case
def custom_domain():
    return model([node("FusedThing", ["x"], name="custom",
                       domain="com.example")],
                 [vi("x", F32, [2])],
                 domains=[("", 17), ("com.example", 1)])


@case
def extra_output():
    return model([node("Relu", ["x"], ["y", "z"], name="extra_output")],
                 [vi("x", F32, [2])])


@case
def huge_output():
    return model([node("Mul", ["a", "b"], name="huge_output")],
                 [vi("a", F32, [1 << 31, 1]), vi("b", F32, [1, 1 << 30])])


@case
def no_default_opset():
    return model([node("Relu", ["x"], name="relu")], [vi("x", F32, [2])],
                 domains=[("com.example", 1)])


@case
def output_not_produced():
    return model([node("Relu", ["x"], name="relu")], [vi("x", F32, [2])],
                 [out("nowhere")])


@case
def output_wrong_type():
    return model([node("Relu", ["x"], name="relu")], [vi("x", F32, [2])],
                 [vi("y", I64, [2])])



# --- Ops composed of pp ops (OpsMath, OpsIndex, OpsTransformer) -------------

def one_node(op, ins, inits=(), outputs=("y",), opset=17, **attrs):
    """op over graph inputs `ins` ((name, dtype, shape); '' skips a slot)
    and initializers `inits`, the node named after the calling case."""
    name = sys._getframe(1).f_code.co_name
    names = [i if isinstance(i, str) else i[0] for i in ins]
    return model([node(op, names, outputs, name=name, **attrs)],
                 [vi(*i) for i in ins if not isinstance(i, str) and
                  i[0] not in {t.name for t in inits}],
                 [out(o) for o in outputs], list(inits), opset)


def bools(name, values):
    return numpy_helper.from_array(np.array(values, np.bool_), name)


X34 = ("x", F32, [3, 4])


@case
def clip_min_max():
    return one_node("Clip", [X34, ("lo", F32, []), ("hi", F32, [])], opset=13)


@case
def clip_min_not_scalar():
    return one_node("Clip", [X34, ("lo", F32, [2])], opset=13)


@case
def sign_float():
    return one_node("Sign", [X34], opset=13)


@case
def round_float():
    return one_node("Round", [X34], opset=11)


@case
def round_int():
    return one_node("Round", [("x", I64, [3])], opset=11)


@case
def mod_python():
    return one_node("Mod", [("x", I64, [3]), ("d", I64, [3])], opset=13)


@case
def softplus_f32():
    return one_node("Softplus", [X34])


@case
def leakyrelu_alpha():
    return one_node("LeakyRelu", [X34], alpha=0.25)


@case
def hardswish_f32():
    return one_node("HardSwish", [X34], opset=14)


@case
def xor_bool():
    return one_node("Xor", [("a", BOOL, [4]), ("b", BOOL, [4])])


@case
def isnan_f32():
    return one_node("IsNaN", [X34], opset=13)


@case
def isinf_negative_only():
    return one_node("IsInf", [X34], detect_positive=0)


@case
def cumsum_int64():
    return one_node("CumSum", [("x", I64, [2, 5]), "ax"], [ints("ax", 1)],
                    opset=14)


@case
def cumsum_axis_not_scalar():
    return one_node("CumSum", [X34, "ax"], [ints("ax", [0, 1])], opset=14)


@case
def argmax_keepdims0():
    return one_node("ArgMax", [X34], axis=1, keepdims=0, opset=13)


@case
def argmax_dim_too_large():
    return one_node("ArgMax", [("x", F32, [(1 << 24) + 1])], opset=13)


@case
def topk_two():
    return one_node("TopK", [X34, "k"], [ints("k", [2])], outputs=("v", "i"))


@case
def topk_k_too_large():
    return one_node("TopK", [X34, "k"], [ints("k", [5])], outputs=("v", "i"))


@case
def onehot_axis0():
    return one_node("OneHot", [("x", I64, [2]), "depth", "values"],
                    [ints("depth", 3), floats("values", [0, 1])], axis=0,
                    opset=11)


@case
def onehot_depth_zero():
    return one_node("OneHot", [("x", I64, [2]), "depth", "values"],
                    [ints("depth", 0), floats("values", [0, 1])], opset=11)


@case
def onehot_values_three():
    return one_node("OneHot", [("x", I64, [2]), "depth", "values"],
                    [ints("depth", 3), floats("values", [0, 1, 2])], opset=11)


@case
def gatherelements_axis1():
    return one_node("GatherElements", [X34, ("i", I64, [3, 2])], axis=1,
                    opset=13)


@case
def gatherelements_float_indices():
    return one_node("GatherElements", [X34, ("i", F32, [3, 2])], opset=13)


@case
def gatherelements_rank_differs():
    return one_node("GatherElements", [X34, ("i", I64, [3])], opset=13)


@case
def scatterelements_add():
    return one_node("ScatterElements", [X34, ("i", I64, [1, 4]),
                                        ("u", F32, [1, 4])],
                    reduction="add", opset=18)


@case
def scatterelements_bad_reduction():
    return one_node("ScatterElements", [X34, ("i", I64, [1, 4]),
                                        ("u", F32, [1, 4])],
                    reduction="mean", opset=18)


@case
def scatterelements_updates_shape():
    return one_node("ScatterElements", [X34, ("i", I64, [1, 4]),
                                        ("u", F32, [1, 3])], opset=13)


@case
def scatternd_rows():
    return one_node("ScatterND", [X34, ("i", I64, [2, 1]),
                                  ("u", F32, [2, 4])], opset=13)


@case
def scatternd_int32_indices():
    return one_node("ScatterND", [X34, ("i", I32, [2, 1]),
                                  ("u", F32, [2, 4])], opset=13)


@case
def scatternd_tuple_too_long():
    return one_node("ScatterND", [X34, ("i", I64, [2, 3]),
                                  ("u", F32, [2])], opset=13)


@case
def scatternd_updates_shape():
    return one_node("ScatterND", [X34, ("i", I64, [2, 1]),
                                  ("u", F32, [2, 3])], opset=13)


@case
def rmsnorm_last():
    return one_node("RMSNormalization", [("x", F32, [2, 3, 8]),
                                         ("g", F32, [8])], opset=23)


@case
def rmsnorm_axis1():
    return one_node("RMSNormalization", [("x", F32, [2, 3, 8]),
                                         ("g", F32, [3, 8])], axis=1,
                    opset=23)


@case
def rmsnorm_int():
    return one_node("RMSNormalization", [("x", I64, [2, 8]),
                                         ("g", I64, [8])], opset=23)


@case
def rmsnorm_scale_shape():
    return one_node("RMSNormalization", [("x", F32, [2, 8]),
                                         ("g", F32, [4])], opset=23)


ROPE_X = ("x", F32, [2, 2, 3, 8])


@case
def rotary_ids():
    return one_node("RotaryEmbedding", [ROPE_X, ("cos", F32, [5, 4]),
                                        ("sin", F32, [5, 4]),
                                        ("ids", I64, [2, 3])], opset=23)


@case
def rotary_rank2():
    return one_node("RotaryEmbedding", [("x", F32, [2, 8]),
                                        ("cos", F32, [2, 4]),
                                        ("sin", F32, [2, 4])], opset=23)


@case
def rotary_3d_no_heads():
    return one_node("RotaryEmbedding", [("x", F32, [2, 3, 8]),
                                        ("cos", F32, [2, 3, 4]),
                                        ("sin", F32, [2, 3, 4])], opset=23)


@case
def rotary_odd_dim():
    return one_node("RotaryEmbedding", [ROPE_X, ("cos", F32, [2, 3, 4]),
                                        ("sin", F32, [2, 3, 4])],
                    rotary_embedding_dim=3, opset=23)


@case
def rotary_ids_cache_shape():
    return one_node("RotaryEmbedding", [ROPE_X, ("cos", F32, [5, 3]),
                                        ("sin", F32, [5, 3]),
                                        ("ids", I64, [2, 3])], opset=23)


@case
def rotary_cache_shape():
    return one_node("RotaryEmbedding", [ROPE_X, ("cos", F32, [5, 4]),
                                        ("sin", F32, [5, 4])], opset=23)


Q4, K4, V4 = ("q", F32, [2, 4, 3, 8]), ("k", F32, [2, 2, 5, 8]), \
    ("v", F32, [2, 2, 5, 8])


@case
def attention_gqa_causal():
    return one_node("Attention", [Q4, K4, V4], is_causal=1, opset=23)


@case
def attention_3d_bool_mask():
    return one_node("Attention", [("q", F32, [2, 3, 16]), ("k", F32, [2, 5, 8]),
                                  ("v", F32, [2, 5, 8]),
                                  ("m", BOOL, [3, 5])],
                    q_num_heads=4, kv_num_heads=2, opset=23)


@case
def attention_rank2():
    return one_node("Attention", [("q", F32, [3, 8]), ("k", F32, [5, 8]),
                                  ("v", F32, [5, 8])], opset=23)


@case
def attention_ranks_differ():
    return one_node("Attention", [Q4, ("k", F32, [2, 5, 16]), V4], opset=23)


@case
def attention_nonpad():
    return one_node("Attention", [Q4, K4, V4, "", "", "",
                                  ("n", I64, [2])], opset=24)


@case
def attention_qk_output():
    return one_node("Attention", [Q4, K4, V4],
                    outputs=("y", "", "", "qk"), opset=23)


@case
def attention_past_key_only():
    return one_node("Attention", [Q4, K4, V4, "", ("pk", F32, [2, 2, 1, 8])],
                    opset=23)


@case
def attention_3d_no_heads():
    return one_node("Attention", [("q", F32, [2, 3, 16]), ("k", F32, [2, 5, 8]),
                                  ("v", F32, [2, 5, 8])], opset=23)


@case
def attention_past_shape():
    return one_node("Attention", [Q4, K4, V4, "", ("pk", F32, [2, 2, 1, 4]),
                                  ("pv", F32, [2, 2, 1, 8])], opset=23)


@case
def attention_heads_disagree():
    return one_node("Attention", [("q", F32, [2, 3, 3, 8]), K4, V4], opset=23)


@case
def attention_mask_shape():
    return one_node("Attention", [Q4, K4, V4, ("m", BOOL, [3, 4])], opset=23)


@case
def attention_mask_type():
    return one_node("Attention", [Q4, K4, V4, ("m", I64, [3, 5])], opset=23)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    if args.list:
        print("\n".join(CASES))
        return 0
    unknown = [c for c in args.cases if c not in CASES]
    if unknown or not args.out:
        sys.exit(f"error: unknown cases {unknown}" if unknown else
                 "error: --out DIR is required")
    os.makedirs(args.out, exist_ok=True)
    for name in args.cases or CASES:
        onnx.save(CASES[name](), os.path.join(args.out, name + ".onnx"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
