"""English as the site writes it: the British forms (1 March 2026, 14:30).

The *_DAY_FORMAT and FULL_DATE_FORMAT names are our own (lib.dates and templates use them, e.g.
``{{ day|date:"FULL_DATE_FORMAT" }}``); every language's module defines the same ones.
"""

from django.conf.locale.en_GB.formats import *  # noqa: F403

FULL_DATE_FORMAT = "j F Y"  # 3 November 2026
LONG_DAY_FORMAT = "l j F"  # Tuesday 3 November
LONG_DAY_YEAR_FORMAT = "l j F Y"  # Tuesday 3 November 2026
SHORT_DAY_FORMAT = "j M"  # 3 Nov
DATED_DAY_FORMAT = "D j M Y"  # Tue 3 Nov 2026
