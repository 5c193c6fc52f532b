"""schema.org JSON-LD for ``<script type="application/ld+json">`` blocks.

Django's ``json_script`` filter wraps its output in its own ``<script>`` element of type
application/json, so it cannot produce an ld+json block; this does the same escaping."""

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe


def to_json_ld(data: dict[str, Any]) -> SafeString:
    """JSON safe to embed in a script element: ``<`` is escaped, so no ``</script>`` can end it."""
    return mark_safe(json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"))  # noqa: S308
