"""The managers' page of outgoing messages: what is waiting, retrying or failed, and why.

It lives with the outbox it shows (``core.outbox``) and needs nothing but the kernel's roles,
so no app and not the composition root has to know about it.
"""

from __future__ import annotations

import contextlib

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from core import outbox, parse
from core.permissions import ManagerRequiredMixin

STATE_LABELS = {
    "attention": _("Needs attention"),
    "retrying": _("Retrying"),
    "failed": _("Failed"),
    "pending": _("Waiting"),
    "sent": _("Sent"),
    "cancelled": _("Cancelled"),
}


class MessageListView(ManagerRequiredMixin, TemplateView):
    template_name = "core/messages.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        state = params.get("state", "attention")
        state = state if state in STATE_LABELS or state == "all" else "attention"
        kinds = outbox.kinds()
        kind_name = params.get("kind", "")
        kind_name = kind_name if kind_name in kinds else ""
        search = params.get("q", "").strip()[:100]
        rows = outbox.message_list(
            state="" if state == "all" else state, kind_name=kind_name, search=search
        )
        page = Paginator(rows, 50).get_page(params.get("page"))
        labels = {name: spec.label for name, spec in kinds.items()}
        for row in page.object_list:
            row.kind_label = labels.get(row.kind, row.kind)
        return super().get_context_data(
            page_obj=page,
            state=state,
            states=[*STATE_LABELS.items(), ("all", _("All"))],
            kind=kind_name,
            kinds=sorted(labels.items(), key=lambda item: str(item[1])),
            q=search,
            counts=outbox.attention_counts(),
            **kwargs,
        )

    def post(self, request):
        if request.POST.get("all_failed"):
            count = outbox.messages_resend()
        else:
            ids = []
            for value in request.POST.getlist("ids"):
                with contextlib.suppress(parse.OutsideValueError):
                    ids.append(parse.parse_id(value))
            count = outbox.messages_resend(ids=ids) if ids else 0
        if count:
            flash.success(
                request,
                ngettext(
                    "%(count)d message will be sent again.",
                    "%(count)d messages will be sent again.",
                    count,
                )
                % {"count": count},
            )
        else:
            flash.info(request, _("Nothing to send again: choose failed or retrying messages."))
        return redirect(request.get_full_path())
