"""Reading the output of the datastore collectors' test drivers (pg_collect, redis_collect,
scylla_collect): one '# cycle N status' header per collection followed by exposition lines."""
import re


def parse_cycles(text):
    """[(status, {series: value})] for each '# cycle N status' block."""
    cycles = []
    for line in text.splitlines():
        m = re.match(r"# cycle \d+ (\w+)", line)
        if m:
            cycles.append((m.group(1), {}))
            continue
        if not line or line.startswith("#") or not cycles:
            continue
        series, _, value = line.rpartition(" ")
        cycles[-1][1][series] = float(value)
    return cycles


def find(series_map, name, **labels):
    """Values of series `name` whose labels include `labels`."""
    return [v for s, v in series_map.items() if (s == name or s.startswith(name + "{"))
            and all(f'{k}="{val}"' in s for k, val in labels.items())]
