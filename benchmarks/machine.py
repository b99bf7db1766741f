"""Parts of ``national.py``: how fast the machine is (the yardstick) and the readers alone, each in a fresh
process of the project."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure_read(inbox: Path) -> dict:
    """The readers alone, in a fresh process, so its peak RSS is the read's own."""
    code = (
        "import json, resource, time, sys\n"
        "from pathlib import Path\n"
        "from samverkan.contract import DATASETS\n"
        "from samverkan.readers import read_dataset\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "u0 = resource.getrusage(resource.RUSAGE_SELF)\n"
        "t = time.perf_counter()\n"
        "rows = {name: len(read_dataset(Path(sys.argv[1]), name)) for name in DATASETS}\n"
        "u = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(json.dumps({'seconds': round(time.perf_counter() - t, 3), 'rows': rows,\n"
        "  'cpu_seconds': round(u.ru_utime + u.ru_stime - u0.ru_utime - u0.ru_stime, 2),\n"
        "  'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),\n"
        "  'baseline_rss_mb': round(base, 1)}))\n"
    )
    return python_json(code, str(inbox))


def python_json(code: str, *args: str):
    """Run ``code`` in a fresh Python process in the project and return the JSON on its last line of output."""
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_yardstick() -> dict[str, float]:
    """How fast the machine is right now, so that figures from different runs, days or machines can be put side
    by side (this machine's speed drifted by a third within a day). Measured in a fresh process before and
    after the runs, best of three after a warm-up:

    - ``render``: CPU seconds to render the demo report (one förbund), the work that dominates a year; it
      also gets faster when the report's rendering does, so it compares machines, not versions of the code;
    - ``python``: CPU seconds of a fixed pure-Python workload (dicts, strings, sorting, like layout code)
      that no change to this project touches: it compares runs of different versions of the code.
    """
    code = (
        "import json, time\n"
        "from reports.render import render_pdf\n"
        "from reports.sample import FORBUND, sample_inputs\n"
        "from samverkan.report import build_report_context\n"
        "def fixed_work():\n"
        "    table = {f'k{i}': (i * 7919) % 1009 for i in range(300_000)}\n"
        "    return sum(len(key) + value for key, value in sorted(table.items(), key=lambda kv: kv[1]))\n"
        "def best(work):\n"
        "    work()\n"
        "    times = []\n"
        "    for _ in range(3):\n"
        "        started = time.process_time()\n"
        "        work()\n"
        "        times.append(time.process_time() - started)\n"
        "    return round(min(times), 3)\n"
        "context = build_report_context(sample_inputs(), FORBUND)\n"
        "print(json.dumps({'render': best(lambda: render_pdf(context)), 'python': best(fixed_work)}))\n"
    )
    return python_json(code)
