import pytest

from maillage.settings import secret_key

pytestmark = pytest.mark.sqlite


def test_secret_key_is_generated_once_then_reused(tmp_path):
    first = secret_key(tmp_path)
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only
    assert secret_key(tmp_path) == first


def test_secret_key_from_the_environment_wins(tmp_path):
    assert secret_key(tmp_path, "from-the-environment") == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
