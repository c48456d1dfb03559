"""Where the site is published, for absolute addresses in citations and feeds.

One setting: the environment variable EVIDENCE_SITE_URL (mkdocs.yml's `site_url` reads the same
variable). Unset, the archive's links stay relative to the site, which works on any host.
"""

from __future__ import annotations

import os

ENV = "EVIDENCE_SITE_URL"


def site_url() -> str:
    """The site's public address with a trailing slash, or '' when none is set."""
    url = os.environ.get(ENV, "").strip()
    return url.rstrip("/") + "/" if url else ""
