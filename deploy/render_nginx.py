"""Render deploy/nginx/situation-map.conf.template: fill in the port, the replicas and the base path.

    python deploy/render_nginx.py --listen 8080 --upstream app1:8501 --upstream app2:8501 \
        [--base-path /situation] [--frame-ancestors "https://news.example"] \
        [--cache-dir /var/cache/nginx] [--main --prefix DIR] > out.conf

Only the template's own ${NAME} placeholders are replaced; nginx's `$variables` stay as they are,
and a placeholder left without a value is an error. With --main the output is a whole nginx.conf
(events, http, pid and log files under --prefix) that `nginx -p DIR -c FILE` runs as an ordinary
user in the foreground: the tests and the benchmark use it; its temporary files then go under
--prefix too, unless --cache-dir says otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "situation-map.conf.template"
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")

MAIN = """\
daemon off;
{user}worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    types {{ text/html html; application/javascript js; text/css css; application/json json; }}
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    fastcgi_temp_path {prefix}/fastcgi; uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
{site}
}}
"""


def normalise_base_path(base_path: str) -> str:
    """"" or "/" -> ""; "situation", "/situation/" -> "/situation"."""
    base = base_path.strip().strip("/")
    if base and not re.fullmatch(r"[A-Za-z0-9._~/-]+", base):
        raise ValueError(f"unsupported characters in base path: {base_path!r}")
    return f"/{base}" if base else ""


#: One CSP source for frame-ancestors: a scheme, a host (or `*.` and a host) with an optional port,
#: or a keyword. Nothing that could end the header or the directive (quotes, `;`, spaces inside).
_FRAME_SOURCE = re.compile(r"^(?:'self'|'none'|\*|https?:|https?://(?:\*\.)?[A-Za-z0-9.-]+(?::(?:\d{1,5}|\*))?)$")


def frame_ancestors(sources: str) -> str:
    """The operator's list of sites allowed to frame the map, checked ('self' is in the template)."""
    parts = sources.split()
    bad = [part for part in parts if not _FRAME_SOURCE.match(part)]
    if bad:
        raise ValueError(f"not a frame-ancestors source: {bad[0]!r} (use e.g. https://news.example)")
    return " ".join(parts)


def upstream_lines(addresses: list[str], max_fails: int = 1, fail_timeout: str = "10s") -> str:
    if not addresses:
        raise ValueError("at least one upstream address is needed")
    for a in addresses:
        if not re.fullmatch(r"[A-Za-z0-9._:\[\]-]+", a):
            raise ValueError(f"not a host:port address: {a!r}")
    return "\n".join(f"    server {a} max_fails={max_fails} fail_timeout={fail_timeout};" for a in addresses)


def render(listen: str | int, upstreams: list[str], base_path: str = "",
           cache_dir: str = "/var/cache/nginx", template: Path = TEMPLATE, framers: str = "") -> str:
    values = {"LISTEN_PORT": str(listen), "UPSTREAM_SERVERS": upstream_lines(upstreams),
              "BASE_PATH": normalise_base_path(base_path), "CACHE_DIR": cache_dir.rstrip("/"),
              "FRAME_ANCESTORS": frame_ancestors(framers)}
    text = template.read_text()
    missing = set(PLACEHOLDER.findall(text)) - set(values)
    if missing:
        raise KeyError(f"no value for placeholder(s): {sorted(missing)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def render_main(prefix: Path, site: str, workers: int = 1) -> str:
    """A whole nginx.conf around the rendered site, with every writable path under `prefix`.
    Started as root, the workers stay root too (they would otherwise drop to `nobody`, who may not
    enter a private temporary directory)."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    return MAIN.format(prefix=prefix, workers=workers, site=site, user=user)


def nginx_binary() -> str | None:
    """Debian's nginx lives in /usr/sbin, which an ordinary user's PATH may lack."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


class LocalNginx:
    """nginx in the foreground on loopback, configured from the shipped template, in a private
    prefix directory (no system files touched). Used by the tests and the benchmark."""

    def __init__(self, upstreams: list[str], base_path: str = "", workers: int = 1) -> None:
        exe = nginx_binary()
        if exe is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base_path = normalise_base_path(base_path)
        self.prefix = Path(tempfile.mkdtemp(prefix="situation-nginx-"))
        site = render(f"127.0.0.1:{self.port}", upstreams, self.base_path, str(self.prefix))
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(render_main(self.prefix, site, workers))
        self.error_log = self.prefix / "error.log"
        self.access_log = self.prefix / "access.log"
        self.proc = subprocess.Popen([exe, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.error_log)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.error_log.read_text() if self.error_log.exists() else ''}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("nginx is not listening") from None
                time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}{self.base_path}/"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.prefix, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", required=True, help="port (or address:port) nginx listens on")
    parser.add_argument("--upstream", action="append", required=True, help="host:port of a replica (repeat)")
    parser.add_argument("--base-path", default="", help='"" or e.g. /situation')
    parser.add_argument("--frame-ancestors", default="", help="sites allowed to embed the map, space-separated")
    parser.add_argument("--cache-dir", help="nginx's temporary files (default: /var/cache/nginx; --prefix with --main)")
    parser.add_argument("--main", action="store_true", help="emit a whole nginx.conf (needs --prefix)")
    parser.add_argument("--prefix", type=Path, help="writable directory for pid, logs and temp files")
    args = parser.parse_args()
    if args.main and args.prefix is None:
        parser.error("--main needs --prefix")
    # An unprivileged nginx cannot create /var/cache/nginx/proxy_temp: with --main, everything
    # nginx writes goes under --prefix.
    cache_dir = args.cache_dir or (str(args.prefix.resolve()) if args.main else "/var/cache/nginx")
    try:
        site = render(args.listen, args.upstream, args.base_path, cache_dir, framers=args.frame_ancestors)
    except ValueError as error:
        parser.error(str(error))
    if args.main:
        site = render_main(args.prefix.resolve(), site)
    print(site, end="")


if __name__ == "__main__":
    main()
