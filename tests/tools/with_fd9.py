#!/usr/bin/env python3
"""usage: with_fd9.py COMMAND [ARG...]

Runs COMMAND with exactly one descriptor beyond 0, 1 and 2: /dev/null on
9, left open (not close-on-exec) as a parent such as a CI runner may leave
one.  go test passes such a descriptor on to its test binaries and opens
none of its own in them; tests/fixtures/envmod/fds checks that the
collector does the same.  Exits with COMMAND's status."""
import os, subprocess, sys

fd = os.open("/dev/null", os.O_RDONLY)
os.dup2(fd, 9)          # inheritable
os.close(fd)
sys.exit(subprocess.call(sys.argv[1:], pass_fds=(9,)))
