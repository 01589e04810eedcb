# The guest concierge: one image for `serve` (default) and `worker`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite:////data/concierge.db

WORKDIR /app
COPY pyproject.toml constraints.txt README.md alembic.ini ./
COPY concierge ./concierge
COPY knowledge ./knowledge
COPY escalation ./escalation
COPY alembic ./alembic
COPY examples ./examples
# Editable, so the migrations beside the package (/app/alembic) are the ones `concierge db upgrade` runs.
RUN pip install -c constraints.txt -e .
COPY scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh

RUN useradd --system --uid 10001 --home-dir /app concierge \
    && mkdir -p /data && chown concierge /data
USER concierge
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"

ENTRYPOINT ["docker-entrypoint.sh"]
