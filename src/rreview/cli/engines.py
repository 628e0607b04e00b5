"""`rreview engines`: the engines, which one is chosen, and what each needs (keys never shown)."""

from __future__ import annotations

from typing import Any

from rreview.cli.common import JsonOption, handle_errors, print_json
from rreview.config import load_engine_config


@handle_errors
def engines(as_json: JsonOption = False) -> None:
    """List the engines: the one in use, its model, whether its key is set (never the key)."""
    from dataclasses import replace

    from rreview.engines.base import load_engines

    config = load_engine_config()
    rows: list[dict[str, Any]] = []
    for name, factory in sorted(load_engines().items()):
        engine = factory(
            replace(config, name=name, model=config.model if name == config.name else None)
        )
        key_var = engine.key_env_var
        key_state = None
        if key_var:
            key_state = "set" if config.api_key(key_var) else "not set"
        endpoint = getattr(engine, "endpoint", None)
        rows.append(
            {
                "name": name,
                "selected": name == config.name,
                "description": engine.description,
                "model": engine.model,
                "network": engine.needs_network,
                "streaming": engine.can_stream,
                "key": {"variable": key_var, "state": key_state, "required": engine.needs_key}
                if key_var
                else None,
                "endpoint": endpoint() if callable(endpoint) else None,
            }
        )
    if as_json:
        print_json({"selected": config.name, "offline": config.offline, "engines": rows})
        return
    for row in rows:
        mark = "*" if row["selected"] else " "
        print(f"{mark} {row['name']:<18} {row['description']}")
        details = [f"model: {row['model'] or '(set with --model)'}"] if row["network"] else []
        if row["key"]:
            needed = "" if row["key"]["required"] else ", optional"
            details.append(f"{row['key']['variable']}: {row['key']['state']}{needed}")
        if row["endpoint"]:
            details.append(f"endpoint: {row['endpoint']}")
        if row["network"]:
            details.append("streams" if row["streaming"] else "no streaming")
        if details:
            print(f"  {'':<18} " + "; ".join(details))
    if config.offline:
        print("\nRREVIEW_OFFLINE is set: only the offline engine will run.")
