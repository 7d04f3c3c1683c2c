"""The wire format decodes plain data only, and rejects everything else."""

from __future__ import annotations

import json
import os
import pickle
import struct
import time

import numpy as np
import pytest

from cwmb.sandbox import wire


def _body(frame: bytes) -> bytes:
    return wire.body_of(frame)


def _forged(header: dict, blobs: bytes = b"") -> bytes:
    """A frame body with a hand-written header, as a hostile worker could send."""
    head = json.dumps(header).encode()
    return struct.pack("<I", len(head)) + head + blobs


def test_round_trip_keeps_types_dtypes_and_shapes():
    message = {
        "f32": np.arange(6, dtype=np.float32).reshape(2, 3),
        "i64": np.array([[1], [2]], dtype=np.int64),
        "flags": np.array([True, False]),
        "empty": np.zeros((0, 4)),
        "nested": [1, 2.5, None, "text", {"deep": (True, np.float64(0.5))}],
        "nan": float("nan"),
        "raw": b"\x00\x01",
    }
    decoded = wire.decode(_body(wire.encode(message)))
    for key in ("f32", "i64", "flags", "empty"):
        assert decoded[key].dtype == message[key].dtype
        assert decoded[key].shape == message[key].shape
        np.testing.assert_array_equal(decoded[key], message[key])
    assert decoded["nested"] == [1, 2.5, None, "text", {"deep": [True, 0.5]}]
    assert np.isnan(decoded["nan"])
    assert decoded["raw"] == b"\x00\x01"
    assert decoded["f32"].flags.writeable


@pytest.mark.parametrize(
    "value",
    [np.array([object()], dtype=object), object(), {1: "int key"}, {"$": "reserved"}, lambda: 1],
)
def test_encode_refuses_what_is_not_plain_data(value):
    with pytest.raises(TypeError):
        wire.encode({"value": value})


def test_decode_never_unpickles():
    with pytest.raises(wire.WireError):
        wire.decode(pickle.dumps({"a": np.arange(3)}))


@pytest.mark.parametrize("dtype", ["|O", "|V8", "<M8[s]", "|S4", "object"])
def test_decode_refuses_non_numeric_dtypes(dtype):
    body = _forged({"tree": {"$": "nd", "d": dtype, "s": [1], "i": 0}, "blobs": [8]}, b"\x00" * 8)
    with pytest.raises(wire.WireError):
        wire.decode(body)


@pytest.mark.parametrize(
    "header, blobs",
    [
        ({"tree": {"$": "nd", "d": "<f8", "s": [2], "i": 0}, "blobs": [8]}, b"\x00" * 8),  # too few bytes
        ({"tree": {"$": "nd", "d": "<f8", "s": [1], "i": 3}, "blobs": [8]}, b"\x00" * 8),  # no such blob
        ({"tree": 1, "blobs": [4]}, b""),  # blob missing
        ({"tree": {"$": "pickle", "i": 0}, "blobs": []}, b""),  # unknown tag
        ({"tree": 1}, b""),  # no blob list
    ],
)
def test_decode_refuses_inconsistent_frames(header, blobs):
    with pytest.raises(wire.WireError):
        wire.decode(_forged(header, blobs))


def test_decode_survives_garbage_and_deep_nesting():
    for junk in (b"", b"\xff" * 3, b"\x05\x00\x00\x00{{{{{", b"\x02\x00\x00\x00\xc3\x28"):
        with pytest.raises(wire.WireError):
            wire.decode(junk)
    deep = "[" * 100_000 + "]" * 100_000
    body = struct.pack("<I", len(deep) + 20) + f'{{"tree":{deep},"blobs":[]}}'.encode()
    with pytest.raises(wire.WireError):
        wire.decode(body)


def test_read_frame_times_out_reports_eof_and_caps_size():
    read_end, write_end = os.pipe()
    try:
        os.set_blocking(read_end, False)
        with pytest.raises(TimeoutError):
            wire.read_frame(read_end, 1 << 20, time.monotonic() + 0.05)
        frame = wire.encode({"x": np.arange(100)})
        wire.write_all(write_end, frame)
        with pytest.raises(wire.WireError):
            wire.read_frame(read_end, 16, time.monotonic() + 1.0)
    finally:
        os.close(write_end)
    # The oversized frame's body is still in the pipe: reading on is a protocol error or EOF.
    os.close(read_end)
    read_end, write_end = os.pipe()
    wire.write_all(write_end, wire.encode([1, 2]))
    os.close(write_end)
    assert wire.decode(wire.read_frame(read_end, 1 << 20)) == [1, 2]
    assert wire.read_frame(read_end, 1 << 20) is None
    os.close(read_end)
