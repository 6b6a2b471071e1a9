"""Synthesis on a real Dask cluster: a ``LocalCluster`` of worker processes, and a ``dask scheduler``
with ``dask worker`` processes on 127.0.0.1 started by the tests, building a tiny book with real Piper."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from audio_support import make_book
from cluster_support import OTHER_NARRATION, chapters_of, dask_machinery, narration, scheduler, wait_until
from synth_support import clip_files, stray_files

import narration as narration_package
from narration.build import build
from narration.cluster import DEFAULT_TIMEOUT, ClusterSpec, DaskExecutor, dask_environment, parse_cluster
from narration.errors import ConfigError
from narration.model import load_book
from narration.synth.pipeline import resolve_options

CLIPS = 9  # distinct clips of the tiny book (titles, sections, the subheading and the spoken AI disclosure)


def made(summary: str) -> int:
    """Clips a build says it synthesised."""
    return int(re.search(r"(\d+) clips synthesised", summary).group(1))


def same_book(found: list, expected: list) -> None:
    """Same chapters, same cues; durations within Piper's own run-to-run variance (its noise)."""
    assert [(title, cues) for title, _, cues in found] == [(title, cues) for title, _, cues in expected]
    for (title, duration, _), (_, reference, _) in zip(found, expected):
        assert abs(duration - reference) <= max(0.5, 0.1 * reference), (title, duration, reference)


@pytest.fixture(scope="module")
def local_book(tmp_path_factory: pytest.TempPathFactory) -> list:
    """The tiny book built by local processes: what a cluster build must match."""
    root = tmp_path_factory.mktemp("local")
    scripts = make_book(root, root / "clips")
    build(load_book(scripts), jobs=1)
    return chapters_of(scripts)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """The tiny book with a clip cache of its own (everything must be made)."""
    make_book(tmp_path / "book", tmp_path / "book" / "clips")
    return tmp_path / "book"


# --- options -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "address"),
    [
        ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        ("scheduler.example.org", "tcp://scheduler.example.org:8786"),
        ("127.0.0.1:9000", "tcp://127.0.0.1:9000"),
        ("tls://[::1]:8786", "tls://[::1]:8786"),
        ("local:4", "local:4"),
    ],
)
def test_cluster_addresses(given: str, address: str) -> None:
    assert parse_cluster(given) == ClusterSpec(address, DEFAULT_TIMEOUT)


@pytest.mark.parametrize("given", ["local:0", "local", "http://host:8786", "tcp://host:99999", "a b"])
def test_a_bad_cluster_address_says_what_to_give(given: str) -> None:
    with pytest.raises(ConfigError, match="cluster"):
        parse_cluster(given)


def test_book_toml_names_the_cluster_and_off_overrides_it(tmp_path: Path) -> None:
    extra = '[synth]\ncluster = "tcp://10.0.0.5:8786"\ncluster_timeout = 30\n'
    scripts = make_book(tmp_path, tmp_path / "clips", chapters={"01-a.md": "# A\n\nHello.\n"})
    (scripts / "book.toml").write_text(f'title = "T"\n{extra}', encoding="utf-8")
    book = load_book(scripts)
    assert resolve_options(book).cluster == ClusterSpec("tcp://10.0.0.5:8786", 30.0)
    assert resolve_options(book, cluster_timeout=5).cluster == ClusterSpec("tcp://10.0.0.5:8786", 5.0)
    assert resolve_options(book, cluster="off").cluster is None
    with pytest.raises(ConfigError, match="positive"):
        resolve_options(book, cluster_timeout=0)


# --- a local cluster -----------------------------------------------------------------------------


def test_synth_on_a_local_cluster_makes_the_book_local_processes_make(book: Path, local_book: list) -> None:
    result = narration("synth", "--cluster", "local:2", "--no-progress", cwd=book)
    assert result.returncode == 0, result.stderr
    assert len(clip_files(book / "clips")) == CLIPS and not stray_files(book / "clips")
    report = build(load_book(book / "scripts"), jobs=1)  # locally, from the clips the cluster made
    assert report.synth.made == 0
    same_book(chapters_of(book / "scripts"), local_book)


QUIET = {"profiler": False, "tick": "1s", "memory": "1s", "system": "5s"}


def test_a_local_clusters_workers_run_without_dasks_profiler_and_frequent_checks() -> None:
    assert dask_environment() == {
        "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
        "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
        "DASK_DISTRIBUTED__WORKER__MEMORY__MONITOR_INTERVAL": "1s",
        "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "5s",
    }
    with DaskExecutor("local:1") as executor:
        found = list(executor.connect().run(dask_machinery).values())
    assert found == [QUIET]


# --- a scheduler and workers ---------------------------------------------------------------------


def test_the_readmes_worker_settings_turn_dasks_profiler_off(tmp_path: Path) -> None:
    with scheduler(tmp_path / "dask") as cluster:
        cluster.worker("w-default")
        cluster.worker("w-quiet", env=dask_environment())
        found = cluster.observer.run(dask_machinery)
        by_name = {name: found[cluster.address_of(name)] for name in ("w-default", "w-quiet")}
    assert by_name == {
        "w-default": {"profiler": True, "tick": "20ms", "memory": "100ms", "system": "500ms"},
        "w-quiet": QUIET,
    }
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert all(f"{key}={value}" in readme for key, value in dask_environment().items())


def test_a_scheduler_and_two_workers_build_the_book(book: Path, tmp_path: Path, local_book: list) -> None:
    with scheduler(tmp_path / "dask") as cluster:
        cluster.worker("w1")
        cluster.worker("w2")
        result = narration("build", "--cluster", cluster.address, "--no-progress", cwd=book)
        assert result.returncode == 0, result.stderr
        assert made(result.stdout) == CLIPS
        assert sorted(cluster.computed().values()) == [1] * CLIPS
    same_book(chapters_of(book / "scripts"), local_book)


def test_a_worker_killed_mid_task_has_its_task_run_elsewhere(book: Path, tmp_path: Path, local_book: list) -> None:
    with scheduler(tmp_path / "dask") as cluster:
        cluster.worker("w1")
        cluster.worker("w2")
        victim = cluster.address_of("w1")
        running = narration("build", "--cluster", cluster.address, "--no-progress", cwd=book, wait=False)
        busy = wait_until("w1 running a clip", lambda: cluster.observer.processing([victim]).get(victim), every=0.02)
        cluster.kill("w1")
        out, err = running.communicate(timeout=600)
        assert running.returncode == 0, err
        assert made(out) == CLIPS
        assert cluster.computed()[busy[0]] >= 1  # the clip w1 was making was made (by w2)
    same_book(chapters_of(book / "scripts"), local_book)


def test_with_every_worker_gone_the_build_waits_then_fails_keeping_its_clips(book: Path, tmp_path: Path) -> None:
    clips = book / "clips"
    with scheduler(tmp_path / "dask") as cluster:
        cluster.worker("w1")
        command = ("build", "--cluster", cluster.address, "--cluster-timeout", "3", "--no-progress")
        running = narration(*command, cwd=book, wait=False)
        wait_until("a first clip", lambda: clip_files(clips), timeout=300, every=0.02)
        cluster.kill("w1")
        _, err = running.communicate(timeout=300)
        assert running.returncode == 1, err
        assert f"no Dask worker is connected to {cluster.address}: waiting up to 3 s" in err
        assert f"no Dask worker was connected to {cluster.address} for 3 s" in err
        assert "Traceback" not in err
        kept = clip_files(clips)
        assert 0 < len(kept) < CLIPS, err
        assert not stray_files(clips), stray_files(clips)
        assert not list((book / "output").glob("*.m4b"))
        cluster.worker("w2")  # a worker comes back: the next run makes only the rest
        again = narration(*command, cwd=book)
        assert again.returncode == 0, again.stderr
        assert made(again.stdout) == CLIPS - len(kept)


def test_two_clients_asking_for_the_same_clips_share_each_task(tmp_path: Path) -> None:
    roots = [tmp_path / "a", tmp_path / "b"]
    for root in roots:
        make_book(root, root / "clips")
    with scheduler(tmp_path / "dask") as cluster:
        runs = [narration("synth", "--cluster", cluster.address, "--no-progress", cwd=r, wait=False) for r in roots]
        wait_until("both clients", lambda: len(cluster.clients()) == 2)
        cluster.worker("w1")  # both wait for a worker, then ask for the same clips
        for run in runs:
            _, err = run.communicate(timeout=600)
            assert run.returncode == 0, err
        assert sorted(cluster.computed().values()) == [1] * CLIPS  # each clip made once
    for root in roots:
        assert len(clip_files(root / "clips")) == CLIPS  # and stored by each client


def test_a_worker_with_another_narration_is_refused_by_name(book: Path, tmp_path: Path) -> None:
    with scheduler(tmp_path / "dask") as cluster:
        cluster.worker("w-same")
        cluster.worker("w-other", "--preload", str(OTHER_NARRATION))
        result = narration("build", "--cluster", cluster.address, "--no-progress", cwd=book)
    assert result.returncode == 1
    line = result.stderr.strip()
    assert "1 of 2 Dask workers" in line and "worker w-other (tcp://127.0.0.1:" in line
    assert f"narration 0.0.0+other (the client has {narration_package.__version__})" in line
    assert "w-same" not in line and "Traceback" not in result.stderr
    assert not (book / "clips").exists() or not clip_files(book / "clips")


def test_an_unreachable_scheduler_fails_before_anything_is_touched(book: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = sorted(p.relative_to(book) for p in book.rglob("*"))
    result = narration("build", "--cluster", f"tcp://127.0.0.1:{port}", cwd=book)
    assert result.returncode == 1
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in result.stderr
    assert "Nothing was made" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.relative_to(book) for p in book.rglob("*")) == before  # no output, no cache, no lock


def test_a_lost_scheduler_fails_the_run_keeping_every_clip_that_came_back(book: Path, tmp_path: Path) -> None:
    clips = book / "clips"
    with scheduler(tmp_path / "dask") as cluster:
        cluster.worker("w1")
        running = narration("synth", "--cluster", cluster.address, "--no-progress", cwd=book, wait=False)
        wait_until("a first clip", lambda: clip_files(clips), timeout=300, every=0.02)
        cluster.scheduler.kill()
        _, err = running.communicate(timeout=300)
    assert running.returncode == 1, err
    assert f"lost the connection to the Dask scheduler at {cluster.address}" in err and "Traceback" not in err
    kept = clip_files(clips)
    assert 0 < len(kept) < CLIPS and not stray_files(clips)
    again = narration("synth", "--cluster", "local:1", "--no-progress", cwd=book)  # resumes elsewhere
    assert again.returncode == 0, again.stderr
    assert len(clip_files(clips)) == CLIPS


# --- the worker's own check ----------------------------------------------------------------------


def test_a_slot_refuses_a_setup_that_differs_from_the_clients_before_loading_anything() -> None:
    from narration.cluster.worker import identity_of, run_task
    from narration.errors import ClusterError
    from narration.synth.engines import EngineSpec
    from narration.synth.workers import ClipTask, EngineSetup, speak

    client = EngineSetup(EngineSpec("piper", None, {"length_scale": 1.0}))
    worker = EngineSetup(EngineSpec("piper", None, {"length_scale": 1.25}))
    with pytest.raises(ClusterError, match=r"refused worker this process: length_scale 1.25 \(the client has 1.0\)"):
        run_task(ClipTask("k", ("Hello.",)), worker, identity_of(client), speak)
    audio = run_task(ClipTask("k", ("Hello.",)), client, identity_of(client), speak)  # the same setup: spoken
    assert audio.key == "k" and len(audio.samples) > 0.2 * audio.sample_rate


def test_ctrl_c_on_a_local_cluster_keeps_every_clip_that_came_back(book: Path) -> None:
    import os
    import signal

    clips = book / "clips"
    running = narration("synth", "--cluster", "local:2", "--no-progress", cwd=book, wait=False)
    wait_until("a first clip", lambda: clip_files(clips), timeout=300, every=0.02)
    os.killpg(running.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to narration and its worker processes
    _, err = running.communicate(timeout=300)
    assert running.returncode == 130, err
    assert err.strip() == "Interrupted: finished work is kept; run the command again to resume."
    assert 0 < len(clip_files(clips)) < CLIPS and not stray_files(clips)
