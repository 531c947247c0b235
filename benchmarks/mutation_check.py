"""Mutation check: do the tests of the mixture, the loss and the modules fail
when the code they test is wrong?

Each mutation is a small hand-written change to ``skdualnet/_gmm.py``,
``skdualnet/_criterion.py`` or ``skdualnet/_modules.py`` (a flipped sign, a
dropped term, a wrong normalisation...), given as ``(file, old text, new
text)``; the old text must occur exactly once in the file. For every
mutation the file is backed up, mutated in place, the relevant test files are
run with ``python -m pytest -q -x -p no:randomly`` (``OMP_NUM_THREADS=1``, a
timeout), and the file is restored from the backup in a ``finally`` block
(also on KeyboardInterrupt and SIGTERM) and its SHA-256 checked against the
original. A mutation is *killed* when at least one test fails (or the tests
cannot even be collected), *survived* when all pass.

By default the mutations are applied to a scratch copy of the repository
(``skdualnet/``, ``tests/``, ``pyproject.toml``), which the tests import in
place of the editable install: a working tree that others edit, test or
commit from never holds a mutant, not even for a second. ``--in-place``
mutates the working tree itself, as the original protocol did.

Usage::

    python benchmarks/mutation_check.py [--only NAME ...] [--in-place]
                                        [--timeout 300] [--out FILE.json]

Writes ``benchmarks/results/mutation_check.json``: the command, the pytest
command, the commit, and per mutation its file, status, seconds and the
first failing test.
"""

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "mutation_check.json"

# The test files that exercise each module (fast ones only: tiny tensors).
TESTS = {
    "skdualnet/_gmm.py": ["tests/test_gmm.py", "tests/test_criterion.py"],
    "skdualnet/_criterion.py": ["tests/test_criterion.py"],
    "skdualnet/_modules.py": ["tests/test_modules.py"],
}

GMM, CRIT, MOD = "skdualnet/_gmm.py", "skdualnet/_criterion.py", "skdualnet/_modules.py"

# (name, file, old text, new text): each old text occurs once in its file.
MUTATIONS = [
    # ------------------------------------------------------------- _gmm.py
    (
        "gmm: drop reg_covar",
        GMM,
        "covariances = covariances + reg_covar * eye",
        "covariances = covariances + 0.0 * eye",
    ),
    (
        "gmm: weights not divided by N",
        GMM,
        "weights = n_k / gamma.shape[0]",
        "weights = n_k",
    ),
    (
        "gmm: means divided by N, not N_k",
        GMM,
        "means = gamma.t() @ z / denom",
        "means = gamma.t() @ z / gamma.shape[0]",
    ),
    (
        "gmm: covariance not weighted by gamma",
        GMM,
        "weighted = diff * gamma.t()[:, :, None]",
        "weighted = diff",
    ),
    (
        "gmm: drop the log-determinant",
        GMM,
        "log_norm = -0.5 * (n_dims * math.log(2.0 * math.pi) + log_det)",
        "log_norm = -0.5 * (n_dims * math.log(2.0 * math.pi))",
    ),
    (
        "gmm: log-det of the Cholesky factor, not of Sigma",
        GMM,
        "log_det = 2.0 * torch.log(",
        "log_det = 1.0 * torch.log(",
    ),
    (
        "gmm: + Mahalanobis term (sign flip)",
        GMM,
        "log_norm[:, None] - 0.5 * maha",
        "log_norm[:, None] + 0.5 * maha",
    ),
    (
        "gmm: energy sign flip",
        GMM,
        "return -torch.logsumexp(log_prob, dim=0)",
        "return torch.logsumexp(log_prob, dim=0)",
    ),
    (
        "gmm: max instead of log-sum-exp",
        GMM,
        "return -torch.logsumexp(log_prob, dim=0)",
        "return -log_prob.max(dim=0).values",
    ),
    (
        "gmm: no clamp of zero weights before log",
        GMM,
        "torch.log(weights.clamp_min(torch.finfo(z.dtype).tiny))",
        "torch.log(weights)",
    ),
    (
        "gmm: no jitter when Cholesky fails",
        GMM,
        "if bool((info > 0).any()):",
        "if False:",
    ),
    # -------------------------------------------------------- _criterion.py
    (
        "loss: L_AE ignores the mask",
        CRIT,
        "weights = mask.to(x.dtype) / sigma.clamp_min(self.min_error)",
        "weights = 1.0 / sigma.clamp_min(self.min_error)",
    ),
    (
        "loss: no min_error floor",
        CRIT,
        "weights = mask.to(x.dtype) / sigma.clamp_min(self.min_error)",
        "weights = mask.to(x.dtype) / sigma",
    ),
    (
        "loss: L_AE divided by all steps, not observed",
        CRIT,
        "/ mask.sum().clamp_min(1)",
        "/ mask.numel()",
    ),
    (
        "loss: lambda_energy dropped (weight 1)",
        CRIT,
        "estimation = loss_ce + self.lambda_energy * loss_gmm",
        "estimation = loss_ce + loss_gmm",
    ),
    (
        "loss: energy term dropped",
        CRIT,
        "estimation = loss_ce + self.lambda_energy * loss_gmm",
        "estimation = loss_ce",
    ),
    (
        "loss: class_weight ignored",
        CRIT,
        "cross_entropy(logits, y_true[star], weight=weight)",
        "cross_entropy(logits, y_true[star])",
    ),
    (
        "loss: sigmoid instead of softmax",
        CRIT,
        "gamma = torch.softmax(logits, dim=1)",
        "gamma = torch.sigmoid(logits)",
    ),
    (
        "loss: softmax over segments (dim=0)",
        CRIT,
        "gamma = torch.softmax(logits, dim=1)",
        "gamma = torch.softmax(logits, dim=0)",
    ),
    (
        "loss: reg_covar not passed (default 1e-4)",
        CRIT,
        "gmm_parameters(z, gamma, self.reg_covar)",
        "gmm_parameters(z, gamma)",
    ),
    (
        "loss: autoencoder stage does not detach",
        CRIT,
        "return loss_ae + estimation.detach()",
        "return loss_ae + estimation",
    ),
    (
        "loss: stages swapped",
        CRIT,
        'if self.stage == "autoencoder":',
        'if self.stage == "estimation_":',
    ),
    # ---------------------------------------------------------- _modules.py
    (
        "star_mean: counts off by one",
        MOD,
        "torch.bincount(star, minlength=n_stars).clamp_min(1)",
        "(torch.bincount(star, minlength=n_stars) + 1)",
    ),
    (
        "star_mean: no clamp of empty counts",
        MOD,
        "torch.bincount(star, minlength=n_stars).clamp_min(1)",
        "torch.bincount(star, minlength=n_stars)",
    ),
    (
        "latent: x_hat not masked",
        MOD,
        "x, x_hat_obs = x * m, x_hat * m",
        "x, x_hat_obs = x * m, x_hat",
    ),
    (
        "latent: x not masked",
        MOD,
        "x, x_hat_obs = x * m, x_hat * m",
        "x, x_hat_obs = x, x_hat * m",
    ),
    (
        "latent: distance relative to |x_hat|",
        MOD,
        "dim=1) / (norm_x + _EPS)",
        "dim=1) / (norm_x_hat + _EPS)",
    ),
    (
        "latent: cosine not divided by |x_hat|",
        MOD,
        "/ (norm_x * norm_x_hat + _EPS)",
        "/ (norm_x + _EPS)",
    ),
    (
        "latent: rel_dist and cosine swapped in z",
        MOD,
        "(z_e, rel_dist[:, None], cosine[:, None], aux)",
        "(z_e, cosine[:, None], rel_dist[:, None], aux)",
    ),
    (
        "aux standardisation: batch statistics in training",
        MOD,
        "training=False,",
        "training=self.training and aux.shape[0] > 1,",
    ),
    (
        "aux standardisation: unbiased variance",
        MOD,
        "aux.var(0, correction=0)",
        "aux.var(0, correction=1)",
    ),
    (
        "aux standardisation: not marked as set",
        MOD,
        "norm.num_batches_tracked.fill_(1)",
        "norm.num_batches_tracked.fill_(0)",
    ),
    (
        "forward: proba from logits, not softmax",
        MOD,
        "proba = star_mean(gamma, star, n_stars)",
        "proba = star_mean(logits, star, n_stars)",
    ),
]


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class _Terminated(BaseException):
    """Raised by the SIGTERM handler, so that ``finally`` blocks run."""


def _on_sigterm(signum, frame):
    raise _Terminated(f"signal {signum}")


def make_scratch_copy():
    """A scratch copy of the package, its tests and the pytest configuration."""
    tmp = Path(tempfile.mkdtemp(prefix="skdualnet-mutation-"))
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "skdualnet", tmp / "skdualnet", ignore=ignore)
    shutil.copytree(ROOT / "tests", tmp / "tests", ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", tmp / "pyproject.toml")
    return tmp


def pytest_command(test_files):
    return [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:randomly",
        *test_files,
    ]


def run_tests(root, test_files, timeout):
    """Run pytest in ``root``; return (status, seconds, first failure, rc)."""
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            pytest_command(test_files),
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "killed", time.perf_counter() - start, f"timeout after {timeout} s", None
    seconds = time.perf_counter() - start
    out = proc.stdout + proc.stderr
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", out, flags=re.M)
    if proc.returncode == 0:
        return "survived", seconds, "", 0
    why = failed[0] if failed else out.strip().splitlines()[-1] if out.strip() else ""
    return "killed", seconds, why, proc.returncode


def check_imports_from(root):
    """The tests must import the copy's skdualnet, not the editable install."""
    env = dict(os.environ, PYTHONPATH=str(root))
    where = subprocess.run(
        [sys.executable, "-c", "import skdualnet; print(skdualnet.__file__)"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    expected = root / "skdualnet" / "__init__.py"
    if Path(where).resolve() != expected.resolve():
        raise SystemExit(f"tests would import {where}, not {expected}")


def apply_and_test(root, name, rel, old, new, timeout):
    """Mutate ``root/rel`` in place, run its tests, restore it (always)."""
    path = root / rel
    original = path.read_bytes()
    digest = hashlib.sha256(original).hexdigest()
    text = original.decode()
    count = text.count(old)
    if count != 1:
        raise SystemExit(f"{name}: old text found {count} times in {rel}")
    backup = path.with_name(path.name + ".mutation-backup")
    shutil.copy2(path, backup)
    mutated = text.replace(old, new).encode()
    try:
        path.write_bytes(mutated)
        return run_tests(root, TESTS[rel], timeout)
    finally:
        current = path.read_bytes()
        if current not in (mutated, original):
            # someone else edited the file meanwhile (--in-place): keep both
            print(
                f"WARNING: {rel} changed during the mutation; backup left at {backup}",
                file=sys.stderr,
            )
        else:
            shutil.copy2(backup, path)
            if sha256(path) != digest:
                raise SystemExit(f"{rel}: restoration failed; backup at {backup}")
            backup.unlink()


def git(*args):
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="mutation names (substrings)")
    parser.add_argument("--in-place", action="store_true", help="mutate the tree")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)

    mutations = [
        m for m in MUTATIONS if not args.only or any(s in m[0] for s in args.only)
    ]
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    originals = {rel: sha256(ROOT / rel) for rel in TESTS}
    root = ROOT if args.in_place else make_scratch_copy()
    rows = []
    try:
        if not args.in_place:
            check_imports_from(root)
        for name, rel, old, _ in mutations:  # every old text once, up front
            count = (root / rel).read_text().count(old)
            if count != 1:
                raise SystemExit(f"{name}: old text found {count} times in {rel}")
        # Baseline: the unmutated code must pass, or "killed" means nothing.
        files = sorted({f for fs in TESTS.values() for f in fs})
        status, seconds, why, _ = run_tests(root, files, args.timeout)
        print(f"baseline ({' '.join(files)}): {status} in {seconds:.1f} s {why}")
        baseline = {"tests": files, "all_passed": status == "survived"}
        baseline["seconds"] = round(seconds, 2)
        if status != "survived":
            raise SystemExit("the unmutated code fails its tests: fix that first")
        for name, rel, old, new in mutations:
            status, seconds, why, rc = apply_and_test(
                root, name, rel, old, new, args.timeout
            )
            rows.append(
                {
                    "mutation": name,
                    "file": rel,
                    "old": old,
                    "new": new,
                    "status": status,
                    "seconds": round(seconds, 2),
                    "first_failure": why,
                    "pytest_returncode": rc,
                    "tests": TESTS[rel],
                }
            )
            print(f"{status:9s} {seconds:6.1f} s  {rel:24s} {name}  {why}", flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if not args.in_place:
            shutil.rmtree(root, ignore_errors=True)
        for rel, digest in originals.items():
            if sha256(ROOT / rel) != digest and args.in_place:
                print(
                    f"WARNING: {rel} differs from its state at start", file=sys.stderr
                )

    width = max([len(r["mutation"]) for r in rows], default=8)
    print(f"\n{'mutation':{width}s}  {'file':24s} {'status':9s} seconds")
    for r in rows:
        cells = f"{r['mutation']:{width}s}  {r['file']:24s} {r['status']:9s}"
        print(f"{cells} {r['seconds']:6.1f}")
    killed = sum(r["status"] == "killed" for r in rows)
    print(f"\n{killed} of {len(rows)} mutations killed")
    document = {
        "command": " ".join(
            [
                "OMP_NUM_THREADS=1",
                "python",
                "benchmarks/mutation_check.py",
                *sys.argv[1:],
            ]
        ),
        "pytest_command": "OMP_NUM_THREADS=1 python -m pytest -q -x -p no:randomly "
        "<test files of the mutated module>",
        "tests": TESTS,
        "mode": "in place" if args.in_place else "scratch copy of the repository",
        "commit": git("rev-parse", "HEAD"),
        "package_files_sha256": originals,
        "baseline": baseline,
        "python": platform.python_version(),
        "killed": killed,
        "total": len(rows),
        "mutations": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0 if killed == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
