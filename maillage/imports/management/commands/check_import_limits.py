"""Time and memory of reading files that must be refused (docs/benchmarks.md, issue 13).

    manage.py check_import_limits FILE [FILE …]

Each file is read as an import reads it (format, bounds, header) in a child process, so a file
that would abort the reader cannot take this command down. Prints, per file, whether it was
refused and why, the seconds it took and how much the child's resident memory grew.
"""

import json
import os
import resource
import signal
import time

from django.core.management.base import BaseCommand

from maillage.imports import readers


def _resident_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _measure(path) -> dict:
    before = _resident_mb()
    start = time.perf_counter()
    try:
        with readers.open_table(path) as table:
            next(table.rows, None)
        outcome = {"refused": False, "reason": ""}
    except readers.FileRefused as refused:
        outcome = {"refused": True, "reason": refused.message}
    outcome["seconds"] = round(time.perf_counter() - start, 3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    outcome["memory_mb"] = round(max(0.0, peak - before), 1)
    return outcome


def measure_in_child(path) -> dict:
    """`_measure(path)` in a forked child; {"crashed": signal name} when the child died."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(reading)
        try:
            data = json.dumps(_measure(path)).encode()
        except BaseException as error:
            data = json.dumps({"error": repr(error)}).encode()
        os.write(writing, data)
        os._exit(0)
    os.close(writing)
    chunks = []
    while chunk := os.read(reading, 65536):
        chunks.append(chunk)
    os.close(reading)
    _pid, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return {"crashed": signal.Signals(os.WTERMSIG(status)).name}
    return json.loads(b"".join(chunks) or b"{}")


class Command(BaseCommand):
    help = "Time and memory of reading files an import must refuse (one child process each)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--json", action="store_true", help="One JSON object per file.")

    def handle(self, *args, **options):
        for path in options["files"]:
            result = {"file": os.path.basename(path), **measure_in_child(path)}
            if options["json"]:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
            elif "crashed" in result or "error" in result:
                crash = result.get("crashed") or result.get("error")
                self.stdout.write(f"{result['file']}: CRASHED ({crash})")
            else:
                verdict = "refused" if result["refused"] else "read"
                self.stdout.write(
                    f"{result['file']}: {verdict} in {result['seconds']:.3f} s, memory "
                    f"+{result['memory_mb']:.1f} MB. {result['reason']}"
                )
