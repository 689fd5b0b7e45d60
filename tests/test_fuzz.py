"""A small, fixed budget of the fuzzer (fuzz/) in every test run: mutated fixture and corpus models
through every command and format, each answer checked against the README's promises. The long run is
`python -m fuzz.run --cases 10000`."""

from __future__ import annotations

import pytest

from fuzz.check import run_case
from fuzz.run import SOURCES

#: Cases a long run found failing, kept as regressions, with the model each mutated: they flipped bytes
#: of the debug info into a path that is not UTF-8, which protobuf hands back as bytes; scrub then crashed.
REGRESSIONS = ((1069, "threshold_05"), (4107, "risky_ops"), (8852, "versioned_v2"))
SEEDS = range(40)  # the README says forty: the long run is a script


@pytest.mark.parametrize("seed", SEEDS)
def test_a_mutated_model_gets_only_documented_answers(seed: int) -> None:
    source = SOURCES[seed % len(SOURCES)]
    outcome = run_case(seed, source)
    assert not outcome.failures, (outcome.mutations, outcome.failures)


@pytest.mark.parametrize(("seed", "name"), REGRESSIONS)
def test_a_case_once_failing_stays_fixed(seed: int, name: str) -> None:
    [source] = [path for path in SOURCES if path.name == name]
    outcome = run_case(seed, source)
    assert not outcome.failures, (outcome.mutations, outcome.failures)
