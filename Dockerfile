# One image for the web processes, the task workers and the scheduler
# (docker-compose.yml). Two stages: the build one has uv and makes the virtual
# environment and the static files; the final one only runs them, as a user
# that owns nothing it could rewrite.

FROM python:3.11-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY . .
# Hashed, compressed static files, served by WhiteNoise from every web process.
# collectstatic reads settings only: these values exist for it alone.
RUN DJANGO_DEBUG=false \
    DJANGO_SECRET_KEY=collectstatic-at-build-time-only-never-used-to-sign-anything \
    DJANGO_ALLOWED_HOSTS=build.invalid PORTAL_BASE_URL=https://build.invalid \
    EMAIL_URL=dummymail:// DJANGO_STATIC_ROOT=/app/staticfiles \
    .venv/bin/python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf .git tests benchmarks

FROM python:3.11-slim-bookworm
# WeasyPrint's system libraries and a font for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --home-dir /nonexistent portal
WORKDIR /app
COPY --from=build /app /app
ENV PATH="/app/.venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=config.settings \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    XDG_CACHE_HOME=/tmp/cache \
    PYTHONUNBUFFERED=1 \
    WEB_BIND=0.0.0.0:8000
USER portal
EXPOSE 8000
# `migrate` runs as the database's owner role (DATABASE_MIGRATE_URL); every
# other command as the application's role (DATABASE_URL), which cannot disarm
# the append-only guards (deploy/postgres-roles.sql, deploy/entrypoint.sh).
ENTRYPOINT ["sh", "/app/deploy/entrypoint.sh"]
# Liveness: the process answers. (The load balancer asks /readyz as well.)
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
# The pages; the stream server runs the same image with its own command
# (docker-compose.yml, service `live`).
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "config.wsgi:application"]
