"""Vietnamese unless the user chose English: the browser's Accept-Language is not followed, since
many office computers and phones in Vietnam run an English system. No control character in what a
form or an address sends. A Content-Security-Policy on every page, and no response for a search
engine's index."""

from django.conf import settings
from django.utils import translation

from tinnhiem.text import CONTROLS, without_controls


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ControlCharactersMiddleware:
    """Every value a page sends (form fields, the address's query) without control characters but
    tabs and line endings, before any view reads it. A NUL pasted into a reason reached a text
    column, which PostgreSQL refuses (a server error), and the audit log's JSON; the models and
    forms clean their own texts too (tinnhiem.text), but a view may read a field as sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":  # the fields; files are read as they are (their names cleaned where kept)
            request.POST = _cleaned(request.POST)
        if request.GET:
            request.GET = _cleaned(request.GET)
        return self.get_response(request)


def _cleaned(query):
    if not any(CONTROLS.search(v) for values in query.lists() for v in values[1] if isinstance(v, str)):
        return query
    copy = query.copy()
    for key, values in query.lists():
        copy.setlist(key, [without_controls(v) if isinstance(v, str) else v for v in values])
    copy._mutable = False
    return copy


# Everything a page uses comes from this server (the hall may have no internet, and nothing calls
# out); scripts only from its own files, never inline, so that text a voter or anyone typed cannot
# run as a script even if it ever reached a page unescaped. Styles may be inline (style="…").
# Only on HTML: a PDF opened in the browser is shown by its viewer, which such a policy can block.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        # a server reachable from the internet: nothing of it in a search engine (a personal link
        # posted where a crawler reads it, a dossier's PDF), as robots.txt also says
        response.headers.setdefault("X-Robots-Tag", "noindex, nofollow, noarchive")
        return response
