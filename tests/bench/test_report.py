"""The benchmark harness's pure pieces: percentiles, summaries and the printed table."""

import math

import pytest

from bench.report import format_table, percentile, summarise


def test_percentile_interpolates_between_closest_ranks():
    samples = [4, 1, 3, 2]  # unsorted on purpose
    assert percentile(samples, 0) == 1
    assert percentile(samples, 100) == 4
    assert percentile(samples, 50) == 2.5
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_percentile_of_one_sample_and_of_none():
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


@pytest.mark.parametrize("p", [-1, 101])
def test_percentile_rejects_out_of_range(p):
    with pytest.raises(ValueError):
        percentile([1, 2], p)


def test_summarise_counts_only_successes_in_the_rate():
    result = summarise([0.010, 0.020, 0.030, 0.040], errors=2, elapsed_s=2.0)
    assert result["requests"] == 6
    assert result["errors"] == 2
    assert result["rps"] == 2.0
    assert result["p50_ms"] == 25.0
    assert result["p99_ms"] == pytest.approx(39.7)


def test_summarise_without_samples_has_no_latency():
    result = summarise([], errors=3, elapsed_s=1.0)
    assert result["rps"] == 0
    assert result["p95_ms"] is None


def test_table_aligns_numbers_right_and_text_left():
    table = format_table(["page", "req/s"], [["home", 12.5], ["partners", 1234.0], ["x", None]])
    lines = table.splitlines()
    assert lines[0] == "| page     |   req/s |"
    assert lines[1] == "|----------|--------:|"
    assert lines[2] == "| home     |    12.5 |"
    assert lines[3] == "| partners | 1,234.0 |"
    assert lines[4] == "| x        |       – |"


def test_table_rejects_a_row_of_the_wrong_width():
    with pytest.raises(ValueError):
        format_table(["a", "b"], [[1]])


def test_targets_read_each_measure_against_the_ceiling_of_the_same_run():
    from bench.__main__ import targets

    def page(name, conns, rps, p95):
        return {"page": name, "connections": conns, "rps": rps, "p95_ms": p95}

    reg = {"registrations_per_s": 300.0, "p95_ms": 900.0, "confirmed": 100, "capacity": 100, "errors": 0,
           "waitlisted": 400, "attempts": 500}
    result = {
        "pages": [page("ceiling", 8, 1000.0, 5.0), page("ceiling", 32, 1000.0, 20.0),
                  page("webinar page", 8, 600.0, 16.0), page("partners", 8, 400.0, 9.0)],
        "ceiling_burst": {"rps": 1000.0, "p95_ms": 250.0},
        "registrations": reg,
        "registrations_paced": {**reg, "p95_ms": 70.0},
        "least_post_paced": {"p95_ms": 44.0, "errors": 0},
        "email": {"messages": 2000, "raw": {"messages_per_s": 1000.0},
                  "clean": {"messages_per_s": 400.0}, "killed": {"lost": 0, "duplicates": 3}},
    }
    lines = targets(result)
    assert "- webinar page at 8 connections: 60 % of the ceiling's requests/s (need ≥ 50 %), p95 3.2 × the " \
           "ceiling's (need ≤ 3): MISSED" in lines
    assert any(line.startswith("- partners at 8 connections: 40 %") and line.endswith("MISSED") for line in lines)
    assert any(line.startswith("- 500 registrations at once: 30 %") and line.endswith("HOLDS") for line in lines)
    paced = next(line for line in lines if line.startswith("- 500 registrations from 32 clients"))
    assert paced.startswith("- 500 registrations from 32 clients: p95 3.5 × the ceiling's p95 at 32 connections "
                            "(need ≤ 3; the least post: 2.2 ×, the registration 1.6 × the least post's)")
    assert paced.endswith("MISSED")
    burst = next(line for line in lines if line.startswith("- 500 registrations at once"))
    assert "least post" not in burst  # not measured in this result
    assert "- email, one worker: 40 % of the raw smtplib loop (need ≥ 50 %): MISSED" in lines
    assert "- email after a worker kill: 0 lost, 3 duplicates (need 0 and ≤ 2): MISSED" in lines


def test_the_least_post_rows_say_what_the_database_stored():
    from bench.__main__ import render

    least = {"concurrency": 32, "registrations_per_s": 400.0, "p50_ms": 30.0, "p95_ms": 40.0, "errors": 0,
             "succeeded": 500, "rows": 499, "confirmed": 0, "waitlisted": 0, "capacity": 100, "cpu_ms": 2.5,
             "postgres_cpu_ms": 0.5}
    text = render({"pages": [], "least_post_paced": least, "scale": {}, "seconds_per_level": 5, "quick": False,
                   "gunicorn_workers": 2})
    row = next(line for line in text.splitlines() if line.startswith("| least post, 32 clients"))
    assert "499 rows stored" in row and "PostgreSQL 0.5 cpu ms" in row
