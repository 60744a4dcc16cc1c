from django.conf import settings
from django.http import HttpRequest


def care_contacts(request: HttpRequest) -> dict[str, str]:
    """Phone numbers every page may show: emergency services and the care team's 24-hour line."""
    return {
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "CARE_TEAM_24H_LINE": settings.CARE_TEAM_24H_LINE,
    }
