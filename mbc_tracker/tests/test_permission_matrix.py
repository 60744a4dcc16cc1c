"""One authorisation matrix over every URL that takes a patient's id or an object's id.

Every object here belongs to patient A (Alice). Each MATRIX entry says how to build the URL's
arguments from those objects and what each of the six personas of the ``people`` fixture gets,
for GET and for each write the URL takes (POST, PATCH). Tests are parametrised as
``(url_name, method, persona)``, so a failure names its cell.

Conventions (API.md, "Errors", applied to pages too):

- anonymous: ``LOGIN`` (302 to the login page) for pages, ``401`` for ``/api/``, ``ADMIN_LOGIN``
  (302 to the admin login page) for Django admin;
- another patient's object, or a patient outside a coordinator's care teams: ``404``, never
  anything that reveals the object exists;
- logged in, but the page or action is not for the role: ``403`` (patients on coordinator pages,
  administrators on flag acknowledge/resolve). Patient-only pages send staff ``HOME`` instead, and
  the scan support pages answer everyone but the patient themself with their "not found" page;
  both happen before any object is looked up, so nothing is revealed either way;
- Django admin is for staff (``is_staff``): only the administrator gets in; coordinators and
  patients are sent to the admin login page like anonymous visitors;
- a refused write changes nothing: where an entry has ``state``, it is read before and after the
  request and must be the same for every persona that is refused. The same body, sent by a
  persona who may write, does change it (so "unchanged" is not just a bad request).

The meta-test walks the whole URL configuration: every named URL that captures anything must be
in MATRIX, or in EXEMPT with the reason why it does not name a patient or an object. To add a
URL: add an ``Entry`` to MATRIX (build its arguments from ``World``, patient A's things, and fill
one ``row(...)`` per method with all six personas), or, if it takes no patient or object id, an
EXEMPT entry with the reason.

Carers (accounts.CarerLink) are four more personas in every cell: ``carer_a`` (patient A's carer
with every right), ``carer_a_limited`` (A's carer who may only log), ``carer_a_revoked`` (A's
carer with every right, whose link has ended) and ``carer_b`` (patient B's carer with every
right). Their cells are derived from the six-persona row by a rule, per entry and method
(``Entry.carers``), and checked like every other cell:

- ``as_outsider`` (the default): each carer gets what patient B gets. A carer is a stranger to
  everything of A's that is not the patient's own pages: staff pages (403), admin, other
  people's messages, devices and downloads (404), scan support (404);
- ``with_right(right, refused=...)``: A's pages and API a carer may use with ``right``: a carer of
  A who has it gets what patient A gets, carer B (who has it, for B) what patient B gets (404:
  A's object is not their patient's), and a carer without it, or whose link has ended,
  ``refused`` (HOME for pages, 403 for the API), before any object is looked up;
- ``never(refused)``: the patient's alone (changing or cancelling an appointment): every carer
  is refused.

Pages and API calls that take no id are in CARER_PAGES below, one explicit cell per carer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import time_machine
from auditlog.models import LogEntry as AuditLogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import get_converters
from django.urls.resolvers import RoutePattern
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import carers as carer_services
from accounts import credentials
from accounts.models import CarerLink, RecordAccess, RecordAccessKind
from appointments.models import Appointment, ScanCheckIn
from appointments.services import calendar_feed_rotate
from appointments.tests.appointment_factories import NOW, book
from appointments.tests.support_factories import past
from conftest import Personas
from exports.services import record_export_build, record_export_request
from flags.tests.factories import FlagFactory
from notifications.tests.factories import PushSubscriptionFactory, SentNotificationFactory
from symptoms.models import DailyLog, PatientQuestion
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db

SIX = ("patient_a", "patient_b", "coordinator_a", "coordinator_b", "admin", "anonymous")
CARERS = ("carer_a", "carer_a_limited", "carer_a_revoked", "carer_b")
PERSONAS = SIX + CARERS
# May never learn anything about A (the carers: not even her first name, which carers see).
OUTSIDERS = ("patient_b", "coordinator_b", "anonymous", "carer_a_revoked", "carer_b")
CARER_OUTSIDERS = ("carer_a_revoked", "carer_b")
ALICE_FIRST = "Alice"
# What each carer's link gives (the revoked one gave everything, before it ended).
CARER_RIGHTS = {
    "carer_a": ("log", "record", "appointments"),
    "carer_a_limited": ("log",),
    "carer_a_revoked": ("log", "record", "appointments"),
    "carer_b": ("log", "record", "appointments"),
}
ALICE = "Alice Patient"  # patient A's name (the `people` fixture)

# Redirects, told apart by where they lead.
LOGIN = "302-login"
ADMIN_LOGIN = "302-admin-login"
HOME = "302-home"
SETTINGS = "302-settings"  # a settings action that is not for the role, sent back to settings
REFUSED = {401, 403, 404, 405, LOGIN, ADMIN_LOGIN, HOME, SETTINGS}

Expected = int | str
Row = dict[str, Expected]


def row(
    *,
    patient_a: Expected,
    patient_b: Expected,
    coordinator_a: Expected,
    coordinator_b: Expected,
    admin: Expected,
    anonymous: Expected,
) -> Row:
    """What each of the six personas gets (all six must be given)."""
    return {
        "patient_a": patient_a,
        "patient_b": patient_b,
        "coordinator_a": coordinator_a,
        "coordinator_b": coordinator_b,
        "admin": admin,
        "anonymous": anonymous,
    }


def everyone(expected: Expected) -> Row:
    return dict.fromkeys(SIX, expected)


# --- How the carers' cells follow from a row ----------------------------------------------------

CarerRule = Callable[[Row], Row]


def as_outsider(row: Row) -> Row:
    """Each carer gets what patient B gets: nothing of A's."""
    return dict.fromkeys(CARERS, row["patient_b"])


def with_right(right: str, *, refused: Expected) -> CarerRule:
    """A's carers with ``right`` get what A gets; B's carer what B gets; anyone without it, or
    whose link has ended, ``refused``."""

    def cells(row: Row) -> Row:
        result: Row = {}
        for carer in CARERS:
            if carer == "carer_a_revoked" or right not in CARER_RIGHTS[carer]:
                result[carer] = refused
            else:
                result[carer] = row["patient_b"] if carer == "carer_b" else row["patient_a"]
        return result

    return cells


def never(refused: Expected) -> CarerRule:
    """The patient's alone: every carer is refused."""

    def cells(row: Row) -> Row:
        return dict.fromkeys(CARERS, refused)

    return cells


# --- Patient A's things ------------------------------------------------------------------------


class World:
    """One of each kind of thing that belongs to patient A, made through the services and
    factories the app's own tests use."""

    def __init__(self, people) -> None:
        self.people = people
        self.patient = patient = people.patient_a
        # A CT scan in ten days, booked through the service (with its reminders).
        self.appointment = book(patient, kind="ct", location="Riverside")
        # Yesterday's CT scan: its support page shows and its check-in is open.
        self.past_scan = past(patient, kind="ct", days_ago=1)
        self.checkin = ScanCheckIn.objects.create(
            patient=patient, appointment=self.past_scan, anxiety=8, note="Scared."
        )
        self.flag = FlagFactory(patient=patient, rule="red_flag")
        self.question = PatientQuestion.objects.create(patient=patient, text="Is this normal?")
        # A message sent to patient A in the app, not read yet.
        self.notification = SentNotificationFactory(recipient=patient, due_at=NOW)
        # Patient A's phone, signed up for notifications.
        self.push_device = PushSubscriptionFactory(user=patient)
        yesterday = patient.patient_profile.local_today() - dt.timedelta(days=1)
        self.log = log_day(patient, yesterday, {"bone_pain": 4}, notes="Bad night.")
        self.feed = calendar_feed_rotate(patient=patient)
        coordinator = people.coordinator_a
        self.record_access = RecordAccess.objects.create(
            viewer=coordinator,
            viewer_name=coordinator.name,
            viewer_email=coordinator.email,
            viewer_role=coordinator.role,
            patient=patient,
            what=RecordAccessKind.RECORD,
            path=f"/patients/{patient.pk}/",
        )
        self.token = Token.objects.create(user=patient)  # the older single kind, in admin
        self.api_token = credentials.api_token_issue(user=patient, device="Phone").token
        # A download of patient A's whole record, built and ready.
        self.record_export = record_export_request(patient=patient, requested_by=patient)
        record_export_build(patient_id=patient.pk)
        self.record_export.refresh_from_db()
        # Patient A's carer, invited by her, who may fill in her log.
        self.carer_link = carer_services.carer_invite(
            patient=patient,
            email="carl.carer@example.org",
            name="Carl Carer",
            rights=["log"],
            by=patient,
        )
        # The audit trail's entry for the creation of patient A's flag.
        self.audit_entry = AuditLogEntry.objects.get_for_object(self.flag).latest("pk")


def state_of(model: type[Model], pk: object) -> dict | None:
    """The stored row (None once deleted): what a refused write must leave alone."""
    return model._default_manager.filter(pk=pk).values().first()


def object_state(get: Callable[[World], Model]) -> Callable[[World], dict | None]:
    def read(world: World) -> dict | None:
        obj = get(world)
        return state_of(type(obj), obj.pk)

    return read


# --- The matrix ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One URL name: how to build its arguments, and what each persona gets for each method."""

    name: str
    args: Callable[[World], list[object]]
    get: Row | None = None
    post: Row | None = None
    patch: Row | None = None
    delete: Row | None = None
    data: dict[str, object] = field(default_factory=dict)  # the body of a POST or PATCH
    state: Callable[[World], object] | None = None  # must be unchanged by a refused write
    writes: bool = True  # an allowed write changes ``state`` (False: the body is left empty)
    carers: dict[str, CarerRule] = field(default_factory=dict)  # per method; else as_outsider

    @property
    def methods(self) -> list[str]:
        return [method for method in ("get", "post", "patch", "delete") if getattr(self, method)]

    def expected(self, method: str) -> Row:
        """Every persona's cell for ``method``: the six as written, the carers by their rule."""
        row = getattr(self, method)
        return row | self.carers.get(method, as_outsider)(row)


def patient_page(*, owner: Expected) -> Row:
    """A page for patients only, about one of their own things."""
    return row(
        patient_a=owner,
        patient_b=404,
        coordinator_a=HOME,
        coordinator_b=HOME,
        admin=HOME,
        anonymous=LOGIN,
    )


def care_page(*, allowed: Expected) -> Row:
    """A page about one of patient A's things that A and the staff who care for A may use."""
    return row(
        patient_a=allowed,
        patient_b=404,
        coordinator_a=allowed,
        coordinator_b=404,
        admin=allowed,
        anonymous=LOGIN,
    )


def scan_page(*, owner: Expected) -> Row:
    """Scan support: it speaks to the patient, so everyone else gets its "not found" page."""
    return row(
        patient_a=owner,
        patient_b=404,
        coordinator_a=404,
        coordinator_b=404,
        admin=404,
        anonymous=LOGIN,
    )


def care_api(*, allowed: Expected) -> Row:
    return row(
        patient_a=allowed,
        patient_b=404,
        coordinator_a=allowed,
        coordinator_b=404,
        admin=allowed,
        anonymous=401,
    )


def own_message(*, owner: Expected, anonymous: Expected) -> Row:
    """Messages are the recipient's own: everybody else, staff included, gets 404."""
    return row(
        patient_a=owner,
        patient_b=404,
        coordinator_a=404,
        coordinator_b=404,
        admin=404,
        anonymous=anonymous,
    )


def admin_site(admin: Expected) -> Row:
    """Django admin: staff only. Coordinators and patients are not staff."""
    return row(
        patient_a=ADMIN_LOGIN,
        patient_b=ADMIN_LOGIN,
        coordinator_a=ADMIN_LOGIN,
        coordinator_b=ADMIN_LOGIN,
        admin=admin,
        anonymous=ADMIN_LOGIN,
    )


FLAG_ACTION_PAGE = row(
    patient_a=403,
    patient_b=403,
    coordinator_a=302,
    coordinator_b=404,
    admin=403,  # administrators work on flags in admin, not here
    anonymous=LOGIN,
)
FLAG_ACTION_API = row(
    patient_a=403,
    patient_b=403,
    coordinator_a=200,
    coordinator_b=404,
    admin=403,
    anonymous=401,
)
EDIT_PATIENT = {
    "name": ALICE,
    "phone": "07911 123456",
    "call_time": "Mornings",
    "sites": ["bone"],
    "timezone": "Europe/London",
    "restaging_interval_weeks": "12",
    "hormone_receptor_status": "positive",
    "her2_status": "low",
    "pik3ca_status": "unknown",
    "pd_l1_status": "unknown",
    "current_treatment": "Letrozole",
    "date_of_birth": "1970-03-04",
    "hospital_number": "RX123",
}
EDIT_APPOINTMENT = {"kind": "mri", "date": "2026-07-01", "time": "11:00", "duration_minutes": "60"}


def admin_pages(
    model: str,
    obj: Callable[[World], Model],
    *,
    change_post: Expected,
    delete: Expected,
    delete_post: Expected,
    pk: Callable[[Model], object] = lambda obj: obj.pk,
    state: Callable[[World], object] | None = None,
) -> list[Entry]:
    """The change, history and delete pages of one of patient A's objects in Django admin.

    The change page is posted empty (nothing valid to save) and the delete page with the
    confirmation; only the administrator gets past the admin login."""
    state = state or object_state(obj)

    def args(world: World) -> list[object]:
        return [pk(obj(world))]

    return [
        Entry(
            f"admin:{model}_change",
            args,
            get=admin_site(200),
            post=admin_site(change_post),
            state=state,
            writes=False,
        ),
        Entry(f"admin:{model}_history", args, get=admin_site(200)),
        Entry(
            f"admin:{model}_delete",
            args,
            get=admin_site(delete),
            post=admin_site(delete_post),
            data={"post": "yes"},
            state=state,
        ),
    ]


ENTRIES = [
    # --- Patient pages: the patient's own questions -------------------------------------------
    Entry(
        "question_edit",
        lambda w: [w.question.pk],
        get=patient_page(owner=200),
        post=patient_page(owner=302),
        data={"text": "Written by someone else"},
        state=object_state(lambda w: w.question),
        carers={"get": with_right("log", refused=HOME), "post": with_right("log", refused=HOME)},
    ),
    Entry(
        "question_done",
        lambda w: [w.question.pk],
        get=everyone(405),
        post=patient_page(owner=302),
        data={"done": "yes"},
        state=object_state(lambda w: w.question),
        carers={"post": with_right("log", refused=HOME)},
    ),
    Entry(
        "question_delete",
        lambda w: [w.question.pk],
        get=everyone(405),
        post=patient_page(owner=302),
        state=object_state(lambda w: w.question),
        carers={"post": with_right("log", refused=HOME)},
    ),
    Entry(
        "flag_respond",
        lambda w: [w.flag.pk],
        get=everyone(405),
        post=patient_page(owner=302),
        data={"response": "called_team", "next": "/"},
        state=object_state(lambda w: w.flag),
        carers={"post": with_right("log", refused=HOME)},  # "what I did", for the patient
    ),
    # --- Appointment pages: the patient and their care team ------------------------------------
    Entry(
        "appointment_detail",
        lambda w: [w.appointment.pk],
        get=care_page(allowed=200),
        carers={"get": with_right("appointments", refused=HOME)},
    ),
    Entry(
        "appointment_edit",
        lambda w: [w.appointment.pk],
        get=care_page(allowed=200),
        post=care_page(allowed=302),
        data=EDIT_APPOINTMENT,
        state=object_state(lambda w: w.appointment),
        carers={"get": never(HOME), "post": never(HOME)},  # changing is the patient's
    ),
    Entry(
        "appointment_cancel",
        lambda w: [w.appointment.pk],
        get=care_page(allowed=200),
        post=care_page(allowed=302),
        state=object_state(lambda w: w.appointment),
        carers={"get": never(HOME), "post": never(HOME)},  # cancelling is the patient's
    ),
    Entry("appointment_support", lambda w: [w.past_scan.pk], get=scan_page(owner=200)),
    Entry(
        "appointment_checkin",
        lambda w: [w.past_scan.pk],
        get=scan_page(owner=200),
        post=scan_page(owner=200),  # the answer page is the POST's own response
        data={"anxiety": "3", "note": "Written by someone else"},
        state=lambda w: list(ScanCheckIn.objects.filter(appointment=w.past_scan).values()),
    ),
    # --- The patient's download of their record: theirs alone (staff too get 404) -------------
    Entry(
        "record_export", lambda w: [w.record_export.pk], get=own_message(owner=200, anonymous=LOGIN)
    ),
    Entry(
        "record_export_download",
        lambda w: [w.record_export.pk],
        get=own_message(owner=200, anonymous=LOGIN),
    ),
    # --- Notification centre: the recipient's own messages -------------------------------------
    Entry(
        "notification_read",
        lambda w: [w.notification.pk],
        get=row(
            patient_a=405,
            patient_b=405,
            coordinator_a=405,
            coordinator_b=405,
            admin=405,
            anonymous=LOGIN,  # login_required comes before require_POST
        ),
        post=own_message(owner=302, anonymous=LOGIN),
        state=object_state(lambda w: w.notification),
    ),
    Entry(
        "push_device_remove",
        lambda w: [w.push_device.pk],
        get=row(
            patient_a=405,
            patient_b=405,
            coordinator_a=405,
            coordinator_b=405,
            admin=405,
            anonymous=LOGIN,  # login_required comes before require_POST
        ),
        post=own_message(owner=302, anonymous=LOGIN),  # a device is its owner's alone
        state=object_state(lambda w: w.push_device),
    ),
    # --- Care coordinator pages ---------------------------------------------------------------
    Entry(
        "care:record",
        lambda w: [w.patient.pk],
        get=row(
            patient_a=403,
            patient_b=403,
            coordinator_a=200,
            coordinator_b=404,
            admin=200,
            anonymous=LOGIN,
        ),
    ),
    Entry(
        "care:patient_edit",
        lambda w: [w.patient.pk],
        get=row(
            patient_a=403,
            patient_b=403,
            coordinator_a=200,
            coordinator_b=404,
            admin=200,
            anonymous=LOGIN,
        ),
        post=row(
            patient_a=403,
            patient_b=403,
            coordinator_a=302,
            coordinator_b=404,
            admin=302,
            anonymous=LOGIN,
        ),
        data=EDIT_PATIENT,
        state=object_state(lambda w: w.patient.patient_profile),
    ),
    Entry(
        "care:flag_acknowledge",
        lambda w: [w.patient.pk, w.flag.pk],
        get=everyone(405),
        post=FLAG_ACTION_PAGE,
        data={"note": "Phoned her."},
        state=object_state(lambda w: w.flag),
    ),
    Entry(
        "care:flag_resolve",
        lambda w: [w.patient.pk, w.flag.pk],
        get=everyone(405),
        post=FLAG_ACTION_PAGE,
        data={"note": "Seen in clinic."},
        state=object_state(lambda w: w.flag),
    ),
    Entry(
        "care:flag_contact",
        lambda w: [w.patient.pk, w.flag.pk],
        get=everyone(405),
        post=FLAG_ACTION_PAGE,
        data={"outcome": "no_answer", "note": "Rang twice."},
        state=object_state(lambda w: w.flag),
    ),
    # --- API ----------------------------------------------------------------------------------
    Entry(
        "api-patient-detail",
        lambda w: [w.patient.pk],
        get=row(
            patient_a=403,
            patient_b=403,
            coordinator_a=200,
            coordinator_b=404,
            admin=200,
            anonymous=401,
        ),
        patch=row(
            patient_a=403,
            patient_b=403,
            coordinator_a=200,
            coordinator_b=404,
            admin=200,
            anonymous=401,
        ),
        data={"phone": "07911 123456", "her2_status": "low"},
        state=object_state(lambda w: w.patient.patient_profile),
    ),
    Entry(
        # The FHIR export follows the patient detail exactly (and is access-logged; see
        # exports/tests/test_fhir_api.py).
        "api-patient-fhir",
        lambda w: [w.patient.pk],
        get=row(
            patient_a=403,
            patient_b=403,
            coordinator_a=200,
            coordinator_b=404,
            admin=200,
            anonymous=401,
        ),
    ),
    Entry(
        "api-flag-acknowledge",
        lambda w: [w.flag.pk],
        post=FLAG_ACTION_API,
        data={"note": "Phoned her."},
        state=object_state(lambda w: w.flag),
    ),
    Entry(
        "api-flag-resolve",
        lambda w: [w.flag.pk],
        post=FLAG_ACTION_API,
        data={"note": "Seen in clinic."},
        state=object_state(lambda w: w.flag),
    ),
    Entry(
        "api-flag-contacts",
        lambda w: [w.flag.pk],
        post=row(
            patient_a=403,
            patient_b=403,
            coordinator_a=201,
            coordinator_b=404,
            admin=403,
            anonymous=401,
        ),
        data={"outcome": "reached", "note": "Spoke to her."},
        state=object_state(lambda w: w.flag),
    ),
    Entry(
        "api-flag-respond",
        lambda w: [w.flag.pk],
        post=row(
            patient_a=200,
            patient_b=404,
            coordinator_a=403,
            coordinator_b=403,
            admin=403,
            anonymous=401,
        ),
        data={"response": "called_team"},
        state=object_state(lambda w: w.flag),
        carers={"post": with_right("log", refused=403)},
    ),
    Entry(
        "api-appointment-detail",
        lambda w: [w.appointment.pk],
        get=care_api(allowed=200),
        patch=care_api(allowed=200),
        data={"starts_at": "2026-07-01T11:00:00+01:00"},
        state=object_state(lambda w: w.appointment),
        carers={"get": with_right("appointments", refused=403), "patch": never(403)},
    ),
    Entry(
        "api-appointment-cancel",
        lambda w: [w.appointment.pk],
        post=care_api(allowed=200),
        state=object_state(lambda w: w.appointment),
        carers={"post": never(403)},
    ),
    Entry(
        "api-notification-read",
        lambda w: [w.notification.pk],
        post=own_message(owner=200, anonymous=401),
        state=object_state(lambda w: w.notification),
    ),
    Entry(
        "api-push-subscription",
        lambda w: [w.push_device.pk],
        delete=own_message(owner=204, anonymous=401),  # a device is its owner's alone
        state=object_state(lambda w: w.push_device),
    ),
    Entry(
        "api-token-revoke",
        lambda w: [w.api_token.pk],
        delete=own_message(owner=204, anonymous=401),  # a device token is its owner's alone
        state=object_state(lambda w: w.api_token),
    ),
    # --- Patient A's carer: her settings, her record, the API ----------------------------------
    Entry(
        "carer_rights",
        lambda w: [w.carer_link.pk],
        get=patient_page(owner=200),
        post=patient_page(owner=302),
        carers={"get": never(HOME), "post": never(HOME)},  # who helps is the patient's to say
        data={"can_view_record": "on"},
        state=object_state(lambda w: w.carer_link),
    ),
    Entry(
        "carer_revoke",
        lambda w: [w.carer_link.pk],
        get=patient_page(owner=200),
        post=patient_page(owner=302),
        carers={"get": never(HOME), "post": never(HOME)},  # who helps is the patient's to say
        state=object_state(lambda w: w.carer_link),
    ),
    Entry(
        "patient_carer_invite",
        lambda w: [w.patient.pk],
        get=row(
            patient_a=403,
            patient_b=403,
            coordinator_a=200,
            coordinator_b=404,
            admin=200,
            anonymous=LOGIN,
        ),
        post=row(
            patient_a=403,
            patient_b=403,
            coordinator_a=302,
            coordinator_b=404,
            admin=302,
            anonymous=LOGIN,
        ),
        data={
            "name": "Dee Carer",
            "email": "dee@example.org",
            "can_log": "on",
            "patients_word": "Asked by phone",
        },
        state=lambda w: list(CarerLink.objects.filter(patient=w.patient).values()),
    ),
    Entry(
        "patient_carer_revoke",
        lambda w: [w.patient.pk, w.carer_link.pk],
        get=row(
            patient_a=403,
            patient_b=403,
            coordinator_a=200,
            coordinator_b=404,
            admin=200,
            anonymous=LOGIN,
        ),
        post=row(
            patient_a=403,
            patient_b=403,
            coordinator_a=302,
            coordinator_b=404,
            admin=302,
            anonymous=LOGIN,
        ),
        state=object_state(lambda w: w.carer_link),
    ),
    Entry(
        "api-carer-detail",
        lambda w: [w.carer_link.pk],
        patch=care_api(allowed=200),
        delete=care_api(allowed=204),
        data={"rights": ["record"], "patients_word": "Asked by phone"},
        carers={"patch": never(403), "delete": never(403)},
        state=object_state(lambda w: w.carer_link),
    ),
    # --- Django admin: patient A's objects ----------------------------------------------------
    *admin_pages(
        "accounts_user",
        lambda w: w.patient,
        change_post=200,  # the empty form is refused
        delete=200,  # the page lists what stops it: her flags, appointments, check-ins...
        delete_post=403,  # ... which nobody may delete in admin, so she cannot be deleted
    ),
    Entry(
        "admin:auth_user_password_change",
        lambda w: [w.patient.pk],
        get=admin_site(200),
        post=admin_site(302),
        data={"password1": "a brand new passphrase 42", "password2": "a brand new passphrase 42"},
        state=object_state(lambda w: w.patient),
    ),
    *admin_pages(
        "accounts_patientprofile",
        lambda w: w.patient.patient_profile,
        change_post=200,
        delete=200,
        delete_post=302,
    ),
    *admin_pages(
        "accounts_carerlink",
        lambda w: w.carer_link,
        change_post=403,  # view only: rights change on the patient's and the team's pages
        delete=403,
        delete_post=403,
    ),
    *admin_pages(
        "exports_recordexport",
        lambda w: w.record_export,
        change_post=403,  # read-only: no file, no changes, no deleting here
        delete=403,
        delete_post=403,
    ),
    *admin_pages(
        "accounts_recordaccess",
        lambda w: w.record_access,
        change_post=403,  # the access log is read-only
        delete=403,
        delete_post=403,
    ),
    *admin_pages(
        "symptoms_dailylog", lambda w: w.log, change_post=200, delete=200, delete_post=302
    ),
    *admin_pages(
        "flags_flag",
        lambda w: w.flag,
        change_post=302,  # every field is read-only: saving changes nothing
        delete=403,
        delete_post=403,
    ),
    *admin_pages(
        "appointments_appointment",
        lambda w: w.appointment,
        change_post=403,
        delete=403,
        delete_post=403,
    ),
    *admin_pages(
        "appointments_scancheckin",
        lambda w: w.checkin,
        change_post=403,
        delete=403,
        delete_post=403,
    ),
    *admin_pages(
        "appointments_calendarfeed",
        lambda w: w.feed,
        change_post=403,
        delete=403,
        delete_post=403,
    ),
    *admin_pages(
        "notifications_notification",
        lambda w: w.notification,
        change_post=302,  # every field is read-only: saving changes nothing
        delete=200,
        delete_post=302,
    ),
    *admin_pages(
        "authtoken_tokenproxy",
        lambda w: w.token,
        pk=lambda token: token.user_id,  # admin names a token by its user
        state=lambda w: list(Token.objects.filter(user=w.patient).values()),
        change_post=200,
        delete=200,
        delete_post=302,
    ),
    *admin_pages(
        "auditlog_logentry",
        lambda w: w.audit_entry,
        change_post=403,  # the audit trail is read-only
        delete=403,
        delete_post=403,
    ),
    Entry(
        "admin:view_on_site",
        lambda w: [ContentType.objects.get_for_model(Appointment).pk, w.appointment.pk],
        get=admin_site(404),  # no model here has a public page to send the administrator to
    ),
]
MATRIX: dict[str, Entry] = {entry.name: entry for entry in ENTRIES}


# --- URLs that capture something, but not a patient's or an object's id ------------------------


def _admin_exempt(model: str, reason: str) -> dict[str, str]:
    return {f"admin:{model}_{page}": reason for page in ("change", "history", "delete")}


NOT_AN_ID = {
    # A day of the caller's own log: every patient has their own "2026-06-14", so the URL can
    # only ever reach the caller's own log; there is no other patient's object to guess.
    "log_day": "a day of the signed-in patient's own log (isodate), not an object id",
    "log_usual": "a day of the signed-in patient's own log (isodate), not an object id",
    "log_same": "a day of the signed-in patient's own log (isodate), not an object id",
    "api-log-detail": "a day of the caller's own log (logdate), not an object id",
}
CAPABILITIES = {
    "password_reset_confirm": "a one-time password reset link (uidb64 + token): the token is "
    "the permission, checked by Django's reset view",
    "api-calendar-feed": "the secret calendar feed address: the token is the permission, "
    "rotated by the patient (tested in appointments/tests/test_calendar.py)",
}
ADMIN_NOT_A_PATIENTS_OBJECT = {
    "admin:app_list": "one app's index in admin (app_label), lists models, not a record",
    **_admin_exempt("auth_group", "permission groups: staff configuration, nobody's record"),
    **_admin_exempt("accounts_careteam", "a care team: an organisation, not a patient's record"),
    **_admin_exempt("symptoms_site", "the catalogue of metastasis sites: shared content"),
    **_admin_exempt("symptoms_symptom", "the symptom catalogue: shared content"),
    **_admin_exempt("flags_flagthresholds", "the flag rules' thresholds: one shared row"),
    **_admin_exempt("appointments_resource", "the resource library: shared content"),
    **_admin_exempt(
        "axes_accessattempt", "login lockout bookkeeping (email typed, address): not a record"
    ),
    **_admin_exempt("axes_accesslog", "login history bookkeeping (django-axes): not a record"),
    **_admin_exempt(
        "axes_accessfailurelog", "failed login bookkeeping (django-axes): not a record"
    ),
}
EXEMPT: dict[str, str] = NOT_AN_ID | CAPABILITIES | ADMIN_NOT_A_PATIENTS_OBJECT

# Converters that name a patient or an object. Anything else a URL captures must be exempted.
ID_CONVERTERS = tuple(
    type(get_converters()[name]) for name in ("int", "path", "str", "slug", "uuid")
)


@dataclass(frozen=True)
class Captured:
    name: str | None  # "care:record"; None for an unnamed pattern
    route: str
    converters: dict[str, object]  # path() converters; empty for re_path()
    groups: tuple[str, ...]  # everything the pattern captures

    @property
    def has_id(self) -> bool:
        return any(isinstance(c, ID_CONVERTERS) for c in self.converters.values()) or (
            bool(self.groups) and not self.converters  # a regex may capture anything
        )


def _walk(patterns, namespace: str = "", prefix: str = "") -> Iterator[Captured]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern):
            groups = tuple(pattern.pattern.regex.groupindex)
            if not groups:
                continue
            converters = (
                dict(pattern.pattern.converters)
                if isinstance(pattern.pattern, RoutePattern)
                else {}
            )
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield Captured(name, route, converters, groups)


def urls_that_capture() -> list[Captured]:
    return list(_walk(get_resolver().url_patterns))


# --- Carers --------------------------------------------------------------------------------------


def make_carers(people) -> dict[str, object]:
    """The four carers, linked directly (inviting has its own tests)."""
    from accounts.tests.factories import make_carer

    return {
        "carer_a": make_carer(people.patient_a, email="carer.a@example.org", name="Bob Carer"),
        "carer_a_limited": make_carer(
            people.patient_a, rights=("log",), email="carer.a2@example.org", name="Cara Carer"
        ),
        "carer_a_revoked": make_carer(
            people.patient_a, revoked=True, email="carer.a3@example.org", name="Dan Carer"
        ),
        "carer_b": make_carer(people.patient_b, email="carer.b@example.org", name="Eve Carer"),
    }


# --- Meta-tests ---------------------------------------------------------------------------------


def test_every_url_with_an_id_is_in_the_matrix():
    captured = {url.name: url for url in urls_that_capture() if url.name}
    missing = sorted(set(captured) - set(MATRIX) - set(EXEMPT))
    stale = sorted((set(MATRIX) | set(EXEMPT)) - set(captured))
    problems = [
        f"{name} ({captured[name].route}) captures {', '.join(captured[name].groups)}: add it "
        "to MATRIX in this file (or, if that names no patient and no object, to EXEMPT with "
        "the reason)"
        for name in missing
    ] + [f"{name} is no longer a URL with an id: remove it from this file" for name in stale]
    assert not problems, "\n".join(problems)
    assert set(captured) == set(MATRIX) | set(EXEMPT)


def test_nothing_is_both_tested_and_exempt():
    assert not set(MATRIX) & set(EXEMPT)


def test_date_exemptions_capture_no_id():
    """A URL exempted for its date must not later gain an object id unnoticed."""
    captured = {url.name: url for url in urls_that_capture() if url.name}
    with_ids = sorted(name for name in NOT_AN_ID if name in captured and captured[name].has_id)
    assert not with_ids, f"{with_ids} now take an id: move them to MATRIX"


def test_every_url_with_an_id_has_a_name():
    """Unnamed URLs cannot be in the matrix. Django admin has two, both behind its login: the old
    ``<object_id>/`` address that redirects to the change page, and its catch-all."""
    unnamed = [
        url.route
        for url in urls_that_capture()
        if url.name is None
        and not (url.route.startswith("admin/") and url.route.endswith("<path:object_id>/"))
        and url.route != "admin/(?P<url>.*)$"
    ]
    assert not unnamed, f"give these URLs a name and add them to MATRIX: {unnamed}"


# --- The matrix itself --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _cells() -> list:
    return [
        pytest.param(entry.name, method, persona, id=f"{entry.name}-{method}-{persona}")
        for entry in ENTRIES
        for method in entry.methods
        for persona in PERSONAS
    ]


def test_every_cell_names_every_persona():
    """Each row names the six; each rule gives the four carers; nothing else."""
    for entry in ENTRIES:
        for method in entry.methods:
            assert set(getattr(entry, method)) == set(SIX), (entry.name, method)
            assert set(entry.expected(method)) == set(PERSONAS), (entry.name, method)
        assert set(entry.carers) <= set(entry.methods), entry.name


def _check_status(response, expected: Expected) -> None:
    location = response.get("Location", "")
    got = f"{response.status_code} {location}".strip()
    if expected == LOGIN:
        assert response.status_code == 302 and location.startswith(reverse("login")), got
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302 and location.startswith(reverse("admin:login")), got
    elif expected == HOME:
        assert response.status_code == 302 and location == reverse("home"), got
    elif expected == SETTINGS:
        assert response.status_code == 302 and location == reverse("settings"), got
    else:
        assert response.status_code == expected, got
        if expected == 302:  # a success that redirects: not to a login page, nor home
            assert not location.startswith((reverse("login"), reverse("admin:login"))), got
            assert location != reverse("home"), got


@dataclass(frozen=True)
class Shared:
    people: object
    world: World
    sessions: dict[str, str]  # persona -> session key, logged in once
    carers: dict[str, object]  # carer persona -> their user


