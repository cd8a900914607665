"""Command line: ``python -m geo check | export | aggregate | validate-assignments | compare | scenario | site |
kommune | profile``.

Every command is one entry of `COMMANDS` (its help, its arguments and the function that runs it);
`main` dispatches and turns every failure into one line on standard error and an exit code:
0 done, 1 invalid input or data (the message says what and where), 2 usage or file-system error
(a wrong option, a file that cannot be read or written), 130 interrupted (Ctrl-C: one line, no
traceback, nothing half-written left). Standard output is always UTF-8.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
INTERRUPTED = "error: interrupted (Ctrl-C); nothing was left half-written"


def _interrupted_hook(kind, value, traceback) -> None:
    """Ctrl-C while the libraries below are still loading: the same one line as `main` prints."""
    if issubclass(kind, KeyboardInterrupt):
        print(INTERRUPTED, file=sys.stderr, flush=True)
        os._exit(EXIT_INTERRUPTED)
    sys.__excepthook__(kind, value, traceback)


if __name__ == "__main__":
    sys.excepthook = _interrupted_hook

from geo import aggregate, export, files, fmt, owndata, plans, profile, roles, tables  # noqa: E402 - after the hook
from geo.bundle import Bundle, load_bundle  # noqa: E402
from geo.config import CHRISTIANSOE, CONFIDENCE_LEVELS  # noqa: E402
from geo.errors import KlyngekortError, ValidationError  # noqa: E402
from geo.i18n import t  # noqa: E402
from geo.model import unassigned_kommuner  # noqa: E402


class UsageError(Exception):
    """A command line that cannot be carried out as written (exit code 2)."""


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, a function adding its arguments and the function running it."""

    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, TextIO], int]


def cmd_check(_args: argparse.Namespace, out: TextIO) -> int:
    bundle = load_bundle()
    a = bundle.assignments
    print(f"Source data: {bundle.sources_dir}", file=out)
    print(f"Kommuner: {len(bundle.kommuner)} (Christiansø {CHRISTIANSOE} is not a kommune: "
          "left out of statistics and memberships)", file=out)
    print(f"København bydele: {len(bundle.sub_areas)}", file=out)
    print(f"Population years: {sorted(int(y) for y in bundle.population['year'].unique())}; "
          f"indicator series: {bundle.indicators['series_id'].nunique()}", file=out)
    for line in split_lines(bundle):
        print(line, file=out)
    print("Layers:", file=out)
    for _, layer in bundle.layers.iterrows():
        rows = a[a["layer"] == layer["layer"]]
        n_units = (bundle.units["layer"] == layer["layer"]).sum()
        per_kommune = rows.groupby("kommune_kode")["unit_id"].count()
        split = sorted(per_kommune[per_kommune > 1].index)
        conf = rows["confidence"].value_counts()
        confs = ", ".join(f"{c} {int(conf.get(c, 0))}" for c in CONFIDENCE_LEVELS)
        line = (f"  {layer['layer']}: {n_units} units, {rows['kommune_kode'].nunique()} kommuner, "
                f"{len(rows)} rows ({confs}); split kommuner: {', '.join(split) or 'none'}")
        missing = unassigned_kommuner(bundle.kommuner, a, layer)
        if len(missing):
            names = ", ".join(f"{r.kommune_kode} {r.kommune_navn}" for r in missing.itertuples())
            line += f"; not assigned (source does not name them): {names}"
        print(line, file=out)
    sites = bundle.sites
    print(f"Sites: {len(sites)} ({(sites['kind'] == 'akutsygehus').sum()} acute hospitals; "
          f"{(sites['lat'] != '').sum()} with coordinates)", file=out)
    print("OK: everything loaded and validated.", file=out)
    return 0


def _date(text: str) -> dt.date:
    """``--date YYYY-MM-DD`` (argparse turns the ValueError into a usage error, exit 2)."""
    day = roles.parse_date(text)
    if day is None:
        raise ValueError("empty date")
    return day


_date.__name__ = "date (YYYY-MM-DD)"  # what argparse names in "invalid date (YYYY-MM-DD) value"


