"""One Translator used from 4 Python threads at once gives what sequential
calls give (a shared model, a decoding state per set of options, calls
decoding one at a time with the GIL released)."""

import threading

import s2s


def test_four_threads_equal_sequential_calls(trained, sources):
    translator = s2s.Translator([trained["model"], trained["model2"]], threads=1)
    jobs = [
        {"beam_size": 5, "n_best": 2},
        {"beam_size": 1},
        {"sampling": True, "seed": 3, "n_best": 2},
        {"beam_size": 3, "batch_size": 7},
    ]

    def run(options):
        return [[(h.text, h.score) for h in r.hypotheses]
                for r in translator.translate_batch(sources, return_scores=True, **options)]

    expected = [run(o) for o in jobs]
    results = [None] * len(jobs)  # 4 threads, each with other options
    barrier = threading.Barrier(len(results))

    def worker(k):
        barrier.wait()
        results[k] = run(jobs[k])

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(len(results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k, got in enumerate(results):
        assert got == expected[k], jobs[k]
