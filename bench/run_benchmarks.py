#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs every bench_* executable, collects the figures they print (one JSON object per line,
prefixed with "BENCH "), prints a table and optionally writes them as a JSON array.
Lineage (bench_lineage): lineage.layout.5k.seconds and lineage.expand.ms."""
import argparse
import json
import os
import platform
import subprocess
import sys
import time


def machine():
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{model}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--only", help="run only benchmarks whose executable name contains this")
    ap.add_argument("--large", action="store_true",
                    help="also run the large benchmarks (drift.report.10m: two files of several GB)")
    args = ap.parse_args()

    bench_dir = os.path.join(args.build, "bench")
    # Only executables whose source is still in bench/: a build folder can hold old ones.
    exes = sorted(e for e in os.listdir(bench_dir)
                  if e.startswith("bench_") and os.access(os.path.join(bench_dir, e), os.X_OK)
                  and os.path.isfile(os.path.join(bench_dir, e))
                  and os.path.isfile(os.path.join(args.root, "bench", e + ".cpp")))
    if args.only:
        exes = [e for e in exes if args.only in e]
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.large:
        env["SIGHTLINE_BENCH_LARGE"] = "1"
    env["SIGHTLINE_TEST_SERVER"] = os.path.join(args.root, "tests", "support",
                                                "mlflow_test_server.py")
    results = []
    failed = False
    print(f"Machine: {machine()}", file=sys.stderr)
    for exe in exes:
        print(f"running {exe} ...", file=sys.stderr, flush=True)
        started = time.time()
        proc = subprocess.run([os.path.join(bench_dir, exe)], env=env, capture_output=True,
                              text=True, timeout=1800)
        for line in proc.stdout.splitlines():
            if line.startswith("BENCH "):
                results.append(json.loads(line[6:]))
        if proc.returncode != 0:
            failed = True
            print(f"{exe} failed ({proc.returncode}):\n{proc.stderr}", file=sys.stderr)
        print(f"  {time.time() - started:.1f} s", file=sys.stderr)

    width = max([len(r["name"]) for r in results] + [10])
    print(f"{'figure':<{width}}  {'value':>14}  unit      baseline / target")
    for r in results:
        value = r["value"]
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        note = r.get("baseline", "")
        if r.get("target"):
            note = (note + "; " if note else "") + "target " + r["target"]
        print(f"{r['name']:<{width}}  {shown:>14}  {r['unit']:<8}  {note}")
    if args.json:
        for r in results:
            r.setdefault("machine", machine())
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