def _date_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--date", type=_date, default=None,
                   help="show the geography in force on this date, YYYY-MM-DD (default: today in Denmark)")


def resolve_layer(bundle: Bundle, spec: str | None, on: dt.date) -> str:
    """A layer id, or a role (`geo.roles.ROLES`: ``care``, ``psych_adult``, …) meaning the layer that plays
    it on ``on``; no ``spec``: the care geography in force. ValueError naming the choices otherwise."""
    reg = bundle.registry
    if spec is None:
        return reg.main_layer(on)
    if spec in reg.ids:
        return spec
    if spec in roles.ROLES:
        layer = reg.in_force(spec, on)
        if layer is None:
            raise ValueError(f"no layer plays the role {spec!r} on {on}")
        return layer
    raise ValueError(f"layer {spec!r} is unknown; expected a layer ({', '.join(reg.ids)}) "
                     f"or a role ({', '.join(roles.ROLES)})")


def split_lines(bundle: Bundle, year: int | None = None) -> list[str]:
    """Per kommune split by sub-areas with population figures: the figures' years, the split year
    for population year ``year`` (default: the latest) and the shares of each layer that splits it."""
    latest = bundle.latest_year() if year is None else int(year)
    figures = bundle.sub_area_population
    assignments = bundle.assignments_for(year)
    names = dict(zip(bundle.kommuner["kommune_kode"], bundle.kommuner["kommune_navn"], strict=True))
    lines = []
    for kode, used in bundle.split_years(year).items():
        years = sorted(int(y) for y in figures.loc[figures["kommune_kode"] == kode, "year"].unique())
        rows = assignments[(assignments["kommune_kode"] == kode) & (assignments["sub_areas"].astype(str) != "")]
        shares = "; ".join(f"{layer} " + ", ".join(f"{r.unit_id} {fmt.plain(float(r.share))}"
                                                  for r in group.itertuples())
                           for layer, group in rows.groupby("layer", sort=False))
        lines.append(f"{kode} {names.get(kode, '')} split by bydele: population figures {years[0]}–{years[-1]}; "
                     f"population year {latest} uses {used}: {shares or 'no layer splits it'}")
    return lines


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layer", help="a layer, or a role such as 'care' for the layer in force on --date "
                                   "(default: the care geography in force; for a crosswalk: the layer before "
                                   "the nearest change of the care geography)")
    p.add_argument("--with", dest="other",
                   help="crosswalk only: the layer (or role) to cross --layer with (default: the layer that "
                        "follows --layer in its role)")
    p.add_argument("--what", choices=(*export.WHATS, *export.PAIR_WHATS), required=True)
    p.add_argument("--format", choices=export.FORMATS, default=None,
                   help="geojson (RFC 7946), csv (RFC 4180, UTF-8, '.' decimals) or xlsx (Excel); default geojson, "
                        "csv for a crosswalk (which has no geometry)")
    p.add_argument("--year", type=int, help="population year of kommuner, units and crosswalk (default: the latest)")
    p.add_argument("--out", help="file to write (default: standard output); replaced only when complete")
    _date_argument(p)


def check_out(path: str | None, optional: bool = True) -> None:
    """Refuse an empty or blank ``--out`` (UsageError) rather than writing to standard output or to '.'."""
    if path is not None and not path.strip():
        raise UsageError("--out is empty: give a file name"
                         + (", or leave --out out to write to standard output" if optional else ""))


