# Maillage's image, for compose.yaml: the same steps as `make serve` (scripts/serve.sh), one role
# per container. The network is used only here, while building; nothing is fetched at run time.

# Etalab's territories (read by `manage.py load_territories`) and ECharts (the report charts,
# collected as a static file): the npm packages pinned in package-lock.json.
FROM node:20-bookworm-slim AS npm
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TZ=Europe/Paris \
    HOST=0.0.0.0 \
    PORT=8000
# gettext: compilemessages. Pango and HarfBuzz: WeasyPrint's PDFs (brochure, reports, right of
# access), with the DejaVu and Liberation fonts their stylesheets name. tzdata: the daily jobs'
# hour in TZ.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core fonts-liberation tzdata \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 maillage
WORKDIR /app
COPY requirements.lock ./
RUN python -m venv .venv && .venv/bin/pip install --no-cache-dir -r requirements.lock
COPY --from=npm /app/node_modules ./node_modules
COPY . .
# Translations and static files (hashed, precompressed), as `make serve` does; no database, and
# a throwaway key so that none is written into the image.
RUN SECRET_KEY=image-build-only bash scripts/serve.sh build \
    && mkdir -p var/media \
    && chown -R maillage:maillage var
USER maillage
EXPOSE 8000
# The web role; compose.yaml runs the worker and the scheduler from the same image.
CMD ["bash", "scripts/serve.sh", "web"]
