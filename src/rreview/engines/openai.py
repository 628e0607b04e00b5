"""The `openai` engine: the official SDK's Chat Completions, streamed, key from OPENAI_API_KEY."""

from __future__ import annotations

from typing import Any

from rreview.config import EngineConfig
from rreview.engines.base import TextSink, register
from rreview.engines.cache import Usage
from rreview.engines.model import ModelEngine, sdk_failure
from rreview.engines.prompts import RenderedPrompt


class OpenAIEngine(ModelEngine):
    """OpenAI's hosted models through the `openai` SDK (retries with backoff on 429/5xx)."""

    name = "openai"
    description = "OpenAI models through the official SDK (OPENAI_API_KEY)"
    key_env_var: str | None = "OPENAI_API_KEY"
    default_model: str | None = "gpt-4o-mini"
    token_limit_field = "max_completion_tokens"  # what OpenAI's newer models accept

    def endpoint(self) -> str:
        """The base URL (`--base-url`, else the SDK's OPENAI_BASE_URL, else OpenAI's)."""
        import os

        return (
            self.config.base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        )

    def _client(self) -> Any:
        import openai  # 1.4 s to import: only when this engine is about to send

        return openai.OpenAI(
            api_key=self.api_key() or "unused",
            base_url=self.endpoint(),
            timeout=self.config.timeout,
            max_retries=self.config.max_retries,
        )

    def _request(self, prompt: RenderedPrompt) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": prompt.messages(),
            self.token_limit_field: prompt.max_tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
            "extra_headers": {"X-Rreview-Prompt": prompt.label},
        }

    def _call(self, prompt: RenderedPrompt, on_text: TextSink | None) -> tuple[str, Usage]:
        import openai

        client = self._client()
        parts: list[str] = []
        usage = Usage()
        try:
            for chunk in client.chat.completions.create(**self._request(prompt)):
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices or []:
                    text = choice.delta.content if choice.delta else None
                    if text:
                        parts.append(text)
                        if on_text:
                            on_text(text)
        except openai.OpenAIError as exc:
            raise sdk_failure(self, exc) from None
        finally:
            client.close()
        return "".join(parts), usage


@register("openai")
def _openai(config: EngineConfig) -> OpenAIEngine:
    return OpenAIEngine(config)
