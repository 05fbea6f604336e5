"""Write ``verification.json`` and ``report.md`` from a list of ClaimResult."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .harness import RESULT_VERDICTS, ClaimResult, to_jsonable

__all__ = ["write_json", "write_report", "verdict_counts"]


_SUMMARY_CHARS = 220


def _short(text):
    """Shorten a summary-table cell; the claim's own section keeps the full text."""
    if text is None or len(text) <= _SUMMARY_CHARS:
        return text
    return text[: _SUMMARY_CHARS - 1].rstrip() + "…"


def verdict_counts(results: list[ClaimResult]) -> dict[str, int]:
    c = Counter(r.verdict for r in results)
    return {v: c.get(v, 0) for v in RESULT_VERDICTS}


def write_json(results: list[ClaimResult], meta: dict, path: str | Path) -> None:
    """``{"claims": [...], "meta": {...}}`` as strict JSON."""
    doc = {"claims": [r.to_dict() for r in results], "meta": to_jsonable(meta)}
    Path(path).write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n")


def _cell(text) -> str:
    if text is None or text == "":
        return "—"
    return " ".join(str(text).split()).replace("|", "\\|")


def _ratio(r: float | None) -> str:
    return "—" if r is None else f"{r:.3g}"


_BADGE = {"holds": "holds", "violated": "**VIOLATED**", "inconclusive": "inconclusive", "crashed": "**CRASHED**"}


def write_report(results: list[ClaimResult], meta: dict, path: str | Path) -> None:
    """Markdown report: meta, one summary row per result, then a section per result."""
    counts = verdict_counts(results)
    lines = ["# sptheory verification report", ""]
    lines.append(
        f"- mode: {'quick' if meta.get('quick') else 'full'}; seed: {meta.get('seed')}; "
        f"started: {meta.get('started')}; wall time: {meta.get('seconds', 0):.1f} s"
    )
    lines.append(
        f"- sptheory {meta.get('version')}, Python {meta.get('python')}, "
        f"NumPy {meta.get('numpy')}, {meta.get('platform')}; workers: {meta.get('workers')}"
    )
    lines.append("- verdicts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    lines += [
        "",
        "Verdict rule: an upper bound is *violated* when the measured confidence interval lies "
        "entirely above it, *holds* when it lies entirely at or below it, and is *inconclusive* "
        "otherwise; a rate *holds* when the fitted slope interval contains the predicted exponent "
        "(and is narrow enough to mean something). Ratio = measured / bound at the worst point. "
        f"Long entries are cut at {_SUMMARY_CHARS} characters in the summary; each claim's section has them in full.",
        "",
        "## Summary",
        "",
        "| id | claim | setting | measured (CI) | bound | ratio | slope (interval) | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| [{_cell(r.id)}](#{_anchor(r.id)}) | {_cell(r.claim)} | {_cell(_short(r.setting))} "
            f"| {_cell(_short(r.measured))} | {_cell(_short(r.bound))} | {_ratio(r.ratio)} "
            f"| {_cell(_short(r.slope))} | {_BADGE[r.verdict]} |"
        )
    if not results:
        lines.append("| — | no claims were run | | | | | | |")

    for r in results:
        lines += ["", f"## {r.id}", ""]
        lines.append(f"**{r.claim}** ({r.source or 'source not given'}) — verdict: {_BADGE[r.verdict]}")
        lines.append("")
        lines.append(f"- setting: {_cell(r.setting)}")
        lines.append(f"- measured: {_cell(r.measured)}")
        lines.append(f"- bound: {_cell(r.bound)}")
        lines.append(f"- ratio (measured / bound): {_ratio(r.ratio)}")
        if r.slope:
            lines.append(f"- slope: {_cell(r.slope)}")
        lines.append(f"- seed: {r.seed}; time: {r.seconds:.1f} s")
        if r.notes:
            lines += ["", r.notes.strip()]
        if r.figure:
            lines += ["", f"![{r.id}]({r.figure})"]
        if r.traceback:
            lines += ["", "<details><summary>traceback</summary>", "", "```", r.traceback.rstrip(), "```", "", "</details>"]
    Path(path).write_text("\n".join(lines) + "\n")


def _anchor(text: str) -> str:
    # GitHub-style heading anchor: lower case, spaces to '-', drop other punctuation.
    out = []
    for ch in text.lower():
        if ch.isalnum() or ch in "-_":
            out.append(ch)
        elif ch == " ":
            out.append("-")
    return "".join(out)
