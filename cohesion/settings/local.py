"""Settings for running the demo on a laptop: debug on, SQLite, console email."""

import warnings

from .base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
