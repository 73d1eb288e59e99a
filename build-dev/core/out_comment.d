build-dev/core/out_comment.o: core/out_comment.c core/out_comment.h \
 core/buf.h core/err.h core/results.h core/out_md.h core/utf8.h
core/out_comment.h:
core/buf.h:
core/err.h:
core/results.h:
core/out_md.h:
core/utf8.h:
