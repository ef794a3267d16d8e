"""``peelgen serve``: idle CPU and rebuild time, on a copy of examples/west-mercia-2016.

Run from the repository root:

    .venv/bin/python bench/serve.py              # both measurements
    .venv/bin/python bench/serve.py --seconds 10 # a longer idle window

Idle CPU: a preview server is started in a child process (once with watchfiles, once
polling the watched files' times), left alone after its first build, and the CPU time
it uses over the window is divided by the window (Linux: read from /proc). Rebuild: in
this process, one paragraph of the report is edited and the time until the new page is
ready is taken, several times (median, min and max). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "examples" / "west-mercia-2016"
PARAGRAPH = "Crime prevention\n    is the weak spot: it still requires improvement."

# The child: serve the report (watching as told) until its stdin closes.
CHILD = """
import sys, threading
from pathlib import Path
from peelgen.commands.serve import PreviewServer
server = PreviewServer(Path(sys.argv[1]), port=0)
server.start()
print("ready", flush=True)
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
server.watch(stop, poll=sys.argv[2] == "poll")
server.close()
"""


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def idle_cpu(report: Path, mode: str, seconds: float) -> float:
    """Per cent of one core used by an idle preview server over ``seconds``."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(report), mode], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert child.stdout is not None and child.stdin is not None
        child.stdout.readline()  # "ready": the first build is done
        time.sleep(1.0)  # let the watcher settle
        before, start = _cpu_seconds(child.pid), time.monotonic()
        time.sleep(seconds)
        used, elapsed = _cpu_seconds(child.pid) - before, time.monotonic() - start
        child.stdin.close()
        child.wait(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return 100 * used / elapsed


def rebuild_times(report: Path, repeats: int) -> tuple[float, list[float], int]:
    """Time of the first build, then of each rebuild after a one-paragraph edit (s), and
    how many charts the rebuilds drew."""
    from peelgen.commands.serve import PreviewServer

    server = PreviewServer(report, port=0)
    try:
        start = time.perf_counter()
        server.check()
        first = time.perf_counter() - start
        assert server.ok, server.page[:2000]
        drawn_first = server.charts.drawn
        text = report.read_text(encoding="utf-8")
        times = []
        for i in range(repeats):
            report.write_text(text.replace(PARAGRAPH, f"{PARAGRAPH} Edit {i}."), encoding="utf-8")
            stat = report.stat()
            os.utime(report, ns=(stat.st_atime_ns, stat.st_mtime_ns + (i + 1) * 1_000_000_000))
            start = time.perf_counter()
            assert server.check()
            times.append(time.perf_counter() - start)
            assert server.ok and f"Edit {i}.".encode() in server.page
        return first, times, server.charts.drawn - drawn_first
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="idle window (default 5)")
    parser.add_argument("--repeats", type=int, default=5, help="rebuilds to time (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "report"
        shutil.copytree(EXAMPLE, folder)
        report = folder / "report.yaml"
        if PARAGRAPH not in report.read_text(encoding="utf-8"):
            sys.exit(f"bench/serve.py: the paragraph to edit is no longer in {EXAMPLE.name}; update PARAGRAPH")
        if sys.platform == "linux":
            for mode in ("watchfiles", "poll"):
                print(f"idle CPU, {mode}: {idle_cpu(report, mode, args.seconds):.2f} % of one core "
                      f"over {args.seconds:g} s")
        first, times, drawn = rebuild_times(report, args.repeats)
        print(f"first build (cold charts): {first * 1000:.0f} ms")
        print(f"rebuild after a one-paragraph edit: median {statistics.median(times) * 1000:.0f} ms "
              f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {len(times)} runs); "
              f"charts redrawn: {drawn}")


if __name__ == "__main__":
    main()
