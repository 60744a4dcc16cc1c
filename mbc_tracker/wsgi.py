"""WSGI entry point (gunicorn mbc_tracker.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbc_tracker.settings")

application = get_wsgi_application()

# Load the Celery task modules now, not at the first save that asks for a follow-up (1-4 s).
from mbc_tracker.celery import app as celery_app  # noqa: E402

celery_app.loader.import_default_modules()
