"""Support around scans: the scan-anxiety toolkit, the post-scan check-in and the resource
library. ``services`` writes (the check-in), ``selectors`` reads, ``views`` and ``forms`` are the
patient's pages."""
