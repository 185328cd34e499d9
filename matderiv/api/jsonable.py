"""Strict JSON for every report: a number that is not finite is written as null (NaN)
or the string "inf" / "-inf", never as the bare NaN or Infinity Python's json writes.

>>> to_json({"claim_value": float("nan"), "true": float("-inf"), "ok": 1.5})
'{"claim_value": null, "true": "-inf", "ok": 1.5}'
"""

from __future__ import annotations

import json
import math


def strict(data):
    """``data`` with every non-finite float replaced (NaN -> None, ±inf -> "±inf"), and
    NumPy scalars as plain numbers."""
    if isinstance(data, dict):
        return {key: strict(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [strict(value) for value in data]
    if hasattr(data, "item") and not isinstance(data, (str, bytes)):  # NumPy scalars
        data = data.item()
    if isinstance(data, float) and not math.isfinite(data):
        return None if math.isnan(data) else ("inf" if data > 0 else "-inf")
    return data


def to_json(data, **options) -> str:
    """``json.dumps`` of ``strict(data)``; it refuses a non-finite number outright."""
    return json.dumps(strict(data), allow_nan=False, ensure_ascii=False, **options)
