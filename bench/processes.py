"""Whole-process measurements: what a user waits for.

Every figure here is a separate process, started as a user would start it
(``python -m peelgen build ...``), so imports, chart drawing and writing the files are
all included. Each is measured as wall time and as CPU time (user + system of the child
and everything it waited for, from ``resource.getrusage(RUSAGE_CHILDREN)`` before and
after), repeated, and reported as the median with the minimum and maximum. Comparisons
are paired: the two commands alternate (A B, B A, A B, ...), so a burst of load on a
shared machine hits both sides alike.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

# Plain WeasyPrint on the print HTML peelgen saved: a separate process that imports only
# WeasyPrint (no peelgen, so none of its patches), with the same PDF/UA variant and the
# same base URL for the stylesheets' fonts.
PLAIN_WEASYPRINT = (
    "import sys\n"
    "from pathlib import Path\n"
    "from weasyprint import HTML\n"
    "html = Path(sys.argv[1]).read_text(encoding='utf-8')\n"
    "HTML(string=html, base_url=sys.argv[2]).write_pdf(sys.argv[3], pdf_variant='pdf/ua-1')\n"
)


def run_child(args: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT,
              before: Callable[[], None] | None = None) -> dict[str, float]:
    """Run one process to the end; its wall and CPU time in milliseconds."""
    if before is not None:
        before()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(list(args), cwd=cwd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return {"wall_ms": wall * 1000, "cpu_ms": cpu * 1000}


def summary(values: Sequence[float], digits: int = 1) -> dict[str, Any]:
    return {"median": round(statistics.median(values), digits), "min": round(min(values), digits),
            "max": round(max(values), digits), "n": len(values)}


def summarise(runs: Sequence[dict[str, float]]) -> dict[str, Any]:
    return {"wall_ms": summary([r["wall_ms"] for r in runs]), "cpu_ms": summary([r["cpu_ms"] for r in runs])}


def repeated(command: Callable[[], dict[str, float]], repeats: int) -> dict[str, Any]:
    return summarise([command() for _ in range(repeats)])


def paired(first: Callable[[], dict[str, float]], second: Callable[[], dict[str, float]],
           repeats: int) -> dict[str, Any]:
    """Both commands ``repeats`` times, alternating which goes first; each side's
    median (min-max) and the ratio first/second of the medians and of each pair."""
    a_runs, b_runs = [], []
    for index in range(repeats):
        if index % 2 == 0:
            a_runs.append(first())
            b_runs.append(second())
        else:
            b_runs.append(second())
            a_runs.append(first())
    result: dict[str, Any] = {"a": summarise(a_runs), "b": summarise(b_runs)}
    for measure in ("cpu_ms", "wall_ms"):
        pair_ratios = [a[measure] / b[measure] for a, b in zip(a_runs, b_runs, strict=True) if b[measure]]
        result[f"ratio_{measure.removesuffix('_ms')}"] = {
            "of_medians": round(result["a"][measure]["median"] / result["b"][measure]["median"], 3),
            "pairs": summary(pair_ratios, 3) if pair_ratios else None,
        }
    return result


def peelgen_command(*args: str | Path, python: str = PYTHON) -> list[str]:
    return [python, "-m", "peelgen", *(str(a) for a in args)]


def peelgen_env(cache: Path | None = None, *, root: Path = ROOT, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(root), **extra}
    # An installed peelgen has its bytecode, like WeasyPrint in site-packages; with
    # PYTHONDONTWRITEBYTECODE set (as on some CI and shared machines), every process
    # would compile peelgen's modules again (0.1-0.15 s), which no user waits for.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if cache is not None:
        env["PEELGEN_CACHE_DIR"] = str(cache)
    return env


def has_cache_option(root: Path) -> bool:
    cli = root / "peelgen" / "cli.py"
    return cli.is_file() and "--no-cache" in cli.read_text(encoding="utf-8")


# -- peelgen against plain WeasyPrint ------------------------------------------------------------


def versus_weasyprint(report: Path, repeats: int, *, baseline: Path | None = None) -> dict[str, Any]:
    """A cold `peelgen build --format pdf` (no cache) against plain WeasyPrint writing the
    same final HTML, as whole processes; with ``baseline`` (another version's source
    folder) also that version's build, paired with this one."""
    from peelgen.assets import builtin_dir

    styles = builtin_dir("styles").as_uri() + "/"
    with tempfile.TemporaryDirectory(prefix="peelgen-bench-") as temp:
        folder = Path(temp)
        html_dir = folder / "html"
        # Once, to save the print HTML (and to warm the disk cache and __pycache__).
        subprocess.run(peelgen_command("build", report, "-f", "pdf", "--no-cache", "-o", folder / "first"),
                       cwd=ROOT, env=peelgen_env(PEELGEN_SAVE_PRINT_HTML=str(html_dir)), check=True,
                       capture_output=True)
        [html] = html_dir.glob("*.print.html")
        build = peelgen_command("build", report, "-f", "pdf", "--no-cache", "-o", folder / "out")
        plain = [PYTHON, "-c", PLAIN_WEASYPRINT, str(html), styles, str(folder / "plain.pdf")]
        result = paired(lambda: run_child(build, env=peelgen_env()),
                        lambda: run_child(plain, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}),
                        repeats)
        out: dict[str, Any] = {"report": report.parent.name, "peelgen": result["a"], "weasyprint": result["b"],
                               "ratio_cpu": result["ratio_cpu"], "ratio_wall": result["ratio_wall"],
                               "pdf_bytes": (folder / "out").joinpath(html.name.replace(".print.html", ".pdf"))
                               .stat().st_size}
        if baseline is not None:
            # Its own virtual environment if it has one (it may pin other library versions).
            own = baseline / ".venv" / "bin" / "python"
            python = str(own) if own.is_file() else PYTHON
            old = [*peelgen_command("build", report, "-f", "pdf", "-o", folder / "old", python=python),
                   *(["--no-cache"] if has_cache_option(baseline) else [])]
            # Started in its own folder: `python -m` puts the working directory first on the path.
            versus = paired(lambda: run_child(build, env=peelgen_env()),
                            lambda: run_child(old, env=peelgen_env(root=baseline), cwd=baseline), repeats)
            out["baseline"] = versus["b"]
            out["vs_baseline_cpu"] = versus["ratio_cpu"]
            out["vs_baseline_wall"] = versus["ratio_wall"]
    return out


# -- the cache --------------------------------------------------------------------------------


_PARAGRAPH = re.compile(r"(?m)^(\s+body: \|\n\s+)(\S)")


def cache_timings(report: Path, repeats: int) -> dict[str, Any]:
    """`peelgen build` of a copy of ``report``: cold (empty cache) and with --no-cache,
    warm (unchanged: "up to date"), and HTML after an edit to one paragraph."""
    with tempfile.TemporaryDirectory(prefix="peelgen-bench-") as temp:
        folder = Path(temp)
        copy = folder / "report"
        shutil.copytree(report.parent, copy)
        target = copy / "report.yaml"
        cache = folder / "cache"
        out = folder / "out"
        build = peelgen_command("build", target, "-o", out)

        def empty() -> None:
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)

        cold = paired(lambda: run_child(build, env=peelgen_env(cache), before=empty),
                      lambda: run_child([*build, "--no-cache"], env=peelgen_env(cache), before=empty), repeats)
        run_child(build, env=peelgen_env(cache))
        warm = repeated(lambda: run_child(build, env=peelgen_env(cache)), repeats)
        html_only = peelgen_command("build", target, "-o", out, "-f", "html")
        run_child(html_only, env=peelgen_env(cache))  # the charts for the web page, in the cache
        text = target.read_text(encoding="utf-8")
        edits = iter(range(1, 10_000))

        def edit() -> None:  # a new word at the start of the first paragraph: a real rebuild
            number = next(edits)
            target.write_text(_PARAGRAPH.sub(lambda m: f"{m.group(1)}Edit{number} {m.group(2)}", text, count=1),
                              encoding="utf-8")

        edited = repeated(lambda: run_child(html_only, env=peelgen_env(cache), before=edit), repeats)
        edited_no_cache = repeated(lambda: run_child([*html_only, "--no-cache"], env=peelgen_env(cache),
                                                     before=edit), repeats)
    return {"report": report.parent.name, "cold": cold["a"], "no_cache": cold["b"],
            "cold_vs_no_cache_cpu": cold["ratio_cpu"], "warm_up_to_date": warm,
            "edit_paragraph_html": edited, "edit_paragraph_html_no_cache": edited_no_cache}


# -- batches -----------------------------------------------------------------------------------


def batch_reports(folder: Path, copies_of: Path, copies: int) -> list[Path]:
    """Every example, plus ``copies`` copies of one (each with a slug of its own)."""
    reports = sorted((ROOT / "examples").glob("*/report.yaml"))
    text = copies_of.read_text(encoding="utf-8")
    for n in range(copies):
        copy_dir = folder / f"copy-{n}"
        shutil.copytree(copies_of.parent, copy_dir)
        if re.search(r"(?m)^  slug: ", text):
            report_text = re.sub(r"(?m)^  slug: .*$", f"  slug: copy-{n}", text)
        else:
            report_text = re.sub(r"(?m)^meta:\n", f"meta:\n  slug: copy-{n}\n", text, count=1)
        (copy_dir / "report.yaml").write_text(report_text, encoding="utf-8")
        reports.append(copy_dir / "report.yaml")
    return reports


def batch_speed_up(copies_of: Path, repeats: int, jobs: int = 2) -> dict[str, Any]:
    """`peelgen build` of the batch with -j 1 and with -j ``jobs``, no cache, paired."""
    with tempfile.TemporaryDirectory(prefix="peelgen-bench-") as temp:
        folder = Path(temp)
        reports = batch_reports(folder, copies_of, 3)
        base = peelgen_command("build", *reports, "--no-cache", "-o", folder / "out")
        result = paired(lambda: run_child([*base, "-j", "1"], env=peelgen_env()),
                        lambda: run_child([*base, "-j", str(jobs)], env=peelgen_env()), repeats)
    return {"reports": len(reports), "jobs": jobs, "serial": result["a"], "parallel": result["b"],
            "speed_up_wall": result["ratio_wall"], "cpu_ratio": result["ratio_cpu"]}


# -- scripts of other parts of the project -------------------------------------------------------


def other_script(name: str, *args: str) -> str | None:
    """The output of bench/NAME if it exists (ruamel vs libyaml, nodes per chart)."""
    script = ROOT / "bench" / name
    if not script.is_file():
        return None
    done = subprocess.run([PYTHON, str(script), *args], cwd=ROOT, env=peelgen_env(), capture_output=True,
                          text=True, check=False)
    return done.stdout if done.returncode == 0 else f"failed ({done.returncode}): {done.stderr.strip()[-500:]}"