@pytest.fixture(scope="module")
def _shared(django_db_setup, django_db_blocker) -> Iterator[Shared]:
    """The six personas (the root conftest's ``Personas``, exactly as the ``people`` fixture
    builds them), their logins and patient A's things, made once for the whole matrix, like
    Django's ``setUpTestData``: hundreds of cells each building their own would take minutes.
    Every cell still runs in its own savepoint (the ``db`` fixture), so what one cell writes is
    rolled back before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(NOW, tick=False):
            people = Personas()
            world = World(people)
            carers = make_carers(people)
            sessions = {}
            for persona, user in (people.all() | carers).items():
                if user is not None:
                    login = Client()
                    login.force_login(user)
                    sessions[persona] = login.session.session_key
        yield Shared(people, world, sessions, carers)
        transaction.set_rollback(True)


@pytest.fixture
def people(_shared, db):
    return _shared.people


@pytest.fixture
def world(_shared, db) -> World:
    return _shared.world


@pytest.fixture(scope="module")
def _handler():
    """One request handler for the whole matrix: building the middleware (WhiteNoise scans the
    static files) for each of hundreds of cells would dominate the run."""
    return APIClient().handler


@pytest.fixture
def api_client(_handler) -> APIClient:
    client = APIClient()
    client.handler = _handler
    return client


@pytest.mark.parametrize(("url_name", "method", "persona"), _cells())
def test_permission_matrix(_shared, world, api_client, url_name, method, persona):
    entry = MATRIX[url_name]
    expected = entry.expected(method)[persona]
    url = reverse(url_name, args=entry.args(world))
    if persona != "anonymous":
        api_client.cookies[settings.SESSION_COOKIE_NAME] = _shared.sessions[persona]
    before = entry.state(world) if entry.state and method != "get" else None

    send = getattr(api_client, method)
    if method == "get":
        response = send(url)
    elif url.startswith("/api/"):
        response = send(url, entry.data, format="json")
    else:
        response = send(url, entry.data)

    _check_status(response, expected)
    if persona in OUTSIDERS:
        assert ALICE not in response.content.decode(errors="replace")
    if persona in CARER_OUTSIDERS:
        assert ALICE_FIRST not in response.content.decode(errors="replace")
    if entry.state and method != "get":
        if expected in REFUSED:
            assert entry.state(world) == before, "a refused write changed something"
        elif entry.writes:
            assert entry.state(world) != before, "an allowed write changed nothing"


def test_a_flag_is_found_only_under_its_own_patient(people, api_client):
    """The record's flag actions take two ids: a flag of patient B under patient A is 404, even
    for staff who may see both patients."""
    bellas = FlagFactory(patient=people.patient_b, rule="red_flag")
    coordinator_of_both = people.coordinator_a
    coordinator_of_both.care_teams.add(people.team_b)
    api_client.force_login(coordinator_of_both)
    for action in ("care:flag_acknowledge", "care:flag_resolve"):
        url = reverse(action, args=[people.patient_a.pk, bellas.pk])
        assert api_client.post(url, {"note": "Wrong patient."}).status_code == 404
    assert state_of(type(bellas), bellas.pk)["status"] == bellas.status


# --- Carers on the pages and API calls that take no id ------------------------------------------
# The patient's own pages name no patient: a carer reaches their own patient's through them, and
# only with the right for each. One explicit cell per carer (A's with every right, A's who may
# only log, A's whose link has ended, B's with every right).


def carers(carer_a: Expected, limited: Expected, revoked: Expected, carer_b: Expected) -> Row:
    return {
        "carer_a": carer_a,
        "carer_a_limited": limited,
        "carer_a_revoked": revoked,
        "carer_b": carer_b,
    }


@dataclass(frozen=True)
class CarerPage:
    name: str
    method: str
    expected: Row
    args: Callable[[World], list[object]] = lambda w: []
    data: Callable[[World], dict[str, object]] = lambda w: {}
    query: str = ""


def _today(world: World) -> dt.date:
    return world.patient.patient_profile.local_today()


def _yesterday(world: World) -> dt.date:
    return _today(world) - dt.timedelta(days=1)


ALL_SEE = carers(200, 200, 200, 200)  # the carer's own: home, settings, messages, account
CARER_PAGES = [
    # Their own things: every carer, the revoked one too.
    CarerPage("home", "get", ALL_SEE),  # the revoked one: a calm "your access has ended" page
    CarerPage("settings", "get", ALL_SEE),  # their own account, never the patient's settings
    CarerPage("notification_list", "get", ALL_SEE),  # their own messages
    CarerPage("notifications_read_all", "post", carers(302, 302, 302, 302)),
    CarerPage("resources", "get", ALL_SEE),
    # The log: with the right to log.
    CarerPage("log", "get", carers(200, 200, HOME, 200)),
    CarerPage("log_day", "get", carers(200, 200, HOME, 200), args=lambda w: [_yesterday(w)]),
    CarerPage(
        "log_pick", "get", carers(302, 302, HOME, 302), query="?day={today}"
    ),  # to that day's page
    CarerPage("log_usual", "post", carers(302, 302, HOME, 302), args=lambda w: [_today(w)]),
    CarerPage("log_same", "post", carers(302, 302, HOME, 302), args=lambda w: [_today(w)]),
    # The record: history, flags and questions, the visit summary.
    CarerPage("history", "get", carers(200, HOME, HOME, 200)),
    CarerPage("raise_with_team", "get", carers(200, HOME, HOME, 200)),
    CarerPage(  # adding a question changes the list: the right to log
        "raise_with_team", "post", carers(302, 302, HOME, 302), data=lambda w: {"text": "And?"}
    ),
    CarerPage("visit_summary", "get", carers(200, HOME, HOME, 200)),
    CarerPage("visit_summary_pdf", "get", carers(200, HOME, HOME, 200)),
    CarerPage(  # "what I did" about advice not stored yet: the right to log
        "flag_respond_pending",
        "post",
        carers(302, 302, HOME, 302),
        data=lambda w: {"response": "called_team", "rule": "red_flag", "subject": "", "next": "/"},
    ),
    # Appointments: to look, with the right; booking stays the patient's.
    CarerPage("appointment_list", "get", carers(200, HOME, HOME, 200)),
    CarerPage("appointment_new", "get", carers(HOME, HOME, HOME, HOME)),
    CarerPage("appointment_new", "post", carers(HOME, HOME, HOME, HOME)),
    # The patient's settings actions: never a carer's.
    CarerPage("calendar_feed_rotate", "post", carers(SETTINGS, SETTINGS, SETTINGS, SETTINGS)),
    CarerPage("record_export_request", "post", carers(404, 404, 404, 404)),
    # Staff pages.
    CarerPage("care:panel", "get", carers(403, 403, 403, 403)),
    CarerPage("care:alert_burden", "get", carers(403, 403, 403, 403)),
    # The API.
    CarerPage("api-me", "get", ALL_SEE),  # role "carer"; caring_for null once revoked
    CarerPage("api-symptoms", "get", ALL_SEE),  # the shared catalogue
    CarerPage("api-notifications", "get", ALL_SEE),
    CarerPage("api-tokens", "get", ALL_SEE),
    CarerPage("api-push-subscriptions", "get", ALL_SEE),
    CarerPage("api-logs", "get", carers(200, 200, 403, 200)),  # "log" or "record"
    CarerPage(
        "api-logs",
        "post",
        carers(201, 201, 403, 201),
        data=lambda w: {"date": str(_today(w)), "entries": [{"symptom": "fatigue", "severity": 2}]},
    ),
    CarerPage(
        "api-log-detail", "get", carers(200, 200, 403, 404), args=lambda w: [_yesterday(w)]
    ),  # B has no log that day
    CarerPage(
        "api-log-detail", "delete", carers(403, 403, 403, 403), args=lambda w: [_yesterday(w)]
    ),  # deleting is the patient's
    CarerPage("api-flags", "get", carers(200, 403, 403, 200)),
    CarerPage("api-appointments", "get", carers(200, 403, 403, 200)),
    CarerPage(
        "api-appointments",
        "post",
        carers(403, 403, 403, 403),
        data=lambda w: {"kind": "ct", "starts_at": "2026-07-01T11:00:00+01:00"},
    ),
    CarerPage("api-me-fhir", "get", carers(403, 403, 403, 403)),
    CarerPage("api-patients", "get", carers(403, 403, 403, 403)),
]


def test_carer_pages_name_every_carer():
    for page in CARER_PAGES:
        assert set(page.expected) == set(CARERS), page.name


@pytest.mark.parametrize(
    ("index", "persona"),
    [
        pytest.param(index, persona, id=f"{page.name}-{page.method}-{persona}")
        for index, page in enumerate(CARER_PAGES)
        for persona in CARERS
    ],
)
def test_carer_without_an_id(_shared, world, api_client, index, persona):
    page = CARER_PAGES[index]
    expected = page.expected[persona]
    url = reverse(page.name, args=page.args(world)) + page.query.format(today=_today(world))
    api_client.cookies[settings.SESSION_COOKIE_NAME] = _shared.sessions[persona]
    logs_before = list(DailyLog.objects.filter(patient=world.patient).values())
    questions_before = list(PatientQuestion.objects.filter(patient=world.patient).values())
    send = getattr(api_client, page.method)
    if page.method == "get":
        response = send(url)
    elif url.startswith("/api/"):
        response = send(url, page.data(world), format="json")
    else:
        response = send(url, page.data(world))

    _check_status(response, expected)
    body = response.content.decode(errors="replace")
    if persona in CARER_OUTSIDERS:
        assert ALICE_FIRST not in body
    if expected in REFUSED or persona in CARER_OUTSIDERS:  # nothing of A's changed
        assert list(DailyLog.objects.filter(patient=world.patient).values()) == logs_before
        assert (
            list(PatientQuestion.objects.filter(patient=world.patient).values()) == questions_before
        )
