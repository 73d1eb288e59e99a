build-dev/core/out_gha.o: core/out_gha.c core/out_gha.h core/err.h \
 core/results.h core/utf8.h core/buf.h
core/out_gha.h:
core/err.h:
core/results.h:
core/utf8.h:
core/buf.h:
