"""The portal's production settings plus the benchmark's URLconf (with its ceiling and least-post views).

Rate limiting is off: the registration benchmark posts 500 times from one address.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
RATELIMIT_ENABLED = False
