/*
 * sig.h: failure signatures -- a failure message with everything that
 * varies between occurrences of the same cause masked, so that the same
 * bug clusters under one signature across executions, cells and runs.
 *
 * Masked: hex numbers and addresses (0x...) -> "0x?", durations (1.5s,
 * 300ms, 2m3s, 45µs) -> "<dur>", temporary paths (/tmp/TestX123/001...)
 * -> "<tmp>", other numbers (goroutine ids, counts, line offsets) -> "N".
 * Runs of white space collapse to one space; the result is trimmed and cut
 * at SIG_MAX bytes (on a UTF-8 boundary).
 */
#ifndef CORE_SIG_H
#define CORE_SIG_H

#include "buf.h"

#include <stddef.h>

#define SIG_MAX 240
/* Bytes of a file name kept in a signature (a file system's name limit);
 * a longer one is cut on a UTF-8 boundary. */
#define SIG_FILE_MAX 255
/* Bytes of a whole signature, kind and file included: sig_make() never
 * returns a longer one and the reporter's reader (in_json) refuses one. */
#define SIG_TOTAL_MAX 1024

/* Appends the normalized form of s[0..n) to out; -1 past out's limit. */
int sig_normalize(struct buf *out, const char *s, size_t n)
	__attribute__((warn_unused_result));

/*
 * Returns a new string (caller frees): "<kind>: <normalized message>" plus
 * " @ file:line" when file is not NULL, file cut at SIG_FILE_MAX bytes.
 * kind is one of the short fixed names; the result is at most
 * SIG_TOTAL_MAX bytes.
 */
char *sig_make(const char *kind, const char *msg, size_t msg_len,
	       const char *file, int line);

#endif
