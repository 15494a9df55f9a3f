#!/usr/bin/env python3
"""Differential PromQL test: tocsin against a real Prometheus, bit for bit through both HTTP APIs.

  TOCSIN_BINARY=build/dev/agent/tocsin tests/promql_diff/promql_diff_test.py [--seed N] [--count N]

1. From a seed, generates a few dozen series (counters with resets, gauges with negative, large,
   tiny and NaN values, series that start late, end early or have gaps longer than the lookback,
   classic histograms), ~70 minutes of samples ending two minutes before now, at 15 s - 60 s
   spacing per target.
2. Writes them once as an OpenMetrics text with explicit timestamps. Prometheus gets them through
   `promtool tsdb create-blocks-from openmetrics` into a temporary data dir, tocsin through a
   scrape job (honor_labels) against a local HTTP server of the test that serves the same bytes;
   both sides' raw samples are then compared before any expression is.
3. Generates expressions from a seeded grammar and evaluates each through /api/v1/query on both
   (and some through /api/v1/query_range), comparing label sets, value strings, result types and
   error/no-error exactly.
4. Localises each difference to its innermost differing sub-expression and classifies it:
   a known Prometheus 2.42 vs 3.0 difference (known_differences.txt; applied only where the
   verifier reproduces Prometheus's value with 2.42's algorithm and tocsin's with 3.0's), a float
   math ulp difference (Go's math package vs glibc), or an unexplained difference (a tocsin bug).

Window edges. Prometheus 2.x selects [t - range, t], 3.x (t - range, t]; they differ only when a
sample (or a subquery point) sits exactly on t - range. Every sample timestamp here has a
millisecond part that is neither 000 nor 500; evaluation times (instant queries, range query
starts, @ times) have the ms part 500; ranges, offsets, steps and the lookback delta are whole
seconds. So every left edge at the top level has the ms part 500, and inside a subquery (whose
steps are multiples of the step: ms part 000) 000; no sample is on either. Subquery points
themselves sit on whole seconds, so a subquery nested in another subquery gets a range with an
extra 500ms (its left edges then fall on ms 500, its points on 000).

Classification of a difference (the innermost differing sub-expression, found by evaluating
operands alone, inside the same subquery, or as the same range query):
  known: <id>       a Prometheus 2.42 -> 3.0 change from known_differences.txt, verified by
                    recomputing both values from the operands with 2.42's and 3.0's algorithms;
  math-ulp          Go's math package vs glibc (tocsin's value is glibc's), a few ulps;
  nondeterministic  Prometheus itself is order-dependent there: in range evaluation it hands an
                    aggregation its series in Go map order (verified: both values are reachable
                    by some order, or Prometheus answers differently when asked again);
  unexplained       anything else: a tocsin bug (some are named, see TOCSIN_FINDINGS).
Runs fail on math-ulp and unexplained differences.

Exit status: 0 no unexplained difference, 1 differences (or a setup failure), 77 when the
prometheus / promtool binaries are absent (CTest SKIP_RETURN_CODE).

This script runs the cases and reports; the parts live in the promqldiff package beside it:
formats (Go's float and timestamp formats), data (the generated series), servers (the two
systems and their APIs), results (comparing answers), grammar (the expression generator),
localise (the innermost differing node), reference (2.42's and 3.0's algorithms), verify and
classify (naming a difference).
"""
import argparse
import concurrent.futures
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time

from promqldiff.formats import eval_ts, float_bits
from promqldiff.data import generate_data, openmetrics_text
from promqldiff.results import canon, eval_time_text, formatting_desc, formatting_kind, points, same
from promqldiff.grammar import Call, Gen
from promqldiff.servers import check_loaded, setup
from promqldiff.localise import Evaluator, step_slice
from promqldiff.classify import Stats, classify, load_known

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
LOOKBACK_S = 300


