"""Settings, read from the environment. README.md lists every variable that matters."""

from pathlib import Path

from gonghui.lib.env import database_from_url, env_bool, env_int, env_list, env_str, secret_from_file

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
# Everything a running instance writes (SQLite database, key ring, job results, uploads) lives
# here, outside the code and outside the web root.
INSTANCE_DIR = Path(env_str("GONGHUI_INSTANCE_DIR", str(BASE_DIR / "instance"))).resolve()
FILES_DIR = INSTANCE_DIR / "files"

DEBUG = env_bool("GONGHUI_DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or secret_from_file(INSTANCE_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the form renderer reads the project templates (TemplatesSetting)
    "django_htmx",
    "treebeard",
    "ninja",  # serves the OpenAPI docs UI from local static files
    "django_tasks",
    "django_tasks_db",
    "gonghui.core",
    "gonghui.membership",
    "gonghui.rights",
    "gonghui.capability",  # on top of the lines: reads their indicators
    "gonghui.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gonghui.core.middleware.CurrentUnitMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.core.context_processors.shell",
            ],
        },
    }
]
FORM_RENDERER = "gonghui.lib.forms.FormRenderer"

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; DATABASE_URL=postgresql://… for production.
if env_str("DATABASE_URL"):
    DATABASES = {"default": database_from_url(env_str("DATABASE_URL"))}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": INSTANCE_DIR / "gonghui.sqlite3"}}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writing transaction takes the write lock when it starts, so two writers
        # queue on busy_timeout instead of failing with "database is locked" half way through.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # CI gives each run its own test database so parallel runs never share one.
    DATABASES["default"]["TEST"] = {"NAME": env_str("GONGHUI_TEST_DB", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, login throttling); shared by every process --------------------------
REDIS_URL = env_str("REDIS_URL")
if env_str("GONGHUI_CACHE") == "redis":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gonghui_cache"}}

# --- Background jobs --------------------------------------------------------------------------
# "db" needs no extra server (worker: `gonghui worker`); "rq" puts the same tasks on Redis.
TASK_BACKEND_NAME = env_str("GONGHUI_TASKS", "db")
if TASK_BACKEND_NAME == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}
    INSTALLED_APPS += ["django_rq"]
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job that has not reported progress for this long is taken to have lost its worker.
GONGHUI_JOB_STALE_SECONDS = env_int("GONGHUI_JOB_STALE_SECONDS", 300)
# A membership transfer not answered within this many days counts as accepted.
GONGHUI_TRANSFER_AUTO_ACCEPT_DAYS = env_int("GONGHUI_TRANSFER_AUTO_ACCEPT_DAYS", 15)
# A join application waiting longer than this shows as overdue in the cadres' to-do list.
GONGHUI_APPLICATION_ANSWER_DAYS = env_int("GONGHUI_APPLICATION_ANSWER_DAYS", 15)
# The address workers' phones reach (join links and QR codes) when it differs from the one staff
# use, e.g. an intranet deployment published through a gateway; default: the request's own host.
GONGHUI_PUBLIC_URL = env_str("GONGHUI_PUBLIC_URL", "").rstrip("/")
# Largest spreadsheet or CSV file accepted for import through the web (the CLI sets its own).
GONGHUI_IMPORT_MAX_MB = env_int("GONGHUI_IMPORT_MAX_MB", 50)
# Rights cases: a case must be accepted (or declined) within this many working days of registration
# (China's official calendar, 调休 included) and closed within this many calendar days of acceptance.
GONGHUI_CASE_ACCEPT_WORKDAYS = env_int("GONGHUI_CASE_ACCEPT_WORKDAYS", 2)
GONGHUI_CASE_CLOSE_DAYS = env_int("GONGHUI_CASE_CLOSE_DAYS", 30)
# Largest attachment (case evidence, hardship documents) accepted through the web.
GONGHUI_RIGHTS_UPLOAD_MAX_MB = env_int("GONGHUI_RIGHTS_UPLOAD_MAX_MB", 20)

# --- Accounts and sessions ----------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["gonghui.core.auth.UsernameOrPhoneBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions live in the database (logout ends them on the server) and expire when idle: every
# request pushes the expiry forward, so only inactivity ends a session.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("GONGHUI_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
GONGHUI_LOGIN_MAX_FAILURES = env_int("GONGHUI_LOGIN_MAX_FAILURES", 5)
GONGHUI_LOGIN_LOCK_MINUTES = env_int("GONGHUI_LOGIN_LOCK_MINUTES", 15)
GONGHUI_LOGIN_MAX_FAILURES_PER_IP = env_int("GONGHUI_LOGIN_MAX_FAILURES_PER_IP", 50)
# Behind a reverse proxy, trust its X-Forwarded-For for the client IP in the audit log.
GONGHUI_TRUST_X_FORWARDED_FOR = env_bool("GONGHUI_TRUST_X_FORWARDED_FOR", False)

# --- Personal data ------------------------------------------------------------------------------
# The key ring never lives in the database: GONGHUI_KEYRING (the JSON itself, e.g. from a secret
# store), or GONGHUI_KEYRING_FILE, or instance/keyring.json generated on first run.
GONGHUI_KEYRING = env_str("GONGHUI_KEYRING")
GONGHUI_KEYRING_FILE = Path(env_str("GONGHUI_KEYRING_FILE", str(INSTANCE_DIR / "keyring.json")))

# --- HTTPS deployment (`GONGHUI_HTTPS=1`; `manage.py check --deploy` passes with it) ----------
if env_bool("GONGHUI_HTTPS", False):
    SECURE_SSL_REDIRECT = env_bool("GONGHUI_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("GONGHUI_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Language, time, formats --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static and private files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = INSTANCE_DIR / "static"  # for `collectstatic` in production; WhiteNoise serves it
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # serve straight from the package; `collectstatic` is optional
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Nothing personal is logged: requests are logged by path only (no personal data ever goes into a
# URL), and the audit log, not the application log, records who did what.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("GONGHUI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
