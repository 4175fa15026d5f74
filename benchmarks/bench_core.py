"""Benchmark: validation of a large interval frame (the boundary every stage crosses)."""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from wfm.core import make_interval_grid, validate_interval_frame


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    queues = 20 if args.quick or not args.full else 100
    starts = make_interval_grid("2024-01-01", "2026-01-01", tz="Europe/London")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "queue": np.repeat([f"q{i}" for i in range(queues)], len(starts)),
            "interval_start": np.tile(starts, queues),
            "volume": rng.poisson(50, size=len(starts) * queues).astype(float),
            "aht_seconds": 300.0,
        }
    )
    began = time.perf_counter()
    out = validate_interval_frame(frame, interval_minutes=30)
    elapsed = time.perf_counter() - began
    print(
        f"validate_interval_frame: {len(frame):,} rows ({queues} queues x 2 years)"
        f" in {elapsed:.2f} s"
    )
    if len(out) != len(frame) or out["volume"].sum() != frame["volume"].sum():
        print("WRONG: validation changed the data")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
