"""gunicorn's settings for `make serve` and the compose file's web service (scripts/serve.sh).

Environment: HOST and PORT (default 127.0.0.1:8000), WEB_CONCURRENCY (workers; default two per
core plus one, the cores this process may use), GUNICORN_TIMEOUT (seconds a request may take
before its worker is replaced; default 120: a five-year report page at national scale).
"""

import os

cores = len(os.sched_getaffinity(0))

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Synchronous workers: each request holds one worker, and one kept database connection
# (CONN_MAX_AGE). Two per core keeps the cores busy while the others wait for PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * cores + 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
graceful_timeout = 20
# Django is imported once, before the workers fork: they start faster and share its memory.
# No connection is opened at import, so none is shared between workers.
preload_app = True
# A worker is replaced after this many requests (with some jitter, not all at once): a slow
# leak in a library cannot grow for weeks.
max_requests = 2000
max_requests_jitter = 200
# No control socket (gunicorn 27): nothing to drive at run time, and no file under $HOME.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
# Behind a reverse proxy on another host, FORWARDED_ALLOW_IPS names it (gunicorn reads it).
