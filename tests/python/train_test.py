"""s2s.train: the demo trained from Python, progress records, a dict config,
Ctrl-C leaving a resumable run, and the package installed from a wheel."""

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import s2s
from conftest import DEMO_CONFIG, REPO, SMALL, train_small


def test_installed_package_not_the_source_tree():
    # scripts/python_test.sh installs with `pip install .` into a fresh venv.
    assert "site-packages" in s2s.__file__, s2s.__file__
    assert Path(s2s._s2s.__file__).suffix == ".so"
    assert s2s.__version__ == "0.1.0"


def test_training_writes_a_model_and_reports_progress(trained):
    model = Path(trained["model"])
    for name in ["config.yaml", "model.safetensors", "train.log.jsonl"]:
        assert (model / name).is_file(), name
    events = [r["event"] for r in trained["records"]]
    assert "start" in events and events[-1] == "done"
    steps = [r["step"] for r in trained["records"] if r["event"] == "train"]
    assert steps == list(range(5, 41, 5))
    assert all(r["loss"] > 0 for r in trained["records"] if r["event"] == "train")
    # The callback saw what the log file holds.
    log_events = [line for line in (model / "train.log.jsonl").read_text().splitlines()]
    assert len(log_events) == len(trained["records"])


def test_a_dict_config_trains_as_its_yaml_file(tmp_path):
    config = {
        "data": {"train": "data/g2p.train.tsv", "tokenizer": "word", "batch_sentences": 16, "batch_tokens": 0},
        "model": {"cell": "gru", "hidden_size": 24, "embedding_size": 16, "attention": "bahdanau"},
        "optim": {"optimizer": "adam", "lr": 0.003},
        "train": {"steps": 3, "seed": 5, "threads": 1, "report_every": 1},
    }
    yaml_text = textwrap.dedent("""\
        data: {train: data/g2p.train.tsv, tokenizer: word, batch_sentences: 16, batch_tokens: 0}
        model: {cell: gru, hidden_size: 24, embedding_size: 16, attention: bahdanau}
        optim: {optimizer: adam, lr: 0.003}
        train: {steps: 3, seed: 5, threads: 1, report_every: 1}
        """)
    (tmp_path / "run.yaml").write_text(yaml_text)
    a = s2s.train(config, save_dir=str(tmp_path / "a"), verbose=False)
    b = s2s.train(str(tmp_path / "run.yaml"), save_dir=str(tmp_path / "b"), verbose=False)
    assert (Path(a) / "model.safetensors").read_bytes() == (Path(b) / "model.safetensors").read_bytes()
    with pytest.raises(s2s.Error, match="already holds a model"):
        s2s.train(config, save_dir=a, verbose=False)


def test_a_raising_progress_callback_stops_training_resumably(tmp_path):
    def stop_at_10(record):
        if record["event"] == "train" and record["step"] >= 10:
            raise ValueError("enough")

    with pytest.raises(ValueError, match="enough"):
        train_small(tmp_path / "run", seed=3, steps=40, progress=stop_at_10)
    assert list((tmp_path / "run" / "checkpoints").iterdir()), "an interrupted run leaves a checkpoint"
    done = s2s.train(resume=str(tmp_path / "run"), steps=15, verbose=False)
    assert done == str(tmp_path / "run")


CTRL_C_SCRIPT = """
import sys, s2s
def progress(r):
    if r["event"] == "train":
        print("step", r["step"], flush=True)
try:
    s2s.train(sys.argv[1], save_dir=sys.argv[2], steps=100000, progress=progress, verbose=False,
              **{k: v for k, v in eval(sys.argv[3]).items()})
except KeyboardInterrupt as e:
    print("interrupted:", e, flush=True)
    sys.exit(0)
print("finished", flush=True)
sys.exit(1)
"""


def test_ctrl_c_interrupts_training_and_leaves_it_resumable(tmp_path):
    run = tmp_path / "run"
    small = dict(SMALL, report_every=1)
    p = subprocess.Popen([sys.executable, "-c", CTRL_C_SCRIPT, str(DEMO_CONFIG), str(run), repr(small)], cwd=REPO,
                         stdout=subprocess.PIPE, text=True)
    for line in p.stdout:
        if line.startswith("step 3"):
            p.send_signal(signal.SIGINT)
            break
    out, _ = p.communicate(timeout=300)
    assert p.returncode == 0, out
    message = out.strip().splitlines()[-1]
    assert message.startswith("interrupted: s2s.train: interrupted at step "), message
    assert f"continue with: s2s.train(resume='{run}')" in message
    stopped = int(message.split("interrupted at step ")[1].split(";")[0])
    assert stopped >= 3
    # Resumed to a few steps further, the weights are those of a run never interrupted.
    resumed = s2s.train(resume=str(run), steps=stopped + 3, verbose=False)
    straight = s2s.train(str(DEMO_CONFIG), save_dir=str(tmp_path / "straight"), steps=stopped + 3, verbose=False,
                         **small)
    assert (Path(resumed) / "model.safetensors").read_bytes() == (Path(straight) / "model.safetensors").read_bytes()


CTRL_C_TRANSLATE = """
import sys, s2s
t = s2s.Translator(sys.argv[1])
try:
    sources = ["a b c d e f g h"] * 200000
    print("loaded", flush=True)
    t.translate_batch(sources, beam_size=8)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(0)
sys.exit(1)
"""


def test_ctrl_c_interrupts_translation(model):
    p = subprocess.Popen([sys.executable, "-c", CTRL_C_TRANSLATE, model], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "loaded"
    time.sleep(1.0)  # into the decoding loop (not a timing assertion: the input takes far longer)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=300)
    assert p.returncode == 0 and out.strip() == "interrupted", out
