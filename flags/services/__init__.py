"""Writes about flags, by sub-domain: ``evaluation`` (run the rules, reconcile stored flags),
``alerts`` (the care team's alerts and digests in the outbox), ``handling`` (a coordinator
acknowledges or resolves), ``contacts`` (the team's call attempts), ``response`` (the
patient answers urgent advice) and ``thresholds`` (the one row admins tune). The public
names are here."""

from flags.services.alerts import flag_alert_still_wanted, flag_digests_plan, urgent_alerts_plan
from flags.services.contacts import flag_contact_record
from flags.services.evaluation import EvaluationResult, evaluate_patient, evaluate_patients
from flags.services.handling import flag_acknowledge, flag_resolve, may_handle
from flags.services.response import flag_respond
from flags.services.thresholds import thresholds_row

__all__ = [
    "EvaluationResult",
    "evaluate_patient",
    "evaluate_patients",
    "flag_acknowledge",
    "flag_alert_still_wanted",
    "flag_contact_record",
    "flag_digests_plan",
    "flag_resolve",
    "flag_respond",
    "may_handle",
    "thresholds_row",
    "urgent_alerts_plan",
]
