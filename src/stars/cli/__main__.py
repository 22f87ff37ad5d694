"""`python -m stars.cli`: the `stars` command."""

from stars.cli import main

main()
