"""``python -m bench`` (``make bench``): build the bench database, serve it with gunicorn, measure.

Steps: (1) drop and create ``portal_bench`` on the local PostgreSQL, migrate, fill it
(``bench.data``); (2) count SQL queries per page in-process; (3) serve with gunicorn (DEBUG off,
``bench.settings``) and drive each page at 1, 8 and 32 connections (``bench.load``);
(4) 500 registrations on 100 seats, at once and from 32 clients (``bench.registrations``), and
the least registration post (``bench/urls.py``) driven the same way; (5) 2,000 outbox
messages through a real Celery worker to an SMTP sink, clean and with a SIGKILL mid-way
(``bench.email``); (6) print one table and write it as JSON (and Markdown) under ``var/bench/``.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
# The benchmark's own database and Redis database (both emptied at the start); other names let
# two runs share the machine (``BENCH_DB_NAME``, ``BENCH_REDIS_DB``).
DB_NAME = os.environ.get("BENCH_DB_NAME", "portal_bench")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = f"redis://127.0.0.1:6379/{int(os.environ.get('BENCH_REDIS_DB', '5'))}"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def settle_database() -> None:
    """``VACUUM (ANALYZE)`` what the fill wrote, then ``CHECKPOINT``, as pgbench vacuums before it
    measures: otherwise autovacuum and the first checkpoint after the bulk load run when they
    choose, in the middle of one measurement or another, and the planner plans for tables it has
    no statistics of until autoanalyze comes by (a burst of registrations measured half as fast
    as in the next run of the same code). The checkpoint needs a superuser or the role
    ``pg_checkpoint``; without either it is skipped."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        done = "vacuumed, analyzed and checkpointed"
        try:
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            log("CHECKPOINT skipped: it needs a superuser or pg_checkpoint")
            done = "vacuumed and analyzed"
    log(f"database {done} in {time.monotonic() - started:.1f} s")


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()


def configure_env(var_dir: Path, site_port: int, web_queue: str) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": f"{HOST},localhost,testserver",
        "SITE_URL": f"http://{HOST}:{site_port}",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "VAR_DIR": str(var_dir),
        "CELERY_TASK_DEFAULT_QUEUE": web_queue,
        "LOG_LEVEL": "WARNING",
    })


def pages(ds: Any) -> list[tuple[str, str]]:
    from bench.data import SEARCH_TERM, TWO_FILTERS

    return [
        ("ceiling", "/bench/ceiling/"),
        ("home", "/"),
        ("partners", "/partners/"),
        ("partners ?q", f"/partners/?q={SEARCH_TERM}"),
        ("partners 2 filters", f"/partners/?{TWO_FILTERS}"),
        ("partner page", f"/partners/{ds.partner_slug}/"),
        ("webinar page", f"/events/{ds.webinar_slug}/"),
        ("calendar.ics", "/events/calendar.ics"),
        ("api/partners", "/api/partners/"),
        ("api/events", "/api/events/"),
        ("news", "/news/"),
        ("events", "/events/"),
    ]


