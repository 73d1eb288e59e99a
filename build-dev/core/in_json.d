build-dev/core/in_json.o: core/in_json.c core/in_json.h core/err.h \
 core/results.h core/ident.h core/buf.h core/json_pull.h
core/in_json.h:
core/err.h:
core/results.h:
core/ident.h:
core/buf.h:
core/json_pull.h:
