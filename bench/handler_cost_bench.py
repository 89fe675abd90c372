"""What a handler's own Python time costs the server per request over the wire: the bare callable
on granian spending 0, 5, 10 and 20 µs of CPU per request (``bench/_spin_asgi.py``), alternating.

    .venv/bin/python bench/handler_cost_bench.py [--rounds 4] [--seconds 3] [--spins 0,5,10,20]

The server CPU per request (its whole process tree, from /proc) minus the spin-0 figure, against
the spin: how much of a microsecond spent in Python the server pays around it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, free_port, median, server_cpu, start, stop, wrk, wrk_with_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--spins", default="0,5,10,20", help="microseconds of CPU per request, comma-separated")
    args = parser.parse_args()
    spins = [spin.strip() for spin in args.spins.split(",")]
    cpu: dict[str, list[float]] = {spin: [] for spin in spins}
    for round_no in range(args.rounds):
        for spin in spins if round_no % 2 == 0 else spins[::-1]:
            port = free_port()
            url = f"http://127.0.0.1:{port}/"
            proc = start([sys.executable, "-m", "granian", "--interface", "asgi", "--loop", "uvloop", "--port",
                          str(port), "--log-level", "warning", "bench._spin_asgi:app"], url, cwd=REPO,
                         extra_env={"SPIN_US": spin})
            try:
                wrk(url, seconds=1, connections=args.connections)
                result, used = wrk_with_cpu(url, proc, seconds=args.seconds, connections=args.connections)
            finally:
                stop(proc)
            cpu[spin].append(server_cpu(used))
            print(f"round {round_no + 1}: spin {spin:>3} µs  {result.rps:>8.0f} req/s  "
                  f"server CPU {server_cpu(used):.1f} µs/req", flush=True)
    base = median(cpu[spins[0]])
    print("\nmedian server CPU per request, and what the spin added:")
    for spin in spins:
        added = median(cpu[spin]) - base
        ratio = f"  x{added / float(spin):.2f} of the spin" if float(spin) else ""
        print(f"  spin {spin:>3} µs: {median(cpu[spin]):.1f} µs  (+{added:.1f}){ratio}")


if __name__ == "__main__":
    main()
