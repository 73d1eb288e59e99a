build-dev/reporter/cmd_token.o: reporter/cmd_token.c core/ident.h \
 core/buf.h reporter/cmds.h core/err.h core/cli.h core/err.h \
 core/store_token.h core/store.h core/results.h
core/ident.h:
core/buf.h:
reporter/cmds.h:
core/err.h:
core/cli.h:
core/err.h:
core/store_token.h:
core/store.h:
core/results.h:
