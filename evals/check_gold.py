"""Check evals/gold.json against the log files in evals/logs/.

Every record that points into the log (`file`, `line`, `date`, `text`) must name an existing
file, a line that exists and contains `text` verbatim, and the date of that file. The script
also checks the counts the eval set promises and the internal consistency of the gold
(ratios, families, to-do dates, week labels, question dates). Run from anywhere:

    python evals/check_gold.py          # exit 0 and a summary when the gold is consistent

Standard library only, so it runs before rreview is installed.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOGS = HERE / "logs"
DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})\.md$")

failures: list[str] = []


def fail(message: str) -> None:
    failures.append(message)


def check(condition: bool, message: str) -> bool:
    if not condition:
        fail(message)
    return condition


_lines: dict[str, list[str]] = {}


def lines_of(file: str) -> list[str] | None:
    if file not in _lines:
        path = LOGS / file
        if not path.is_file():
            return None
        _lines[file] = path.read_text(encoding="utf-8").splitlines()
    return _lines[file]


def check_ref(ref: dict, where: str, valid_days: set[str]) -> None:
    """A record pointing at one line of one log file."""
    for key in ("file", "line", "date", "text"):
        if not check(key in ref, f"{where}: missing '{key}'"):
            return
    lines = lines_of(ref["file"])
    if not check(lines is not None, f"{where}: no file {ref['file']}"):
        return
    line = ref["line"]
    if not check(isinstance(line, int) and 1 <= line <= len(lines), f"{where}: line {line} outside {ref['file']}"):
        return
    check(ref["text"] in lines[line - 1],
          f"{where}: {ref['file']}:{line} does not contain {ref['text']!r}; it reads {lines[line - 1]!r}")
    named = DATE_IN_NAME.search(ref["file"])
    check(named is not None and named.group(1) == ref["date"], f"{where}: date {ref['date']} is not the date of {ref['file']}")
    check(ref["date"] in valid_days, f"{where}: {ref['date']} is not a logged day")


def walk_refs(node, where: str, valid_days: set[str], seen: list[int]) -> None:
    """Every dict with both `file` and `line` anywhere below `node` is a line reference."""
    if isinstance(node, dict):
        if "file" in node and "line" in node:
            check_ref(node, where, valid_days)
            seen[0] += 1
        for key, value in node.items():
            walk_refs(value, f"{where}.{key}", valid_days, seen)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            label = value.get("id", index) if isinstance(value, dict) else index
            walk_refs(value, f"{where}[{label}]", valid_days, seen)


def check_days(gold: dict) -> set[str]:
    days = gold["log"]["days"]
    valid = set()
    for day in days:
        d = day["date"]
        date.fromisoformat(d)
        check(d not in valid, f"log.days: {d} listed twice")
        valid.add(d)
        lines = lines_of(day["file"])
        if check(lines is not None, f"log.days: no file {day['file']}"):
            check(any(l.strip() for l in lines), f"log.days: {day['file']} is empty")
            check(d in day["file"], f"log.days: {day['file']} is not the file of {d}")
            if day["format"] == "native":
                check(lines[0].strip() == f"# {d}", f"log.days: {day['file']} does not start with '# {d}'")
            else:
                check(lines[0] == "---" and f"date: {d}" in lines[:6], f"log.days: {day['file']} lacks front matter 'date: {d}'")
        check(date.fromisoformat(d).strftime("%a") == day["weekday"], f"log.days: {d} is not a {day['weekday']}")
    # every daily file on disk is either a listed day or a planted bad file
    bad = {b["file"] for b in gold["bad_files"]}
    listed = {day["file"] for day in days}
    for path in sorted(LOGS.rglob("*.md")):
        rel = path.relative_to(LOGS).as_posix()
        if DATE_IN_NAME.search(rel):
            check(rel in listed or rel in bad, f"{rel} is neither a listed day nor a planted bad file")
    check(gold["log"]["first_date"] == min(valid) and gold["log"]["last_date"] == max(valid), "log: first/last date")
    weeks = {date.fromisoformat(d).isocalendar()[:2] for d in valid}
    check(len(weeks) >= 6, f"log covers {len(weeks)} ISO weeks, want >= 6")
    check({day["format"] for day in days} == {"native", "obsidian"}, "log: want both formats")
    return valid


def check_estimates(gold: dict) -> None:
    ests = gold["estimates"]
    check(len(ests) >= 15, f"estimates: {len(ests)} < 15")
    origins = Counter(e["origin"] for e in ests)
    check(set(origins) <= {"notation", "prose"}, f"estimates: origins {origins}")
    check(min(origins["notation"], origins["prose"]) >= len(ests) // 3, f"estimates: origins unbalanced {origins}")
    for e in ests:
        check(e["estimate_hours"] > 0 and e["actual_hours"] > 0, f"{e['id']}: hours must be positive")
        check(abs(e["ratio"] * e["estimate_hours"] / e["actual_hours"] - 1) < 0.01, f"{e['id']}: ratio {e['ratio']} inconsistent")
        dates = {e["date"]} | ({e["estimate_at"]["date"]} if "estimate_at" in e else set())
        check(sorted(dates) == e["dates"], f"{e['id']}: dates {e['dates']} != {sorted(dates)}")
    check(len(gold["non_estimates"]) >= 5, "non_estimates: want >= 5")
    pair_lines = {(e["file"], e["line"]) for e in ests}
    for n in gold["non_estimates"]:
        check((n["file"], n["line"]) not in pair_lines, f"{n['id']}: line is also an estimate pair")


def check_bugs(gold: dict) -> None:
    fams = {f["id"]: f for f in gold["families"]}
    bugs = gold["bugs"]
    check(len(bugs) >= 12, f"bugs: {len(bugs)} < 12")
    for b in bugs + gold["optional_bugs"]:
        check(b["family"] in fams, f"{b['id']}: unknown family {b['family']}")
    sizes = Counter(b["family"] for b in bugs)
    recurring = [f for f in fams if sizes[f] >= 2]
    singletons = [f for f in fams if sizes[f] == 1]
    check(3 <= len(recurring) <= 4, f"bugs: {len(recurring)} recurring families, want 3-4")
    check(2 <= len(singletons) <= 3, f"bugs: {len(singletons)} singletons, want 2-3")
    for fid, fam in fams.items():
        members = [b["id"] for b in bugs if b["family"] == fid]
        check(fam["members"] == members, f"family {fid}: members {fam['members']} != {members}")
        check(bool(fam.get("singleton")) == (len(members) == 1), f"family {fid}: singleton flag")


def check_predictions(gold: dict) -> None:
    preds = gold["predictions"]
    closed = [p for p in preds if p["status"] == "closed"]
    opened = [p for p in preds if p["status"] == "open"]
    check(len(closed) >= 8 and len(opened) >= 2, f"predictions: {len(closed)} closed, {len(opened)} open")
    check(any(p["predicted_value"] is not None for p in closed), "predictions: want numeric ones")
    check(any(p["predicted_value"] is None for p in closed), "predictions: want qualitative ones")
    for p in preds:
        check((p["actual"] is None) == (p["status"] == "open"), f"{p['id']}: actual vs status")
        if p["predicted_value"] is not None and p["actual_value"] is not None:
            check(abs(p["error"] - (p["actual_value"] - p["predicted_value"])) < 1e-6, f"{p['id']}: error")
        if "outcome_at" in p:
            check(p["outcome_at"]["date"] >= p["date"], f"{p['id']}: outcome before prediction")


def check_todos(gold: dict) -> None:
    for t in gold["todos"]:
        occ = t["occurrences"]
        dates = [o["date"] for o in occ]
        check(dates == sorted(dates) and len(set(dates)) == len(dates), f"{t['id']}: occurrence dates not increasing")
        check(t["first_date"] == dates[0] == t["date"], f"{t['id']}: first_date")
        check(len(dates) >= 2, f"{t['id']}: a carried to-do needs two days")
        check(t["open_dates"] == [o["date"] for o in occ if o["checked"] is False], f"{t['id']}: open_dates")
        check(t["logged_days_open"] == len(t["open_dates"]), f"{t['id']}: logged_days_open")
        if t["done_date"]:
            check(t["done_date"] == dates[-1] and occ[-1]["checked"] is not False, f"{t['id']}: done_date")
        else:
            check(all(o["checked"] is False for o in occ), f"{t['id']}: open to-do has a done occurrence")
        words = t["task"]
        for o in occ:
            check(words in o["text"], f"{t['id']}: occurrence {o['date']} does not carry the same wording")
    check(sum(1 for t in gold["todos"] if t["done_date"] is None) >= 1, "todos: want one never done")


def check_sources_ideas(gold: dict) -> None:
    kinds = {"paper", "chat", "talk", "social media", "own experiment", "other"}
    srcs = gold["sources"]
    check(len(srcs) >= 10, f"sources: {len(srcs)} < 10")
    check({s["kind"] for s in srcs} == kinds, f"sources: kinds {sorted({s['kind'] for s in srcs})}")
    for s in srcs + gold["optional_sources"]:
        check(s["kind"] in kinds, f"{s['id']}: kind {s['kind']}")
    acted = [i for i in gold["ideas"] if i["acted_on"]]
    check(len(acted) >= 2 and len(acted) < len(gold["ideas"]), "ideas: want some acted on, some not")
    for i in acted:
        check(i["acted_on"]["date"] > i["date"], f"{i['id']}: acted on before it was written")


def check_weeks(gold: dict, valid: set[str]) -> None:
    labels = []
    for w in gold["weeks"]:
        start, end = date.fromisoformat(w["start"]), date.fromisoformat(w["end"])
        year, week, weekday = start.isocalendar()
        check(w["label"] == f"{year}-W{week:02d}" and weekday == 1 and (end - start).days == 6, f"week {w['label']}: bounds")
        logged = sorted(d for d in valid if start <= date.fromisoformat(d) <= end)
        check(w["days_logged"] == logged, f"week {w['label']}: days_logged {w['days_logged']} != {logged}")
        check(5 <= len(w["key_facts"]) <= 8, f"week {w['label']}: {len(w['key_facts'])} key facts")
        for fact in w["key_facts"]:
            check(bool(fact["dates"]) and set(fact["dates"]) <= valid, f"{fact['id']}: dates {fact['dates']}")
            check(any(w["start"] <= d <= w["end"] for d in fact["dates"]), f"{fact['id']}: no date inside the week")
        labels.append(w["label"])
    covered = sorted({"{}-W{:02d}".format(*date.fromisoformat(d).isocalendar()[:2]) for d in valid})
    check(labels == covered, f"weeks: {labels} != weeks with entries {covered}")


def check_questions(gold: dict, valid: set[str]) -> None:
    qs = gold["questions"]
    types = {"lookup", "temporal", "aggregate", "bug", "estimate", "prediction"}
    check(len(qs) >= 30, f"questions: {len(qs)} < 30")
    check({q["type"] for q in qs} == types, "questions: want every type")
    check(len({q["id"] for q in qs}) == len(qs), "questions: duplicate ids")
    absent = [q for q in qs if q["answer"] == "not in the log"]
    check(len(absent) >= 2 and all(q["dates"] == [] for q in absent), "questions: want 2 'not in the log' with no dates")
    check(sum(1 for q in qs if q.get("exact_string")) >= 3, "questions: want exact-string questions")
    for q in qs:
        date.fromisoformat(q["today"])
        check(set(q["dates"]) <= valid, f"{q['id']}: dates not logged days {set(q['dates']) - valid}")
        check(q["dates"] == sorted(set(q["dates"])) or q["type"] == "bug", f"{q['id']}: dates not sorted/unique")
        check(all(d <= q["today"] for d in q["dates"]), f"{q['id']}: a gold date after 'today'")
        if q.get("exact_string"):
            hits = [d for d in q["dates"] if d in valid and any(q["exact_string"] in l for l in lines_of(path_of(gold, d)) or [])]
            check(bool(hits), f"{q['id']}: exact string {q['exact_string']!r} not on any gold date")


def path_of(gold: dict, day: str) -> str:
    return next(d["file"] for d in gold["log"]["days"] if d["date"] == day)


def check_bad_files(gold: dict) -> None:
    problems = set()
    for b in gold["bad_files"]:
        path = LOGS / b["file"]
        if not check(path.is_file(), f"bad file {b['file']} missing"):
            continue
        raw = path.read_bytes()
        name = DATE_IN_NAME.search(b["file"]).group(1)
        try:
            date.fromisoformat(name)
            valid_name = True
        except ValueError:
            valid_name = False
        try:
            raw.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
        if not valid_name:
            problems.add("date")
        if not utf8:
            problems.add("encoding")
        if not raw:
            problems.add("empty")
        check(not valid_name or not utf8 or not raw, f"{b['file']}: nothing wrong with it")
    check(problems == {"date", "encoding", "empty"}, f"bad files cover {sorted(problems)}")
    for f in gold["ignored_files"]:
        check((LOGS / f["file"]).is_file(), f"ignored file {f['file']} missing")


def check_injections(gold: dict) -> None:
    inj = gold["injections"]
    check(len(inj) >= 2, "injections: want 2")
    check(len({i["file"].split("/")[0] for i in inj}) == 2, "injections: want one per format")
    for i in inj:
        line = lines_of(i["file"])[i["line"] - 1].lower()
        check(bool(i["forbidden_strings"]), f"injection {i['file']}:{i['line']}: no forbidden strings")
        check(any(s.lower() in line for s in i["forbidden_strings"]), f"injection {i['file']}:{i['line']}: strings not from the line")


def main() -> int:
    gold = json.loads((HERE / "gold.json").read_text(encoding="utf-8"))
    valid = check_days(gold)
    seen = [0]
    for key, value in gold.items():
        if key not in ("log", "bad_files", "ignored_files"):
            walk_refs(value, key, valid, seen)
    check_estimates(gold)
    check_bugs(gold)
    check_predictions(gold)
    check_todos(gold)
    check_sources_ideas(gold)
    check_weeks(gold, valid)
    check_questions(gold, valid)
    check_bad_files(gold)
    check_injections(gold)
    for message in failures:
        print("FAIL", message)
    counts = {k: len(v) for k, v in gold.items() if isinstance(v, list)}
    print(f"{seen[0]} line references checked; days {len(valid)}; " + ", ".join(f"{k} {n}" for k, n in counts.items()))
    print("gold.json OK" if not failures else f"{len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
