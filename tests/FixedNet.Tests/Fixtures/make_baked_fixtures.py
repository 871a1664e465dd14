#!/usr/bin/env python3
"""Makes the weights files that FixedNet.Tests bakes in at compile time (BakedWeightsTests). Standard library only.

    python3 tests/FixedNet.Tests/Fixtures/make_baked_fixtures.py

- sequential_mlp_4_8_5_3.safetensors: the parameters of torch_mlp_4_8_5_3.json (made by make_fixtures.py with
  PyTorch: Sequential(Linear(4,8), ReLU, Linear(8,5), Tanh, Linear(5,3), Softmax)) under the names a
  torch.nn.Sequential state_dict gives them: 0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias. The values are the
  float32 numbers PyTorch printed (Python prints the shortest text that reads back as the same number, so packing
  them as '<f' gives PyTorch's bits back). The tensors are written in the order 4, 0, 2 to show that the layer order
  comes from the indices, not from the file.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(path, tensors):
    header, data = {}, b""
    for name, shape, values in tensors:
        raw = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(data)


def main():
    with open(os.path.join(HERE, "torch_mlp_4_8_5_3.json")) as f:
        parameters = json.load(f)["parameters"]
    sizes = [4, 8, 5, 3]
    layers, at = [], 0
    for l in range(3):
        inputs, outputs = sizes[l], sizes[l + 1]
        weight = parameters[at:at + inputs * outputs]
        at += inputs * outputs
        bias = parameters[at:at + outputs]
        at += outputs
        layers.append(((2 * l), [outputs, inputs], weight, [outputs], bias))
    assert at == len(parameters)
    tensors = []
    for index, wshape, weight, bshape, bias in [layers[2], layers[0], layers[1]]:
        tensors.append(("%d.weight" % index, wshape, weight))
        tensors.append(("%d.bias" % index, bshape, bias))
    write(os.path.join(HERE, "sequential_mlp_4_8_5_3.safetensors"), tensors)


if __name__ == "__main__":
    main()
