"""schemathesis hooks for server/tests/openapi.rs.

The contract allows a lead at most MAX_TAGS tags *after* duplicates
(compared by Unicode lowercase) are dropped, which JSON Schema cannot say:
the published schema says `maxItems`, which is exact for every list
without duplicates. A generated list longer than that with duplicates in
it is one the schema calls invalid but the server rightly accepts, so such
bodies are left out here; leads-core's own tests check that rule
(`tags_limit_counts_after_dropping_duplicates`).
"""

import os
import re
import uuid

import schemathesis

MAX_TAGS = int(os.environ["LEADS_MAX_TAGS"])
VALID_KEY = re.compile(r"[!-~]{1,255}")


def _folded(tag):
    return tag.lower() if isinstance(tag, str) else repr(tag)


@schemathesis.hook
def filter_body(context, body):
    tags = body.get("tags") if isinstance(body, dict) else None
    if not isinstance(tags, list) or len(tags) <= MAX_TAGS:
        return True
    return len({_folded(tag) for tag in tags}) == len(tags)


@schemathesis.hook
def map_headers(context, headers):
    """A generated `Idempotency-Key` is often the same short text for
    different bodies, which the contract rightly answers `409`; each request
    gets a key of its own, so every valid create can be accepted; invalid
    keys stay as generated, for the `400`. The server tests check repeats
    and conflicts."""
    key = (headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.fullmatch(key):
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers
