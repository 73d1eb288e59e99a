build-dev/core/github.o: core/github.c core/http.h core/buf.h core/err.h \
 core/retry.h core/version.h core/github.h core/ident.h
core/http.h:
core/buf.h:
core/err.h:
core/retry.h:
core/version.h:
core/github.h:
core/ident.h:
