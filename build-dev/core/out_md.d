build-dev/core/out_md.o: core/out_md.c core/out_md.h core/buf.h \
 core/err.h core/results.h core/utf8.h
core/out_md.h:
core/buf.h:
core/err.h:
core/results.h:
core/utf8.h:
