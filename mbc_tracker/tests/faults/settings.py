"""Production settings for the fault tests' own processes (gunicorn, worker, beat), with the
clocks shortened so a test waits seconds where production waits a minute. Only timings change;
the mechanisms are the production ones."""

import os

from mbc_tracker.settings import *  # noqa: F403
from mbc_tracker.settings import CELERY_BEAT_SCHEDULE

TICK = float(os.environ.get("FAULTS_TICK_SECONDS", "3"))

CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "dispatch-due-notifications": {**CELERY_BEAT_SCHEDULE["dispatch-due-notifications"]},
    "drain-follow-ups": {**CELERY_BEAT_SCHEDULE["drain-follow-ups"]},
}
CELERY_BEAT_SCHEDULE["dispatch-due-notifications"]["schedule"] = TICK
CELERY_BEAT_SCHEDULE["drain-follow-ups"]["schedule"] = TICK
# Below the tasks' time limits, unlike production: a slow run may be sent twice, which the
# tasks' idempotence makes harmless (and the tests check).
FOLLOW_UP_CLAIM_SECONDS = 10
FOLLOW_UP_RING_GRACE_SECONDS = 2
NOTIFICATIONS_LEASE_SECONDS = 12

# Emails land in files (one per connection) that the test reads across processes.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["FAULTS_MAIL_DIR"]

# Pages are rendered without collectstatic (hashed names are not what these tests are about).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
