"""The Rich consoles of the commands that show progress bars, tables and results.

Apart from ``stars.cli.console`` (set-up and failing, which every command uses) so that a
command that shows none of them, `stars report evaluation` among them, does not load Rich
(benchmarks/README.md, issue 14); imported by the command bodies (``stars.cli.run``,
``stars.cli.sufficiency_run``, ``stars.cli.governance_run``).
"""

from __future__ import annotations

from rich.console import Console

console = Console(stderr=True)  # progress, problems and warnings
out = Console()  # results
