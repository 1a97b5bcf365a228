"""Static files that come from npm packages (installed by `make` into `node_modules/`).

Only the files named here are served and collected, not the whole package (ECharts' `dist/`
weighs 50 MB for the one 1 MB file the report pages load). There is no CDN: the browser gets
them from our own origin, as the Content-Security-Policy requires.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning as CheckWarning
from django.core.files.storage import FileSystemStorage

# Static path → file inside node_modules/.
NPM_FILES = {
    "maillage/vendor/echarts.min.js": Path("echarts") / "dist" / "echarts.min.js",
}


def _node_modules() -> Path:
    return Path(settings.BASE_DIR) / "node_modules"


class NpmFilesFinder(BaseFinder):
    """Finds the files of `NPM_FILES`, for `{% static %}`, the dev server and collectstatic."""

    def check(self, **kwargs):
        missing = [
            str(_node_modules() / source)
            for source in NPM_FILES.values()
            if not (_node_modules() / source).is_file()
        ]
        return [
            CheckWarning(
                f"{path} is missing: the report charts will not be drawn.",
                hint="Install the npm packages with 'npm ci' (make does it).",
                id="reporting.W001",
            )
            for path in missing
        ]

    def find(self, path, find_all=False, **kwargs):
        source = NPM_FILES.get(path)
        found = []
        if source is not None and (_node_modules() / source).is_file():
            found = [str(_node_modules() / source)]
        if find_all:
            return found
        return found[0] if found else []

    def list(self, ignore_patterns):
        for path, source in NPM_FILES.items():
            absolute = _node_modules() / source
            if not absolute.is_file():
                continue
            storage = FileSystemStorage(location=str(absolute.parent))
            # collectstatic writes the file under `prefix/name`.
            storage.prefix = str(Path(path).parent)
            yield absolute.name, storage
