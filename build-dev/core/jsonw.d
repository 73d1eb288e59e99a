build-dev/core/jsonw.o: core/jsonw.c core/jsonw.h core/err.h core/utf8.h \
 core/buf.h
core/jsonw.h:
core/err.h:
core/utf8.h:
core/buf.h:
