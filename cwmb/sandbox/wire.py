"""The sandbox wire format: length-prefixed frames of JSON plus raw numeric arrays.

A frame is ``b"CWB1"``, the body length (u64), then the body: the JSON header length
(u32), the JSON header, and the blobs it refers to. Arrays travel as raw bytes with
their dtype and shape in the header; only bool, integer, float and complex dtypes are
accepted, so decoding can never build an object of a class the sender chose. Nothing is
ever pickled: a reply from a worker running generated code is untrusted input, and this
decoder turns it into plain data (dict, list, str, int, float, bool, None, bytes and
numeric ndarrays) or raises :class:`WireError`.
"""

from __future__ import annotations

import json
import os
import re
import select
import struct
import time
from typing import Any

import numpy as np

MAGIC = b"CWB1"
_PREFIX = struct.Struct("<4sQ")
_HEADER_LEN = struct.Struct("<I")
_DTYPE = re.compile(r"^[<>|=][biufc][0-9]{1,2}$")
_MAX_DEPTH = 64
_CHUNK = 1 << 20


class WireError(Exception):
    """A frame that is malformed, too large, or holds something other than plain data."""


def encode(message: Any) -> bytes:
    """Encode plain data (numeric arrays allowed) as one frame. Raises TypeError otherwise."""
    blobs: list[bytes] = []
    tree = _flatten(message, blobs, 0)
    header = json.dumps({"tree": tree, "blobs": [len(b) for b in blobs]}, separators=(",", ":"))
    head = header.encode("utf-8")
    body_len = _HEADER_LEN.size + len(head) + sum(len(b) for b in blobs)
    return b"".join([_PREFIX.pack(MAGIC, body_len), _HEADER_LEN.pack(len(head)), head, *blobs])


def _flatten(value: Any, blobs: list[bytes], depth: int) -> Any:
    """Turn ``value`` into a JSON tree, moving arrays and bytes into ``blobs``."""
    if depth > _MAX_DEPTH:
        raise TypeError("data nested too deeply to send")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise TypeError(f"cannot send an array of dtype {value.dtype}")
        blobs.append(np.ascontiguousarray(value).tobytes())
        return {"$": "nd", "d": value.dtype.str, "s": list(value.shape), "i": len(blobs) - 1}
    if isinstance(value, np.generic):
        return _flatten(value.item(), blobs, depth + 1)
    if isinstance(value, (bytes, bytearray, memoryview)):
        blobs.append(bytes(value))
        return {"$": "b", "i": len(blobs) - 1}
    if isinstance(value, (list, tuple)):
        return [_flatten(v, blobs, depth + 1) for v in value]
    if isinstance(value, dict):
        if "$" in value or not all(isinstance(k, str) for k in value):
            raise TypeError("dict keys must be strings other than '$'")
        return {k: _flatten(v, blobs, depth + 1) for k, v in value.items()}
    raise TypeError(f"cannot send a {type(value).__name__}: only plain data and numeric arrays")


def decode(body: bytes) -> Any:
    """Decode a frame body (without the prefix) into plain data; raises WireError."""
    try:
        (head_len,) = _HEADER_LEN.unpack_from(body, 0)
        start = _HEADER_LEN.size + head_len
        header = json.loads(bytes(body[_HEADER_LEN.size : start]).decode("utf-8"))
        lengths = header["blobs"]
        offsets = []
        for length in lengths:
            if not isinstance(length, int) or length < 0:
                raise WireError("bad blob length")
            offsets.append(start)
            start += length
        if start != len(body):
            raise WireError("frame length does not match its blobs")
        view = memoryview(body)
        blobs = [view[o : o + n] for o, n in zip(offsets, lengths, strict=True)]
        return _unflatten(header["tree"], blobs, 0)
    except WireError:
        raise
    except Exception as exc:  # any malformed input, including RecursionError from deep JSON
        raise WireError(f"malformed frame: {type(exc).__name__}: {exc}"[:300]) from None


def _unflatten(node: Any, blobs: list[memoryview], depth: int) -> Any:
    """Inverse of :func:`_flatten`, checking every tagged node."""
    if depth > _MAX_DEPTH:
        raise WireError("data nested too deeply")
    if isinstance(node, list):
        return [_unflatten(v, blobs, depth + 1) for v in node]
    if not isinstance(node, dict):
        return node
    tag = node.get("$")
    if tag is None:
        return {k: _unflatten(v, blobs, depth + 1) for k, v in node.items()}
    if tag == "b":
        return bytes(blobs[node["i"]])
    if tag == "nd":
        return _array(node, blobs)
    raise WireError(f"unknown tag {tag!r}")


def _array(node: dict[str, Any], blobs: list[memoryview]) -> np.ndarray:
    """Rebuild a numeric array from its dtype, shape and raw bytes."""
    dtype_str, shape = node["d"], node["s"]
    if not isinstance(dtype_str, str) or not _DTYPE.match(dtype_str):
        raise WireError(f"refused dtype {dtype_str!r}")
    if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise WireError("bad array shape")
    dtype = np.dtype(dtype_str)
    blob = blobs[node["i"]]
    if len(blob) != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
        raise WireError("array bytes do not match its shape")
    return np.frombuffer(blob, dtype=dtype).reshape(shape).copy()


def _remaining(deadline: float | None) -> float | None:
    """Seconds left until ``deadline`` (monotonic), or None for no deadline."""
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline passed")
    return left


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes | None:
    """Read exactly ``n`` bytes; None on end of file before any byte of them."""
    parts: list[bytes] = []
    got = 0
    while got < n:
        left = _remaining(deadline)
        if left is not None:
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError("deadline passed")
        try:
            chunk = os.read(fd, min(n - got, _CHUNK))
        except BlockingIOError:
            continue
        if not chunk:
            if got:
                raise WireError("end of stream inside a frame")
            return None
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def read_frame(fd: int, max_body: int, deadline: float | None = None) -> bytes | None:
    """Read one frame's body from ``fd``; None at a clean end of file.

    Raises TimeoutError when ``deadline`` (``time.monotonic()`` value) passes first and
    WireError for a bad prefix or a body larger than ``max_body``.
    """
    prefix = _read_exact(fd, _PREFIX.size, deadline)
    if prefix is None:
        return None
    magic, length = _PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise WireError("bad frame prefix")
    if length > max_body:
        raise WireError(f"frame of {length} bytes exceeds the limit of {max_body}")
    body = _read_exact(fd, length, deadline)
    if body is None:
        raise WireError("end of stream inside a frame")
    return body


def write_all(fd: int, data: bytes, deadline: float | None = None) -> None:
    """Write all of ``data`` to ``fd`` (blocking or not); TimeoutError past ``deadline``."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view[:_CHUNK])
        except BlockingIOError:
            left = _remaining(deadline)
            select.select([], [fd], [], left)
            continue
        view = view[written:]


def frame_length(buffer: bytes | bytearray) -> int | None:
    """Total length of the frame at the start of ``buffer``, once its prefix has arrived."""
    if len(buffer) < _PREFIX.size:
        return None
    magic, length = _PREFIX.unpack_from(buffer, 0)
    if magic != MAGIC:
        raise WireError("bad frame prefix")
    return _PREFIX.size + length


def body_of(frame: bytes | bytearray) -> bytes:
    """The body of a complete frame (the bytes after its prefix)."""
    return bytes(frame[_PREFIX.size :])
