"""The formats Django's own locale data leave out (``FORMAT_MODULE_PATH``); everything else is Django's."""
