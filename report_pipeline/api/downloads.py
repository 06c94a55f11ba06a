"""Short-lived download links for report PDFs.

S3: a presigned GET URL valid for `ttl` seconds. The local object store has no
URL a browser could use (the file sits on the API's disk); there the link is
None and `report_uri` names the file.
"""

from __future__ import annotations

from report_pipeline.storage.object_store import ObjectStore, S3ObjectStore


def download_url(store: ObjectStore | None, key: str | None, ttl_seconds: int) -> str | None:
    if store is None or not key or not isinstance(store, S3ObjectStore):
        return None
    try:
        return store.client.generate_presigned_url(
            "get_object", Params={"Bucket": store.bucket, "Key": store._key(key)},
            ExpiresIn=ttl_seconds,
        )
    except Exception:  # noqa: BLE001 - a missing link must not fail the listing
        return None
