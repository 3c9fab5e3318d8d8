# syntax=docker/dockerfile:1.7
# Python services of Image Renamer, one target each (the frontend has frontend/Dockerfile):
#
#   docker build --target api        -t image-renamer-api .
#   docker build --target worker     -t image-renamer-worker .      # also worker-io and beat (other commands)
#   docker build --target realtime   -t image-renamer-realtime .
#   docker build --target migrations -t image-renamer-migrations .
#
# All targets share one runtime base (the locked virtualenv and the image libraries), so a
# registry stores those layers once. The images carry no secrets and no .env: every setting
# is an environment variable RENAMER_<NAME> given at run time (docs/deploy.md).
# The root filesystem can be read-only: the only writable paths are /tmp and
# RENAMER_DATA_DIR (/var/lib/renamer: worker metrics folders, the beat schedule), which
# docker-compose.yml and the Helm chart mount as tmpfs/emptyDir volumes.

ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# ---------------------------------------------------------------------------------------
# build: compilers and -dev headers. Pillow-SIMD has no wheels; `uv sync` compiles it here
# (with -mavx2, see [tool.uv.extra-build-variables]: the hosts must have AVX2).
# python3-dev is not needed: the official image ships its own Python's headers.
FROM ${PYTHON_IMAGE} AS python-build
# DL3008 (pin apt versions): Debian's security updates replace package versions in place,
# so pins would break rebuilds; the base image tag pins the distribution release instead.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential \
        libjpeg62-turbo-dev zlib1g-dev libpng-dev libtiff-dev libwebp-dev libfreetype-dev liblcms2-dev libopenjp2-7-dev \
    && rm -rf /var/lib/apt/lists/*
# uv from PyPI, pinned to the version that wrote uv.lock's format.
RUN pip install --no-cache-dir uv==0.13.9
ENV UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# ---------------------------------------------------------------------------------------
# runtime base: shared libraries only (no compilers), Tesseract with English, exiftool.
FROM ${PYTHON_IMAGE} AS python-runtime
# DL3008 (pin apt versions): as in the build stage.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libjpeg62-turbo zlib1g libpng16-16 libtiff6 libwebp7 libwebpmux3 libwebpdemux2 libfreetype6 \
        liblcms2-2 libopenjp2-7 \
        tesseract-ocr tesseract-ocr-eng \
        libimage-exiftool-perl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 renamer \
    && useradd --system --uid 10001 --gid renamer --home-dir /app --no-create-home --shell /usr/sbin/nologin renamer \
    && install -d -o renamer -g renamer -m 0750 /var/lib/renamer
# The release Sentry and the logs report; CI passes the commit (--build-arg RENAMER_RELEASE=<sha>).
ARG RENAMER_RELEASE=dev
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RENAMER_DATA_DIR=/var/lib/renamer \
    RENAMER_RELEASE=$RENAMER_RELEASE \
    RENAMER_LOG_FORMAT=json
WORKDIR /app
COPY --from=python-build /app/.venv /app/.venv
COPY pyproject.toml ./
COPY core/ core/
USER 10001:10001

# ---------------------------------------------------------------------------------------
FROM python-runtime AS api
COPY api/ api/
# Several uvicorn workers (WEB_CONCURRENCY) share one metrics folder; samples of an earlier
# run in it would be counted again, so the folder starts empty.
ENV PROMETHEUS_MULTIPROC_DIR=/var/lib/renamer/metrics/api \
    WEB_CONCURRENCY=2
EXPOSE 3001
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3001/health', timeout=4)"]
CMD ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && exec uvicorn api.main:app --host 0.0.0.0 --port 3001"]

# ---------------------------------------------------------------------------------------
# Runs every Celery process type: the default command is the CPU-bound prefork worker;
# worker-io (threads, queue vision) and beat are the same image with another command.
FROM python-runtime AS worker
COPY worker/ worker/
# The worker's metrics exporter (RENAMER_WORKER_METRICS_PORT).
EXPOSE 9101
# Node names say the worker type (cpu@host, io@host, as in the Procfile); CELERY_NODE names
# the one this container runs, so the health check pings that worker and no other.
ENV CELERY_NODE=cpu
# The main process answers control messages while its children are busy, so a ping that
# fails means the worker lost the broker or hung.
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 \
    CMD ["sh", "-c", "celery -A worker.app inspect ping --destination \"$CELERY_NODE@$HOSTNAME\" --timeout 10"]
CMD ["celery", "-A", "worker.app", "worker", "--hostname", "cpu@%h", "--loglevel", "INFO", "--concurrency", "2", \
     "--queues", "images,exports,maintenance"]

# ---------------------------------------------------------------------------------------
FROM python-runtime AS realtime
COPY realtime/ realtime/
EXPOSE 3002
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3002/health', timeout=4)"]
# One process per container: Socket.IO sessions live in the process (scale with replicas).
CMD ["uvicorn", "realtime.app:app", "--host", "0.0.0.0", "--port", "3002"]

# ---------------------------------------------------------------------------------------
# One-shot: compose runs it before the services, Helm as a pre-install/pre-upgrade hook.
FROM python-runtime AS migrations
COPY alembic.ini ./
COPY migrations/ migrations/
CMD ["alembic", "upgrade", "head"]
