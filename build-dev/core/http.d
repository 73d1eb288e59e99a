build-dev/core/http.o: core/http.c core/http.h core/buf.h core/err.h \
 core/retry.h
core/http.h:
core/buf.h:
core/err.h:
core/retry.h:
