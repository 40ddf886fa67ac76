from tests.documents.conftest import seed  # noqa: F401  (the finished demo conference)
from tests.scanning.conftest import make_scan, scan_vote  # noqa: F401  (a vote counted by scanning)
