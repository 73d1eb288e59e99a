build-dev/core/store_json.o: core/store_json.c core/jsonw.h \
 core/store_query.h core/buf.h core/err.h core/results.h core/stats.h \
 core/store.h core/store_quarantine.h
core/jsonw.h:
core/store_query.h:
core/buf.h:
core/err.h:
core/results.h:
core/stats.h:
core/store.h:
core/store_quarantine.h:
