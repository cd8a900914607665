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
    for value, what in ((run, "run"), (static, "static"), (site, "site")):
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
