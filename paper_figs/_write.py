"""Writing one figure: its PNG and the plotted data as strict JSON, side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from sptheory.experiments import to_jsonable


def write_figure(out_dir, name: str, data: dict, draw: Callable) -> dict:
    """Draw ``data`` into ``out_dir/name.png`` and store it in ``out_dir/name.json``; return both paths.

    The JSON holds exactly what was drawn (non-finite numbers as null), so the
    figure can be redrawn from it with the module's ``draw``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    png, js = out_dir / f"{name}.png", out_dir / f"{name}.json"
    draw(data, png)
    js.write_text(json.dumps(to_jsonable(data), indent=1, allow_nan=False) + "\n")
    return {"png": png, "json": js}
