"""Run DfE's SSDA903 rules (csc-validator-be-903) on one collection year; write JSON.

This script runs inside the validator's own virtual environment (see requirements.txt), not
the project's: it imports nothing from ``stars``. Usage::

    python runner.py --year 2024 --la E06000015 --out RESULT.json --this H E [--prev H E]

(H and E: the year's header and episodes files.)

RESULT.json: one JSON object (ruleset, counts, findings with table, row, child, columns, rule
code and message). stderr: ``progress DONE TOTAL`` lines while the rules run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import pkgutil
import sys
import warnings


class _Progress(logging.Handler):
    """Turns the validator's "Validating rule ..." log lines into progress lines."""

    def __init__(self, total: int) -> None:
        super().__init__(logging.INFO)
        self.done, self.total = 0, total

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Validating rule"):
            self.done += 1
            print(f"progress {self.done} {self.total}", file=sys.stderr, flush=True)


def _rulesets() -> list[str]:
    import lac_validator.rules as rules

    return sorted(m.name for m in pkgutil.iter_modules(rules.__path__) if m.name.startswith("lac"))


def ruleset_for(year: int, available: list[str]) -> tuple[str, str]:
    """The rule set of the collection year ending 31 March ``year``, or the nearest one."""
    wanted = f"lac{year - 1}_{year % 100:02d}"
    if wanted in available:
        return wanted, ""
    older = [r for r in available if r < wanted]
    chosen = older[-1] if older else available[0]
    return chosen, f"no rule set for {year - 1}-{year % 100:02d}; used {chosen}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--la", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--this", nargs=2, required=True, metavar=("HEADER", "EPISODES"))
    parser.add_argument("--prev", nargs=2, metavar=("HEADER", "EPISODES"))
    args = parser.parse_args()

    warnings.simplefilter("ignore")
    from lac_validator import lac_validator
    from lac_validator.report import Report
    from lac_validator.types import UploadError

    logging.getLogger().handlers.clear()  # the package configures logging when imported
    logging.getLogger().setLevel(logging.ERROR)

    ruleset, note = ruleset_for(args.year, _rulesets())
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    progress = _Progress(len(registry))
    engine_log = logging.getLogger("lac_validator.lac_validator")
    engine_log.setLevel(logging.INFO)
    engine_log.propagate = False
    engine_log.addHandler(progress)

    def upload(path: str, description: str) -> dict:
        with open(path, "rb") as f:
            return {
                "name": path.rsplit("/", 1)[-1],
                "file_content": f.read(),
                "description": description,
            }

    files = [upload(p, "This year") for p in args.this]
    files += [upload(p, "Prev year") for p in args.prev or []]
    try:
        v = lac_validator.LacValidator(
            metadata={"collectionYear": str(args.year), "localAuthority": args.la},
            files=files,
            registry=registry,
            selected_rules=None,
        )
    except UploadError as exc:
        with open(args.out, "w", encoding="utf-8") as out:
            json.dump({"error": str(exc)}, out)
        return 0
    report = Report(v.ds_results, registry)
    issues = lac_validator.create_issue_df(report.report, report.error_report)
    findings: dict[tuple[str, int, str], dict] = {}
    for row in issues.itertuples(index=False):
        key = (str(row.tables_affected), int(row.row_id), str(row.rule_code))
        f = findings.setdefault(
            key,
            {
                "table": key[0],
                "row": key[1],
                "child": None if row.child_id != row.child_id else str(row.child_id),
                "code": key[2],
                "message": str(row.rule_description),
                "columns": [],
            },
        )
        if isinstance(row.columns_affected, str) and row.columns_affected not in f["columns"]:
            f["columns"].append(row.columns_affected)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(
            {
                "ruleset": ruleset,
                "note": note,
                "rules": len(registry),
                "run": len(v.dones),
                "skipped": len(v.skips),
                "failed": list(v.fails),
                "findings": list(findings.values()),
            },
            out,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
