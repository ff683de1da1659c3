from core.roles import INTEGRATION, MANAGER, STAFF, user_roles


def roles(request):
    """Role flags for the navigation, so templates show only what the user may use."""
    user = getattr(request, "user", None)
    names = user_roles(user) if user is not None else frozenset()
    return {
        "is_manager": MANAGER in names,
        "is_staff_member": STAFF in names,
        "is_integration": INTEGRATION in names,
    }
