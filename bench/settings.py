"""The product's settings with one more endpoint, the floor: see ``bench.urls``."""

from grassroots.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
