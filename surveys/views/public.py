"""The public survey pages (no login): an invitation link's survey, its thanks page, and the
office kiosk."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View

from core import languages
from core.forms import language_choices
from surveys import scales, selectors, services
from surveys.models import Invitation, Survey
from surveys.ratelimit import rate_limited


def _public(request, template, context, *, language, status=200):
    with translation.override(language):
        context = {"language": language, **context}
        return render(request, template, context, status=status)


def _too_many(request, language="en"):
    return _public(request, "surveys/public/too_many.html", {}, language=language, status=429)


def _invalid(request, language="en"):
    # Unknown and expired links look alike: nobody learns which tokens exist.
    return _public(request, "surveys/public/invalid.html", {}, language=language, status=404)


def _questions(survey: Survey, language: str) -> list[dict]:
    questions = []
    if survey.ask_csat:
        questions.append(
            {
                "name": "csat",
                "text": survey.text("csat", language),
                "scale": scales.CSAT.scores,
                "low": _("Very dissatisfied"),
                "high": _("Very satisfied"),
            }
        )
    if survey.ask_nps:
        questions.append(
            {
                "name": "nps",
                "text": survey.text("nps", language),
                "scale": scales.NPS.scores,
                "low": _("Not at all likely"),
                "high": _("Extremely likely"),
            }
        )
    if survey.ask_ces:
        questions.append(
            {
                "name": "ces",
                "text": survey.text("ces", language),
                "scale": scales.CES.scores,
                "low": _("Very difficult"),
                "high": _("Very easy"),
            }
        )
    return questions


class AnswerView(View):
    """``/s/<token>/``: the survey in the invitation's language; one submit."""

    def dispatch(self, request, *args, **kwargs):
        if rate_limited(request, scope="public-page"):
            return _too_many(request)
        self.invitation = selectors.invitation_by_token(kwargs["token"])
        if self.invitation is None:
            return _invalid(request)
        try:
            services.invitation_usable(self.invitation, now=timezone.now())
        except services.LinkExpired:
            return _invalid(request, self.invitation.language)
        except services.AlreadyAnswered:
            return self._answered(request)
        return super().dispatch(request, *args, **kwargs)

    def _answered(self, request):
        return _public(
            request, "surveys/public/answered.html", {}, language=self.invitation.language
        )

    def _form(self, request, *, errors=None, values=None, status=200):
        inv = self.invitation
        lang = inv.language
        with translation.override(lang):
            context = {
                "invitation": inv,
                "intro": inv.survey.text("intro", lang),
                "questions": [
                    {**q, "selected": (values or {}).get(q["name"], "")}
                    for q in _questions(inv.survey, lang)
                ],
                "comment_text": inv.survey.text("comment", lang) if inv.survey.ask_comment else "",
                "errors": errors or {},
                "values": values or {},
            }
        return _public(request, "surveys/public/answer.html", context, language=lang, status=status)

    def get(self, request, token):
        return self._form(request)

    def post(self, request, token):
        values = {k: request.POST.get(k, "") for k in ("csat", "nps", "ces", "comment")}
        try:
            with translation.override(self.invitation.language), transaction.atomic():
                services.response_submit(invitation=self.invitation, **values)
        except ValidationError as exc:
            with translation.override(self.invitation.language):
                errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            return self._form(request, errors=errors, values=values, status=400)
        except services.AlreadyAnswered:
            return self._answered(request)
        except services.LinkExpired:
            return _invalid(request, self.invitation.language)
        return redirect("surveys:thanks", token=token)


class ThanksView(View):
    def get(self, request, token):
        if rate_limited(request, scope="public-page"):
            return _too_many(request)
        invitation = selectors.invitation_by_token(token)
        if invitation is None:
            return _invalid(request)
        if invitation.status != Invitation.Status.ANSWERED:
            return redirect("surveys:answer", token=token)
        text = invitation.survey.text("thanks", invitation.language)
        return _public(
            request, "surveys/public/thanks.html", {"thanks": text}, language=invitation.language
        )


class KioskView(View):
    """``/kiosk/<key>/``: smileys for CSAT and an optional comment, for the kiosk's channel.

    The page opens in the kiosk's own language. A customer who picks another one carries it in
    ``?lang=`` (links, the form's hidden field, the refusal page's "try again"), never in the
    session: the tablet is shared, so nothing a customer chose outlives the visit. The visit ends
    with the thank-you page, whose return goes to the kiosk's language, or after
    ``IDLE_SECONDS`` without a touch on a page left in another language or half filled.
    """

    IDLE_SECONDS = 60

    def dispatch(self, request, *args, **kwargs):
        chosen = request.GET.get("lang") or request.POST.get("lang") or ""
        self.chosen = chosen if chosen in languages.codes() else ""
        if rate_limited(request, scope="kiosk"):
            return _too_many(request, self.chosen or languages.site_language())
        self.kiosk = selectors.kiosk_by_key(kwargs["key"])
        if self.kiosk is None:
            return _invalid(request, self.chosen or languages.site_language())
        self.language = self.chosen or self.kiosk.language
        return super().dispatch(request, *args, **kwargs)

    def _url(self, language: str = "") -> str:
        url = reverse("surveys:kiosk", kwargs={"key": self.kiosk.key})
        return f"{url}?lang={language}" if language else url

    def _page(self, request, template, status=200, **extra):
        with translation.override(self.language):
            # One face per CSAT score, from the lowest.
            faces = [
                (score, face, label)
                for score, (face, label) in zip(
                    scales.CSAT.scores,
                    [
                        ("😠", _("Very bad")),
                        ("😞", _("Bad")),
                        ("😐", _("OK")),
                        ("😊", _("Good")),
                        ("😄", _("Excellent")),
                    ],
                    strict=True,
                )
            ]
            context = {
                "kiosk": self.kiosk,
                # The next customer starts in the kiosk's language; this one may retry in theirs.
                "home": self._url(),
                "retry": self._url(self.chosen),
                "idle_seconds": self.IDLE_SECONDS,
                "faces": faces,
                # Each language in its own name, so a customer finds theirs.
                "languages": [(code, self._url(code), name) for code, name in language_choices()],
                **extra,
            }
        return _public(request, template, context, language=self.language, status=status)

    def get(self, request, key):
        return self._page(request, "surveys/public/kiosk.html")

    def post(self, request, key):
        try:
            with translation.override(self.language):
                services.kiosk_submit(
                    kiosk=self.kiosk,
                    csat=request.POST.get("csat"),
                    comment=request.POST.get("comment", ""),
                    language=self.language,
                )
        except ValidationError as exc:
            with translation.override(self.language):
                errors = [str(m) for msgs in exc.message_dict.values() for m in msgs]
            return self._page(request, "surveys/public/kiosk.html", status=400, errors=errors)
        except services.KioskBusy:
            return self._page(request, "surveys/public/kiosk_refused.html", status=429, busy=True)
        except services.KioskFull:
            return self._page(request, "surveys/public/kiosk_refused.html", status=429, full=True)
        return self._page(request, "surveys/public/kiosk_thanks.html")
