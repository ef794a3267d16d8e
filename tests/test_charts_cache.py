"""The chart cache: unchanged charts are not drawn again, and output is byte-identical
with and without it."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

import peelgen.render_charts as render_module
from peelgen.build import compile_report
from peelgen.charts import cache as cache_module
from peelgen.charts.cache import DiskChartCache, MemoryChartCache, chart_key, default_cache_dir
from peelgen.render_charts import build_cache, render_charts
from tests.test_metrics import DATA_REPORT, write_data


@pytest.fixture
def doc(write, tmp_path):
    write_data(tmp_path)
    return compile_report(write(DATA_REPORT)).document


def count_draws(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    drawn: list[str] = []
    real = render_module.draw

    def counting(chart, title, ident, *, target="web"):
        drawn.append(ident)
        return real(chart, title, ident, target=target)

    monkeypatch.setattr(render_module, "draw", counting)
    return drawn


@pytest.mark.parametrize("target", ["web", "print"])
def test_output_is_byte_identical_with_and_without_a_cache(doc, tmp_path, target):
    plain = render_charts(doc, target=target)
    disk = DiskChartCache(tmp_path / "cache")
    cold = render_charts(doc, target=target, cache=disk)
    warm = render_charts(doc, target=target, cache=disk)
    memory = MemoryChartCache()
    render_charts(doc, target=target, cache=memory)
    assert plain == cold == warm == render_charts(doc, target=target, cache=memory)
    assert len(list((tmp_path / "cache").glob("*/*.svg"))) == len(plain) == 4


def test_unchanged_charts_are_not_drawn_again(doc, monkeypatch):
    drawn = count_draws(monkeypatch)
    cache = MemoryChartCache()
    render_charts(doc, cache=cache)
    assert len(drawn) == 4
    render_charts(doc, cache=cache)
    assert len(drawn) == 4
    render_charts(doc, target="print", cache=cache)  # another size is another chart
    assert len(drawn) == 8


def test_a_change_to_one_chart_redraws_only_that_chart(doc, monkeypatch):
    cache = MemoryChartCache()
    render_charts(doc, cache=cache)
    drawn = count_draws(monkeypatch)
    ranked = doc.figures["ranked"]
    ranked.chart = dataclasses.replace(ranked.chart, series=[("value", [20.5, 15.3, 12.0, 8.0])])
    render_charts(doc, cache=cache)
    assert drawn == [ranked.anchor]


def test_the_key_covers_data_words_target_and_versions(doc, monkeypatch):
    chart = doc.figures["ranked"].chart
    key = chart_key(chart, title="Figure 1: x", ident="figure-1", target="web")
    assert key == chart_key(chart, title="Figure 1: x", ident="figure-1", target="web")
    others = {
        chart_key(dataclasses.replace(chart, description=chart.description + "!"), title="Figure 1: x",
                  ident="figure-1", target="web"),
        chart_key(dataclasses.replace(chart, highlight="Alphashire Police"), title="Figure 1: x", ident="figure-1",
                  target="web"),
        chart_key(chart, title="Figure 1: y", ident="figure-1", target="web"),
        chart_key(chart, title="Figure 1: x", ident="figure-2", target="web"),
        chart_key(chart, title="Figure 1: x", ident="figure-1", target="print"),
    }
    monkeypatch.setattr(cache_module, "_versions", lambda: {"peelgen": "9.9", "pillow": "1.0", "code": "x"})
    others.add(chart_key(chart, title="Figure 1: x", ident="figure-1", target="web"))
    assert key not in others and len(others) == 6


def test_the_disk_cache_lives_under_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "peelgen" / "charts"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the spec says: absolute paths only
    assert default_cache_dir() == Path.home() / ".cache" / "peelgen" / "charts"


def test_the_disk_cache_writes_whole_entries_and_leaves_no_temporary_files(tmp_path):
    cache = DiskChartCache(tmp_path)
    cache.put("ab" + "0" * 62, "<svg>one</svg>")
    cache.put("ab" + "0" * 62, "<svg>two</svg>")  # a concurrent build writing the same entry
    assert cache.get("ab" + "0" * 62) == "<svg>two</svg>"
    assert [p.name for p in tmp_path.rglob("*")] == ["ab", "ab" + "0" * 62 + ".svg"]


def test_a_damaged_or_unreadable_entry_is_a_miss_not_an_error(tmp_path):
    cache = DiskChartCache(tmp_path)
    key = "cd" + "1" * 62
    cache.put(key, "<svg>whole</svg>")
    (tmp_path / "cd" / f"{key}.svg").write_bytes(b"<svg>cut sh")
    assert cache.get(key) is None
    (tmp_path / "cd" / f"{key}.svg").write_bytes(b"\xff\xfe<svg></svg>")
    assert cache.get(key) is None


def test_an_unwritable_cache_never_fails_a_build(doc, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    assert render_charts(doc, cache=DiskChartCache(blocker / "charts")) == render_charts(doc)


def test_the_disk_cache_is_trimmed_to_its_cap_least_recently_used_first(tmp_path):
    cache = DiskChartCache(tmp_path, max_bytes=250)
    for n in range(4):
        key = f"{n:02d}" + "f" * 62
        cache.put(key, "<svg>" + "x" * 94 + "</svg>")  # 105 bytes each
        os.utime(tmp_path / key[:2] / f"{key}.svg", (1_000_000 + n, 1_000_000 + n))
    assert cache.get("00" + "f" * 62) is not None  # used again: now the most recent
    cache.trim()
    kept = sorted(p.name[:2] for p in tmp_path.glob("*/*.svg"))
    assert kept == ["00", "03"]


def test_concurrent_writers_and_readers_only_ever_see_whole_entries(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    cache = DiskChartCache(tmp_path)
    key = "ee" + "2" * 62
    versions = [f"<svg>{'v' * 20_000}{n}</svg>" for n in range(8)]

    def write_then_read(n: int) -> str | None:
        cache.put(key, versions[n])
        return cache.get(key)

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(write_then_read, list(range(8)) * 4))
    assert all(entry in versions for entry in seen)
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []


def test_builds_get_the_disk_cache_unless_told_not_to(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = build_cache()
    assert isinstance(cache, DiskChartCache) and cache.folder == tmp_path / "peelgen" / "charts"
    assert build_cache(enabled=False) is None


def test_word_charts_come_from_the_cache_too(doc, tmp_path, monkeypatch):
    """Word and OpenDocument carry charts as PNG: drawn once, the same bytes after."""
    from peelgen.render_docx import chart_images

    drawn: list[str] = []
    real = render_module.draw_png

    def counting(chart, **options):
        drawn.append(chart.type)
        return real(chart, **options)

    monkeypatch.setattr(render_module, "draw_png", counting)
    plain = chart_images(doc)
    disk = DiskChartCache(tmp_path / "cache")
    cold = chart_images(doc, disk)
    warm = chart_images(doc, disk)
    assert plain == cold == warm and len(plain) == 4
    assert len(drawn) == 8  # without the cache, then filling it: none when warm
    assert all(image.startswith("data:image/png;base64,") for image in warm.values())
    changed = doc.figures["ranked"]
    changed.chart = dataclasses.replace(changed.chart, series=[("value", [20.5, 15.3, 12.0, 8.0])])
    chart_images(doc, disk)
    assert len(drawn) == 9  # only the chart that changed
