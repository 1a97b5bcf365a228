"""The demo network's instruments: the shipped files, loaded as `load_instruments` would
(unchanged files load nothing, so the step is idempotent)."""

from .loading import load_paths, shipped_files


def load_demo(demo) -> None:
    load_paths(shipped_files())
