"""Step outputs in the object store, so steps on different machines can hand them over.

Dagster's default IO manager pickles outputs under the instance's local
storage directory: fine while every step runs on one machine, invisible to a
Celery or Kubernetes worker elsewhere. This one writes through the same
`ObjectStore` the pipeline uses, so on S3 every write carries server-side
encryption (dagster-aws' pickle IO manager uploads without it, and batch
outputs hold OCR text of clinical documents).

Asset outputs are keyed by asset and week (the email run loads
`weekly_report` materialized by an earlier run); op outputs inside the
feature graph by run, step and mapping key.
"""

from __future__ import annotations

import pickle
from typing import Any

from dagster import ConfigurableIOManager, InputContext, OutputContext

from report_pipeline.resources.configurable import ObjectStoreResource

PICKLE_CONTENT_TYPE = "application/x-python-pickle"


class ObjectStoreIOManager(ObjectStoreResource, ConfigurableIOManager):
    """The object store's own settings, as an IO manager.

    It inherits them rather than nesting an `ObjectStoreResource`: a nested
    resource makes a context-manager resource, which `open_services` (CLI, API)
    cannot initialize.
    """

    key_prefix: str = "dagster-io"

    def _key(self, context: InputContext | OutputContext) -> str:
        if context.has_asset_key:
            parts = ["assets", *context.get_asset_identifier()]
        else:
            parts = ["steps", *context.get_identifier()]
        return "/".join([self.key_prefix, *parts])

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        self.open().put(
            self._key(context),
            pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL),
            PICKLE_CONTENT_TYPE,
        )

    def load_input(self, context: InputContext) -> Any:
        # Only our own steps' outputs are read back: pickle is safe here because
        # nothing else writes under the key prefix.
        return pickle.loads(self.open().get(self._key(context)))
