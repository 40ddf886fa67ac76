"""Django settings for tinnhiem. Everything that differs per site comes from the environment.

TINNHIEM_DATA_DIR   folder for the SQLite database, uploads and the generated secret (default ./var)
DATABASE_URL        e.g. postgres://user:pass@host:5432/db; SQLite in the data folder otherwise
TINNHIEM_SECRET_KEY the secret key; for demo/development one is generated into the data folder
TINNHIEM_DEBUG      1 to enable debug (never in a hall)
TINNHIEM_ALLOWED_HOSTS comma-separated host names
TINNHIEM_FILES_ONLY set by the command line for ``help``, ``verify`` and ``summary --records``,
                    which read nothing but the files they are given: no data folder is made (run in
                    a folder of received archives, they leave nothing there) and the secret key is
                    a throwaway one, which nothing they do uses
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("TINNHIEM_DATA_DIR", Path.cwd() / "var")).resolve()
FILES_ONLY = os.environ.get("TINNHIEM_FILES_ONLY") == "1"
SECRET_KEY_FILE = DATA_DIR / "secret_key"  # made on first start; backed up with the signing key


def _secret_key() -> str:
    key = os.environ.get("TINNHIEM_SECRET_KEY")
    if key:
        return key
    if FILES_ONLY:
        return secrets.token_urlsafe(50)
    path = SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="ascii")
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("TINNHIEM_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("TINNHIEM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]

INSTALLED_APPS = [
    "tinnhiem.accounts",  # first: its createsuperuser and changepassword (audited) replace Django's
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "tinnhiem.site",
    "tinnhiem.audit",
    "tinnhiem.conferences",
    "tinnhiem.voting",
    "tinnhiem.documents",
    "tinnhiem.scanning",
]


MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tinnhiem.site.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # before anything reads a request's body (the next one; the CSRF check's, in its process_view,
    # runs after every middleware's own step): none of these above reads it, and the limit of the
    # pages that take documents is for a signed-in account or a valid link only
    "tinnhiem.site.limits.RequestSizeLimitMiddleware",
    "tinnhiem.site.middleware.ControlCharactersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tinnhiem.site.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "tinnhiem.site.urls"
WSGI_APPLICATION = "tinnhiem.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
            "builtins": ["tinnhiem.site.templatetags.legal"],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        import dj_database_url

        return dj_database_url.parse(url, conn_max_age=60)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "tinnhiem.sqlite3",
        "CONN_MAX_AGE": 600,  # one connection per server thread, not one per request (and its PRAGMAs)
        # Concurrent writers (phones voting at once) need IMMEDIATE transactions and a busy timeout;
        # synchronous=FULL so that an acknowledged ballot survives a power cut; secure_delete so that a
        # deleted row's bytes are overwritten, not left in its page (tinnhiem/traces.py).
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["tinnhiem.site.formats"]  # Vietnamese thousands grouping
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
if not FILES_ONLY:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve the package's static files without a collectstatic step
MEDIA_ROOT = DATA_DIR / "media"  # uploaded dossiers; never served directly, only through permission checks

AUTH_PASSWORD_VALIDATORS = [  # every password set through tinnhiem: command, administration pages, own page
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "conferences:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Uploads: dossiers are PDFs of a few MB; rosters are small spreadsheets.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
TINNHIEM_MAX_DOSSIER_BYTES = int(os.environ.get("TINNHIEM_MAX_DOSSIER_BYTES", 20 * 1024 * 1024))
TINNHIEM_MAX_REQUEST_BYTES = int(os.environ.get("TINNHIEM_MAX_REQUEST_BYTES", 25 * 1024 * 1024))
# A document sent as the photos of its pages, a page each (up to 20): about 2–6 MB a photo.
TINNHIEM_MAX_DOCUMENT_REQUEST_BYTES = int(os.environ.get("TINNHIEM_MAX_DOCUMENT_REQUEST_BYTES", 100 * 1024 * 1024))
TINNHIEM_MAX_SCAN_BYTES = int(os.environ.get("TINNHIEM_MAX_SCAN_BYTES", 100 * 1000 * 1000))
TINNHIEM_MAX_ROSTER_BYTES = int(os.environ.get("TINNHIEM_MAX_ROSTER_BYTES", 5 * 1024 * 1024))
# The managing authority checks the records of all its units at once (a record is 0.1–a few MB).
TINNHIEM_MAX_RECORDS_BYTES = int(os.environ.get("TINNHIEM_MAX_RECORDS_BYTES", 200 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FILES = 1000  # Django's default, 100, is fewer than a province's communes
# The address voters' phones use to reach this server (printed in invitation QR codes).
TINNHIEM_PUBLIC_URL = os.environ.get("TINNHIEM_PUBLIC_URL", "").rstrip("/")

# Behind nginx (or another proxy) that terminates HTTPS and sets X-Forwarded-Proto and X-Real-IP:
# trust those headers, and send the session and CSRF cookies over HTTPS only. Never set it without
# such a proxy. The client's address is what the limits on guessing count by (every request comes
# from the proxy's own address, 127.0.0.1); without the proxy a client could send the header.
TINNHIEM_CLIENT_ADDRESS_HEADER = ""
if os.environ.get("TINNHIEM_BEHIND_TLS_PROXY", "") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    TINNHIEM_CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "tinnhiem.site.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {"without_traceback": {"()": "tinnhiem.site.errors.WithoutTraceback"}},
    # No access log of URLs: invitation links carry a personal token.
    # django.request would log every 404 with its path, which may hold a personal link: errors only.
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security.csrf": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security.DisallowedHost": {
            "handlers": ["console"],
            "level": "ERROR",
            "filters": ["without_traceback"],
            "propagate": False,
        },
        "waitress.queue": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "tinnhiem": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
