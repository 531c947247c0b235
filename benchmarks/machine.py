"""What machine a benchmark ran on: the CPU as ``lscpu`` names it, and its flags.

The 2-core machines differ from session to session (Intel with AMX, Intel
without, AMD EPYC with or without AVX-512), so every result of record names
the CPU and the flags that matter for torch on it.
"""

import os
import platform
import subprocess


def cpu_model():
    """``lscpu`` model name and the flags that matter for torch on a CPU."""
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:  # no lscpu
        return {"model": platform.processor(), "cores": os.cpu_count(), "flags": []}
    info = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    flags = info.get("Flags", "").split()
    wanted = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")
    return {
        "model": info.get("Model name", "").strip(),
        "cores": os.cpu_count(),
        "flags": [f for f in wanted if f in flags],
    }
