# The guest concierge: one image for `serve` (the default) and `worker`, in two stages.
# Stage 1 installs the hash-checked production lock into a virtual environment, then builds the wheel (the
# migrations ship inside it) and installs it there without dependencies; stage 2 is that environment on a clean base, run as a non-root user.
# The base image is pinned to a patch version (pin its digest too, `python:…@sha256:…`, in your registry mirror).
FROM python:3.11.14-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY requirements/production.txt ./requirements/
COPY concierge ./concierge
COPY knowledge ./knowledge
COPY escalation ./escalation
COPY alembic ./alembic
RUN python -m venv /opt/concierge \
    && /opt/concierge/bin/pip install --require-hashes -r requirements/production.txt \
    && pip wheel --no-deps --wheel-dir /wheels . \
    && /opt/concierge/bin/pip install --no-deps /wheels/*.whl

FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/concierge/bin:$PATH \
    DATABASE_URL=sqlite:////data/concierge.db

COPY --from=build /opt/concierge /opt/concierge
COPY examples /app/examples
COPY scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN useradd --system --uid 10001 --home-dir /app concierge \
    && mkdir -p /data && chown concierge /data
USER concierge
WORKDIR /app
VOLUME ["/data"]
EXPOSE 8000

# Both roles answer GET /healthz on $PORT: `serve` itself, `worker` through --health-port (the entrypoint adds it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"

ENTRYPOINT ["docker-entrypoint.sh"]