def run_case(ev, stats, known, expr, t, args, lock, range_spec=None):
    q = expr.render()
    ordered = isinstance(expr, Call) and expr.fn in ("sort", "sort_desc")
    if range_spec is None:
        a, b = ev.both(q, t)
    else:
        a = canon(*ev.P.query_range(q, *range_spec))
        b = canon(*ev.T.query_range(q, *range_spec))
    feats = expr.features() or {"selector"}
    if range_spec is not None:
        feats = feats | {"(range query)"}
    desc = ""
    if same(a, b, ordered, strict=True):
        cat = "equal"
        if a[0] == "error":
            with lock:
                stats.totals["both-error"] += 1
        if a[0] == "error" and b[0] == "error" and a[1] != b[1]:
            with lock:
                stats.error_types.append((q, a[1], a[2], b[1], b[2]))
    elif same(a, b, ordered):
        cat = "unexplained: JSON value formatting: " + formatting_kind(a, b)
        desc = formatting_desc(a, b)
    elif range_spec is None:
        cat, desc = classify(ev, known, expr, t, a, b, None)
    elif a[0] == b[0] == "matrix":
        # Localise at the first step that differs, evaluating every operand as the same range
        # query (range and instant evaluation may add up series in different orders).
        pa, pb = points(a), points(b)
        steps = sorted({ts for m in list(pa.values()) + list(pb.values()) for ts in m}, key=float)

        def differs(ts):
            for k in set(pa) | set(pb):
                x, y = pa.get(k, {}).get(ts), pb.get(k, {}).get(ts)
                if (x is None) != (y is None) or (x is not None and float_bits(x) != float_bits(y)):
                    return True
            return False
        t = next(ts for ts in steps if differs(ts))
        sa, sb = step_slice(a, t), step_slice(b, t)
        cat, desc = classify(ev, known, expr, t, sa, sb, range_spec)
        desc = f"(step {t} of the range query) " + desc
    else:
        t = eval_ts(range_spec[0])
        cat, desc = classify(ev, known, expr, t, step_slice(a, t), step_slice(b, t), range_spec)
        desc = f"(range query) " + desc
    with lock:
        if cat != "equal" and len(stats.examples[cat]) < args.examples:
            stats.examples[cat].append((q if range_spec is None else
                                        f"{q}  [range start={range_spec[0]} end={range_spec[1]} "
                                        f"step={range_spec[2]}]", t, desc))
        short_cat = cat.split(":")[0]
        stats.totals[short_cat] += 1
        stats.totals["compared"] += 1
        if cat != "equal":
            stats.totals["cat:" + cat] += 1
        for f in feats:
            stats.by_feature[f]["compared"] += 1
            stats.by_feature[f][short_cat] += 1
    return cat


