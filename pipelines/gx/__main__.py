"""``python -m pipelines.gx``: rewrite the committed GX context from the data contract."""

from pipelines.gx.suites import sync_context

for path in sync_context():
    print(f"skrev {path}")
