"""Fixtures of the Python package's tests (tests/python, run by
scripts/python_test.sh from scripts/test.sh): the installed package, the s2s
program built from the same tree (S2S_CLI) to compare with, and small models
trained on the demo data from Python."""

import os
import subprocess
from pathlib import Path

import pytest

import s2s

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "data" / "g2p.dev.tsv"
DEMO_CONFIG = REPO / "examples" / "demo" / "g2p.yaml"

# A small version of the demo model, a few steps: enough for outputs that
# differ between sentences, quick enough for every test run.
SMALL = {
    "model.hidden_size": 48,
    "model.embedding_size": 24,
    "threads": 1,
    "report_every": 5,
    "valid_every": 1000,
    "max_time": 0,
}


@pytest.fixture(scope="session", autouse=True)
def in_repository():
    """Configurations name data relative to the repository, as the program's users run it."""
    before = os.getcwd()
    os.chdir(REPO)
    yield
    os.chdir(before)


@pytest.fixture(scope="session")
def cli():
    """The s2s program of this tree. scripts/test.sh builds it and sets S2S_CLI;
    a run without it fails here rather than skip the comparisons."""
    path = Path(os.environ.get("S2S_CLI", REPO / "build" / "s2s"))
    if not path.is_file():
        pytest.fail(f"the s2s program is not at {path}: build it (cmake --build build --target s2s_cli) or set S2S_CLI")
    return str(path)


def run_cli(cli, *args, input_text=None, check=True):
    """Runs the program; returns (stdout, stderr, exit status)."""
    p = subprocess.run([cli, *map(str, args)], input=input_text, capture_output=True, text=True, cwd=REPO)
    if check and p.returncode != 0:
        raise AssertionError(f"s2s {' '.join(map(str, args))} failed ({p.returncode}): {p.stderr}")
    return p.stdout, p.stderr, p.returncode


def cli_error(cli, *args):
    """The one-line message of a failing command (after 's2s: error: ')."""
    _, err, code = run_cli(cli, *args, check=False)
    assert code == 1, err
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith("s2s: error: "), err
    return lines[-1][len("s2s: error: "):]


def train_small(save_dir, seed, steps=40, progress=None):
    return s2s.train(str(DEMO_CONFIG), save_dir=str(save_dir), steps=steps, seed=seed, progress=progress,
                     verbose=False, **SMALL)


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """Two small models trained from Python (seeds 1 and 2), and the progress
    records of the first run."""
    root = tmp_path_factory.mktemp("models")
    records = []
    first = train_small(root / "seed1", seed=1, progress=records.append)
    second = train_small(root / "seed2", seed=2)
    return {"model": first, "model2": second, "records": records}


@pytest.fixture(scope="session")
def model(trained):
    return trained["model"]


@pytest.fixture(scope="session")
def sources():
    return [line.split("\t")[0] for line in DEV.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def translator(model):
    return s2s.Translator(model)
