"""Rule plugins shipped with xieshang; each is registered through the ``xieshang.rules``
entry point like any other county's plugin."""
