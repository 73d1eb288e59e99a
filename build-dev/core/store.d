build-dev/core/store.o: core/store.c core/store.h core/err.h \
 core/results.h core/ident.h core/buf.h core/store_int.h core/schema.h \
 core/stats.h
core/store.h:
core/err.h:
core/results.h:
core/ident.h:
core/buf.h:
core/store_int.h:
core/schema.h:
core/stats.h:
