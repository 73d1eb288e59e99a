build-dev/core/json_pull.o: core/json_pull.c core/json_pull.h core/buf.h \
 core/utf8.h
core/json_pull.h:
core/buf.h:
core/utf8.h:
