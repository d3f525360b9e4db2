"""What every part of the API shares: who is asking, and the shape of a refusal.

Kept apart from ``cohesion.api.api`` so that the apps' routers (rumours, tensions, …) can import
it while ``api.py`` imports them.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import HttpError

from cohesion.core.models import User


def api_user(request: HttpRequest, *roles: str) -> User:
    """The user behind a request (a token's owner, or the signed-in session), if their role is
    one of ``roles``; otherwise the request is refused with 403."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        user = request.user
    if not isinstance(user, User) or not user.has_role(*roles):
        raise HttpError(403, "Your role does not allow this.")
    return user


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words")
    errors: dict[str, str] = Field(default={}, description="For each field to fix, what to do")


class DuplicateOut(Schema):
    detail: str = Field(description="Which report this repeats; nothing new was saved")
    existing_id: int = Field(description="The number of the report sent before")
