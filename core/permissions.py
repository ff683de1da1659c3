"""Role checks shared by pages and the API."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import ALL_ROLES, MANAGER, has_role


class RolePermission(BasePermission):
    """Reads need one of ``view.read_roles``, writes one of ``view.write_roles``.

    Defaults: everyone with a role reads, Managers write. A user with no role gets 403.
    """

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            roles = getattr(view, "read_roles", ALL_ROLES)
        else:
            roles = getattr(view, "write_roles", (MANAGER,))
        return has_role(request.user, *roles)


class RoleRequiredMixin(LoginRequiredMixin):
    """Page views: anonymous users go to the login page, users without the role get 403."""

    allowed_roles: tuple[str, ...] = ALL_ROLES

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ManagerRequiredMixin(RoleRequiredMixin):
    allowed_roles = (MANAGER,)
