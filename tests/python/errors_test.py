"""Bad arguments and bad model directories: Python exceptions with the
program's one-line messages, never a crash."""

import pytest

import s2s
from conftest import DEMO_CONFIG, cli_error


def test_error_is_a_runtime_error():
    assert issubclass(s2s.Error, RuntimeError)


def test_missing_model_directory(cli, tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(s2s.Error) as e:
        s2s.Translator(str(missing))
    assert str(e.value) == cli_error(cli, "translate", "-m", missing)
    assert str(missing) in str(e.value)


def test_directory_that_is_no_model(cli, tmp_path):
    (tmp_path / "config.yaml").write_text("model:\n  hidden_size: lots\n")
    with pytest.raises(s2s.Error) as e:
        s2s.Translator(tmp_path)
    assert str(e.value) == cli_error(cli, "translate", "-m", tmp_path)


def test_decoding_options_are_checked_as_the_program_does(cli, model, translator):
    cases = [
        ({"beam_size": 0}, ["--beam", "0"]),
        ({"n_best": 4, "beam_size": 2}, ["--n-best", "4", "--beam", "2"]),
        ({"sampling": True, "beam_size": 5}, ["--sampling", "--beam", "5"]),
        ({"temperature": 0.5}, ["--temperature", "0.5"]),
        ({"length_penalty": "shortest"}, ["--length-penalty", "shortest"]),
        ({"alpha": 0.5}, ["--alpha", "0.5"]),
        ({"batch_size": 0}, ["--batch", "0"]),
        ({"top_p": 1.5, "sampling": True}, ["--top-p", "1.5", "--sampling"]),
        ({"beam_size": "five"}, ["--beam", "five"]),
    ]
    for kwargs, options in cases:
        with pytest.raises(s2s.Error) as e:
            translator.translate_batch(["a b c"], **kwargs)
        assert str(e.value) == cli_error(cli, "translate", "-m", model, *options), kwargs


def test_bad_argument_types(translator):
    with pytest.raises(TypeError, match="unexpected keyword argument 'beam'"):
        translator.translate_batch(["a"], beam=2)
    with pytest.raises(TypeError, match="expected a list of sentences"):
        translator.translate_batch("a b c")
    with pytest.raises(TypeError, match=r"sources\[1\]: expected a sentence \(str\) like the first"):
        translator.translate_batch(["a", ["b"]])
    with pytest.raises(TypeError, match="expected a bool, int, float, str or path"):
        translator.translate_batch(["a"], beam_size=[1])
    with pytest.raises(s2s.Error, match="2 sources but 1 targets"):
        translator.score(["a", "b"], ["A"])
    with pytest.raises(s2s.Error, match="--compute-type"):
        s2s.Translator(translator.model_dirs[0], compute_type="int4")
    with pytest.raises(s2s.Error, match="--threads must be >= 0"):
        s2s.Translator(translator.model_dirs[0], threads=-1)
    with pytest.raises(s2s.Error, match="no model directory"):
        s2s.Translator([])


def test_training_options_are_checked_as_the_program_does(cli, tmp_path):
    save = tmp_path / "run"
    cases = [
        ({"lr": "fast"}, ["--lr", "fast"]),
        ({"steps": -3}, ["--steps", "-3"]),
        ({"no_such_option": 1}, ["--no-such-option", "1"]),
        ({"optimizer": "sgdd"}, ["--optimizer", "sgdd"]),
        ({"model.rnn.cell": "tree"}, ["--model.rnn.cell", "tree"]),
    ]
    for kwargs, options in cases:
        with pytest.raises(s2s.Error) as e:
            s2s.train(str(DEMO_CONFIG), save_dir=str(save), verbose=False, **kwargs)
        assert str(e.value) == cli_error(cli, "train", "--config", DEMO_CONFIG, "--save-dir", save, *options), kwargs
    with pytest.raises(s2s.Error) as e:
        s2s.train(str(tmp_path / "missing.yaml"), verbose=False)
    assert str(e.value) == cli_error(cli, "train", "--config", tmp_path / "missing.yaml")
    with pytest.raises(s2s.Error) as e:
        s2s.train(str(DEMO_CONFIG), resume=str(tmp_path / "nothing"), verbose=False)
    assert str(e.value) == cli_error(cli, "train", "--config", DEMO_CONFIG, "--resume", tmp_path / "nothing")
    with pytest.raises(TypeError, match="progress: expected a callable"):
        s2s.train(str(DEMO_CONFIG), save_dir=str(save), progress=3, verbose=False)


def test_metric_errors_are_the_programs(cli, tmp_path):
    hyp, ref = tmp_path / "hyp", tmp_path / "ref"
    hyp.write_text("a b\n")
    ref.write_text("a b\n")
    with pytest.raises(s2s.Error) as e:
        s2s.evaluate(["a b"], ["a b"], ["bleu", "meteor"])
    assert str(e.value) == cli_error(cli, "eval", "--hyp", hyp, "--ref", ref, "--metrics", "bleu,meteor")
    with pytest.raises(s2s.Error, match="reference stream 1 has 2 lines, hyps has 1"):
        s2s.evaluate(["a"], ["a", "b"])
