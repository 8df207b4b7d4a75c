# syntax=docker/dockerfile:1
#
# Sanqi production image.
#
# Everything the application needs at run time (Python packages, compiled translations,
# collected static files including the vendored Bootstrap) is baked into the image, because
# the government intranet hosts it runs on have no internet access.
#
#   docker build -t sanqi:latest .
#
# One image serves three roles (see docker-compose.yml):
#   web     gunicorn sanqi.wsgi:application       (the default CMD)
#   worker  celery -A sanqi worker -l info
#   beat    celery -A sanqi beat -l info

ARG PYTHON_IMAGE=python:3.11-slim

# --------------------------------------------------------------------------- builder
FROM ${PYTHON_IMAGE} AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext (msgfmt) is needed only to compile translations; it stays out of the final image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}"

# Dependencies first, so that code changes do not invalidate this (slow) layer.
COPY requirements/base.txt /tmp/requirements/base.txt
RUN pip install --no-cache-dir -r /tmp/requirements/base.txt

WORKDIR /app
COPY . /app

# Compile .po -> .mo when the project ships translations (compilemessages refuses to run
# when there is nothing to compile, hence the guard), then byte-compile the code so that
# the non-root runtime user never needs to write next to it.
RUN if find . -name '*.po' -print -quit | grep -q .; then \
        python manage.py compilemessages; \
    fi \
    && python -m compileall -q /app

# --------------------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="sanqi" \
      org.opencontainers.image.description="三有一化党建管理平台 (Sanqi party-building management platform)"

# WEB_CONCURRENCY is gunicorn's own default for --workers; override it in .env.
# GUNICORN_CMD_ARGS holds the rest of gunicorn's options so that the Dockerfile CMD and the
# compose "migrate then gunicorn" command share one definition:
#   --timeout 120          Excel imports and report exports can take a while
#   --forwarded-allow-ips  the container is reachable only through nginx on the compose network
#   --worker-tmp-dir       heartbeat files in memory, not on the container's overlay disk
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:${PATH}" \
    DJANGO_SETTINGS_MODULE=sanqi.settings \
    TZ=Asia/Shanghai \
    STATIC_ROOT=/app/var/static \
    MEDIA_ROOT=/app/var/media \
    WEB_CONCURRENCY=3 \
    GUNICORN_CMD_ARGS="--bind=0.0.0.0:8000 --timeout=120 --graceful-timeout=30 --keep-alive=5 --max-requests=1000 --max-requests-jitter=100 --worker-tmp-dir=/dev/shm --forwarded-allow-ips=* --access-logfile=- --error-logfile=-"

# Unprivileged user; it owns only /app/var (static files, media uploads, celery beat state).
RUN groupadd --system --gid 10001 sanqi \
    && useradd --system --uid 10001 --gid sanqi --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin sanqi

COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app

WORKDIR /app

# /app/var/media is a named volume in docker-compose.yml: creating it here, owned by the
# runtime user, makes Docker give a fresh volume the same ownership.
RUN mkdir -p /app/var/static /app/var/media /app/var/run \
    && chown -R sanqi:sanqi /app/var

USER sanqi

# Static files (whitenoise, CompressedManifestStaticFilesStorage when DEBUG=0). settings.py
# refuses DEBUG=0 with the development key, so a throwaway key is given to this one command
# only; it is not baked into the image's environment and is never used to sign anything.
RUN DEBUG=0 SECRET_KEY=collectstatic-build-only-throwaway-key \
    python manage.py collectstatic --noinput

EXPOSE 8000

CMD ["gunicorn", "sanqi.wsgi:application"]
