"""Test signals shared by the audio tests."""

from __future__ import annotations

import numpy as np


def sine(seconds: float, rate: int, freq: float, amp: float = 0.5, phase: float = 0.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)
