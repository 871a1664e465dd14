#!/usr/bin/env python3
"""Makes the weights files FrozenBenchmarks bakes in (standard library only; values only need to be fixed, not trained):

    python3 benchmarks/FixedNet.Benchmarks/Weights/make_weights.py

Uniform in ±1/sqrt(inputs) per layer (torch.nn.Linear's default range), seed 1, FixedNet's names (layers.{l}.weight/bias).
"""
import json
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, sizes):
    rng = random.Random(1)
    header, data = {}, b""
    for l in range(len(sizes) - 1):
        inputs, outputs = sizes[l], sizes[l + 1]
        bound = inputs ** -0.5
        for kind, shape in (("weight", [outputs, inputs]), ("bias", [outputs])):
            count = outputs * (inputs if kind == "weight" else 1)
            raw = struct.pack("<%df" % count, *[rng.uniform(-bound, bound) for _ in range(count)])
            header["layers.%d.%s" % (l, kind)] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
            data += raw
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


write("2-2-2.safetensors", [2, 2, 2])
write("8-16-16-1.safetensors", [8, 16, 16, 1])
write("64-32-10.safetensors", [64, 32, 10])
