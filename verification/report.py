"""Write ``verification.json`` and ``report.md`` from a list of ClaimResult."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .harness import RESULT_VERDICTS, ClaimResult, to_jsonable

__all__ = ["write_json", "write_report", "verdict_counts", "scoreboard_line", "load_previous", "changed_verdicts"]


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


_SCOREBOARD_COLS = 100


_ID_COLS = 38


def scoreboard_line(r: ClaimResult) -> str:
    """One line per result, at most 100 columns: id, verdict, tightness, the deciding number."""
    rid = r.id if len(r.id) <= _ID_COLS else r.id[: _ID_COLS - 1] + "…"
    head = f"{rid:<{_ID_COLS}s} {r.verdict:<12s} "
    rest = " · ".join(dict.fromkeys(t for t in (r.tightness, r.decisive) if t)) or (r.notes.splitlines()[0] if r.notes else "")
    line = head + " ".join(str(rest).split())
    if len(line) > _SCOREBOARD_COLS:
        line = line[: _SCOREBOARD_COLS - 1] + "…"
    return line


def load_previous(path: str | Path) -> dict:
    """Verdicts of a reference run under the previous rules: ``{"rules": ..., "verdicts": {id: verdict}}``."""
    doc = json.loads(Path(path).read_text())
    if not isinstance(doc.get("verdicts"), dict):
        raise ValueError(f"{path}: expected a 'verdicts' mapping")
    return doc


def changed_verdicts(results: list[ClaimResult], previous: dict) -> list[tuple[str, str, str]]:
    """``(id, previous verdict, new verdict)`` for every result id whose verdict differs.

    Ids that exist in only one of the two runs are listed with ``"(absent)"``.
    """
    old = previous["verdicts"]
    new = {r.id: r.verdict for r in results}
    rows = []
    for rid in list(dict.fromkeys([*old, *new])):
        a, b = old.get(rid, "(absent)"), new.get(rid, "(absent)")
        if a != b:
            rows.append((rid, a, b))
    return rows


def _hypotheses_table(r: ClaimResult) -> list[str]:
    out = []
    for rows, head in ((r.hypotheses, "hypothesis"), (r.checks, "measurement check")):
        if rows:
            out += ["", f"| {head} | required | measured along the run | met |", "|---|---|---|---|"]
            out += [f"| {_cell(h.name)} | {_cell(h.required)} | {_cell(h.measured)} | {'yes' if h.met else '**no**'} |"
                    for h in rows]
    return out


def write_report(results: list[ClaimResult], meta: dict, path: str | Path, previous: dict | None = None) -> None:
    """Markdown report: scoreboard, changed verdicts, summary table, errata, a section per result."""
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
    lines += ["", "## Scoreboard", "", "```"]
    lines += [scoreboard_line(r) for r in results] or ["(no claims were run)"]
    lines += ["```", ""]
    lines.append(
        "Each result declares its prediction before the run; one rule per kind decides the verdict "
        "(`sptheory.stats.judge`): *upper* (every point's simultaneous interval at or below the bound; "
        "violated if one lies entirely above), *order-upper* (a rate or floor inside an upper bound: "
        "violated only when the fitted exponent's interval lies entirely on the unfavourable side, in a "
        "range shown to be asymptotic; tightness reported apart), *scaling* (two-sided exponent with a "
        "tolerance), *independent* (violated only by growth beyond the tolerance), *identity* (maximum "
        "error below a tolerance), *comparison* (paired difference interval). A *violated* verdict needs "
        "every hypothesis of the result met along the run; otherwise it reads *inconclusive (outside the "
        "hypotheses)*."
    )
    if previous is not None:
        rows = changed_verdicts(results, previous)
        lines += ["", "## Verdicts changed from the previous rules", ""]
        lines.append(f"Reference: {previous.get('rules', 'previous rules')}.")
        lines.append("")
        if rows:
            lines += ["| id | previous rules | now |", "|---|---|---|"]
            lines += [f"| {_cell(i)} | {a} | {b} |" for i, a, b in rows]
        else:
            lines.append("No verdict changed.")
    lines += [
        "",
        "## Summary",
        "",
        "| id | claim | kind | measured (CI) | bound | ratio | slope (interval) | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        kind = r.prediction.kind if r.prediction is not None else "—"
        lines.append(
            f"| [{_cell(r.id)}](#{_anchor(r.id)}) | {_cell(r.claim)} | {kind} "
            f"| {_cell(_short(r.measured))} | {_cell(_short(r.bound))} | {_ratio(r.ratio)} "
            f"| {_cell(_short(r.slope))} | {_BADGE[r.verdict]} |"
        )
    if not results:
        lines.append("| — | no claims were run | | | | | | |")

    errata = [r for r in results if r.erratum]
    if errata:
        lines += ["", "## Errata", "",
                  "Inconsistencies of the paper, each with the corrected statement, how it was settled, and the "
                  "verdict of the result that settles it: the two `sp-formula-104` results test the paper's printed "
                  "formula (violated under the magnitude convention of (103), holds under the signed one); every "
                  "other entry tests the corrected statement (holds: the correction is confirmed).",
                  "", "| id | the paper says | corrected | settled by | verdict |", "|---|---|---|---|---|"]
        for r in errata:
            e = r.erratum
            lines.append(f"| [{_cell(r.id)}](#{_anchor(r.id)}) | {_cell(e['paper'])} | {_cell(e['corrected'])} "
                         f"| {_cell(e['settled_by'])} | {_BADGE[r.verdict]} |")

    for r in results:
        lines += ["", f"## {r.id}", ""]
        lines.append(f"**{r.claim}** ({r.source or 'source not given'}) — verdict: {_BADGE[r.verdict]}")
        lines.append("")
        if r.prediction is not None:
            lines.append(f"- prediction ({r.prediction.kind}): {_cell(r.prediction.statement)}; "
                         f"rule: {r.prediction.describe()}")
        if r.judgement is not None:
            lines.append(f"- decided by: {_cell(r.judgement.decisive)}; {_cell(r.judgement.reason)}")
            if r.judgement.tightness:
                lines.append(f"- tightness: {_cell(r.judgement.tightness)}")
        lines.append(f"- setting: {_cell(r.setting)}")
        lines.append(f"- measured: {_cell(r.measured)}")
        lines.append(f"- bound: {_cell(r.bound)}")
        lines.append(f"- ratio (measured / bound): {_ratio(r.ratio)}")
        if r.slope:
            lines.append(f"- slope: {_cell(r.slope)}")
        lines.append(f"- seed: {r.seed}; time: {r.seconds:.1f} s")
        lines += _hypotheses_table(r)
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
