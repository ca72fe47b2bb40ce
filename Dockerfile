# The portal's image: web, worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LANG=C.UTF-8 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/app/.venv/bin:$PATH

# WeasyPrint's libraries (Pango; HarfBuzz's subsetter, or PDFs with Chinese take ~9 s
# instead of ~0.15 s), a CJK font for Chinese in PDFs, and gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk fontconfig libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv==0.13.8

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Settings need these to import; they are build-time placeholders, never used at run time.
RUN export DEBUG=false SECRET_KEY=build-only-not-a-secret DATABASE_URL=postgres://build@localhost/build \
    && if [ -d locale ]; then \
        python manage.py compilemessages --ignore '.*' --ignore var --ignore node_modules; \
    fi \
    && python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/var/media /app/var/private \
    && chown -R app:app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--config", "scripts/gunicorn.conf.py"]
