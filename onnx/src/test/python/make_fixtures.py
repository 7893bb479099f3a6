#!/usr/bin/python3
"""Writes the ONNX files that OnnxImportFixturesTest imports: ReLU multilayer perceptrons made
the way users make them, with the outputs PyTorch computes for them.

Regenerate (Debian's python3-torch 1.13 and python3-onnx 1.12: apt-get install python3-torch
python3-onnx), from the repository root:

    /usr/bin/python3 onnx/src/test/python/make_fixtures.py onnx/src/test/resources/dev/kickback/onnx

PyTorch 1.13 has only the TorchScript exporter (torch.onnx.export: one Gemm per Linear, weights
[out, in] with transB=1, raw_data initializers). The newer torch.export-based exporter appeared in
PyTorch 2.x, which Debian does not package; its layouts (MatMul + Add with the weight
pre-transposed to [in, out], or MatMul of a Transpose node) are written here from the same torch
weights with the onnx package's helper API, one of them with float_data lists instead of
raw_data.
"""
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
torch.manual_seed(20261130)
WIDTHS = [5, 8, 4, 1]  # d=5 -> 8 -> 4 -> 1


def mlp():
    layers = []
    for i in range(len(WIDTHS) - 1):
        layers.append(torch.nn.Linear(WIDTHS[i], WIDTHS[i + 1]))
        if i < len(WIDTHS) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).eval()


model = mlp()
x = torch.randn(7, WIDTHS[0])
with torch.no_grad():
    y = model(x)

# the inputs and PyTorch's outputs, one row each: d inputs then the output
with open(f"{OUT}/mlp-expected.csv", "w") as f:
    for r in range(x.shape[0]):
        f.write(",".join(repr(float(v)) for v in x[r].tolist()) + "," + repr(float(y[r, 0])) + "\n")

# 1. the TorchScript exporter, as a user calls it
torch.onnx.export(model, x[:1], f"{OUT}/mlp-torchscript.onnx", opset_version=17,
                  input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})

linears = [m for m in model if isinstance(m, torch.nn.Linear)]


def graph(name, transpose_node, float_lists):
    nodes, inits = [], []
    cur = "input"
    for i, lin in enumerate(linears):
        w = lin.weight.detach().numpy().astype(np.float32)  # [out, in]
        b = lin.bias.detach().numpy().astype(np.float32)
        if transpose_node:
            inits.append(tensor(f"layers.{i}.weight", w, float_lists))
            nodes.append(helper.make_node("Transpose", [f"layers.{i}.weight"], [f"t_{i}"],
                                          perm=[1, 0], name=f"Transpose_{i}"))
            wname = f"t_{i}"
        else:
            inits.append(tensor(f"val_{2 * i}", np.ascontiguousarray(w.T), float_lists))
            wname = f"val_{2 * i}"
        inits.append(tensor(f"layers.{i}.bias", b, float_lists))
        nodes.append(helper.make_node("MatMul", [cur, wname], [f"matmul_{i}"], name=f"node_MatMul_{i}"))
        last = i == len(linears) - 1
        out = "output" if last else f"add_{i}"
        nodes.append(helper.make_node("Add", [f"matmul_{i}", f"layers.{i}.bias"], [out], name=f"node_Add_{i}"))
        if not last:
            nodes.append(helper.make_node("Relu", [out], [f"relu_{i}"], name=f"node_Relu_{i}"))
            cur = f"relu_{i}"
    g = helper.make_graph(nodes, "main_graph",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["s0", WIDTHS[0]])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["s0", 1])],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 18)], producer_name="pytorch",
                          producer_version="2.x layout (written with onnx.helper)")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, f"{OUT}/{name}")


def tensor(name, array, float_lists):
    if float_lists:
        return helper.make_tensor(name, TensorProto.FLOAT, array.shape, array.flatten().tolist())
    return numpy_helper.from_array(array, name)


# 2. the torch.export exporter's layout: MatMul with the weight stored [in, out], then Add
graph("mlp-matmul-add.onnx", transpose_node=False, float_lists=False)
# 3. the same with a Transpose node on the [out, in] weight and float_data lists
graph("mlp-matmul-transpose-floatdata.onnx", transpose_node=True, float_lists=True)
