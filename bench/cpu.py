"""CPU time of a process tree, or of every process of a name, read from /proc (Linux): what a
page costs the web workers (and a registration PostgreSQL) per request, whatever else the
machine is doing. By hand because it is a dozen lines over /proc and
the benchmark needs nothing else of a process library."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int, *, children: bool = False) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of ``pid`` (with ``children``: plus those of its
    children that have ended), or None if it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) ": state is fields[0]
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return int(fields[1]), ticks / TICKS


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by ``root`` and its children (a gunicorn master and its workers)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat and (int(entry.name) == root or stat[0] == root):
            total += stat[1]
    return total


def children(root: int) -> int:
    """How many processes ``root`` has started and not yet reaped (a gunicorn master's workers)."""
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            count += bool(stat and stat[0] == root)
    return count


def named_cpu_seconds(name: str) -> float:
    """CPU seconds used so far by every process called ``name`` and by their children that have
    ended (PostgreSQL: the server and its backends, those of closed connections included)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if comm == name:
            stat = _stat(int(entry.name), children=True)
            total += stat[1] if stat else 0.0
    return total
