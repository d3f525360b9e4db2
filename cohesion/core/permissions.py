"""Role checks for views. Every view names the roles that may use it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from .models import Role, User

F = TypeVar("F", bound=Callable[..., HttpResponseBase])

STAFF_ROLES = (Role.OFFICER, Role.ADMIN)
REPORT_ROLES = (Role.COUNCILLOR, Role.OFFICER, Role.ADMIN)
SIGNED_IN_ROLES = (Role.PARTNER, Role.COUNCILLOR, Role.OFFICER, Role.ADMIN)


def user_has_role(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*roles))


def role_required(*roles: str) -> Callable[[F], F]:
    """Let through signed-in users with one of these roles (admins always); others get 403.

    People who are not signed in are sent to the sign-in page.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_role(request.user, tuple(roles)):
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = tuple(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request that a role check has already let through."""
    return cast(User, request.user)


def public(view: F) -> F:
    """Mark a view as open to everyone (residents do not sign in)."""
    view.allowed_roles = ("*",)  # type: ignore[attr-defined]
    return view
