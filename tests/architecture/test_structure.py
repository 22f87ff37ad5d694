"""Cheap checks of the architecture: every URL guarded; the domain free of Django; council
scope applied in selectors only."""

from __future__ import annotations

import ast
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from stars.core.permissions import PAGES

SRC = Path(__file__).resolve().parents[2] / "src" / "stars"
DOMAIN = SRC / "domain"
# sign-in and sign-out must be reachable signed out; /healthz (no record, no sign-in) too
OPEN_TO_ALL = {"login", "logout", "healthz"}


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if prefix + str(p.pattern) in ("admin/", "api/"):
                continue  # admin: its own staff check; API: require() (test_permissions.py)
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield p


def test_every_url_is_a_registered_page_with_roles():
    unguarded = []
    for p in _patterns():
        if p.name in OPEN_TO_ALL:
            continue
        page = getattr(p.callback, "stars_page", None)
        if page is None or page not in PAGES:
            unguarded.append(str(p.pattern))
    assert unguarded == [], f"URLs without @page(...): {unguarded}"


def test_domain_imports_no_django():
    offenders = []
    for path in DOMAIN.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("stars.")
                and not (node.module or "").startswith("stars.domain")
            ):
                offenders.append(f"{path.name}: {node.module}")
    assert offenders == []


def test_readme_names_every_cli_command():
    from stars.cli import app

    readme = (DOMAIN.parents[2] / "README.md").read_text(encoding="utf-8")
    missing = []
    for name, cmd in app.commands.items():
        subs = getattr(cmd, "commands", None)
        names = [f"{name} {s}" for s in subs] if subs else [name]
        missing += [n for n in names if f"stars {n}" not in readme]
    assert missing == [], f"commands missing from README: {missing}"


SCOPE_READS = {"councils", "key_worker_id", "within_councils"}  # what narrows records


def test_scope_is_applied_only_in_selectors():
    """Records are narrowed to a user's councils or caseload in ``selectors`` modules only
    (and in ``Scope`` itself): no page, service or report filters by scope on its own, so
    none can forget a boundary or draw it differently."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("domain/") or path.name == "selectors.py" or rel == "core/permissions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute):
                continue
            receiver = ast.unparse(node.value)
            # a scope's boundary read (a record's own key_worker_id or a result's councils
            # are data, not a boundary)
            if "scope" in receiver.lower() and (node.attr in SCOPE_READS or node.attr == "filter"):
                offenders.append(f"{rel}:{node.lineno}: {receiver}.{node.attr}")
    assert offenders == [], "scope applied outside a selector:\n" + "\n".join(offenders)


# Imports that wait inside a function, each for a reason other than a cycle
# (docs/decisions/0004-layers.md); import-linter forbids the cycles themselves.
LAZY_IMPORTS = {
    ("cli/__init__.py", "stars.cli"),  # the command bodies import models: after set-up
    ("cli/sufficiency.py", "stars.cli"),  # the same for `stars sufficiency`
    ("cli/governance.py", "stars.cli"),  # the same for `stars retention`
    # heavy modules only one command uses: every other command starts without them
    ("cli/run.py", "stars.demo.load"),  # `stars demo`
    ("cli/run.py", "stars.tracker.files"),  # `stars import-tracker`, `stars export-tracker`
    ("cli/report_run.py", "stars.reports.services"),  # the XLSX and HTML report (openpyxl, charts)
    ("cli/report_run.py", "stars.reports.card"),  # `stars report board` (PDF, charts)
    ("cli/run.py", "stars.reports.indigo"),  # `stars export indigo`
    ("cli/run.py", "stars.finance.explain"),  # `stars explain`
    ("cli/run.py", "stars.web.warm"),  # every page's figures: `stars warm-figures`, `worker`
    ("cli/run.py", "stars.web.tasks"),  # the warming job the worker enqueues
    ("cli/run.py", "rich.progress"),  # `stars simulate`
    ("cli/run.py", "stars.domain.simulation.summary"),  # `stars simulate` (NumPy)
    ("cli/run.py", "stars.domain.simulation.whatif"),
    ("cli/run.py", "stars.reports.simulation"),
    ("core/documents.py", "weasyprint"),  # loads Pango; only a PDF download needs it
    # openpyxl (and the numpy it loads, about 28 MiB): only writing a workbook needs it
    ("core/spreadsheets.py", "openpyxl"),
    ("core/spreadsheets.py", "openpyxl.cell.cell"),
    ("core/spreadsheets.py", "openpyxl.styles"),
    ("core/spreadsheets.py", "openpyxl.utils"),
    ("core/spreadsheets.py", "openpyxl.writer.excel"),
    # and reading one: only the import of returns kept as workbooks reads one
    ("domain/sufficiency/workbooks.py", "openpyxl"),
    ("sufficiency/validator903/runner.py", "lac_validator"),  # runs in the validator's venv
    ("sufficiency/validator903/runner.py", "lac_validator.rules"),
    ("sufficiency/validator903/runner.py", "lac_validator.report"),
    ("sufficiency/validator903/runner.py", "lac_validator.types"),
}


def test_imports_wait_inside_functions_only_for_a_stated_reason():
    found = set()
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and node.module:
                    found.add((path.relative_to(SRC).as_posix(), node.module))
                elif isinstance(node, ast.Import):
                    found |= {(path.relative_to(SRC).as_posix(), a.name) for a in node.names}
    assert found - LAZY_IMPORTS == set(), "import inside a function: move it to the top"
