from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .permissions import REPORT_ROLES, STAFF_ROLES, user_has_role


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "council_name": settings.COHESION_COUNCIL_NAME,
        "service_name": settings.COHESION_SERVICE_NAME,
        "is_staff_user": user_has_role(user, STAFF_ROLES),
        "can_read_reports": user_has_role(user, REPORT_ROLES),
    }