def crosswalk_layers(bundle: Bundle, spec_a: str | None, spec_b: str | None, on: dt.date) -> tuple[str, str]:
    """The two layers of a crosswalk from ``--layer`` and ``--with`` (layer ids or roles): both given, as
    given; only ``--with``, the layer before it in its role; only ``--layer``, the layer after it (or, for a
    layer nothing follows, the one before it and then it: ``--layer care`` after 1 January 2027 is the
    klynger × sundhedsråd); none, the care geography's pair around its nearest change
    (`geo.roles.Registry.change_pair`)."""
    reg = bundle.registry
    if spec_a is None and spec_b is None:
        pair = reg.change_pair(on)
        if pair is None:
            raise ValueError(f"the care geography has no change around {on}: give --layer and --with")
        return pair
    a = resolve_layer(bundle, spec_a, on) if spec_a is not None else None
    b = resolve_layer(bundle, spec_b, on) if spec_b is not None else None
    if b is None:
        nxt, before = reg.successor(a), reg.predecessor(a)
        if nxt is None and before is None:
            raise ValueError(f"layer {a!r} has no layer before or after it in its role: give --with")
        a, b = (a, nxt.layer) if nxt is not None else (before.layer, a)
    if a is None:
        before = reg.predecessor(b)
        if before is None:
            raise ValueError(f"layer {b!r} has no predecessor in its role: give --layer")
        a = before.layer
    if a == b:
        raise ValueError(f"a crosswalk needs two different layers; --layer and --with both name {a!r}")
    return a, b


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    pair = args.what in export.PAIR_WHATS
    if args.year is not None and args.what == "memberships":
        raise UsageError("--year does not apply to memberships (they carry no population); leave it out")
    if args.other is not None and not pair:
        raise UsageError(f"--with applies to --what {'|'.join(export.PAIR_WHATS)} only; leave it out")
    args.format = args.format or ("csv" if pair else "geojson")
    if pair and args.format not in export.PAIR_FORMATS:
        raise UsageError(f"--format {args.format} does not apply to a crosswalk (it has no geometry): "
                         f"use {' or '.join(export.PAIR_FORMATS)}")
    check_out(args.out)
    _check_binary(args.format, args.out, out)
    bundle = load_bundle()
    on = args.date or roles.today()
    if pair:
        layer, other = crosswalk_layers(bundle, args.layer, args.other, on)
        payload = export.crosswalk_export(bundle, layer, other, args.format, args.year, created=roles.today())
        done = f"the crosswalk of {layer} × {other}"
    else:
        layer = resolve_layer(bundle, args.layer, on)
        frame = export.frame_for(bundle, layer, args.what, args.year, on)
        sources = export.sources_table(bundle, layer, args.what, args.year, created=roles.today(), on=on)
        payload = export.render(frame, args.format, sources, sheet=args.what)
        done = f"{len(frame)} {args.what} of {layer}"
    _deliver(payload, args.out, out, done)
    return 0


def _check_binary(fmt_: str, out_path: str | None, out: TextIO) -> None:
    if fmt_ == "xlsx" and out_path is None and out.isatty():
        raise UsageError("an xlsx workbook is binary: write it to a file with --out FILE.xlsx")


def _deliver(payload: str | bytes, out_path: str | None, out: TextIO, what: str) -> None:
    """Write an export to ``out_path`` (atomically; the line 'Wrote …' on standard error) or to
    standard output (bytes to its binary buffer)."""
    if out_path is not None:
        files.atomic_write(out_path, payload)
        print(f"Wrote {what} to {out_path}", file=sys.stderr)
    elif isinstance(payload, bytes):
        buffer = getattr(out, "buffer", None)
        if buffer is None:
            raise UsageError("standard output takes no binary data here: write the xlsx with --out FILE.xlsx")
        out.flush()
        buffer.write(payload)
        buffer.flush()
    else:
        out.write(payload)


def _aggregate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layer", help="a layer, or a role such as 'care' for the layer in force on --date "
                                   "(default: the care geography in force)")
    _date_argument(p)
    p.add_argument("--from", dest="from_file", required=True, metavar="FILE",
                   help="a kommune table: CSV or XLSX, at most 2 MB (Statistikbanken, eSundhed, Excel)")
    p.add_argument("--value", metavar="COLUMN", help="the column to map (default: the only value column, or the "
                                                     "latest year of a wide table)")
    p.add_argument("--kind", choices=aggregate.KINDS,
                   help="count (summed by share) or rate (with --denominator or --weight); default count, or rate "
                        "when a denominator or weight is given")
    basis = p.add_mutually_exclusive_group()
    basis.add_argument("--denominator", metavar="COLUMN",
                       help="a rate's denominator column: the unit's rate is Σ share·value / Σ share·denominator")
    basis.add_argument("--weight", metavar="population:YEAR",
                       help="a rate weighted by the population of YEAR (population alone: the latest year)")
    p.add_argument("--year", help="which year of a wide or long table (default: the latest)")
    p.add_argument("--format", choices=owndata.FORMATS, default="csv",
                   help="csv (RFC 4180, UTF-8, '.' decimals), geojson (RFC 7946) or xlsx (Excel)")
    p.add_argument("--out", help="file to write (default: standard output); replaced only when complete")


def cmd_aggregate(args: argparse.Namespace, out: TextIO) -> int:
    check_out(args.out)
    _check_binary(args.format, args.out, out)
    try:
        measure = owndata.Measure.of(args.kind, args.denominator, args.weight, args.value, args.year)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    path = Path(args.from_file)
    if not path.is_file():
        raise UsageError(f"{path} is not a file")
    bundle = load_bundle()
    layer = resolve_layer(bundle, args.layer, args.date or roles.today())
    table = owndata.read_table(path, path.name, bundle.kommuner)
    selection = owndata.select(table, measure, sorted(int(y) for y in bundle.population["year"].unique()))
    result = owndata.aggregate_table(bundle, layer, selection)
    for line in owndata.understood(table, selection, result, "en"):
        print(line, file=sys.stderr)
    payload = owndata.render(bundle, result, args.format, created=roles.today())
    _deliver(payload, args.out, out, f"{len(result.frame)} units of {layer}")
    return 0


def validate_file(path: Path, bundle: Bundle) -> tuple[tables.Problems, str]:
    """Problems in a user's assignment table (at most `tables.MAX_PROBLEMS` kept, the rest counted)
    and, when valid, a one-line summary per layer."""
    table = path.name
    try:
        raw = tables.read_csv_table(path, table)
    except ValidationError as exc:
        return tables.Problems.from_error(exc), ""
    prepared, problems = tables.prepare_assignments(raw, table)
    problems += tables.validate_assignments(
        prepared, table=table, kommuner=bundle.kommuner, layers=bundle.layers,
        units=bundle.units, sub_areas=bundle.sub_areas,
    )
    if problems.total:
        return problems, ""
    summary = []
    for layer, rows in prepared.groupby("layer"):
        summary.append(f"{layer}: {rows['kommune_kode'].nunique()} kommuner, "
                       f"{rows['unit_id'].nunique()} units, {len(rows)} rows")
    return problems, "; ".join(summary)


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"error: {path} is not a file", file=sys.stderr)
        return EXIT_USAGE
    problems, summary = validate_file(path, load_bundle())
    if problems.total:
        print(f"{path}: {problems.total} problem(s)", file=sys.stderr)
        for p in problems.lines():
            print(f"  - {p}", file=sys.stderr)
        return EXIT_INVALID
    print(f"{path}: valid ({summary})", file=out)
    return 0


def load_plan(bundle: Bundle, spec: str, on: dt.date | None = None) -> plans.Plan:
    """A layer name, a role (the layer in force on ``on``) or an assignment file (CSV/XLSX) as a plan;
    ValidationError lists the problems."""
    if spec in set(bundle.layers["layer"]):
        return plans.layer_plan(bundle, spec)
    if spec in roles.ROLES:
        return plans.layer_plan(bundle, resolve_layer(bundle, spec, on or roles.today()))
    path = Path(spec)
    if not path.is_file():
        raise ValueError(f"{spec!r} is neither a layer ({', '.join(bundle.layers['layer'])}), a role "
                         f"({', '.join(roles.ROLES)}) nor a file")
    plan, problems = plans.plan_from_table(bundle, plans.read_table(path.read_bytes(), path.name), path.name)
    if problems:
        raise ValidationError(path.name, problems)
    return plan


def _emit(text: str, out_path: str | None, out, what: str) -> None:
    if out_path is not None:
        files.atomic_write(out_path, text)
        print(f"Wrote {what} to {out_path}", file=sys.stderr)
    else:
        out.write(text)


def cmd_compare(args: argparse.Namespace, out) -> int:
    check_out(args.out)
    bundle = load_bundle()
    ctx = plans.build_context(bundle)
    on = args.date or roles.today()
    a, b = plans.layer_plan(bundle, resolve_layer(bundle, args.layer, on)), load_plan(bundle, args.other, on)
    comparison = plans.compare(ctx, a, b, args.year)
    if args.format == "geojson":
        text = export.to_geojson(plans.intersections(bundle, a, b, comparison))
    else:
        text = export.to_csv(comparison.matrix)
    split = "".join(f"; {kode} split by bydele with {used}" for kode, used in comparison.split_years.items())
    _emit(text, args.out, out, f"{len(comparison.matrix)} cells of {a.layer} × {b.name} ({comparison.year}{split})")
    return 0


def _metrics_text(change) -> str:
    cols = {"unit_navn": "unit", "population_before": "population before", "population_after": "after",
            "population_change": "change", "n_kommuner_after": "kommuner", "pieces_after": "pieces",
            "dist_mean_km_after": "mean km to hospital"}
    table = change[list(cols)].copy()
    for col in ("population_before", "population_after", "population_change"):
        table[col] = [f"{v:+,.0f}" if col.endswith("change") and round(v) else f"{v:,.0f}" for v in table[col]]
    table["dist_mean_km_after"] = [f"{v:.1f}" for v in table["dist_mean_km_after"]]
    return table.rename(columns=cols).to_string(index=False)


def cmd_scenario(args: argparse.Namespace, out) -> int:
    check_out(args.out, optional=False)
    bundle = load_bundle()
    ctx = plans.build_context(bundle)
    base = plans.layer_plan(bundle, args.base)
    start = base
    if args.from_file:
        start = load_plan(bundle, args.from_file)
        if start.layer != base.layer:
            raise ValueError(f"{args.from_file} uses the units of {start.layer!r}, not of the base {base.layer!r}")
    changes = [plans.parse_change(text) for text in args.set or []]
    scenario = plans.apply_changes(start, changes, ctx, name=args.name or f"{base.name} (scenario)")
    csv_text = plans.to_assignment_csv(scenario)
    prepared, problems = plans.plan_from_table(bundle, tables.read_csv_table(csv_text.encode("utf-8"), "scenario"),
                                               "scenario")
    if problems:
        raise ValidationError("scenario", problems)
    files.atomic_write(args.out, csv_text)
    before, after = plans.unit_metrics(ctx, base, args.year), plans.unit_metrics(ctx, scenario, args.year)
    moved = plans.changed_kommuner(base, scenario)
    print(f"Scenario {scenario.name!r}: base {base.layer}, {len(moved)} kommune(r) changed: "
          f"{', '.join(f'{k} {ctx.names[k]}' for k in moved) or 'none'}", file=out)
    split = "".join(f"; {kode} split by bydele with {used}" for kode, used in after.attrs["split_years"].items())
    print(f"Population {after.attrs['year']}{split}; age groups (65+, 80+) exist for 2020 only.", file=out)
    print(_metrics_text(plans.metrics_change(before, after)), file=out)
    bal_b, bal_a = plans.balance(before), plans.balance(after)
    print(f"Balance: largest/smallest {bal_b['ratio']:.2f} → {bal_a['ratio']:.2f}; "
          f"coefficient of variation {bal_b['cv']:.3f} → {bal_a['cv']:.3f}", file=out)
    split = after.loc[after["pieces"] > 1, "unit_navn"].tolist()
    if split:
        print(f"Not contiguous: {', '.join(split)}", file=out)
    print(f"Wrote {len(scenario.rows)} rows to {args.out}", file=out)
    return 0


def _compare_arguments(c: argparse.ArgumentParser) -> None:
    c.add_argument("--layer", help="plan A: a layer or a role (default: the care geography in force on --date)")
    c.add_argument("--with", dest="other", required=True,
                   help="plan B: a layer, a role (the layer in force on --date) or an assignment file")
    _date_argument(c)
    c.add_argument("--year", type=int, help="population year (default: the latest)")
    c.add_argument("--format", choices=("csv", "geojson"), default="csv")
    c.add_argument("--out", help="file to write (default: standard output)")


