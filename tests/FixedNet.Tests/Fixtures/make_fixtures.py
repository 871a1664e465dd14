#!/usr/bin/env python3
"""Makes the PyTorch-made fixtures in this folder. The outputs are checked in; run this only to remake them.

How they were made (Debian 12):
    apt-get install python3-torch python3-onnx      # PyTorch 1.13.1, onnx 1.12
    /usr/bin/python3 tests/FixedNet.Tests/Fixtures/make_fixtures.py   # Debian's interpreter, which sees python3-torch

- torch_linear_2_3_2.safetensors / .json: the state_dict of Sequential(Linear(2,3), Tanh, Linear(3,2)) in the
  safetensors layout, with FixedNet's tensor names (layers.{l}.weight / .bias). Debian has no python3-safetensors,
  so the file is written here from the format's specification (8-byte little-endian header length, JSON header,
  little-endian F32 data); the JSON holds the parameters in FixedNet's order and the model's output for (0.5, -1).
- torch_mlp_4_8_5_3.onnx / .json: Sequential(Linear(4,8), ReLU, Linear(8,5), Tanh, Linear(5,3), Softmax(dim=1))
  exported by torch.onnx.export (opset 13); the JSON holds the parameters in FixedNet's order, and inputs with
  PyTorch's outputs.
- torch_mlp_activations.onnx / .json: Sequential(Linear(4,6), GELU(), Linear(6,5), SiLU(), Linear(5,4), ELU(),
  Linear(4,3), Softplus()) exported the same way: opset 13 has no Gelu or SiLU operator, so the exporter writes GELU as
  Div, Erf, Add, Mul, Mul (with Constant nodes) and SiLU as Sigmoid, Mul; the JSON as above.
"""
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def flat(model):
    """Parameters in FixedNet's order: per Linear layer, weight [out, in] row-major, then bias."""
    values = []
    for module in model:
        if isinstance(module, torch.nn.Linear):
            values += module.weight.detach().reshape(-1).tolist()
            values += module.bias.detach().reshape(-1).tolist()
    return values


def linears(model):
    return [m for m in model if isinstance(m, torch.nn.Linear)]


def write_safetensors(model, path):
    header, data = {}, b""
    for index, linear in enumerate(linears(model)):
        for kind, tensor in (("weight", linear.weight), ("bias", linear.bias)):
            raw = struct.pack("<%df" % tensor.numel(), *tensor.detach().reshape(-1).tolist())
            header["layers.%d.%s" % (index, kind)] = {
                "dtype": "F32", "shape": list(tensor.shape), "data_offsets": [len(data), len(data) + len(raw)]}
            data += raw
    header["__metadata__"] = {"format": "pt", "source": "torch %s" % torch.__version__}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(data)


def main():
    torch.manual_seed(0)
    small = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    write_safetensors(small, os.path.join(HERE, "torch_linear_2_3_2.safetensors"))
    with torch.no_grad():
        output = small(torch.tensor([[0.5, -1.0]]))[0].tolist()
    with open(os.path.join(HERE, "torch_linear_2_3_2.json"), "w") as f:
        json.dump({"parameters": flat(small), "output_for_0.5_-1": output}, f, indent=1)

    torch.manual_seed(1)
    mlp = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.ReLU(),
        torch.nn.Linear(8, 5), torch.nn.Tanh(),
        torch.nn.Linear(5, 3), torch.nn.Softmax(dim=1))
    mlp.eval()
    example = torch.randn(1, 4)
    torch.onnx.export(mlp, example, os.path.join(HERE, "torch_mlp_4_8_5_3.onnx"), opset_version=13,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    inputs = torch.randn(5, 4)
    with torch.no_grad():
        outputs = mlp(inputs)
    with open(os.path.join(HERE, "torch_mlp_4_8_5_3.json"), "w") as f:
        json.dump({"parameters": flat(mlp), "inputs": inputs.tolist(), "outputs": outputs.tolist(),
                   "torch": torch.__version__}, f, indent=1)

    export_with_outputs(
        torch.nn.Sequential(
            torch.nn.Linear(4, 6), torch.nn.GELU(),
            torch.nn.Linear(6, 5), torch.nn.SiLU(),
            torch.nn.Linear(5, 4), torch.nn.ELU(),
            torch.nn.Linear(4, 3), torch.nn.Softplus()),
        "torch_mlp_activations", seed=2)


def export_with_outputs(model, name, seed):
    torch.manual_seed(seed)
    for module in model:
        if isinstance(module, torch.nn.Linear):
            module.reset_parameters()
    model.eval()
    inputs_count = model[0].in_features
    torch.onnx.export(model, torch.randn(1, inputs_count), os.path.join(HERE, name + ".onnx"), opset_version=13,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    inputs = torch.randn(7, inputs_count) * 2
    with torch.no_grad():
        outputs = model(inputs)
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump({"parameters": flat(model), "inputs": inputs.tolist(), "outputs": outputs.tolist(),
                   "torch": torch.__version__}, f, indent=1)


if __name__ == "__main__":
    main()
