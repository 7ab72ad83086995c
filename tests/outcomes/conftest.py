import pytest

from tests.outcomes.metric_engines import ENGINES


@pytest.fixture(params=list(ENGINES))
def engine(request, db):
    """The metrics computed by the reference and by the implementation: each hand-computed test runs twice."""
    return ENGINES[request.param]
