# MBC Tracker image: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

WORKDIR /app
# Pango for WeasyPrint (the printable visit summary as PDF); gettext compiles the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 gettext \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time and served by WhiteNoise; the translation
# catalogues (.po, in git) are compiled into the .mo files Django reads.
RUN DJANGO_DEBUG=1 python manage.py collectstatic --noinput -v 0 \
    && DJANGO_DEBUG=1 python manage.py compilemessages --locale=es --ignore=var -v 0 \
    && useradd --system --uid 10001 --home /app mbc \
    && mkdir -p /app/var && chown -R mbc /app/var

USER mbc
EXPOSE 8000
CMD ["gunicorn", "mbc_tracker.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--worker-class", "gthread", "--workers", "2", "--threads", "4", "--access-logfile", "-"]
