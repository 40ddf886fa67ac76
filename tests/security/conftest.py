from tests.documents.conftest import seed  # noqa: F401
