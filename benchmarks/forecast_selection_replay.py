"""Replay of model-selection rules on the two real series (the evidence in docs/forecast.md).

Usage::

    python benchmarks/forecast_selection_replay.py     # about 30 s on 2 cores

Every model forecasts 7 days from every daily origin of the US bank (weekdays, 30-minute)
and Israeli bank (30-minute) series. Each rule is then replayed at every origin that has
four weekly origins before it whose forecast days had ended: the rule sees only those
origins' errors (pooled WAPE over lead days 1-7, as ``model="auto"`` does) and its pick is
scored at the origin. Printed: pooled interval WAPE over lead days 1-7, and at lead days 1
and 7, per rule. Not part of ``make bench-quick`` (it is an analysis, not a check).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_forecast import load_israel_bank, load_us_bank

from wfm.forecast import MissingIntervalsWarning, WeightedSeasonalAverage
from wfm.forecast._slots import QueueHistory, weekday_of
from wfm.forecast.intervals import split_histories
from wfm.forecast.registry import make_model

HORIZON = 7
LOOKBACK_WEEKS = 4
Pick = str | tuple[str, ...]
Rule = Callable[[list[int]], Pick]


def all_forecasts(history: QueueHistory) -> dict[tuple[int, str], np.ndarray]:
    """(origin day, model) -> (7, slots) forecast, closed slots zero, negatives floored."""
    slots = history.volume.shape[1]
    models: dict[str, object] = {
        "naive": "seasonal_naive",
        "average_2w": WeightedSeasonalAverage(weeks=2, slots_per_day=slots),
        "average_4w": WeightedSeasonalAverage(weeks=4, slots_per_day=slots),
        "average_8w": WeightedSeasonalAverage(weeks=8, slots_per_day=slots),
        "average_12w": WeightedSeasonalAverage(weeks=12, slots_per_day=slots),
        "holt_winters": "holt_winters",
        "top_down": "top_down",
    }
    out = {}
    for origin in range(35, history.n_days - HORIZON + 1):
        start = history.first_date + np.timedelta64(origin, "D")
        open_mask = history.open_slots[weekday_of(start, HORIZON)]
        for label, spec in models.items():
            model = make_model(spec, slots)  # type: ignore[arg-type]
            if origin < model.min_history_days:
                continue
            model.fit_point(history.volume[:origin], start_date=history.first_date)
            mean = model.predict(HORIZON * slots, levels=(80,)).mean.reshape(HORIZON, slots)
            out[(origin, label)] = np.where(open_mask, mean, 0.0)
    return out


def replay(name: str, history: QueueHistory) -> None:
    """Print each rule's pooled WAPE on the origins it can be replayed at."""
    forecasts = all_forecasts(history)
    labels = sorted({label for _, label in forecasts})
    origins = sorted(
        o for o in {o for o, _ in forecasts} if all((o, m) in forecasts for m in labels)
    )

    def forecast(origin: int, pick: Pick) -> np.ndarray:
        if isinstance(pick, tuple):
            return np.mean([forecast(origin, member) for member in pick], axis=0)
        return forecasts[(origin, pick)]

    def errors(origin: int, pick: Pick) -> tuple[np.ndarray, np.ndarray]:
        actual = history.volume[origin : origin + HORIZON]
        scored = history.observed[origin : origin + HORIZON]
        diff = np.where(scored, np.abs(forecast(origin, pick) - actual), 0.0)
        return diff.sum(axis=1), np.where(scored, actual, 0.0).sum(axis=1)

    def wape(prior: list[int], pick: Pick) -> float:
        pairs = [errors(o, pick) for o in prior]
        return sum(p[0].sum() for p in pairs) / max(sum(p[1].sum() for p in pairs), 1e-9)

    def fixed(pick: Pick) -> Rule:
        return lambda prior: pick

    def lowest(candidates: list[Pick]) -> Rule:
        return lambda prior: min(candidates, key=lambda m: wape(prior, m))

    def champion(candidates: list[Pick], default: Pick, margin: float) -> Rule:
        def rule(prior: list[int]) -> Pick:
            best = min(candidates, key=lambda m: wape(prior, m))
            return best if wape(prior, best) < (1 - margin) * wape(prior, default) else default

        return rule

    old_combination = ("average_4w", "holt_winters", "top_down")
    combination = ("average_8w", "top_down")
    old_auto: list[Pick] = ["naive", "average_4w", "holt_winters", "top_down"]
    wide: list[Pick] = ["naive", "average_2w", "average_4w", "average_8w", "holt_winters"]
    wide += ["top_down", combination]
    rules: dict[str, Rule] = {label: fixed(label) for label in labels}
    rules["mean(4w avg, HW, top-down)"] = fixed(old_combination)
    rules["mean(8w avg, top-down)"] = fixed(combination)
    rules["lowest of session-1 auto set"] = lowest(old_auto)
    rules["lowest of wide set"] = lowest(wide)
    rules["wide set, combination champion 5%"] = champion(wide, combination, 0.05)
    default: list[Pick] = ["naive", "average_4w", "average_8w", "top_down", combination]
    rules["lowest of auto's default set"] = lowest(default)
    rules["auto: default set, champion 5%"] = champion(default, combination, 0.05)
    known = set(origins)
    targets = [o for o in origins if all(o - 7 * k in known for k in range(1, LOOKBACK_WEEKS + 1))]
    print(f"\n== {name}: {len(targets)} replay origins (day {targets[0]}..{targets[-1]})")
    print(f"{'rule':<38}{'leads 1-7':>10}{'lead 1':>9}{'lead 7':>9}")
    for rule_name, rule in rules.items():
        abs_error = np.zeros(HORIZON)
        actual = np.zeros(HORIZON)
        for origin in targets:
            prior = [origin - 7 * k for k in range(1, LOOKBACK_WEEKS + 1)]
            a, b = errors(origin, rule(prior))
            abs_error += a
            actual += b
        total = abs_error.sum() / actual.sum()
        print(
            f"{rule_name:<38}{total:>10.3f}{abs_error[0] / actual[0]:>9.3f}"
            f"{abs_error[-1] / actual[-1]:>9.3f}"
        )


def main() -> int:
    """Run the replay on both series."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingIntervalsWarning)
        for name, frame in (("US bank", load_us_bank()), ("Israeli bank", load_israel_bank())):
            histories, _, _ = split_histories(frame)
            replay(name, next(iter(histories.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
