build-dev/core/github.o: core/github.c core/retry.h core/version.h \
 core/github.h core/err.h core/ident.h core/buf.h
core/retry.h:
core/version.h:
core/github.h:
core/err.h:
core/ident.h:
core/buf.h:
