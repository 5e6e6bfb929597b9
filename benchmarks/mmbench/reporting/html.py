"""report.html: one self-contained page (inline CSS, plots as base64 PNG, no URL)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from mmbench.reporting.markdown import METHOD_NOTES, configuration_items
from mmbench.reporting.model import Table
from mmbench.runfolder import RunData, machine_line

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:1250px;padding:0 1em;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ccc}
.machine{color:#555}table{border-collapse:collapse;margin:.6em 0;font-size:.86em}
th,td{border:1px solid #ccc;padding:.25em .55em;text-align:right;white-space:nowrap}
th{background:#f0f0f0}td:first-child,td:nth-child(2),th:first-child{text-align:left}
td.best{font-weight:bold;background:#e8f3e8}tr.failed td{color:#8a1c1c;background:#fbeeee}
.note{font-size:.88em;color:#444}.problems{background:#fff4e0;border:1px solid #e0b060;
padding:.4em 1em}figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.85em;color:#555}details{margin:.5em 0}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:.8em}
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def table_html(t: Table, failed_rows: set[int] | None = None) -> str:
    out = [f'<table id="table-{_e(t.anchor)}" class="results">', "<thead><tr>"]
    out += [f"<th>{_e(h)}</th>" for h in t.headers]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(t.rows):
        cls = ' class="failed"' if failed_rows and i in failed_rows else ""
        out.append(f"<tr{cls}>" + "".join(
            f'<td class="best">{_e(c.text)}</td>' if c.best else f"<td>{_e(c.text)}</td>"
            for c in row) + "</tr>")
    out.append("</tbody></table>")
    out += [f'<p class="note">{_e(n)}</p>' for n in t.notes]
    return "\n".join(out)


def _figure(path: Path, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f'<figure id="fig-{_e(path.stem)}"><img alt="{_e(caption)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{_e(caption)}</figcaption></figure>')


_CAPTIONS = {
    "latency": "Latency by percentile (log 1/(1-p) axis); dashed: Boehm stop-the-world pauses",
    "latency_cdf": "Latency CDF",
    "latency_hist": "Latency histogram, log bins",
    "rss": "RSS over time (median-wall repetition)",
}


def workload_figures(plots_dir: Path, workload: str) -> list[str]:
    figures = []
    for prefix in ("latency", "latency_cdf", "latency_hist", "rss"):
        p = plots_dir / f"{prefix}_{workload}.png"
        if p.is_file():
            figures.append(_figure(p, f"{workload}: {_CAPTIONS[prefix]}"))
    return figures


def report_html(data: RunData, tables: list[Table], problems: list[str], state: str = "") -> str:
    """state: the line saying the run is partial (runstate.py), "" for a finished one."""
    plots = data.run_dir / "plots"
    title = f"mmbench report: {data.run_dir.name}"
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{_e(title)}</h1>", f'<p class="machine">{_e(machine_line(data))}</p>']
    if state:
        out.append(f'<p class="problems" id="run-state"><strong>{_e(state)}</strong></p>')
    if problems:
        out.append('<div class="problems" id="problems"><strong>Input problems</strong><ul>')
        out += [f"<li>{_e(p)}</li>" for p in problems]
        out.append("</ul></div>")
    if not data.rows:
        out.append("<p>No result rows could be read from this run folder.</p>")
    for t in tables:
        section_id = t.anchor or "table"
        out.append(f'<section id="{_e(section_id)}"><h2>{_e(t.title)}</h2>')
        has_status = t.headers[1:2] == ["status"]
        failed = {i for i, r in enumerate(t.rows)
                  if has_status and len(r) > 1 and r[1].text.split(",")[0] not in ("ok", "")}
        out.append(table_html(t, failed))
        figures = []
        if t.anchor == "overview":
            for name, caption in (("overview", "Overview"),
                                  ("throughput_relative", "Throughput relative to glibc, 95% CI"),
                                  ("peak_rss", "Peak RSS; dashed: live data")):
                if (plots / f"{name}.png").is_file():
                    figures.append(_figure(plots / f"{name}.png", caption))
        elif t.anchor.startswith("wl-") and not t.anchor.endswith("-figures"):
            figures = workload_figures(plots, t.anchor[3:])
        if figures:
            out.append('<div class="plots">' + "\n".join(figures) + "</div>")
        out.append("</section>")
    out.append('<section id="method"><h2>Method</h2><ul>')
    out += [f"<li>{_e(n)}</li>" for n in METHOD_NOTES]
    out.append("</ul></section>")
    items = configuration_items(data)
    if items:
        out.append('<section id="configuration"><h2>Machine and configuration</h2>'
                   '<table id="table-configuration"><tbody>')
        out += [f"<tr><td>{_e(k)}</td><td style=\"text-align:left\">{_e(v)}</td></tr>"
                for k, v in items]
        out.append("</tbody></table></section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
