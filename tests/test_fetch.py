"""fetch_asassn_variables against a loopback HTTP server (no internet needed)."""

import functools
import http.server
import inspect
import shutil
import threading
import urllib.parse
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from skdualnet.datasets import fetch_asassn_variables, read_asassn_catalog

ASASSN = Path(__file__).parent / "data" / "asassn"
CATALOG = read_asassn_catalog(ASASSN / "catalog.csv")
# The stars that pass load_asassn's default catalogue cuts (104: probability
# 0.5, 107: unmapped YSO and 108: V = 10.5 are never downloaded).
SELECTED = ["101", "102", "103", "105", "106"]
NAME = {str(i): n for i, n in zip(range(101, 109), CATALOG["ids"], strict=True)}
LOAD = {"min_obs": 5}  # the fixture light curves are short
FAST = {"retries": 2, "backoff": 0, "timeout": 5}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files; counts requests; may serve truncated bodies first."""

    def do_GET(self):  # noqa: N802 (http.server API)
        path = urllib.parse.unquote(self.path)
        with self.server.lock:
            self.server.requests[path] += 1
            bad = self.server.flaky.get(path, 0)
            if bad:
                self.server.flaky[path] = bad - 1
        if bad:  # a truncated CSV, with a consistent Content-Length
            body = b"HJD,UT Date,Camera,FWHM,Limit,mag,mag_err,flux(mJy),flux_err\n1,2"
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


def _make_site(root):
    """Serve the fixture as catalogue + light curves named two ways."""
    shutil.copy(ASASSN / "catalog.csv", root / "catalog.csv")
    (root / "lc").mkdir()
    (root / "lightcurves").mkdir()
    for star in SELECTED:
        src = ASASSN / "lightcurves" / f"{NAME[star].replace(' ', '_')}.csv"
        if star == "105":
            src = ASASSN / "lightcurves" / "105.csv"
        lines = src.read_text().splitlines(keepends=True)
        if star == "106":  # the fixture's file is truncated on purpose: repair it
            lines = lines[:-1]
        for dest in (f"lc/{star}.csv", f"lightcurves/{NAME[star]}.csv"):
            (root / dest).write_text("".join(lines))
    (root / "lc" / "106_truncated.csv").write_text(
        (ASASSN / "lightcurves" / "ASASSN-V_J000006.00+000006.0.csv").read_text()
    )


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A loopback server of a copy of tests/data/asassn, shut down afterwards."""
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    root = tmp_path / "site"
    root.mkdir()
    _make_site(root)
    handler = functools.partial(_Handler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.requests, httpd.flaky, httpd.lock = Counter(), {}, threading.Lock()
    httpd.root = root
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}
    )
    thread.daemon = True
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=2)


def _fetch(server, data_home, **kwargs):
    options = {
        "base_url": server.url,
        "catalog_path": "catalog.csv",
        "lightcurve_path": "lc/{source_id}.csv",
        **FAST,
        **kwargs,
    }
    return fetch_asassn_variables(data_home, **options)


def test_download_then_cached(server, tmp_path):
    home = tmp_path / "home"
    X, y = _fetch(server, home, return_X_y=True, **LOAD)
    assert sorted(server.requests) == ["/catalog.csv"] + [
        f"/lc/{s}.csv" for s in SELECTED
    ]
    assert set(server.requests.values()) == {1}
    assert X.ids.tolist() == [NAME[s] for s in SELECTED]
    assert y.tolist() == ["RRAB", "EB", "VAR", "CEP", "EB"]
    np.testing.assert_allclose(X.period[:2], [0.55, 0.33])
    folder = home / "asassn_variables"
    assert not list(folder.rglob("*.part"))
    # second call: everything from the cache, no request at all
    server.requests.clear()
    X2, y2 = _fetch(server, home, return_X_y=True, **LOAD)
    assert not server.requests
    assert X2.ids.tolist() == X.ids.tolist() and y2.tolist() == y.tolist()
    assert _fetch(server, home) == folder


def test_data_home_env_and_id_template(server, tmp_path, monkeypatch):
    monkeypatch.setenv("SKDUALNET_DATA", str(tmp_path / "env_home"))
    folder = fetch_asassn_variables(
        base_url=server.url + "/",
        catalog_path=f"{server.url}/catalog.csv",  # a full URL is used as is
        lightcurve_path="lightcurves/{id}.csv",  # spaces are URL-quoted
        ids=[NAME["101"], "105"],  # any identifier column
        **FAST,
    )
    assert folder == tmp_path / "env_home" / "asassn_variables"
    assert sorted(p.name for p in (folder / "lightcurves").iterdir()) == [
        "ASASSN-V_J000001.00+000001.0.csv",
        "ASASSN-V_J000005.00+000005.0.csv",
    ]
    assert server.requests[f"/lightcurves/{NAME['105']}.csv"] == 1
    # catalog.csv lists the selected stars only: load_asassn reads the folder
    assert read_asassn_catalog(folder / "catalog.csv")["ids"].tolist() == [
        NAME["101"],
        NAME["105"],
    ]
    with pytest.raises(ValueError, match="not in the ASAS-SN catalogue"):
        fetch_asassn_variables(ids=["nope"], download_if_missing=False)


def test_resume_fetches_only_missing(server, tmp_path):
    home = tmp_path / "home"
    folder = _fetch(server, home, max_stars=3)
    assert len(list((folder / "lightcurves").glob("*.csv"))) == 3
    (folder / "lightcurves" / "ASASSN-V_J000002.00+000002.0.csv").unlink()
    (folder / "lightcurves" / "stale.csv.part").write_text("HJD,ma")  # killed run
    server.requests.clear()
    _fetch(server, home, max_stars=3)
    assert dict(server.requests) == {"/lc/102.csv": 1}
    server.requests.clear()
    X, _ = _fetch(server, home, return_X_y=True, **LOAD)  # the other two now
    assert dict(server.requests) == {"/lc/105.csv": 1, "/lc/106.csv": 1}
    assert len(X) == 5


def test_corrupt_file_retried_then_reported(server, tmp_path):
    home = tmp_path / "home"
    # a transient truncated transfer is retried and then succeeds
    server.flaky["/lc/101.csv"] = 1
    # a permanently truncated file (the fixture's) is retried, then reported
    kwargs = {"lightcurve_path": "lc/{source_id}.csv", "max_stars": 5}
    shutil.copy(server.root / "lc" / "106_truncated.csv", server.root / "lc/106.csv")
    with pytest.raises(OSError, match=r"star 'ASASSN-V J000006.00\+000006.0'.*corrupt"):
        _fetch(server, home, **kwargs)
    assert server.requests["/lc/101.csv"] == 2
    assert server.requests["/lc/106.csv"] == FAST["retries"] + 1
    lc = home / "asassn_variables" / "lightcurves"
    assert len(list(lc.glob("*.csv"))) == 4 and not list(lc.glob("*.part"))
    # on_error="skip": a warning naming the star, the others are loaded
    server.requests.clear()
    with pytest.warns(UserWarning, match=r"J000006.00\+000006.0"):
        X, _ = _fetch(server, home, on_error="skip", return_X_y=True, **LOAD)
    assert dict(server.requests) == {"/lc/106.csv": FAST["retries"] + 1}
    assert len(X) == 4
    # a missing file (HTTP 404) is reported without retrying
    server.requests.clear()
    with pytest.raises(OSError, match="HTTP error 404"):
        _fetch(
            server, tmp_path / "other", lightcurve_path="nowhere/{id}.csv", max_stars=1
        )
    assert server.requests[f"/nowhere/{NAME['101']}.csv"] == 1


def test_offline_error(server, tmp_path):
    home = tmp_path / "home"
    _fetch(server, home, max_stars=2)  # partial cache: catalogue + 2 stars
    url = server.url
    server.shutdown()
    server.server_close()  # the port is now closed
    folder = home / "asassn_variables"
    with pytest.raises(ConnectionError) as info:
        fetch_asassn_variables(tmp_path / "empty", base_url=url, **FAST)
    message = str(info.value)
    assert "catalog_full.csv" in message and "copy the files there by hand" in message
    assert str(tmp_path / "empty" / "asassn_variables") in message
    # catalogue cached, light curves missing: the error names them
    with pytest.raises(ConnectionError, match="3 of 5 light curve") as info:
        fetch_asassn_variables(
            home, base_url=url, lightcurve_path="lc/{source_id}.csv", **FAST
        )
    assert "ASASSN-V_J000003.00+000003.0.csv" in str(info.value)
    assert str(folder) in str(info.value)
    # what is cached still loads offline
    X, _ = fetch_asassn_variables(
        home, base_url=url, max_stars=2, return_X_y=True, **FAST, **LOAD
    )
    assert len(X) == 2


def test_download_if_missing_false(server, tmp_path):
    home = tmp_path / "home"
    with pytest.raises(OSError, match="download_if_missing=False"):
        _fetch(server, home, download_if_missing=False)
    assert not server.requests
    _fetch(server, home, max_stars=1)
    server.requests.clear()
    with pytest.raises(OSError, match=r"4 of 5 .*download_if_missing=False"):
        _fetch(server, home, download_if_missing=False)
    assert not server.requests
    assert _fetch(server, home, download_if_missing=False, max_stars=1).is_dir()


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="min_obss"):
        fetch_asassn_variables(tmp_path, min_obss=3)
    with pytest.raises(ValueError, match="on_error"):
        fetch_asassn_variables(tmp_path, on_error="ignore")
    with pytest.raises(ValueError, match="retries"):
        fetch_asassn_variables(tmp_path, retries=-1)
    with pytest.raises(ValueError, match="max_stars"):
        fetch_asassn_variables(tmp_path, max_stars=0)


def test_load_options_are_load_asassns_parameters():
    # The fetcher lists what it passes on to load_asassn (no introspection at
    # run time); this keeps the list true. Its cut options are exactly
    # select_catalog_rows's, with load_asassn's defaults.
    from skdualnet.datasets import load_asassn, select_catalog_rows
    from skdualnet.datasets.fetch import _CUT_OPTIONS, _LOAD_OPTIONS

    load = inspect.signature(load_asassn).parameters
    own = {"folder", "catalog", "lightcurve_dir", "on_error"}
    assert set(_LOAD_OPTIONS) == set(load) - own
    select = inspect.signature(select_catalog_rows).parameters
    assert set(_CUT_OPTIONS) == set(select) - {"catalog", "missing_columns"}
    for name in _CUT_OPTIONS:
        assert select[name].default == load[name].default, name
