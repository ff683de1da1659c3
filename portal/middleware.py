"""Request guards that apply to every page and endpoint alike."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext

from core.parse import all_storable


class RejectUnstorableQueryMiddleware:
    """A query string may spell a NUL character (``%00``), which PostgreSQL refuses in any
    string: every filter that passed it on would answer 500. No real link carries one, so the
    request is refused here, once, instead of in each list and report."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not all_storable(request.GET):
            message = gettext("The address contains a NUL character; remove it.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