def count_queries(urls: list[tuple[str, str]]) -> dict[str, int]:
    """SQL queries per page when it is rendered, in-process with the test client: the second
    request, after making the page cache stale (a cache hit costs no query at all)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.cache import forget_local

    client = Client()
    counts = {}
    for name, url in urls:
        client.get(url)
        cache.clear()  # render afresh: count the page's own queries
        forget_local()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code} in-process")
        counts[name] = len(ctx.captured_queries)
    return counts


def start_gunicorn(port: int, workers: int | None, var_dir: Path, env: dict[str, str]) -> subprocess.Popen:
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    exe = str(gunicorn) if gunicorn.exists() else shutil.which("gunicorn") or "gunicorn"
    out = (var_dir / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [exe, "-c", str(ROOT / "gunicorn.conf.py"), "portal.wsgi:application", "--bind", f"{HOST}:{port}",
         *(["--workers", str(workers)] if workers else []), "--worker-class", "sync", "--backlog", "2048",
         "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )
    from bench.load import get

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {var_dir / 'gunicorn.log'}")
        try:
            if get(HOST, port, "/bench/ceiling/", timeout=2)[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_process_group(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    import django
    import gunicorn

    return {
        "nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(), "postgresql": pg, "django": django.get_version(),
        "gunicorn": gunicorn.__version__, "kernel": platform.release(),
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data set, 2 s levels (for development)")
    parser.add_argument("--seconds", type=float, help="seconds per load level (default 5, quick 2)")
    parser.add_argument("--levels", default="1,8,32", help="concurrent connections per level")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's, as deployed)")
    parser.add_argument("--skip", default="", help="comma list of parts to skip: pages,registrations,email")
    parser.add_argument("--emails", type=int, help="outbox messages per email run (default 2000, quick 300)")
    parser.add_argument("--email-concurrency", type=int, default=2 * (os.cpu_count() or 1),
                        help="pool processes of the one Celery worker")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    levels = [int(x) for x in args.levels.split(",")]
    emails = args.emails or (300 if args.quick else 2000)
    began = time.monotonic()

    sys.path.insert(0, str(ROOT))
    var_dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    port = free_port()
    web_queue = f"bench-web-{uuid.uuid4().hex[:8]}"
    configure_env(var_dir, port, web_queue)

    log(f"recreating database {DB_NAME}")
    recreate_database()
    flush_redis()
    import django
    from django.core.management import call_command

    django.setup()
    from bench import cpu, data, email, load, locks, registrations, report

    call_command("migrate", verbosity=0, interactive=False)
    scale = data.QUICK if args.quick else data.FULL
    t0 = time.monotonic()
    ds = data.fill(scale)
    log(f"filled in {time.monotonic() - t0:.1f} s: {ds.counts}")
    settle_database()
    call_command("collectstatic", verbosity=0, interactive=False)

    urls = pages(ds)
    queries = count_queries(urls)
    log(f"queries per page: {queries}")
    result: dict[str, Any] = {"quick": args.quick, "scale": ds.counts, "seconds_per_level": seconds,
                              "queries": queries, "pages": []}
    from django.db import connections

    connections.close_all()

    server = None
    try:
        server = start_gunicorn(port, args.workers, var_dir, dict(os.environ))
        result["gunicorn_workers"] = cpu.children(server.pid)
        log(f"gunicorn: {result['gunicorn_workers']} sync workers")
        if "pages" not in skip:
            for name, url in urls:
                for _ in range(10):  # warm-up: imports, template caches, connections
                    load.get(HOST, port, url)
                for conns in levels:
                    cpu_before = cpu.tree_cpu_seconds(server.pid)
                    row = load.run_level(HOST, port, url, connections=conns, seconds=seconds)
                    used = cpu.tree_cpu_seconds(server.pid) - cpu_before
                    row.update(page=name, url=url, queries=queries[name],
                               cpu_ms=round(1000 * used / row["requests"], 2) if row["requests"] else None)
                    result["pages"].append(row)
                    log(f"{name:<20} c={conns:<3} {row['rps']:>8} req/s  p95 {row['p95_ms']} ms  errors {row['errors']}")
        if "registrations" not in skip:
            # The median of three: one burst of the trivial view varies by up to half from run to
            # run (its 500 client threads are as much its limit as the server is).
            bursts = sorted((load.burst(HOST, port, "/bench/ceiling/", count=500) for _ in range(3)),
                            key=lambda burst: burst["rps"])
            burst_ceiling = dict(bursts[1], of_three=[burst["rps"] for burst in bursts])
            result["ceiling_burst"] = burst_ceiling
            log(f"ceiling, 500 at once (median of three): {burst_ceiling}")
            # The registrations, then the least post (bench/urls.py) driven the same way on sessions
            # of its own: the CSRF page GET, then at once or from 32 clients.
            to_least_post = {"post_path": "/bench/least-post/"}
            runs = [
                ("registrations", "registrations: 500 at once on 100 seats", ds.registration_slug,
                 ds.registration_session_id, {}),
                ("registrations_paced", "registrations: 500 from 32 clients on another 100 seats",
                 ds.registration_slug, ds.paced_session_id, {"concurrency": 32}),
                ("least_post", "least post: 500 at once", ds.least_post_slug, ds.least_session_ids[0], to_least_post),
                ("least_post_paced", "least post: 500 from 32 clients", ds.least_post_slug, ds.least_session_ids[1],
                 {**to_least_post, "concurrency": 32}),
            ]
            for key, label, slug, session_id, options in runs:
                before = cpu.tree_cpu_seconds(server.pid), cpu.named_cpu_seconds("postgres")
                run = registrations.run(HOST, port, slug=slug, session_id=session_id,
                                        prefix=key.replace("_", "-"), **options)
                run.update(registrations.outcome(session_id), capacity=data.REGISTRATION_CAPACITY,
                           **_cpu_per_attempt(before, server.pid, run["attempts"]))
                result[key] = run
                log(f"{label}: {run}")
    finally:
        stop_process_group(server)

    if "registrations" not in skip:
        log("lock hold: 300 registrations from 8 threads in-process")
        result["lock_hold"] = locks.measure(event_slug=ds.registration_slug)
        log(f"lock hold: {result['lock_hold']}")

    if "email" not in skip:
        from portal.celery import app

        email_queue = f"bench-email-{uuid.uuid4().hex[:8]}"
        app.conf.update(task_default_queue=email_queue, task_always_eager=False, broker_url=REDIS_URL)
        app._pool = None
        sink_port = free_port()
        env = {**os.environ, "EMAIL_URL": f"smtp://{HOST}:{sink_port}", "CELERY_TASK_DEFAULT_QUEUE": email_queue}
        log(f"email: {emails} messages, one worker (concurrency {args.email_concurrency})")
        from outbox.models import OutgoingEmail

        # The registration phase's confirmations wait in the outbox (their queue has no worker);
        # set them aside so that the sweep in the kill run re-queues only this benchmark's messages.
        result["email_set_aside"] = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).update(
            status=OutgoingEmail.Status.CANCELLED
        )
        with email.Sink(sink_port) as sink:
            result["email"] = email.run(env=env, queue=email_queue, sink=sink, log=var_dir / "celery.log",
                                        count=emails, concurrency=args.email_concurrency)
        log(f"email: {result['email']}")

    flush_redis()
    result["machine"] = machine()
    result["total_seconds"] = round(time.monotonic() - began, 1)
    text = render(result)
    print()
    print(text)
    out = ROOT / "var" / "bench"
    path = report.write_json(result, out)
    (out / "latest.md").write_text(text + "\n", encoding="utf-8")
    log(f"wrote {path} and {out / 'latest.md'} in {result['total_seconds']} s (logs in {var_dir})")
    return 0


def _cpu_per_attempt(before: tuple[float, float], server_pid: int, attempts: int) -> dict[str, float]:
    """CPU ms per registration attempt since ``before``: the web workers' (the page GET that
    gives the attempt its CSRF token included) and PostgreSQL's."""
    from bench import cpu

    web, postgres = cpu.tree_cpu_seconds(server_pid) - before[0], cpu.named_cpu_seconds("postgres") - before[1]
    return {"cpu_ms": round(1000 * web / attempts, 2), "postgres_cpu_ms": round(1000 * postgres / attempts, 2)}


