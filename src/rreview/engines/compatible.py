"""The `openai-compatible` engine: any server speaking Chat Completions (Ollama, a llama.cpp
server, vLLM) through the `openai` SDK with a base URL. No key needed; OPENAI_API_KEY is
never sent there (a local server has no business with your OpenAI key)."""

from __future__ import annotations

import os

from rreview.config import EngineConfig
from rreview.engines.base import register
from rreview.engines.openai import OpenAIEngine

OLLAMA_URL = "http://localhost:11434/v1"


class CompatibleEngine(OpenAIEngine):
    """A local or self-hosted model behind an OpenAI-compatible endpoint."""

    name = "openai-compatible"
    description = "Ollama, llama.cpp server, vLLM: Chat Completions at --base-url (no key)"
    needs_key = False
    key_env_var = "RREVIEW_COMPATIBLE_API_KEY"  # optional, for a server started with a key
    default_model = None  # the server's model name differs per server: --model is required
    token_limit_field = "max_tokens"  # what these servers accept

    def endpoint(self) -> str:
        """`--base-url`, else OPENAI_BASE_URL, else Ollama's default address."""
        return self.config.base_url or os.environ.get("OPENAI_BASE_URL") or OLLAMA_URL


@register("openai-compatible")
def _compatible(config: EngineConfig) -> CompatibleEngine:
    return CompatibleEngine(config)
