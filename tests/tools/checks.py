"""checks.py: the one check() of the python test tools -- counts checks
and failures, prints each failure, and done() prints "N checks, N failed"
and exits 1 when any failed."""
import sys

checks = failures = 0


def check(cond, what):
    global checks, failures
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what, flush=True)


def done():
    print("%d checks, %d failed" % (checks, failures))
    sys.exit(1 if failures else 0)
