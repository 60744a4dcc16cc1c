"""English as the site writes it: the British forms (1 March 2026, 14:30)."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