def render(result: dict[str, Any]) -> str:
    from bench.report import format_table

    ceiling = {r["connections"]: r["rps"] for r in result["pages"] if r["page"] == "ceiling"}
    rows = []
    for r in result["pages"]:
        share = f"{100 * r['rps'] / ceiling[r['connections']]:.0f} % of ceiling" if ceiling.get(r["connections"]) else ""
        rows.append([r["page"], r["connections"], r["rps"], r["p50_ms"], r["p95_ms"], r["p99_ms"], r["errors"],
                     r["queries"], r.get("cpu_ms"), share if r["page"] != "ceiling" else ""])
    for key, label in (("registrations", "registrations, 500 at once"), ("registrations_paced", "registrations, 32 clients"),
                       ("least_post", "least post, 500 at once"), ("least_post_paced", "least post, 32 clients")):
        reg = result.get(key)
        if reg:
            stored = (f"{reg['confirmed']} confirmed, {reg['waitlisted']} waitlisted; {reg['capacity']} seats"
                      if key.startswith("registrations") else
                      f"{reg['rows']} rows stored; CSRF, form, one INSERT, redirect: no registration can cost less")
            rows.append([label, reg["concurrency"], reg["registrations_per_s"], reg["p50_ms"], reg["p95_ms"],
                         None, reg["errors"], None, reg.get("cpu_ms"),
                         stored + (f"; PostgreSQL {reg['postgres_cpu_ms']} cpu ms" if "postgres_cpu_ms" in reg else "")])
    burst_ceiling = result.get("ceiling_burst")
    if burst_ceiling:
        three = ", ".join(f"{rps:,.0f}" for rps in burst_ceiling.get("of_three", []))
        rows.append(["ceiling, 500 at once", burst_ceiling["connections"], burst_ceiling["rps"],
                     burst_ceiling["p50_ms"], burst_ceiling["p95_ms"], burst_ceiling["p99_ms"], burst_ceiling["errors"],
                     0, None, "the ceiling for a burst of 500" + (f": the median of three ({three} per s)" if three else "")])
    held = result.get("lock_hold")
    if held:
        rows.append(["session lock held", held["threads"], None, held["p50_ms"], held["p95_ms"], held["max_ms"], None,
                     None, None, f"per registration, {held['registrations']} in-process (p99 column: max)"])
    mail = result.get("email")
    if mail:
        raw = mail.get("raw")
        if raw:
            rows.append(["email, raw smtplib loop", 1, raw["messages_per_s"], None, None, None,
                         result["email"]["messages"] - raw["delivered"], None, None,
                         "the ceiling: one connection, messages built beforehand"])
        own = mail.get("raw_own_process")
        if own:
            rows.append(["email, raw loop, own process", 1, own["messages_per_s"], None, None, None,
                         result["email"]["messages"] - own["delivered"], None, None,
                         "the same loop in a process of its own (not the target's ceiling)"])
        for key, label in (("clean", "email"), ("killed", "email, worker killed")):
            m = mail[key]
            share = f"; {100 * m['messages_per_s'] / raw['messages_per_s']:.0f} % of raw" if raw else ""
            if own:
                share += f" ({100 * m['messages_per_s'] / own['messages_per_s']:.0f} % of the own-process loop)"
            rows.append([label, 1, m["messages_per_s"], None, None, None, m["lost"], None, None,
                         f"{m['delivered']}/{result['email']['messages']} delivered, {m['duplicates']} duplicates, "
                         f"{m['lost']} lost" + (f", {m['swept']} swept" if "swept" in m else "") + share])
    headers = ["measure", "conns", "per s", "p50 ms", "p95 ms", "p99 ms", "errors/lost", "queries", "cpu ms",
               "notes"]
    table = format_table(headers, rows)
    m = result.get("machine", {})
    scale = result["scale"]
    footer = (
        f"\n\n{m.get('nproc')} cores ({m.get('cpu')}), {m.get('memory_gib')} GiB; Python {m.get('python')}, "
        f"PostgreSQL {m.get('postgresql')}, Django {m.get('django')}, gunicorn {m.get('gunicorn')} "
        f"({result['gunicorn_workers']} sync workers); {result['seconds_per_level']:g} s per level; "
        f"data: {', '.join(f'{v:,} {k}' for k, v in scale.items())}; {m.get('finished_at')}"
        + (" — QUICK MODE" if result["quick"] else "")
    )
    return table + footer + "\n\n" + "\n".join(targets(result))


def targets(result: dict[str, Any]) -> list[str]:
    """Each target of the README's "Targets" table, read from this run (ratios to the ceiling
    measured in the same run, so they hold whatever the machine's absolute speed)."""
    lines = ["Targets:"]

    def check(text: str, ok: bool) -> None:
        lines.append(f"- {text}: {'HOLDS' if ok else 'MISSED'}")

    by = {(r["page"], r["connections"]): r for r in result["pages"]}
    ceiling8, ceiling32 = by.get(("ceiling", 8)), by.get(("ceiling", 32))
    if ceiling8:
        for (page, conns), r in by.items():
            if conns != 8 or page == "ceiling":
                continue
            share = r["rps"] / ceiling8["rps"]
            text = f"{page} at 8 connections: {100 * share:.0f} % of the ceiling's requests/s (need ≥ 50 %)"
            ok = share >= 0.5
            if page == "webinar page":
                ratio = _ratio(r, ceiling8)
                text += f", p95 {ratio:.1f} × the ceiling's (need ≤ 3)"
                ok = ok and ratio <= 3
            check(text, ok)
    burst_ceiling = result.get("ceiling_burst")
    reg = result.get("registrations")
    if reg and burst_ceiling:
        share, ratio = reg["registrations_per_s"] / burst_ceiling["rps"], _ratio(reg, burst_ceiling)
        least = _least(result.get("least_post"), burst_ceiling, reg)
        check(f"500 registrations at once: {100 * share:.0f} % of the ceiling's burst rate (need ≥ 25 %), p95 "
              f"{ratio:.1f} × the ceiling's burst p95 (need ≤ 4{least}), "
              f"{reg['confirmed']} confirmed of {reg['capacity']}, {reg['errors']} errors",
              share >= 0.25 and ratio <= 4 and _exact(reg))
    paced = result.get("registrations_paced")
    if paced and ceiling32:
        ratio, least = _ratio(paced, ceiling32), _least(result.get("least_post_paced"), ceiling32, paced)
        check(f"500 registrations from 32 clients: p95 {ratio:.1f} × the ceiling's p95 at 32 connections (need ≤ 3"
              f"{least}), {paced['confirmed']} confirmed, {paced['errors']} errors", ratio <= 3 and _exact(paced))
    mail = result.get("email")
    if mail and mail.get("raw"):
        c, k, raw = mail["clean"], mail["killed"], mail["raw"]
        share = c["messages_per_s"] / raw["messages_per_s"]
        check(f"email, one worker: {100 * share:.0f} % of the raw smtplib loop (need ≥ 50 %)", share >= 0.5)
        allowed = max(1, mail["messages"] // 1000)
        check(f"email after a worker kill: {k['lost']} lost, {k['duplicates']} duplicates (need 0 and ≤ {allowed})",
              k["lost"] == 0 and k["duplicates"] <= allowed)
    return lines


def _ratio(run: dict[str, Any], ceiling: dict[str, Any]) -> float:
    return (run["p95_ms"] or 1e9) / ceiling["p95_ms"]


def _least(least: dict[str, Any] | None, ceiling: dict[str, Any], reg: dict[str, Any]) -> str:
    """The least post's own ratio, beside a registration target: what no registration goes below
    on this machine (when it is over the target, no registration can meet it here); and the
    registration's p95 as a multiple of the least post's, what the portal's own work costs
    whatever the machine's ceiling did in this run."""
    if not least or least["errors"]:
        return ""
    return f"; the least post: {_ratio(least, ceiling):.1f} ×, the registration {_ratio(reg, least):.1f} × the least post's"


def _exact(reg: dict[str, Any]) -> bool:
    return reg["confirmed"] == reg["capacity"] and reg["errors"] == 0 and reg["confirmed"] + reg["waitlisted"] == reg["attempts"]


if __name__ == "__main__":
    sys.exit(main())
