from tests.documents.conftest import seed  # noqa: F401  (fixtures shared with other suites)
from tests.web.test_permission_walk import world  # noqa: F401
