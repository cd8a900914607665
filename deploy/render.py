"""Render deploy/nginx.conf.template for one run: public port, replica ports and paths.

    python deploy/render.py --run RUN --port 8080 --replicas 8501,8502 --static DIR --site DIR > nginx.conf

Standard library only; used by deploy/run.sh.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
PAGES = Path(__file__).resolve().with_name("pages")  # the front's own pages (too-long.html)

# Content-Security-Policy of the app: the tightest Streamlit's front end tolerates (tested in Chromium
# by tests/test_deploy.py, which fails on any 'securitypolicyviolation'). Everything from this
# origin only; no plug-ins, no <base>, forms post here, framed only by this origin.
# 'unsafe-inline' for scripts: the folium maps are HTML documents whose scripts are inline (in the
# streamlit-folium component and in srcdoc iframes, which inherit this policy) and change with every
# view, so they cannot be hashed. 'unsafe-eval': the Vega charts (Klynger, Sammenlign) compile their
# expressions at run time and draw nothing without it (tried); Streamlit's front end probes for eval too.
# Styles: Streamlit's front end (emotion) and Leaflet write inline styles.
APP_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
           "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
           "connect-src 'self'; frame-src 'self' blob: data:; worker-src 'self' blob:; "
           "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")
# The static atlas: its scripts and styles are files (the map data is a JSON <script> block, which
# is not run), so nothing inline is allowed at all.
ATLAS_CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
             "form-action 'self'; frame-ancestors 'self'")


def security_headers(csp: str, indent: str = "            ") -> str:
    """add_header lines for one location (nginx drops the server's add_header in a location that
    has its own, so every location gets the whole set); ``always``: error answers too."""
    headers = [("Content-Security-Policy", csp), ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "SAMEORIGIN"), ("Referrer-Policy", "same-origin")]
    return "\n".join(f'{indent}add_header {name} "{value}" always;' for name, value in headers)


def render(run: str, port: int, replicas: list[int], static: str, site: str, root: bool | None = None) -> str:
    """The nginx configuration text.

    Parameters
    ----------
    run : str
        Run directory (pid, logs, temp files).
    port : int
        Port nginx listens on (127.0.0.1).
    replicas : list of int
        Ports of the Streamlit processes, replica ``r1`` first.
    static : str
        Directory holding ``static/`` (Streamlit's front end with ``.gz`` copies).
    site : str
        Directory of the static atlas, served under ``/atlas/``.
    root : bool, optional
        Whether nginx starts as root (then its workers run as the same user, not ``nobody``,
        so they can read the run directory). Default: the current process's uid.

    Returns
    -------
    str
    """
    if not replicas:
        raise ValueError("at least one replica port is needed")
    for value, what in ((run, "run"), (static, "static"), (site, "site"), (str(PAGES), "pages")):
        if re.search(r"[\s;{}'\"$]", value):
            raise ValueError(f"the {what} path {value!r} contains a character nginx cannot take unquoted")
    root = (os.geteuid() == 0) if root is None else root
    names = [f"r{i}" for i in range(1, len(replicas) + 1)]
    upstreams = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in replicas)
    replica_upstreams = []
    for name, p in zip(names, replicas, strict=True):
        backups = "".join(f"        server 127.0.0.1:{q} backup;\n" for q in replicas if q != p)
        replica_upstreams.append(f"    upstream kk_{name} {{\n        server 127.0.0.1:{p};\n{backups}    }}")
    backend = "\n".join(f"        {name} kk_{name};" for name in names)
    cookie = "\n".join(f'        "~(^|, )127\\.0\\.0\\.1:{p}$" {name};'
                       for name, p in zip(names, replicas, strict=True))
    values = {
        "USER": f"user {getpass.getuser()};" if root else "# (not root: workers run as the current user)",
        "RUN": run, "PORT": str(port), "STATIC": static, "SITE": site, "UPSTREAMS": upstreams,
        "REPLICA_UPSTREAMS": "\n".join(replica_upstreams), "BACKEND_OF_COOKIE": backend, "COOKIE_OF_ADDR": cookie,
        "PAGES": str(PAGES), "SECURITY_APP": security_headers(APP_CSP), "SECURITY_ATLAS": security_headers(ATLAS_CSP),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: values[m.group(1)], text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--replicas", required=True, help="comma-separated ports")
    parser.add_argument("--static", required=True)
    parser.add_argument("--site", required=True)
    args = parser.parse_args()
    try:
        text = render(args.run, args.port, [int(p) for p in args.replicas.split(",")], args.static, args.site)
    except ValueError as exc:
        print(f"deploy/render.py: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
