"""The benchmark harness's pure parts: wrk output, profile summaries, results, settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.bench import config, profiles, report, wrk

WRK_TEXT = """\
Running 10s test @ http://127.0.0.1:8000/graphql
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    40.12ms   12.30ms 312.50ms   80.00%
    Req/Sec   800.10     90.00     1.00k    70.00%
  Latency Distribution
     50%   38.50ms
     75%   45.00ms
     90%   55.25ms
     99%  120.00ms
  7977 requests in 10.01s, 15.20MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:    796.90
Transfer/sec:      1.52MB
"""

JSON_LINE = (
    'BENCH_JSON {"requests":7977,"duration_us":10010000,"bytes":15938355,'
    '"errors":{"connect":0,"read":2,"write":0,"status":5,"timeout":1},'
    '"latency_us":{"min":812,"mean":40120.5,"stdev":12300.0,"p50":38500,"p75":45000,'
    '"p90":55250,"p99":120000,"max":312500}}'
)


@pytest.mark.parametrize(
    ("text", "micros"),
    [
        ("812.00us", 812),
        ("1.23ms", 1230),
        ("2.01s", 2_010_000),
        ("1.50m", 90_000_000),
        ("7ms", 7000),
    ],
)
def test_wrk_durations(text: str, micros: float) -> None:
    assert wrk.duration_us(text) == pytest.approx(micros)


def test_a_bad_duration_is_refused() -> None:
    with pytest.raises(ValueError):
        wrk.duration_us("12 parsecs")


def test_text_report_is_parsed() -> None:
    result = wrk.parse_text(WRK_TEXT)
    assert result.requests == 7977
    assert result.seconds == pytest.approx(10.01)
    assert result.rps == pytest.approx(796.9, rel=1e-3)
    assert (result.p50_ms, result.p75_ms, result.p90_ms, result.p99_ms) == (
        38.5,
        45.0,
        55.25,
        120.0,
    )
    assert result.mean_ms == pytest.approx(40.12)
    assert result.max_ms == pytest.approx(312.5)
    assert result.errors == {"connect": 0, "read": 2, "write": 0, "status": 5, "timeout": 1}
    assert result.error_count == 8


def test_the_script_line_wins_and_agrees_with_the_text() -> None:
    from_json = wrk.parse(WRK_TEXT + JSON_LINE + "\n")
    from_text = wrk.parse_text(WRK_TEXT)
    assert from_json.p50_ms == from_text.p50_ms == 38.5
    assert from_json.p99_ms == from_text.p99_ms
    assert from_json.requests == from_text.requests
    assert from_json.errors == from_text.errors
    assert from_json.figures() == {
        "rps": 796.9,
        "p50_ms": 38.5,
        "p99_ms": 120.0,
        "requests": 7977,
        "errors": 8,
    }


def test_output_without_figures_is_an_error() -> None:
    with pytest.raises(wrk.WrkError):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_wrk_command_passes_bodies_and_threads_to_the_script(tmp_path: Path) -> None:
    cmd = wrk.command(
        "http://127.0.0.1:1/graphql", tmp_path / "b", seconds=9.6, connections=32, threads=4
    )
    assert cmd[:5] == ["wrk", "-t4", "-c32", "-d10s", "--timeout=10s"]
    assert cmd[-3:] == ["--", str(tmp_path / "b"), "4"]
    assert wrk.SCRIPT.exists() and str(wrk.SCRIPT) in cmd


COLLAPSED = """\
<module> (app.py:1);handle (server.py:10);find_one (pymongo/collection.py:5) 30
<module> (app.py:1);handle (server.py:10);execute (strawberry/schema.py:7);parse (graphql/parser.py:3) 50
<module> (app.py:1);idle (asyncio/base_events.py:2) 20
malformed line without count
"""


def test_collapsed_stacks_are_summarised() -> None:
    total, rows = profiles.summarise(COLLAPSED)
    assert total == 100
    by_name = {r.function: r for r in rows}
    assert by_name["<module> (app.py)"].total_share == 1.0
    assert by_name["handle (server.py)"].total_share == pytest.approx(0.8)
    assert by_name["parse (graphql/parser.py)"].self_share == pytest.approx(0.5)
    assert by_name["execute (strawberry/schema.py)"].self_share == 0
    total, top = profiles.top_self(COLLAPSED, top=1)
    assert top[0].function == "parse (graphql/parser.py)"
    assert "50.0%" in profiles.format_rows(total, top)


def test_a_summary_can_keep_one_entry_point() -> None:
    total, rows = profiles.summarise(COLLAPSED, include="execute")
    assert total == 50
    assert rows[0].total_share == 1.0


def test_frame_names_keep_the_package() -> None:
    assert (
        profiles.frame_name("dump (/venv/lib/site-packages/rfc8785/_impl.py:188)")
        == "dump (rfc8785/_impl.py)"
    )
    assert profiles.frame_name("odd frame") == "odd frame"


def test_result_line_has_the_required_keys_in_order() -> None:
    result = report.Result("lookup", {"rps": 812.345}, 0.81234, "≥ 0.75", True)
    record = json.loads(result.json_line())
    assert list(record) == ["bench", "rps", "ratio", "target", "met"]
    assert record["ratio"] == 0.812
    assert report.ratio(1, 0) is None


def test_markdown_block_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    info = {"date": "d", "commit": "c", "machine": "m", "python": "3", "packages": "p", "wrk": "w"}
    first = report.markdown([report.Result("verify", {"n": 1}, 0.1, "≥ 0.5", False)], info, {})
    report.write_markdown(path, first)
    text = path.read_text()
    assert text.startswith("# Benchmarks") and "| verify |" in text
    path.write_text("# Benchmarks\n\nhand-written\n\n" + first + "\n\n## Proposed\n\nkeep me\n")
    second = report.markdown([report.Result("verify", {"n": 2}, 0.6, "≥ 0.5", True)], info, {})
    report.write_markdown(path, second)
    text = path.read_text()
    assert "hand-written" in text and "keep me" in text
    assert text.count(report.START) == 1 and '"n": 2' in text and '"n": 1' not in text


def test_settings_from_flags_environment_and_quick_mode() -> None:
    cfg = config.parse([], env={})
    assert cfg.lookup_count == 100_000 and cfg.only == config.BENCHES
    quick = config.parse(["--quick", "--only", "verify"], env={"BENCH_VERIFY_COUNT": "50"})
    assert quick.quick and quick.only == ("verify",)
    assert quick.verify_count == 50  # the environment beats the quick preset
    assert quick.lookup_count == config.QUICK["lookup_count"]
    flags = config.parse(["--verify-count", "7"], env={"BENCH_VERIFY_COUNT": "50"})
    assert flags.verify_count == 7  # a flag beats the environment
    with pytest.raises(SystemExit):
        config.parse(["--only", "nonsense"], env={})


def test_sync_on_commit_is_on_as_deployed_unless_asked() -> None:
    assert config.parse([], env={}).sync_on_commit == "on"
    assert config.parse(["--sync-on-commit", "both"], env={}).sync_on_commit == "both"
    assert config.parse([], env={"BENCH_SYNC_ON_COMMIT": "off"}).sync_on_commit == "off"
    with pytest.raises(SystemExit):
        config.parse(["--sync-on-commit", "maybe"], env={})
