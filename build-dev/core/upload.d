build-dev/core/upload.o: core/upload.c core/http.h core/buf.h core/err.h \
 core/retry.h core/version.h core/upload.h core/results.h core/gz.h
core/http.h:
core/buf.h:
core/err.h:
core/retry.h:
core/version.h:
core/upload.h:
core/results.h:
core/gz.h:
