"""Run every stage's benchmark script and print its headline figures.

Each ``benchmarks/bench_*.py`` is a plain script that prints its figures and exits
non-zero only when a *result* is wrong (never because it was slow). ``--quick`` (the
default, used by CI through ``make bench-quick``) runs each at a size that takes well
under a minute; ``--full`` runs the sizes stated in the issues' acceptance criteria.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="run the full-size benchmarks")
    parser.add_argument("names", nargs="*", help="only these scripts (e.g. bench_erlang)")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.names:
        scripts = [s for s in scripts if s.stem in set(args.names)]
    if not scripts:
        print("no benchmark scripts found", file=sys.stderr)
        return 1
    failures = []
    for script in scripts:
        mode = "--full" if args.full else "--quick"
        print(f"\n=== {script.stem} {mode} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script), mode], check=False)
        elapsed = time.perf_counter() - started
        print(f"--- {script.stem}: exit {result.returncode}, {elapsed:.1f} s wall", flush=True)
        if result.returncode != 0:
            failures.append(script.stem)
    if failures:
        print(f"\nbenchmarks with wrong results: {failures}", file=sys.stderr)
        return 1
    print(f"\nall {len(scripts)} benchmark scripts produced correct results")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
