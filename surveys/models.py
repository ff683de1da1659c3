"""Surveys, their invitations (an outbox), responses, office kiosks and low-score follow-ups."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from core import languages
from core.basemodels import TimeStampedModel
from surveys import scales

# The wording a survey may override per language; the defaults are translatable strings.
TEXT_KEYS = ("intro", "csat", "nps", "ces", "comment", "thanks")
DEFAULT_TEXTS = {
    "intro": _("Thank you for contacting us. How did we do?"),
    "csat": _("How satisfied are you with the service you received?"),
    "nps": _("How likely are you to recommend us to a friend or colleague?"),
    "ces": _("How easy was it to get your issue resolved?"),
    "comment": _("Anything you would like to tell us?"),
    "thanks": _("Thank you for your feedback!"),
}


def new_nonce() -> str:
    """32 random bytes, hex: the per-invitation secret the link's HMAC is computed over."""
    return secrets.token_hex(32)


def new_kiosk_key() -> str:
    return secrets.token_urlsafe(24)


def default_kiosk_language() -> str:
    """The site's language when the kiosk offers it, else English (read at creation time)."""
    return languages.site_language()


class Survey(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    channels = models.ManyToManyField(
        Channel, related_name="surveys", blank=True, verbose_name=_("channels")
    )
    ask_csat = models.BooleanField(_("ask CSAT (1–5)"), default=True)
    ask_nps = models.BooleanField(_("ask NPS (0–10)"), default=True)
    ask_ces = models.BooleanField(_("ask CES (1–7)"), default=False)
    ask_comment = models.BooleanField(_("ask for a comment"), default=True)
    # {"pl": {"csat": "..."}}: overrides of DEFAULT_TEXTS; empty means the default wording.
    texts = models.JSONField(_("wording per language"), default=dict, blank=True)
    send_delay_minutes = models.PositiveIntegerField(
        _("send delay (minutes after resolution)"), default=60
    )
    link_lifetime_days = models.PositiveSmallIntegerField(_("link lifetime (days)"), default=28)
    throttle_days = models.PositiveSmallIntegerField(
        _("throttle (days)"),
        default=30,
        help_text=_("A customer invited within this many days (any channel) is not asked again."),
    )
    follow_up_business_hours = models.PositiveSmallIntegerField(
        _("follow-up deadline (business hours)"), default=24
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(link_lifetime_days__gte=1), name="surveys_survey_lifetime_positive"
            ),
            models.CheckConstraint(
                condition=Q(ask_csat=True)
                | Q(ask_nps=True)
                | Q(ask_ces=True)
                | Q(ask_comment=True),
                name="surveys_survey_asks_something",
                violation_error_message=_("A survey must ask at least one question."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # The lifetime constraint's rule with a message for the field, for the page and the API
        # alike (both save through services.survey_save, which runs full_clean).
        super().clean()
        if self.link_lifetime_days is not None and self.link_lifetime_days < 1:
            raise ValidationError({"link_lifetime_days": _("At least one day.")})

    def text(self, key: str, language: str) -> str:
        """The wording of ``key`` in ``language``: the override, else the default translated."""
        from django.utils import translation

        override = (self.texts or {}).get(language, {}).get(key, "")
        if override:
            return override
        with translation.override(language):
            return str(DEFAULT_TEXTS[key])


class InvitationQuerySet(models.QuerySet):
    def expirable(self, now):
        return self.filter(
            status__in=[
                Invitation.Status.PENDING,
                Invitation.Status.SENT,
                Invitation.Status.FAILED,
            ],
            expires_at__lte=now,
        )


class Invitation(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        EXPIRED = "expired", _("Expired")
        SUPPRESSED = "suppressed", _("Suppressed")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        THROTTLED = "throttled", _("Invited recently")
        NO_EMAIL = "no_email", _("No email address")
        SURVEY_INACTIVE = "survey_inactive", _("Survey inactive")

    contact = models.ForeignKey(
        "sla.Contact",
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        verbose_name=_("contact"),
    )
    # PROTECT: deleting a survey must never delete the answers collected with it.
    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("survey")
    )
    # Attribution, frozen when the contact was resolved.
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="+", verbose_name=_("channel")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    suppression_reason = models.CharField(
        _("suppression reason"), max_length=20, choices=Reason.choices, blank=True
    )
    nonce = models.CharField(_("nonce"), max_length=64, default=new_nonce, editable=False)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "survey"], name="surveys_invitation_once_per_contact"
            ),
            models.CheckConstraint(
                condition=Q(status="suppressed") ^ Q(suppression_reason=""),
                name="surveys_invitation_reason_iff_suppressed",
            ),
        ]
        indexes = [
            # The sender's query: pending rows whose time has come.
            models.Index(
                fields=["scheduled_for"],
                condition=Q(status="pending"),
                name="surveys_inv_due_idx",
            ),
            models.Index(
                fields=["expires_at"],
                condition=Q(status__in=["pending", "sent", "failed"]),
                name="surveys_inv_expirable_idx",
            ),
            # The throttle: was this address invited lately?
            models.Index(fields=["email", "created_at"], name="surveys_inv_email_idx"),
            models.Index(fields=["sent_at"], name="surveys_inv_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.email or '—'}"

    @property
    def token(self) -> str:
        from surveys.tokens import invitation_token

        return invitation_token(self)

    @property
    def url(self) -> str:
        from surveys.tokens import invitation_url

        return invitation_url(self)


class Kiosk(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="kiosks", verbose_name=_("channel")
    )
    key = models.CharField(_("key"), max_length=64, unique=True, default=new_kiosk_key)
    is_active = models.BooleanField(_("active"), default=True)
    min_interval_seconds = models.PositiveSmallIntegerField(
        _("minimum seconds between answers"), default=10
    )
    last_response_at = models.DateTimeField(_("last answer at"), null=True, blank=True)
    # The language the kiosk opens in and returns to for each new customer.
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default=default_kiosk_language
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")

    def __str__(self) -> str:
        return self.name


class ResponseQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("channel", "agent", "kiosk", "invitation__contact")


class Response(models.Model):
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("invitation"),
    )
    kiosk = models.ForeignKey(
        Kiosk,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("kiosk"),
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="+", verbose_name=_("channel")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("agent"),
    )
    csat = models.PositiveSmallIntegerField(_("CSAT"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("NPS"), null=True, blank=True)
    ces = models.PositiveSmallIntegerField(_("CES"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="en"
    )
    created_at = models.DateTimeField(_("answered at"), db_index=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(
                condition=scales.CSAT.stored_range(),
                name="surveys_response_csat_range",
            ),
            models.CheckConstraint(
                condition=scales.NPS.stored_range(),
                name="surveys_response_nps_range",
            ),
            models.CheckConstraint(
                condition=scales.CES.stored_range(),
                name="surveys_response_ces_range",
            ),
            models.CheckConstraint(
                condition=Q(csat__isnull=False)
                | Q(nps__isnull=False)
                | Q(ces__isnull=False)
                | ~Q(comment=""),
                name="surveys_response_not_empty",
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "created_at"], name="surveys_resp_agent_idx"),
            models.Index(fields=["channel", "created_at"], name="surveys_resp_channel_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.created_at:%Y-%m-%d}"


class FollowUpQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class FollowUp(TimeStampedModel):
    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="follow_up", verbose_name=_("response")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_follow_ups",
        verbose_name=_("owner"),
    )
    due_at = models.DateTimeField(_("due at"))
    outcome = models.TextField(_("outcome"), blank=True, max_length=4000)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["closed_at", "due_at"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(closed_at__isnull=True), name="surveys_fu_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response} ({self.due_at:%Y-%m-%d})"
