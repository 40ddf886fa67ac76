from tests.documents.conftest import seed  # noqa: F401  (the finished demo conference)
