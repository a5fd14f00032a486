"""Quality and speed of dashboard.ingest on the labelled articles in tests/articles/.

    .venv/bin/python -m bench.ingest_quality [--dir tests/articles] [--split all|holdout|tuned] [--words 5000]
    .venv/bin/python -m bench.ingest_quality --hostile 200000    # seconds per hostile input of 200 KB

Two splits: "holdout" is the articles named holdout_* (written and labelled by hand, committed before
the ingest was first run on them, never used to tune rules until their first score was recorded);
"tuned" is the rest (labels partly drafted from the ingest's output; the rules were tuned on them).
With --split all (the default) each split is scored separately and then together.

Places: a prediction is right when it overlaps a labelled mention and lies within 10 km of the
label's point, or when both are null (a name that cannot or should not be placed). A prediction
with coordinates where the label is null, or with no label at all, is a false positive. Figures:
recall of labelled figures (overlapping span and same value). Dates: accuracy of labelled dates
(overlapping span and same day). Speed: ingest of the articles concatenated to N words, cold
(gazetteer loaded in the timing) and warm (gazetteer already loaded).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.data.gazetteer import distance_km  # noqa: E402
from dashboard.ingest import Article, ingest, load_gazetteer, read_article  # noqa: E402

TOLERANCE_KM = 10.0


def span_of(text: str, surface: str, occurrence: int) -> tuple[int, int] | None:
    """The n-th (1-based) word-bounded occurrence of `surface` in the article text."""
    hits = list(re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text))
    if occurrence > len(hits):
        return None
    m = hits[occurrence - 1]
    return m.start(), m.end()


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def place_counts(text: str, labels: list[dict], places: list) -> tuple[int, int, int, list[str]]:
    """(correct, predicted, expected, notes) for one article."""
    expected = [(span_of(text, lab["text"], lab["occurrence"]), lab) for lab in labels]
    correct, notes = 0, []
    for p in places:
        match = next((lab for sp, lab in expected if sp and overlaps(sp, (p.start, p.end))), None)
        if match is None:
            notes.append(f"unlabelled prediction {p.text!r} ({p.lat}, {p.lon})")
            continue
        if match["lat"] is None or p.lat is None:
            ok = match["lat"] is None and p.lat is None
        else:
            ok = distance_km(match["lat"], match["lon"], p.lat, p.lon) <= TOLERANCE_KM
        correct += ok
        if not ok:
            notes.append(f"{p.text!r}: got ({p.lat}, {p.lon}), expected ({match['lat']}, {match['lon']})")
    missed = [lab["text"] for sp, lab in expected if sp and not any(overlaps(sp, (p.start, p.end)) for p in places)]
    notes += [f"missed {name!r}" for name in missed]
    return correct, len(places), len(expected), notes


def figure_hits(text: str, labels: list[dict], figures: list) -> int:
    hits = 0
    for lab in labels:
        start = text.find(lab["text"])
        sp = (start, start + len(lab["text"]))
        hits += any(overlaps(sp, (f.start, f.end)) and abs(f.value - lab["value"]) < 1e-6 for f in figures)
    return hits


def date_hits(text: str, labels: list[dict], dates: list) -> int:
    hits = 0
    for lab in labels:
        sp = span_of(text, lab["text"], lab["occurrence"])
        hits += bool(sp) and any(overlaps(sp, (d.start, d.end)) and d.date == lab["date"] for d in dates)
    return hits


HOLDOUT_PREFIX = "holdout_"


def articles(folder: Path, split: str = "all") -> list[tuple[Path, dict]]:
    out = []
    for label_file in sorted(folder.glob("*.labels.json")):
        stem = label_file.name.removesuffix(".labels.json")
        if split != "all" and stem.startswith(HOLDOUT_PREFIX) != (split == "holdout"):
            continue
        source = next(p for p in folder.iterdir() if p.stem == stem and not p.name.endswith(".json"))
        out.append((source, json.loads(label_file.read_text(encoding="utf-8"))))
    return out


def speed(texts: list[str], words: int) -> tuple[float, float, int]:
    """Seconds to ingest `words` words, cold (gazetteer load included) and warm; and the word count."""
    body, n = [], 0
    while n < words:
        for t in texts:
            body.append(t)
            n += len(t.split())
    article = Article(title="bench", date="2024-11-14", text="\n\n".join(body))
    from dashboard.data import gazetteer as gz

    gz._load.cache_clear()
    t0 = time.perf_counter()
    ingest(article, load_gazetteer())
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    ingest(article, load_gazetteer())
    return cold, time.perf_counter() - t0, n


def score(pairs: list[tuple[Path, dict]], verbose: bool) -> tuple[dict, list[str]]:
    """Print one line per article (and its misses when verbose); the totals and the article texts."""
    totals = dict.fromkeys(["ok", "pred", "exp", "fig", "fig_n", "date", "date_n", "meta", "meta_n"], 0)
    texts = []
    for source, labels in pairs:
        art = read_article(source.read_bytes(), source.name)
        draft = ingest(art)
        texts.append(art.text)
        ok, pred, exp, notes = place_counts(art.text, labels["places"], draft.places)
        fig = figure_hits(art.text, labels["figures"], draft.figures)
        dat = date_hits(art.text, labels["dates"], draft.dates)
        meta = (art.title == labels["title"]) + (art.date == labels["date"])
        for k, v in zip(totals, [ok, pred, exp, fig, len(labels["figures"]), dat, len(labels["dates"]), meta, 2],
                        strict=True):  # fmt: skip
            totals[k] += v
        print(
            f"{source.name:<34} places {ok}/{pred} predicted, {exp} labelled; figures {fig}/{len(labels['figures'])};"
            f" dates {dat}/{len(labels['dates'])}; title+date {meta}/2"
        )
        if verbose:
            notes += [f"figure missed {f['text']!r} = {f['value']}" for f in labels["figures"]
                      if not figure_hits(art.text, [f], draft.figures)]  # fmt: skip
            notes += [f"date missed {d['text']!r} (#{d['occurrence']}) = {d['date']}" for d in labels["dates"]
                      if not date_hits(art.text, [d], draft.dates)]  # fmt: skip
            if art.date != labels["date"] or art.title != labels["title"]:
                notes.append(f"article title/date: got {art.title!r} {art.date}, expected {labels['date']}")
        for note in notes if verbose else []:
            print("    " + note)
    return totals, texts


def summary(name: str, t: dict) -> None:
    print(f"[{name}] place precision {t['ok'] / max(1, t['pred']):.3f} ({t['ok']}/{t['pred']})"
          f"  recall {t['ok'] / max(1, t['exp']):.3f} ({t['ok']}/{t['exp']})"
          f"  figure recall {t['fig'] / max(1, t['fig_n']):.3f} ({t['fig']}/{t['fig_n']})"
          f"  date accuracy {t['date'] / max(1, t['date_n']):.3f} ({t['date']}/{t['date_n']})"
          f"  article title+date right {t['meta']}/{t['meta_n']}")  # fmt: skip


def hostile(size: int) -> None:
    """Seconds to read and ingest each hostile input of tests/test_ingest_linear.py at `size`
    characters (warm: spaCy and the gazetteer loaded), as a Markdown table for results_ingest.md."""
    from dashboard.ingest.reader import CLI_LIMIT
    from tests.test_ingest_linear import HOSTILE

    ingest(read_article("Warm up near Kursk on 1 May 2024.", "a.txt"))
    print(f"| input ({size:,} characters) | file | read + ingest, s | places | figures | dates |")
    print("|---|---|---|---|---|---|")
    for name, make in HOSTILE.items():
        filename, text = make(size)
        start = time.perf_counter()
        draft = ingest(read_article(text, filename, limit=CLI_LIMIT))
        took = time.perf_counter() - start
        print(f"| {name} | {filename.rsplit('.', 1)[-1]} | {took:.2f} | {len(draft.places)} | {len(draft.figures)} "
              f"| {len(draft.dates)} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hostile", type=int, metavar="CHARS", default=0,
                        help="instead: time each hostile input of the linearity test at this size (200000)")
    parser.add_argument("--dir", default=str(ROOT / "tests" / "articles"))
    parser.add_argument(
        "--split",
        "--only",
        choices=["all", "holdout", "tuned"],
        default="all",
        help="score only the held-out articles (holdout_*), only the others, or both apart",
    )
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--verbose", action="store_true", help="list every miss and false positive")
    args = parser.parse_args()
    if args.hostile:
        hostile(args.hostile)
        return
    splits = ["holdout", "tuned"] if args.split == "all" else [args.split]
    results, texts = {}, []
    for split in splits:
        print(f"== {split} ==")
        results[split], split_texts = score(articles(Path(args.dir), split), args.verbose)
        texts += split_texts
        print()
    for split, totals in results.items():
        summary(split, totals)
    if len(results) > 1:
        summary("all", {k: sum(t[k] for t in results.values()) for k in results["holdout"]})
    cold, warm, n = speed(texts, args.words)
    print(f"ingest of {n} words: cold {cold:.2f} s (gazetteer load included), warm {warm:.2f} s")


if __name__ == "__main__":
    main()
