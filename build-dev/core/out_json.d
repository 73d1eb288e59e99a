build-dev/core/out_json.o: core/out_json.c core/jsonw.h core/out_json.h \
 core/err.h core/results.h core/buf.h
core/jsonw.h:
core/out_json.h:
core/err.h:
core/results.h:
core/buf.h:
