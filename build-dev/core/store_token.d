build-dev/core/store_token.o: core/store_token.c core/store_token.h \
 core/err.h core/store.h core/results.h core/ident.h core/buf.h \
 core/store_int.h
core/store_token.h:
core/err.h:
core/store.h:
core/results.h:
core/ident.h:
core/buf.h:
core/store_int.h:
