"""Celery settings for `celery -A dagster_celery.app worker` (imported by name from PYTHONPATH).

dagster-celery's app loads a module called `dagster_celery_config` when one is
importable. Reading the broker from the environment here keeps a Redis
password out of files (``dagster-celery worker start -y`` writes the resolved
URL into DAGSTER_HOME instead). It must name the same broker as the job's
executor: both read REPORT_PIPELINE_CELERY_BROKER.
"""

import os

broker_url = os.environ["REPORT_PIPELINE_CELERY_BROKER"]
result_backend = os.environ.get("REPORT_PIPELINE_CELERY_BACKEND") or broker_url
# One task at a time per slot: an OCR batch is long, and a prefetched task would wait
# behind it while another worker idles.
worker_prefetch_multiplier = 1
# A batch that outlives the Redis visibility timeout would be delivered twice.
broker_transport_options = {"visibility_timeout": 6 * 3600}
