"""Static files as served in production: hashed names, and compressed copies WhiteNoise sends
to browsers that accept them.

WhiteNoise's own storage compresses with Brotli at its highest quality: about two minutes of
CPU for our static files (Swagger UI, Redoc, ECharts, the admin), at every `collectstatic` of
`make run` and `make serve`. Quality 5 does it in seconds for files a few per cent larger.
Source maps, fetched only by a developer's browser tools, are not compressed.
"""

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

BROTLI_QUALITY = 5
SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")


class QuickCompressor(Compressor):
    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        # Called only when Brotli is installed (it comes with WeasyPrint's fonttools).
        import brotli

        return brotli.compress(data, quality=BROTLI_QUALITY)


class CompressedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs) -> Compressor:
        kwargs["extensions"] = SKIP_COMPRESS_EXTENSIONS
        return QuickCompressor(**kwargs)
