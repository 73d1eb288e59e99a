build-dev/core/store_maint.o: core/store_maint.c core/store_maint.h \
 core/err.h core/store.h core/results.h core/buf.h core/store_int.h
core/store_maint.h:
core/err.h:
core/store.h:
core/results.h:
core/buf.h:
core/store_int.h:
