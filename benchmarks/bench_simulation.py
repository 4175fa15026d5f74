"""Benchmark of the contact-centre simulator (wfm.simulation.simulate_centre).

Scenario (issue 8): a 500-agent, 5-queue, multi-skill centre for one 16-hour day, about
100,000 contacts, 20 replications (``--full``; ``--quick`` runs 3). Prints contacts
simulated per second and the time per replication, and checks the results: every contact
ends in exactly one outcome (offered = answered + abandoned + blocked + unfinished), the
mean offered volume matches the forecast, service levels and occupancies are fractions,
and the agents' busy time matches the handle time of the answered contacts.

Exit code 1 only for a wrong result, never for time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd

from wfm.core import make_interval_grid
from wfm.simulation import LognormalTime, SimulationQueue, simulate_centre

QUEUES = ("billing", "sales", "support", "tech", "vip")
SHARE = np.array([0.26, 0.22, 0.24, 0.18, 0.10])
AHT_SHAPE = np.array([0.8, 1.0, 0.9, 1.4, 1.1])  # relative handle times of the queues
PEAK_LOAD_PER_AGENT = 0.92  # offered Erlangs at the peak per scheduled agent
DAILY_CONTACTS = 100_000
SKILL_GROUPS = {
    "billing": ["billing"],
    "sales": ["sales"],
    "support": ["support"],
    "tech": ["tech"],
    "billing+support": ["billing", "support"],
    "sales+vip": ["vip", "sales"],
    "tech+support": ["tech", "support"],
    "all": list(QUEUES),
}
GROUP_SHARE = {
    "billing": 0.17,
    "sales": 0.15,
    "support": 0.14,
    "tech": 0.18,
    "billing+support": 0.12,
    "sales+vip": 0.12,
    "tech+support": 0.07,
    "all": 0.05,
}


def scenario() -> tuple[pd.DataFrame, pd.DataFrame]:
    starts = make_interval_grid("2024-06-03 07:00", "2024-06-03 23:00", tz="Europe/Paris")
    hours = np.arange(len(starts)) / 2.0
    profile = 1.0 + 0.45 * np.sin(np.pi * hours / 16.0)  # mid-day peak
    profile /= profile.sum()
    volume = np.outer(SHARE, profile) * DAILY_CONTACTS
    # scale handle times so that the peak load is PEAK_LOAD_PER_AGENT x 500 Erlangs
    unscaled_peak = ((volume * AHT_SHAPE[:, None]).sum(axis=0) / 1800.0).max()
    aht_seconds = AHT_SHAPE * (PEAK_LOAD_PER_AGENT * 500 / unscaled_peak)
    forecast = pd.DataFrame(
        {
            "queue": np.repeat(QUEUES, len(starts)),
            "interval_start": np.tile(starts, len(QUEUES)),
            "volume": volume.ravel(),
            "aht_seconds": np.repeat(aht_seconds, len(starts)),
        }
    )
    load = (volume * aht_seconds[:, None]).sum(axis=0) / 1800.0  # Erlangs per interval
    agents_total = np.ceil(load * 500.0 / load.max())  # 500 agents at the peak
    rows = []
    for group, share in GROUP_SHARE.items():
        rows.append(
            pd.DataFrame(
                {
                    "skill_group": group,
                    "interval_start": starts,
                    "agents": np.round(agents_total * share).astype(int),
                }
            )
        )
    return forecast, pd.concat(rows, ignore_index=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="3 replications (CI)")
    mode.add_argument("--full", action="store_true", help="20 replications (issue size)")
    args = parser.parse_args()
    replications = 20 if args.full else 3
    forecast, staffing = scenario()
    queues = [
        SimulationQueue(
            name,
            priority=0 if name == "vip" else 1,
            handle_time=LognormalTime(cv=0.9),
            patience_seconds=240.0,
            retrial_probability=0.3,
            retrial_delay_seconds=600.0,
        )
        for name in QUEUES
    ]
    peak_agents = int(staffing.groupby("interval_start")["agents"].sum().max())
    print(
        f"scenario: {len(QUEUES)} queues, {len(SKILL_GROUPS)} skill groups, {peak_agents} agents "
        f"at the peak, {forecast['volume'].sum():,.0f} contacts forecast over "
        f"{forecast['interval_start'].nunique()} half-hours; {replications} replications; "
        f"{os.cpu_count()} cores visible"
    )

    # baseline in the same process: one replication of a single pooled queue, same volume
    pooled = forecast.groupby("interval_start", as_index=False).agg(volume=("volume", "sum"))
    pooled["queue"] = "pooled"
    mean_aht = forecast.assign(work=forecast["volume"] * forecast["aht_seconds"])
    pooled["aht_seconds"] = float(mean_aht["work"].sum() / mean_aht["volume"].sum())
    pooled_staff = staffing.groupby("interval_start", as_index=False)["agents"].sum()
    pooled_staff["queue"] = "pooled"
    started = time.perf_counter()
    simulate_centre(pooled, staffing=pooled_staff, replications=1, seed=1)
    baseline_seconds = time.perf_counter() - started

    started = time.perf_counter()
    result = simulate_centre(
        forecast,
        staffing=staffing,
        skill_groups=SKILL_GROUPS,
        queues=queues,
        replications=replications,
        seed=2026,
    )
    elapsed = time.perf_counter() - started
    contacts = int(result.totals["fresh"].sum() + result.totals["retrials"].sum())
    print(f"simulated {contacts:,} contacts (incl. retrials) in {elapsed:.2f} s")
    print(f"contacts simulated per second: {contacts / elapsed:,.0f}")
    per_rep = elapsed / replications
    print(
        f"seconds per replication: {per_rep:.2f} (single pooled queue, same volume: "
        f"{baseline_seconds:.2f} s; multi-skill / single ratio {per_rep / baseline_seconds:.2f})"
    )
    projected = per_rep * 20
    print(f"projected 20 replications: {projected:.1f} s (target <= 30 s on 2 cores)")
    print("pyworkforce comparison skipped: pyworkforce has no contact-centre simulator")

    summary = result.summary().breakdown  # one row per queue
    print(summary.round(3).to_string(index=False))
    occupancy = result.occupancy_frame()
    failures: list[str] = []
    if not result.conservation_holds():
        failures.append("conservation: offered != answered + abandoned + blocked + unfinished")
    offered_fresh = result.totals["fresh"].mean()
    expected = forecast["volume"].sum()
    tolerance = 4 * np.sqrt(expected / replications)
    if abs(offered_fresh - expected) > tolerance:
        failures.append(f"mean fresh arrivals {offered_fresh:.0f} vs forecast {expected:.0f}")
    levels = summary["service_level"].to_numpy()
    if not np.all((levels >= 0) & (levels <= 1)):
        failures.append(f"service levels outside [0, 1]: {levels}")
    busy = occupancy["occupancy"].dropna().to_numpy()
    if not np.all((busy >= 0) & (busy <= 1.05)):
        failures.append("occupancy outside [0, 1.05]")
    # agent time busy over the horizon = handle time of the answered contacts (less the
    # little work that runs past the end): mean busy seconds per answered contact ~ AHT
    answered = result.counts["answered"].sum(axis=(1, 2))
    busy_per_contact = result.busy_seconds.sum(axis=(1, 2)) / answered
    mean_aht = float((forecast["volume"] * forecast["aht_seconds"]).sum() / expected)
    print(f"busy seconds per answered contact {busy_per_contact.mean():.1f} vs AHT {mean_aht:.1f}")
    if np.any(np.abs(busy_per_contact / mean_aht - 1) > 0.03):
        failures.append(f"busy time per answered contact {busy_per_contact} vs AHT {mean_aht}")
    if result.totals["unfinished"].sum() != 0:
        failures.append("contacts left unfinished although agents drain the queues")
    for failure in failures:
        print(f"WRONG: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
