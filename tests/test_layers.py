"""Layering: the library knows nothing of claims or figures; claims and figures never import each other.

Also: no module outside the command-line entry points selects a matplotlib
backend, and the code cites the paper's numbering, not notes a user cannot open.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_packages(source: str, package: str) -> set[str]:
    """Top-level package names ``source`` imports; a relative import counts as ``package``."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            out.add(package if node.level else (node.module or "").split(".")[0])
    return out


def _files(package: str):
    return sorted((ROOT / package).rglob("*.py"))


def test_the_import_walker_sees_crossings():
    src = "import numpy as np\nfrom paper_figs import FIGURES\ndef f():\n    import verification.harness\n"
    assert imported_packages(src, "x") >= {"numpy", "paper_figs", "verification"}
    assert imported_packages("from . import zs_avg\n", "verification") == {"verification"}


@pytest.mark.parametrize("package, forbidden", [
    ("verification", {"paper_figs", "benchmarks"}),
    ("paper_figs", {"verification", "benchmarks"}),
    ("sptheory", {"verification", "paper_figs", "benchmarks"}),
])
def test_no_import_across_layers(package, forbidden):
    files = _files(package)
    assert files
    bad = {str(f.relative_to(ROOT)): sorted(imported_packages(f.read_text(), package) & forbidden) for f in files}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, f"{package} imports across layers: {bad}"


def test_only_the_command_lines_select_a_matplotlib_backend():
    offenders = [str(f.relative_to(ROOT)) for pkg in ("sptheory", "verification", "paper_figs")
                 for f in _files(pkg) if "matplotlib.use(" in f.read_text() and f.name != "__main__.py"]
    assert not offenders


def test_code_cites_the_paper_not_internal_notes():
    pat = re.compile(r"SPEC|DESIGN\.md|RESEARCH\.md")
    files = [f for pkg in ("sptheory", "verification", "paper_figs", "benchmarks", "tests") for f in _files(pkg)
             if f.name != "test_layers.py"] + [ROOT / "README.md"]
    hits = [f"{f.relative_to(ROOT)}:{i}" for f in files for i, line in enumerate(f.read_text().splitlines(), 1)
            if pat.search(line)]
    assert not hits, hits[:20]
