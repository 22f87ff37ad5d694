"""The tracker interchange format (docs/tracker-format.md): rows, checks and the column-wise
fast path for a clean tracker."""
