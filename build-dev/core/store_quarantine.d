build-dev/core/store_quarantine.o: core/store_quarantine.c \
 core/store_quarantine.h core/err.h core/store.h core/results.h \
 core/store_int.h core/stats.h
core/store_quarantine.h:
core/err.h:
core/store.h:
core/results.h:
core/store_int.h:
core/stats.h:
