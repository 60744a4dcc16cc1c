"""Email backends for tests: one that fails the first N sends, then works (locmem outbox)."""

from __future__ import annotations

import smtplib
import threading
import time

from django.core.mail.backends import locmem


class FlakyEmailBackend(locmem.EmailBackend):
    """Raises like a dropped SMTP connection while ``failures_left`` > 0, then delivers."""

    failures_left = 0

    def send_messages(self, email_messages):
        if FlakyEmailBackend.failures_left > 0:
            FlakyEmailBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(email_messages)


class SlowEmailBackend(locmem.EmailBackend):
    """Delivers to the locmem outbox after a short pause, so that dispatchers overlap."""

    lock = threading.Lock()

    def send_messages(self, email_messages):
        time.sleep(0.002)
        with SlowEmailBackend.lock:
            return super().send_messages(email_messages)


class CountingEmailBackend(locmem.EmailBackend):
    """Counts how many connections were opened (an SMTP login each, in real life)."""

    opened = 0

    def open(self):
        CountingEmailBackend.opened += 1
        return super().open()
