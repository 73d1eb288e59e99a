build-dev/core/store_group.o: core/store_group.c core/store_group.h \
 core/results.h core/store.h core/err.h core/buf.h core/gz.h \
 core/in_json.h core/store_int.h
core/store_group.h:
core/results.h:
core/store.h:
core/err.h:
core/buf.h:
core/gz.h:
core/in_json.h:
core/store_int.h:
