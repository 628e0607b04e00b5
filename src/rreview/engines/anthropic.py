"""The `anthropic` engine: the official SDK's Messages API, streamed, key from ANTHROPIC_API_KEY."""

from __future__ import annotations

import os
from typing import Any

from rreview.config import EngineConfig
from rreview.engines.base import TextSink, register
from rreview.engines.cache import Usage
from rreview.engines.model import ModelEngine, sdk_failure
from rreview.engines.prompts import RenderedPrompt


class AnthropicEngine(ModelEngine):
    """Anthropic's Claude models through the `anthropic` SDK (retries with backoff on 429/5xx)."""

    name = "anthropic"
    description = "Anthropic Claude models through the official SDK (ANTHROPIC_API_KEY)"
    key_env_var = "ANTHROPIC_API_KEY"
    default_model = "claude-haiku-4-5"

    def endpoint(self) -> str:
        """The base URL (`--base-url`, else the SDK's ANTHROPIC_BASE_URL, else Anthropic's)."""
        return (
            self.config.base_url
            or os.environ.get("ANTHROPIC_BASE_URL")
            or "https://api.anthropic.com"
        )

    def _client(self) -> Any:
        import anthropic  # 3 s to import: only when this engine is about to send

        return anthropic.Anthropic(
            api_key=self.api_key(),
            base_url=self.endpoint(),
            timeout=self.config.timeout,
            max_retries=self.config.max_retries,
        )

    def _call(self, prompt: RenderedPrompt, on_text: TextSink | None) -> tuple[str, Usage]:
        import anthropic

        client = self._client()
        parts: list[str] = []
        try:
            with client.messages.stream(
                model=str(self.model),
                max_tokens=prompt.max_tokens,
                system=prompt.system,
                messages=[{"role": "user", "content": prompt.user}],
                extra_headers={"X-Rreview-Prompt": prompt.label},
            ) as stream:
                for text in stream.text_stream:
                    parts.append(text)
                    if on_text:
                        on_text(text)
                final = stream.get_final_message()
            usage = Usage(final.usage.input_tokens, final.usage.output_tokens)
        except anthropic.AnthropicError as exc:
            raise sdk_failure(self, exc) from None
        finally:
            client.close()
        return "".join(parts), usage


@register("anthropic")
def _anthropic(config: EngineConfig) -> AnthropicEngine:
    return AnthropicEngine(config)
