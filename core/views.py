"""Pages of the kernel: each person's account, and the language switcher that remembers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext
from django.views import i18n
from django.views.generic import FormView

from core.forms import AccountForm, add_service_errors
from core.languages import codes
from core.middleware import set_language_cookie
from core.preferences import remember_in_session, request_language, set_preferred_language


class AccountView(LoginRequiredMixin, FormView):
    """Every signed-in person's own settings: today the language of the portal and its email."""

    template_name = "core/account.html"
    form_class = AccountForm

    def get_initial(self):
        return {"language": request_language(self.request) or translation.get_language()}

    def form_valid(self, form):
        code = form.cleaned_data["language"]
        try:
            set_preferred_language(self.request.user, code)
            remember_in_session(self.request, code)
        except ValidationError as exc:
            add_service_errors(exc, form)
            return self.form_invalid(form)
        # The confirmation is shown on the next page, which is already in the new language.
        with translation.override(code):
            messages.success(self.request, gettext("Your language is saved."))
        response = redirect("account")
        set_language_cookie(response, code)
        return response


def set_language(request):
    """Django's language switcher; a signed-in person's choice also becomes their preference.

    Django's view validates the language and the ``next`` address and sets the cookie; the
    preference is stored only when it did (a POST with a language the portal speaks). CSRF
    protection is the middleware's, as for Django's own view.
    """
    response = i18n.set_language(request)
    code = request.POST.get("language") if request.method == "POST" else None
    if code in codes() and request.user.is_authenticated:
        set_preferred_language(request.user, code)
        remember_in_session(request, code)
    return response
