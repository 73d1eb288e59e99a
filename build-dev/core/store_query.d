build-dev/core/store_query.o: core/store_query.c core/store_query.h \
 core/buf.h core/err.h core/results.h core/stats.h core/store.h \
 core/store_int.h core/store_quarantine.h core/utf8.h
core/store_query.h:
core/buf.h:
core/err.h:
core/results.h:
core/stats.h:
core/store.h:
core/store_int.h:
core/store_quarantine.h:
core/utf8.h:
