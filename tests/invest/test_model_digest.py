"""The invest store's run id follows the model's code, not the git commit (issue 18 follow-up)."""

from pathlib import Path

from silkway.services.invest import MODEL_PACKAGES, model_code_digest


def _tree(root: Path) -> None:
    for pkg in MODEL_PACKAGES:
        (root / pkg).mkdir(parents=True)
        (root / pkg / "core.py").write_text(f"X = '{pkg}'\n")
    (root / "web").mkdir()
    (root / "web" / "app.py").write_text("APP = 1\n")
    (root / "cli").mkdir()
    (root / "cli" / "main.py").write_text("CLI = 1\n")


def test_digest_changes_with_model_code_only(tmp_path: Path) -> None:
    _tree(tmp_path)
    before = model_code_digest(tmp_path)
    assert before == model_code_digest(tmp_path)
    (tmp_path / "web" / "app.py").write_text("APP = 2\n")
    (tmp_path / "cli" / "main.py").write_text("CLI = 2\n")
    (tmp_path / "README.md").write_text("docs\n")
    assert model_code_digest(tmp_path) == before
    (tmp_path / "simulation" / "core.py").write_text("X = 'edited'\n")
    edited = model_code_digest(tmp_path)
    assert edited != before
    (tmp_path / "simulation" / "core.py").write_text("X = 'simulation'\n")
    (tmp_path / "routing" / "extra.py").write_text("Y = 1\n")  # a new model file counts too
    assert model_code_digest(tmp_path) not in (before, edited)


def test_digest_of_the_installed_package_is_stable() -> None:
    assert model_code_digest() == model_code_digest()
    assert model_code_digest().startswith("silkway ")
