build-dev/core/ident.o: core/ident.c core/ident.h core/buf.h
core/ident.h:
core/buf.h:
