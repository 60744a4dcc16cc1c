"""Celery application, following Celery's "First steps with Django" recipe."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbc_tracker.settings")

app = Celery("mbc_tracker")
# Every Celery setting lives in Django settings under the CELERY_ prefix.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
