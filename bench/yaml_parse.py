"""YAML parse times: ruamel.yaml (what peelgen used before) against peelgen's loader on
libyaml and on PyYAML's pure-Python parser (its fallback), for every example report and
a synthetic file of 20,000 keys. Not a test: run it by hand.

    .venv/bin/python bench/yaml_parse.py [--repeats 7]

Prints the median time of each, with the fastest and slowest run, in milliseconds.
The ruamel column is left out if ruamel.yaml is not installed (it is no longer a
dependency); it times ruamel's round-trip loader alone, without the conversion to
plain data peelgen did after it, so it flatters ruamel slightly.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from peelgen import load_yaml_events
from peelgen.load import load_yaml

ROOT = Path(__file__).resolve().parents[1]


def ruamel_loader() -> Callable[[str], object] | None:
    try:
        from ruamel.yaml import YAML
    except ImportError:
        return None

    def load(text: str) -> object:
        return YAML(typ="rt").load(text)

    return load


def peelgen_loader(*, libyaml: bool) -> Callable[[str], object]:
    def load(text: str) -> object:
        saved = load_yaml_events.HAS_LIBYAML
        load_yaml_events.HAS_LIBYAML = libyaml and saved
        try:
            return load_yaml(Path("report.yaml"), text=text)
        finally:
            load_yaml_events.HAS_LIBYAML = saved

    return load


def timed(load: Callable[[str], object], text: str, repeats: int) -> tuple[float, float, float]:
    load(text)  # warm up: imports, regular expressions
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        load(text)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    inputs = {path.parent.name: path.read_text(encoding="utf-8")
              for path in sorted((ROOT / "examples").glob("*/report.yaml"))}
    inputs["20,000 keys (synthetic)"] = "".join(f"key{i}: value number {i}\n" for i in range(20_000))
    loaders: dict[str, Callable[[str], object]] = {}
    ruamel = ruamel_loader()
    if ruamel is not None:
        loaders["ruamel (rt)"] = ruamel
    if load_yaml_events.HAS_LIBYAML:
        loaders["peelgen libyaml"] = peelgen_loader(libyaml=True)
    loaders["peelgen pure-Python"] = peelgen_loader(libyaml=False)
    names = list(loaders)
    print(f"{'input':<28}{'KB':>7}" + "".join(f"{name:>26}" for name in names)
          + ("   ruamel / libyaml" if ruamel is not None and load_yaml_events.HAS_LIBYAML else ""))
    for label, text in inputs.items():
        cells, medians = [], {}
        for name in names:
            median, low, high = timed(loaders[name], text, args.repeats)
            medians[name] = median
            cells.append(f"{median:9.1f} ({low:7.1f}–{high:7.1f})")
        ratio = ""
        if "ruamel (rt)" in medians and "peelgen libyaml" in medians:
            ratio = f"{medians['ruamel (rt)'] / medians['peelgen libyaml']:18.1f}×"
        print(f"{label:<28}{len(text.encode()) / 1024:7.0f}" + "".join(f"{cell:>26}" for cell in cells) + ratio)


if __name__ == "__main__":
    main()
