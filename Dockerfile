# Zhengban production image: gunicorn web, Celery worker and beat all run from it
# (docker-compose.yml picks the command). Build: docker build -t zhengban .
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/app/.venv/bin:$PATH

# CJK and Mongolian fonts and Pango for WeasyPrint's PDFs; gettext for compilemessages.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fonts-noto-cjk fonts-noto-extra libpango-1.0-0 libpangoft2-1.0-0 gettext \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv

WORKDIR /app

# The locked dependencies first, so a code change does not re-install them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --python /usr/local/bin/python3.13

COPY . .

# The catalog and the static files are part of the image. The key below exists only for these
# two commands, so that the settings load; it is not in the image's environment.
RUN SECRET_KEY=build-only-not-a-secret python manage.py compilemessages -l zh_Hans --ignore=.venv \
    && SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput

# Run as an unprivileged user; it owns only var/ (media volume, beat schedule).
RUN groupadd --system --gid 10001 zhengban \
    && useradd --system --uid 10001 --gid zhengban --create-home --home-dir /home/zhengban zhengban \
    && mkdir -p /app/var/media \
    && chown -R zhengban:zhengban /app/var/media \
    && chown zhengban:zhengban /app/var
USER zhengban

EXPOSE 8000
# --preload imports Django once in the master before forking, so a new worker never spends its
# first request importing (48–61 s on a busy host, issue 16); --timeout then bounds requests
# only, with room for the longest page (a large export or PDF) on a loaded host.
CMD ["gunicorn", "office.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--graceful-timeout", "30", "--preload"]