def run_case_safe(ev, stats, known, expr, t, args, lock, range_spec=None):
    """run_case; a failure of the harness itself is reported as an unexplained difference."""
    try:
        return run_case(ev, stats, known, expr, t, args, lock, range_spec)
    except Exception:  # noqa: BLE001 -- report and go on
        import traceback
        cat = "unexplained: harness error (a bug in this script)"
        with lock:
            stats.totals["unexplained"] += 1
            stats.totals["compared"] += 1
            stats.totals["cat:" + cat] += 1
            if len(stats.examples[cat]) < args.examples:
                stats.examples[cat].append((expr.render(), t, traceback.format_exc()[-1500:]))
        return cat


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000, help="instant-query expressions")
    ap.add_argument("--range-count", type=int, default=None,
                    help="range-query expressions (default count/20)")
    ap.add_argument("--examples", type=int, default=5, help="examples printed per category")
    ap.add_argument("--tocsin", default=os.environ.get("TOCSIN_BINARY", ""))
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--promtool", default=shutil.which("promtool") or "/usr/bin/promtool")
    ap.add_argument("--known", default=os.path.join(HERE, "known_differences.txt"))
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (data, logs)")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--end", type=int, default=0,
                    help="unix time (s) of the data's end, to reproduce a run (within the last "
                         "few hours); default: 2 minutes ago")
    ap.add_argument("--print-expressions", action="store_true")
    ap.add_argument("--hold", type=float, default=0,
                    help="after loading, keep both systems up this many seconds (for queries by "
                         "hand), then run")
    args = ap.parse_args()
    if args.range_count is None:
        args.range_count = max(1, args.count // 20)

    for b in (args.prometheus, args.promtool):
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            print(f"SKIP: {b} not found (install the Debian 'prometheus' package: "
                  "scripts/install-deps.sh --test)")
            return SKIP
    if not args.tocsin or not os.access(args.tocsin, os.X_OK):
        print("error: set TOCSIN_BINARY or --tocsin to the tocsin binary", file=sys.stderr)
        return 2
    known = load_known(args.known)

    tmp = tempfile.mkdtemp(prefix="promql-diff-")
    procs, servers = [], []

    def cleanup(*_):
        for p in procs:
            p.stop()
        for srv in servers:
            srv.stop()
        procs.clear()
        servers.clear()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    def on_signal(sig, _frame):
        cleanup()
        sys.exit(128 + sig)

    signal.signal(signal.SIGTERM, on_signal)
    try:
        t0 = time.monotonic()
        end_ms = (args.end or int(time.time()) - 120) * 1000
        series, start_ms = generate_data(args.seed, end_ms)
        body = openmetrics_text(series)
        nsamples = sum(len(s.samples) for s in series)
        print(f"seed {args.seed}: {len(series)} series, {nsamples} samples from "
              f"{time.strftime('%H:%M:%S', time.gmtime(start_ms / 1000))} to "
              f"{time.strftime('%H:%M:%S', time.gmtime(end_ms / 1000))} UTC; temp dir {tmp}\n"
              f"reproduce with: --seed {args.seed} --count {args.count} --end {end_ms // 1000}")
        P, T = setup(args, tmp, body, series, procs, servers)
        problems, formatting = check_loaded(P, T, series)
        for f in formatting[:5]:
            print("  value formatting differs (same float): " + f)
        if problems:
            print("FAIL: the two systems do not hold the generated samples:")
            for p in problems[:20]:
                print("  " + p)
            return 1
        print(f"both systems hold the generated samples ({time.monotonic() - t0:.1f}s)")
        if args.hold > 0:
            print(f"holding {args.hold:.0f}s: prometheus {P.base}  tocsin {T.base}", flush=True)
            time.sleep(args.hold)

        rng = random.Random(args.seed * 7919 + 13)
        lo = start_ms + 15 * 60000
        hi = end_ms + 4 * 60000
        gen = Gen(rng, lo, hi)
        cases = []
        for _ in range(args.count):
            e = gen.top()
            t = eval_time_text(rng.randint(lo // 1000, hi // 1000) * 1000 + 500)
            cases.append((e, t, None))
        for _ in range(args.range_count):
            e = gen.top(for_range=True)
            step = rng.choice([15, 30, 45, 60])
            n = rng.randint(5, 40)
            s0 = rng.randint(lo // 1000, hi // 1000 - n * step)
            cases.append((e, eval_time_text(s0 * 1000 + 500),
                          (eval_time_text(s0 * 1000 + 500),
                           eval_time_text((s0 + n * step) * 1000 + 500), str(step))))
        if args.print_expressions:
            for e, t, r in cases:
                print(f"{t} {r or ''} {e.render()}")

        ev = Evaluator(P, T, eval_time_text(int(time.time()) * 1000 + 500))
        stats = Stats()
        lock = threading.Lock()
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futs = [pool.submit(run_case_safe, ev, stats, known, e, t, args, lock, r)
                    for e, t, r in cases]
            for f in futs:
                f.result()
        report(stats, known, time.monotonic() - t0)
        unexplained = stats.totals["unexplained"] + stats.totals["math-ulp"]
        return 1 if unexplained else 0
    except RuntimeError as e:
        print(f"FAIL: {e}")
        for p in procs:
            print(f"--- {p.name} log:\n{p.log_tail()}")
        return 1
    finally:
        cleanup()


def report(stats, known, elapsed):
    tot = stats.totals
    print(f"\n{tot['compared']} expressions compared in {elapsed:.1f}s: {tot['equal']} equal, "
          f"{tot['compared'] - tot['equal']} differ: {tot['known']} known 2.42/3.0 differences, "
          f"{tot['math-ulp']} float-math ulp (Go math vs glibc), {tot['nondeterministic']} "
          f"order-dependent in Prometheus itself, {tot['unexplained']} unexplained "
          f"({tot['both-error']} of the equal ones are errors on both sides)")
    print("\nby feature (compared / equal / known / math-ulp / nondeterministic / unexplained):")
    for f, c in sorted(stats.by_feature.items(), key=lambda x: (-x[1]["unexplained"], x[0])):
        print(f"  {f:24} {c['compared']:6} {c['equal']:6} {c['known']:6} {c['math-ulp']:6} "
              f"{c['nondeterministic']:6} {c['unexplained']:6}")
    cats = sorted((k[4:], v) for k, v in tot.items() if k.startswith("cat:"))
    if cats:
        print("\ndifferences by category:")
        for c, n in sorted(cats, key=lambda x: -x[1]):
            reason = known.get(c[7:], "") if c.startswith("known: ") else ""
            print(f"  {n:5}  {c}" + (f"\n         ({reason})" if reason else ""))
    for c, exs in sorted(stats.examples.items()):
        print(f"\n== {c}")
        for q, t, desc in exs:
            print(f"  at {t}: {q}\n      {desc}")
    if stats.error_types:
        print(f"\n{len(stats.error_types)} expressions fail on both sides with different error "
              "types (not counted as differences):")
        for q, pt, pm, tt, tm in stats.error_types[:5]:
            print(f"  {q}\n      prometheus {pt}: {pm[:150]}\n      tocsin {tt}: {tm[:150]}")


if __name__ == "__main__":
    sys.exit(main())
