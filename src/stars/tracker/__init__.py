"""The programme's records in the tracker's shape: read as Polars frames (narrowed to a
scope), imported from and exported to the tracker's files (docs/tracker-format.md)."""