def _scenario_arguments(s: argparse.ArgumentParser) -> None:
    s.add_argument("--base", required=True, help="the layer to start from")
    s.add_argument("--set", action="append", metavar="KODE=UNIT[:SHARE,UNIT:SHARE]",
                   help="move a kommune (repeatable); shares as fractions or percentages")
    s.add_argument("--from", dest="from_file", help="start from a whole assignment table (CSV/XLSX) instead")
    s.add_argument("--name", help="the scenario's name")
    s.add_argument("--year", type=int, help="population year for the metrics (default: the latest)")
    s.add_argument("--out", required=True, help="the CSV file to write")


def cmd_site(args: argparse.Namespace, out) -> int:
    from geo import site

    site.check_target(Path(args.out).absolute())  # refuse before spending time on loading
    t0 = time.perf_counter()
    bundle = load_bundle()
    print(f"Loaded the data in {time.perf_counter() - t0:.1f} s; writing the atlas", file=out)
    if args.pdf:
        from geo import profile_doc

        profile_doc.engine()  # a missing Pango or font is said before the build starts
    stats = site.build_site(bundle, args.out, on=args.date, log=lambda line: print(line, file=out), pdf=args.pdf)
    print(f"Wrote {stats['files']} files ({stats['kommuner']} kommuner, {stats['units']} units, da + en) to "
          f"{args.out} in {stats['seconds']:.1f} s ({stats['cpu_seconds']:.1f} s CPU); with loading the data "
          f"{time.perf_counter() - t0:.1f} s", file=out)
    return 0


def _site_arguments(s: argparse.ArgumentParser) -> None:
    s.add_argument("--out", required=True, help="directory for the site (new, empty or a previous atlas)")
    _date_argument(s)
    s.add_argument("--pdf", action="store_true",
                   help="also write the datapakke (PDF, python -m geo profile) beside every kommune and unit page, "
                        "linked from it")


def cmd_kommune(args: argparse.Namespace, out) -> int:
    bundle = load_bundle()
    on = args.date or roles.today()
    text = args.kode.strip()
    kode = text.zfill(4) if text.isdigit() and text.isascii() and len(text) <= 4 else text
    if kode not in set(bundle.kommuner["kommune_kode"]):
        raise ValueError(f"kommune {args.kode!r} is unknown: give a kommunekode such as 0101 or 410")
    facts = profile.summary(bundle, kode, args.lang, on)
    if args.format == "json":
        name = bundle.kommuner.set_index("kommune_kode").loc[kode, "kommune_navn"]
        payload = {"kommune_kode": kode, "kommune_navn": name, "date": on.isoformat(), "lang": args.lang,
                   "layers_in_force": bundle.registry.layers_in_force(on),
                   "facts": [{"key": f.key, "text": f.text, "confidence": f.confidence, "why": f.why}
                             for f in facts]}
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return 0
    for fact in facts:
        print(fact.text, file=out)
        if fact.why:
            label = t("why_low" if fact.confidence == "low" else "why_confidence", args.lang)
            print(f"  {label}: {fact.why}", file=out)
    return 0


def _kommune_arguments(k: argparse.ArgumentParser) -> None:
    k.add_argument("kode", help="kommunekode, e.g. 0410 or 410")
    _date_argument(k)
    k.add_argument("--lang", choices=("da", "en"), default="da")
    k.add_argument("--format", choices=("text", "json"), default="text")


def cmd_profile(args: argparse.Namespace, out) -> int:
    """The datapakke (`geo.profile_doc`): one unit or one kommune as an A4 PDF, written atomically."""
    from geo import profile_doc

    check_out(args.out, optional=False)
    if not args.out.lower().endswith(".pdf"):
        raise UsageError(f"--out {args.out}: a datapakke is a PDF; name the file FILE.pdf")
    if args.unit is not None and "/" not in args.unit:
        raise UsageError(f"--unit {args.unit!r}: write LAYER/UNIT_ID, e.g. sundhedsklynger/h_byen or care/h_byen")
    profile_doc.engine()  # a missing Pango or font is said before the data are loaded
    bundle = load_bundle()
    on = args.date or roles.today()
    ctx = profile_doc.Context.of(bundle)
    if args.unit is not None:
        spec, unit_id = args.unit.split("/", 1)
        layer = resolve_layer(bundle, spec, on)
        payload = profile_doc.unit_pdf(ctx, layer, unit_id, args.lang, on, args.year)
        done = f"the datapakke of {layer}/{unit_id}"
    else:
        text = args.kommune.strip()
        kode = text.zfill(4) if text.isdigit() and text.isascii() and len(text) <= 4 else text
        payload = profile_doc.kommune_pdf(ctx, kode, args.lang, on, args.year)
        done = f"the datapakke of kommune {kode}"
    _deliver(payload, args.out, out, f"{done} ({len(payload) // 1024} KB, {args.lang})")
    return 0


def _profile_arguments(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--unit", metavar="LAYER/UNIT_ID",
                       help="a unit: its layer (or a role such as 'care', the layer in force on --date) and id")
    which.add_argument("--kommune", metavar="KODE", help="a kommune: its kommunekode, e.g. 0101 or 410")
    _date_argument(p)
    p.add_argument("--year", type=int, help="population year (default: the latest)")
    p.add_argument("--lang", choices=("da", "en"), default="da")
    p.add_argument("--out", required=True, help="the PDF file to write; replaced only when complete")


COMMANDS: dict[str, Command] = {
    "check": Command("load and validate everything; print counts", lambda p: None, cmd_check),
    "export": Command("export a layer as GeoJSON, CSV or XLSX, or the crosswalk of two layers",
                      _export_arguments, cmd_export),
    "aggregate": Command("sum a kommune table of one's own onto the units of a layer", _aggregate_arguments,
                         cmd_aggregate),
    "validate-assignments": Command("check a user's assignment table (CSV)",
                                    lambda p: p.add_argument("file"), cmd_validate),
    "compare": Command("population overlap of two plans (A unit × B unit)", _compare_arguments, cmd_compare),
    "scenario": Command("a layer with kommuner moved; writes a complete assignment table", _scenario_arguments,
                        cmd_scenario),
    "site": Command("write the static atlas (Danish at the root, English under en/)", _site_arguments, cmd_site),
    "kommune": Command("a kommune's summary on a date: its geography in force, hospitals, psychiatry",
                       _kommune_arguments, cmd_kommune),
    "profile": Command("a unit's or a kommune's datapakke: a printable A4 PDF profile (da or en)",
                       _profile_arguments, cmd_profile),
}


def parser() -> argparse.ArgumentParser:
    """The argument parser: one subcommand per entry of `COMMANDS`."""
    p = argparse.ArgumentParser(prog="python -m geo", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name, command in COMMANDS.items():
        command.arguments(sub.add_parser(name, help=command.help))
    return p


def _utf8_stdout() -> TextIO:
    """Standard output as UTF-8 whatever the terminal's encoding; standard error never fails on a
    character its encoding lacks."""
    for stream, options in ((sys.stdout, {"encoding": "utf-8"}), (sys.stderr, {"errors": "backslashreplace"})):
        # Not a reconfigurable text stream when a test or an embedding program replaced it.
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(**options)
    return sys.stdout


def _os_message(exc: OSError) -> str:
    where = f" {exc.filename}" if exc.filename else ""
    return f"error: cannot read or write{where}: {exc.strerror or exc}"


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run one command; return its exit code (0 done, 1 invalid input, 2 usage or file error,
    130 interrupted)."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage and the message
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    out = out or _utf8_stdout()
    try:
        return COMMANDS[args.command].run(args, out)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(_os_message(exc), file=sys.stderr)
        return EXIT_USAGE
    except (KlyngekortError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:  # every writer has removed its temporary file on the way out
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
