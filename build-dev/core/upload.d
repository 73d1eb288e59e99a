build-dev/core/upload.o: core/upload.c core/retry.h core/version.h \
 core/upload.h core/err.h core/buf.h core/gz.h
core/retry.h:
core/version.h:
core/upload.h:
core/err.h:
core/buf.h:
core/gz.h:
