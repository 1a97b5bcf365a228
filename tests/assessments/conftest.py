import pytest

from tests.assessments.factories import make_assessment


@pytest.fixture
def assessment_factory():
    return make_assessment
