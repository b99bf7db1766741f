"""``python -m reports [OUT_DIR]``: render the sample report (reports/sample.py) into OUT_DIR (out/sample)."""

from __future__ import annotations

import sys
from pathlib import Path

from reports.render import write_reports
from reports.sample import FORBUND_NAMES, sample_inputs


def main(argv: list[str] | None = None) -> int:
    out = Path(((argv if argv is not None else sys.argv[1:]) or ["out/sample"])[0])
    for report in write_reports(sample_inputs(), out, forbund=FORBUND_NAMES):
        print(report.pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
