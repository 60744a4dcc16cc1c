"""Spanish as the site writes it: 3 de noviembre de 2026, 14:30, 38,4 (Django's Spanish forms,
and the same named forms of our own as English: see mbc_tracker/formats/en)."""

from django.conf.locale.es.formats import *  # noqa: F403

FULL_DATE_FORMAT = r"j \d\e F \d\e Y"  # 3 de noviembre de 2026
LONG_DAY_FORMAT = r"l j \d\e F"  # martes 3 de noviembre
LONG_DAY_YEAR_FORMAT = r"l j \d\e F \d\e Y"  # martes 3 de noviembre de 2026
SHORT_DAY_FORMAT = "j b"  # 3 nov
DATED_DAY_FORMAT = "D j b Y"  # mar 3 nov 2026
