"""The documents cannot drift from the code: the README's first lines, the drawn process,
the settings and the metrics the deployment guide names."""

import re
from pathlib import Path

from eventsourcing.domain import Aggregate

from demo.load import PASSWORD
from domain.appraisal import Appraisal
from service.api.metrics import Metrics
from service.settings import Settings
from workflows.diagram import mermaid

ROOT = Path(__file__).resolve().parents[2]


def _mermaid_blocks(text: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def _lines(text: str) -> list[str]:
    # Trailing blanks are not content: an editor that trims them does not make the doc drift.
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def test_the_readme_begins_with_the_two_commands_that_set_everything_up():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme.split("\n\n", 1)[0]
    assert first == "```sh\nmake run\nmake test\n```"


def test_the_state_diagram_in_the_architecture_doc_is_the_one_the_machine_draws():
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    blocks = _mermaid_blocks(architecture)
    assert len(blocks) == 1, "docs/ARCHITECTURE.md needs exactly one mermaid block"
    assert _lines(blocks[0]) == _lines(mermaid()), (
        "the diagram drifted: paste the output of `appraisal diagram` into docs/ARCHITECTURE.md")


def test_the_architecture_doc_names_every_appraisal_event():
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    events = [name for name, value in vars(Appraisal).items()  # its own, not the base classes
              if isinstance(value, type) and issubclass(value, Appraisal.Event)
              and name not in vars(Aggregate)]
    assert "Opened" in events
    assert [name for name in events if f"`{name}`" not in architecture] == []


def test_the_readme_gives_the_password_the_demo_sets():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`{PASSWORD}`" in readme
    assert f"password={PASSWORD}" in readme  # the walkthrough signs in with it


def test_the_deployment_guide_and_the_readme_name_every_setting():
    deploy = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [f"APPRAISAL_{field.upper()}" for field in Settings.model_fields]
    assert [name for name in names if name not in deploy] == []
    assert [name for name in names if name not in readme] == []


def test_the_metrics_the_deployment_guide_names_are_the_ones_served():
    deploy = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    served = {family.name for family in Metrics().registry.collect()}
    named = {re.sub(r"_(total|bucket)$", "", name)
             for name in re.findall(r"(?<![\w-])appraisal_[a-z_]+(?=[{`])", deploy)}
    assert named and named <= served, named - served


def test_no_request_handler_catches_up_the_read_models() -> None:
    # Issue 15: the projection worker keeps them; a request waits for it (Runtime.ready).
    root = Path(__file__).parents[2] / "service"
    catching = [str(path.relative_to(root)) for path in root.rglob("*.py")
                if "catch_up(" in path.read_text()
                and path.name not in ("runtime.py", "read_models.py")]  # commands', a rebuild's
    assert catching == []
