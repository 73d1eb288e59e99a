#!/bin/sh
# The C unit tests of the plain build under valgrind: no invalid access,
# no uninitialised read, no leak.  (The sanitizer build runs them under
# ASan+UBSan instead; valgrind and ASan do not mix.)
set -u
case "$FLAKE_BIN" in
*-san) echo "skipped: the sanitizer build is checked by ASan+UBSan"; exit 77 ;;
esac
command -v valgrind >/dev/null || { echo "skipped: no valgrind"; exit 77; }
fail=0 pass=0
for t in "$FLAKE_BIN"/tests/test_*; do
	[ -x "$t" ] || continue
	log=$(mktemp)
	if valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$t" >"$log" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $(basename "$t") under valgrind:"
		tail -n 30 "$log"
	fi
	rm -f "$log"
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
